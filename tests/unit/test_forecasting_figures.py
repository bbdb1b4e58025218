"""Figure builders and page helpers of the forecasting page: the pictures show the numbers they are given."""

import numpy as np
import pytest

from playground.data import load_series
from playground.figures import forecasting as figures
from playground.forecasting import forecast
from playground.forecasting.choices import default_methods, forecasts_table
from playground.forecasting.evaluation import residual_diagnostics, rolling_origin
from playground.forecasting.smoothing import ses_weights
from playground.forecasting.stationarity import correlogram

AIR = load_series("sample_data/AirPassengers.csv").series
TRAIN, TEST = AIR.iloc[:120], AIR.iloc[120:]


def test_forecast_figure_draws_bands_only_where_asked():
    shown = {"Naive": forecast(TRAIN, "naive", 24), "Drift": forecast(TRAIN, "drift", 24)}
    fig = figures.forecast_figure(TRAIN, TEST, shown, bands_for=["Drift"], history=36)
    names = [trace.name for trace in fig.data]
    assert names == ["training data", "test data (actual)", "Naive", "Drift 95%", "Drift 80%", "Drift"]
    assert len(fig.data[0].x) == 36
    band = fig.data[3]
    np.testing.assert_allclose(band.y[:24], shown["Drift"].lower[95])
    np.testing.assert_allclose(band.y[24:], shown["Drift"].upper[95].to_numpy()[::-1])


def test_ses_weights_figure_shows_the_first_weights():
    weights, on_initial = ses_weights(0.4, 50)
    fig = figures.ses_weights_figure(0.4, weights, on_initial, bars=10)
    np.testing.assert_allclose(fig.data[0].y, 0.4 * 0.6 ** np.arange(10))
    assert fig.data[0].x[0] == "y_T"


def test_rolling_origin_animation_has_one_frame_per_origin():
    result = rolling_origin(AIR, {"Naive": ("naive", {})}, horizon=12, initial=96, step=12)
    fig = figures.rolling_origin_figure(AIR, result.sizes, 12, result.forecasts["Naive"], "Naive")
    assert len(fig.frames) == len(result.sizes) == 4
    last = fig.frames[-1]
    np.testing.assert_allclose(last.data[2].y, AIR.iloc[131])  # the naive forecast from the last origin
    assert {button.label for button in fig.layout.updatemenus[0].buttons} == {"▶ Play", "❚❚ Pause"}


def test_correlogram_and_residual_figures_build():
    fig = figures.correlogram_figure(correlogram(AIR.diff().dropna(), 24))
    assert len(fig.data) == 4  # ACF bars and band, PACF bars and band
    diagnostics = residual_diagnostics(forecast(TRAIN, "snaive", 1, season=12).residuals, 12)
    assert len(figures.residuals_figure(diagnostics).data) == 4


def test_default_methods_and_forecast_table():
    assert default_methods(115, 12) == ["naive", "snaive", "drift", "holt_winters", "sarima"]
    assert "sarima" not in default_methods(3000, 48)
    assert default_methods(80, 1) == ["mean", "naive", "drift", "ses", "arima"]
    table = forecasts_table(TEST.iloc[:3], {"Naive": forecast(TRAIN, "naive", 3)})
    assert list(table.columns) == ["actual", "Naive: forecast", "Naive: lower 80%", "Naive: upper 80%",
                                   "Naive: lower 95%", "Naive: upper 95%"]
    assert table["Naive: forecast"].iloc[0] == pytest.approx(TRAIN.iloc[-1])
