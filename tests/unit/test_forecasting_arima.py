"""(S)ARIMA through `forecast(...)` against R: the airline model, SARIMA and ARIMA with a mean, the equations.

R references: R 4.2.2 (Debian bookworm), forecast 8.20; series read from sample_data/ (read.csv(...)[[2]]).
"""

import numpy as np
import pytest

from playground.data import load_series
from playground.forecasting import ForecastError, forecast

AIR = load_series("sample_data/AirPassengers.csv").series
NILE = load_series("sample_data/Nile.csv").series


def test_airline_model_matches_r():
    """R, ?arima (stats package), example:
        arima(log(AirPassengers), c(0, 1, 1), seasonal = list(order = c(0, 1, 1), period = 12))
        Coefficients:    ma1      sma1
                     -0.4018   -0.5569
                s.e.  0.0896    0.0731
        sigma^2 estimated as 0.001348:  log likelihood = 244.7,  aic = -483.4
    forecast::Arima (same call) reports σ² = 0.001371 = Σ e² / (n* − k), the σ² of its intervals; R's includes the
    squared "residuals" of its κ = 1e6 start (0.2% here), the exact value is 0.001369.
    forecast(Arima(...), h = 12)$mean[1] = exp(6.110185743) on the original scale."""
    result = forecast(AIR, "sarima", 12, order=(0, 1, 1), seasonal_order=(0, 1, 1), season=12, transform="log")
    table = result.details["coefficients"]
    assert table.loc["θ₁", "estimate"] == pytest.approx(-0.4018, abs=5e-5)
    assert table.loc["Θ₁", "estimate"] == pytest.approx(-0.5569, abs=5e-5)
    assert table.loc["θ₁", "s.e."] == pytest.approx(0.0896, abs=5e-4)
    assert table.loc["Θ₁", "s.e."] == pytest.approx(0.0731, abs=5e-4)
    assert result.details["sigma2"] == pytest.approx(0.001371, rel=3e-3)
    assert result.details["loglik"] == pytest.approx(244.7, abs=0.01)
    assert result.details["aic"] == pytest.approx(-483.4, abs=0.02)
    assert result.details["trend"] == "n"  # two differences: no constant, as in R
    assert result.mean.iloc[0] == pytest.approx(np.exp(6.110185743), rel=1e-4)
    # Forecasts are back-transformed from the log scale: the 1961 summer peak is higher than 1960's.
    assert result.mean.index[0].year == 1961
    assert result.mean.max() > AIR.iloc[-12:].max()


def test_airline_equation_in_the_course_form():
    result = forecast(AIR, "sarima", 1, order=(0, 1, 1), seasonal_order=(0, 1, 1), season=12, transform="log")
    assert result.details["equation"] == (
        r"(1 - B)(1 - B^{12}) y_t = (1 - 0.402B)(1 - 0.557B^{12})\varepsilon_t")
    # multiplied out: θ₁Θ₁ = 0.4018 × 0.5569 = 0.224 at lag 13
    assert result.details["expanded"] == (
        r"y'_t = \varepsilon_t - 0.402\,\varepsilon_{t-1} - 0.557\,\varepsilon_{t-12} + 0.224\,\varepsilon_{t-13}")


def test_sarima_matches_r():
    """R: fit <- Arima(window(log(AirPassengers), end = c(1958, 12)), c(1,1,1), seasonal = c(1,1,0))
        ar1 0.0668 (0.3046), ma1 −0.4518 (0.2825), sar1 −0.4426 (0.0875); log likelihood 195.14; AICc −381.89
        fc <- forecast(fit, h = 24): mean[c(1, 12, 24)] 5.8521622 5.8766931 5.9095621,
        upper 95% 5.9288800 6.0453264 6.2104301, lower 80% 5.8019991 5.7664297 5.7128350"""
    train = np.log(AIR.iloc[:120])
    ours = forecast(train, "sarima", 24, order=(1, 1, 1), seasonal_order=(1, 1, 0), season=12)
    table = ours.details["coefficients"]
    np.testing.assert_allclose(table["estimate"].iloc[:3], [0.0668, -0.4518, -0.4426], atol=2e-3)  # flat in ar1, ma1
    np.testing.assert_allclose(table["s.e."].iloc[:3], [0.3046, 0.2825, 0.0875], rtol=0.03)
    assert ours.details["loglik"] == pytest.approx(195.14, abs=0.01)
    assert ours.details["aicc"] == pytest.approx(-381.89, abs=0.02)
    steps = [0, 11, 23]
    np.testing.assert_allclose(ours.mean.iloc[steps], [5.8521622, 5.8766931, 5.9095621], rtol=2e-5)
    np.testing.assert_allclose(ours.upper[95].iloc[steps], [5.9288800, 6.0453264, 6.2104301], rtol=5e-5)
    np.testing.assert_allclose(ours.lower[80].iloc[steps], [5.8019991, 5.7664297, 5.7128350], rtol=5e-5)


def test_arima_with_a_mean_matches_r_and_shows_c():
    """R: fit <- Arima(Nile, c(1, 0, 1)): ar1 0.8611, ma1 −0.5177, mean 920.5567 (s.e. 0.1067, 0.1908, 46.6736),
    log likelihood −637.04; forecast(fit, h = 10)$mean[c(1, 5, 10)] 800.3126076 854.4517161 889.2637018."""
    ours = forecast(NILE, "arima", 10, order=(1, 0, 1))
    table = ours.details["coefficients"]
    np.testing.assert_allclose(table["estimate"].iloc[:3], [920.5567, 0.8611, -0.5177], rtol=1e-4)
    np.testing.assert_allclose(table["s.e."].iloc[:3], [46.6736, 0.1067, 0.1908], rtol=2e-3)
    assert ours.details["loglik"] == pytest.approx(-637.04, abs=0.005)
    np.testing.assert_allclose(ours.mean.iloc[[0, 4, 9]], [800.3126076, 854.4517161, 889.2637018], rtol=1e-6)
    mu, phi = table["estimate"].iloc[0], table["estimate"].iloc[1]
    c = mu * (1 - phi)  # y_t = c + φ1 y_(t−1) + θ1 ε_(t−1) + ε_t with c = μ(1 − φ1)
    assert ours.details["expanded"].startswith(f"y_t = {c:.3f} + {phi:.3f}")


def test_arima_010_with_drift_is_the_drift_method():
    """ARIMA(0,1,0) with a constant is a random walk with drift: its forecasts are the drift method's."""
    train = AIR.iloc[:100]
    arima = forecast(train, "arima", 6, order=(0, 1, 0))
    drift = forecast(train, "drift", 6)
    np.testing.assert_allclose(arima.mean, drift.mean, rtol=1e-3)


def test_auto_arima_through_the_public_api():
    calls = []
    result = forecast(NILE, "auto_arima", 5, season=1, max_p=2, max_q=2,
                      progress=lambda fraction, text: calls.append(fraction))
    details = result.details
    assert details["chosen"] == "ARIMA(1,1,1)" and details["order"] == (1, 1, 1)
    assert details["seasonal_order"] == (0, 0, 0) and details["trend"] == "n"  # R drops the drift too
    assert details["stepwise"] and not details["approximation"]
    assert len(calls) == details["tried"] == len(details["search"])


def test_auto_arima_refuses_settings_out_of_range():
    with pytest.raises(ForecastError, match="largest p must be between 0 and 5"):
        forecast(NILE, "auto_arima", 5, max_p=6)
    with pytest.raises(ForecastError, match="no setting called"):
        forecast(NILE, "auto_arima", 5, ic="bic")


@pytest.mark.parametrize("params,words", [
    ({"order": (0, 1, 1), "seasonal_order": (1, 1, 1), "season": 12}, "too short"),
    ({"order": (0, 1, 1), "seasonal_order": (0, 1, 1), "season": 1}, "season m of at least 2"),
    ({"order": (0, 1, 1), "seasonal_order": (0, 1, 1), "season": 13, "constant": True}, "too short"),
    ({"order": (9, 1, 1), "seasonal_order": (0, 0, 0)}, "p must be between"),
])
def test_orders_too_large_for_the_data_raise(params, words):
    with pytest.raises(ForecastError, match=words):
        forecast(AIR.iloc[:30], "sarima", 6, **params)


def test_season_too_long_for_sarima():
    with pytest.raises(ForecastError, match="too slow"):
        forecast(AIR, "sarima", 6, order=(0, 1, 1), seasonal_order=(0, 1, 1), season=61)


def test_a_fit_that_does_not_converge_still_forecasts_and_says_so():
    """R: Arima(Nile, c(2, 1, 2), include.drift = TRUE)$code is 1: optim stopped after its 100 iterations."""
    result = forecast(NILE, "arima", 5, order=(2, 1, 2))
    assert any("did not fully converge" in note for note in result.notes)
    assert np.all(np.isfinite(result.mean))
