"""Accuracy measures by hand, the leaderboard, rolling origin and residual diagnostics."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.diagnostic import acorr_ljungbox

from playground.data import load_series
from playground.forecasting import accuracy, forecast
from playground.forecasting.core import ForecastError
from playground.forecasting.evaluation import (
    leaderboard, mase_scale, origins, residual_diagnostics, rolling_origin,
)

AIR = load_series("sample_data/AirPassengers.csv").series


def test_accuracy_by_hand():
    actual = [10.0, 20.0, 30.0, 40.0]
    predicted = [12.0, 18.0, 33.0, 40.0]  # errors −2, 2, −3, 0
    train = [1.0, 2.0, 4.0, 7.0, 11.0]  # naive in-sample |changes| 1, 2, 3, 4 → Q = 2.5
    result = accuracy(actual, predicted, train)
    assert result["MAE"] == pytest.approx(7 / 4)
    assert result["RMSE"] == pytest.approx(np.sqrt((4 + 4 + 9 + 0) / 4))
    assert result["MAPE"] == pytest.approx(100 * (0.2 + 0.1 + 0.1 + 0) / 4)
    assert result["MASE"] == pytest.approx((7 / 4) / 2.5)
    assert set(result) == {"MAE", "RMSE", "MAPE", "MASE"}


def test_mase_uses_the_seasonal_naive_scale():
    train = [1.0, 5.0, 2.0, 8.0, 4.0, 6.0]  # m = 2: |2 − 1|, |8 − 5|, |4 − 2|, |6 − 8| → Q = 8 / 4 = 2
    assert mase_scale(train, 2) == pytest.approx(2.0)
    assert accuracy([3.0], [1.0], train, season=2)["MASE"] == pytest.approx(1.0)


def test_mape_is_off_when_the_actuals_contain_zeros():
    result = accuracy([0.0, 2.0], [1.0, 1.0], [1.0, 2.0, 3.0])
    assert np.isnan(result["MAPE"])
    assert result["MAE"] == pytest.approx(1.0)


def test_accuracy_aligns_series_on_their_index():
    actual = pd.Series([1.0, 2.0, 3.0], index=[10, 11, 12])
    predicted = pd.Series([2.0, 2.0], index=[11, 12])
    assert accuracy(actual, predicted, [0.0, 1.0])["MAE"] == pytest.approx(0.5)


def test_leaderboard_ranks_methods_on_the_same_hold_out():
    train, test = AIR.iloc[:120], AIR.iloc[120:132]
    forecasts = {name: forecast(train, name, 12, season=12).mean for name in ("naive", "snaive", "mean")}
    table = leaderboard(test, forecasts, train, season=12)
    assert list(table.columns) == ["MAE", "RMSE", "MAPE", "MASE"]
    assert table.index[0] == "snaive"  # seasonal naive beats the others on a strongly seasonal series
    assert table.loc["naive", "MAE"] == pytest.approx(accuracy(test, forecasts["naive"], train, 12)["MAE"])


def test_origins_of_the_expanding_windows():
    assert origins(20, 10, 3, step=2) == [10, 12, 14, 16]
    assert origins(20, 10, 3, step=1, max_origins=3) == [15, 16, 17]
    with pytest.raises(ForecastError):
        origins(10, 9, 3)


def test_rolling_origin_refits_on_each_window():
    series = AIR.iloc[:60]
    result = rolling_origin(series, {"Naive": ("naive", {}), "Drift": ("drift", {})}, horizon=3, initial=40,
                            step=5, season=12)
    assert result.sizes == [40, 45, 50, 55]
    frame = result.errors["Naive"]
    # by hand at the second origin: train = first 45 points, naive forecast = y_45
    expected = np.mean(np.abs(series.iloc[45:48].to_numpy() - series.iloc[44]))
    assert frame["MAE"].iloc[1] == pytest.approx(expected)
    summary = result.summary()
    assert summary.loc["Naive", "MAE"] == pytest.approx(frame["MAE"].mean())
    assert len(result.forecasts["Drift"]) == 4


def test_rolling_origin_reports_failures_without_stopping():
    series = AIR.iloc[:40]
    result = rolling_origin(series, {"Seasonal naive": ("snaive", {"season": 24}), "Naive": ("naive", {})},
                            horizon=3, initial=20, step=5)
    assert "Seasonal naive" in result.failures
    assert len(result.errors["Naive"]) == len(result.sizes)


def test_residual_diagnostics_match_statsmodels_ljung_box():
    result = forecast(AIR, "snaive", 1, season=12)  # 132 residuals: 2m = 24 ≤ 132/5
    check = residual_diagnostics(result.residuals, season=12)
    resid = result.residuals.dropna().to_numpy()
    expected = acorr_ljungbox(resid, lags=[24], return_df=True)
    assert check.lag == 24  # 2m for seasonal data, at most T/5 (FPP3 §5.4)
    assert residual_diagnostics(result.residuals.iloc[:120], season=12).lag == 108 // 5
    assert check.statistic == pytest.approx(expected["lb_stat"].iloc[0])
    assert not check.white_noise  # seasonal naive leaves the trend in the residuals
    assert "autocorrelated" in check.reading


def test_white_noise_residuals_pass():
    noise = pd.Series(np.random.default_rng(0).normal(size=200))
    check = residual_diagnostics(noise)
    assert check.lag == 10 and check.white_noise
