"""Benchmark forecasts and intervals against values computed by hand from FPP3 §5.2 and §5.5 (Table 5.2).

The series y = 1, 3, 2, 5, 4, 6 (T = 6, season m = 2) is small enough to do every sum on paper;
the arithmetic is written next to each expected value.
"""

import numpy as np
import pandas as pd
import pytest

from playground.forecasting import Forecast, ForecastError, METHODS, forecast

Y = pd.Series([1.0, 3.0, 2.0, 5.0, 4.0, 6.0], index=pd.date_range("2020-01-01", periods=6, freq="MS"))
Z95, Z80 = 1.959963984540054, 1.2815515655446004


def test_every_method_in_the_architecture_is_registered():
    assert set(METHODS) == {"mean", "naive", "snaive", "drift", "moving_average", "ses", "holt", "holt_winters",
                            "arima", "sarima", "auto_arima", "narn", "lstm", "gru"}


def test_mean_method_by_hand():
    result = forecast(Y, "mean", 3)
    assert isinstance(result, Forecast)
    np.testing.assert_allclose(result.mean, [3.5, 3.5, 3.5])  # 21 / 6
    # residuals y − 3.5: Σe² = 17.5; K = 1, M = 0 → σ̂² = 17.5 / 5 = 3.5; σ_h = √3.5 · √(1 + 1/6)
    sd = np.sqrt(3.5 * (1 + 1 / 6))
    np.testing.assert_allclose(result.upper[95], 3.5 + Z95 * sd)
    np.testing.assert_allclose(result.lower[80], 3.5 - Z80 * sd)


def test_naive_by_hand():
    result = forecast(Y, "naive", 4)
    np.testing.assert_allclose(result.mean, [6, 6, 6, 6])  # Ŷ(t+h|t) = Y(t)
    # residuals 2, −1, 3, −1, 2: Σe² = 19; K = 0, M = 1 → σ̂² = 19 / 5; σ_h = σ̂ √h
    sd = np.sqrt(19 / 5 * np.arange(1, 5))
    np.testing.assert_allclose(result.upper[95] - result.mean, Z95 * sd)
    np.testing.assert_allclose(result.fitted.iloc[1:], Y.iloc[:-1].to_numpy())


def test_seasonal_naive_by_hand():
    result = forecast(Y, "snaive", 5, season=2)
    np.testing.assert_allclose(result.mean, [4, 6, 4, 6, 4])  # Ŷ(t+h|t) = Y(t+h−m(k+1)): the last season 4, 6
    # residuals y_t − y_(t−2): 1, 2, 2, 1 → Σe² = 10; M = 2 → σ̂² = 10 / 4 = 2.5; σ_h = σ̂ √(k+1), k = ⌊(h−1)/2⌋
    k = np.array([0, 0, 1, 1, 2])
    np.testing.assert_allclose(result.upper[80] - result.mean, Z80 * np.sqrt(2.5 * (k + 1)))


def test_drift_by_hand():
    result = forecast(Y, "drift", 3)
    np.testing.assert_allclose(result.mean, [7, 8, 9])  # slope (6 − 1) / 5 = 1
    # residuals y_t − y_(t−1) − 1: 1, −2, 2, −2, 1 → Σe² = 14; K = 1, M = 1 → σ̂² = 14 / 4
    h = np.arange(1, 4)
    np.testing.assert_allclose(result.upper[95] - result.mean, Z95 * np.sqrt(3.5 * h * (1 + h / 5)))


def test_moving_average_by_hand():
    result = forecast(Y, "moving_average", 2, window=3)
    np.testing.assert_allclose(result.mean, [5, 5])  # (5 + 4 + 6) / 3
    assert not result.has_intervals
    np.testing.assert_allclose(result.fitted.iloc[3:], [2, 10 / 3, 11 / 3])  # means of (1,3,2), (3,2,5), (2,5,4)


def test_future_index_continues_dates_and_ranges():
    result = forecast(Y, "naive", 3)
    assert list(result.mean.index) == list(pd.date_range("2020-07-01", periods=3, freq="MS"))
    assert result.mean.index.freq == Y.index.freq
    numbered = pd.Series([1.0, 2.0, 3.0, 4.0], index=pd.RangeIndex(1, 5))
    assert list(forecast(numbered, "naive", 2).mean.index) == [5, 6]
    sliced = pd.Series(np.arange(10.0)).iloc[2:7]
    assert list(forecast(sliced, "drift", 2).mean.index) == [7, 8]


def test_head_keeps_the_first_steps_without_refitting():
    full = forecast(Y, "drift", 6)
    short = full.head(2)
    np.testing.assert_allclose(short.mean, full.mean.iloc[:2])
    assert short.upper.shape == (2, 2)
    assert list(full.frame().columns) == ["forecast", "lower 80%", "upper 80%", "lower 95%", "upper 95%"]


@pytest.mark.parametrize("method,params,words", [
    ("snaive", {"season": 1}, "season m of at least 2"),
    ("snaive", {"season": 6}, "at least 7"),
    ("moving_average", {"window": 10}, "at least 10"),
    ("mean", {"window": 3}, "no setting"),
    ("nonsense", {}, "Unknown method"),
])
def test_bad_settings_raise_a_readable_error(method, params, words):
    with pytest.raises(ForecastError, match=words):
        forecast(Y, method, 3, **params)


def test_bad_data_raises_a_forecast_error():
    with pytest.raises(ForecastError, match="missing"):
        forecast(pd.Series([1.0, np.nan, 3.0]), "naive", 2)
    with pytest.raises(ForecastError, match="horizon"):
        forecast(Y, "naive", 0)
    assert issubclass(ForecastError, ValueError)
