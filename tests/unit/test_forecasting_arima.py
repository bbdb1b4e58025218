"""(S)ARIMA through `forecast(...)` against R's published airline model and statsmodels fitted directly."""

import warnings

import numpy as np
import pytest
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.statespace.sarimax import SARIMAX

from playground.data import load_series
from playground.forecasting import ForecastError, forecast

AIR = load_series("sample_data/AirPassengers.csv").series
NILE = load_series("sample_data/Nile.csv").series


def _quiet(fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit()


def test_airline_model_matches_r_arima_documentation():
    """R, ?arima (stats package), example:
        arima(log(AirPassengers), c(0, 1, 1), seasonal = list(order = c(0, 1, 1), period = 12))
        Coefficients:    ma1      sma1
                     -0.4018   -0.5569
                s.e.  0.0896    0.0731
        sigma^2 estimated as 0.001348:  log likelihood = 244.7,  aic = -483.4
    """
    result = forecast(AIR, "sarima", 12, order=(0, 1, 1), seasonal_order=(0, 1, 1), season=12, transform="log")
    table = result.details["coefficients"]
    assert table.loc["θ₁", "estimate"] == pytest.approx(-0.4018, abs=5e-4)
    assert table.loc["Θ₁", "estimate"] == pytest.approx(-0.5569, abs=5e-4)
    assert table.loc["θ₁", "s.e."] == pytest.approx(0.0896, abs=2e-3)
    assert table.loc["Θ₁", "s.e."] == pytest.approx(0.0731, abs=2e-3)
    assert result.details["sigma2"] == pytest.approx(0.001348, rel=2e-3)
    assert result.details["loglik"] == pytest.approx(244.7, abs=0.05)
    assert result.details["aic"] == pytest.approx(-483.4, abs=0.05)
    assert result.details["trend"] == "n"  # two differences: no constant, as in R
    # Forecasts are back-transformed from the log scale: the 1961 summer peak is higher than 1960's.
    assert result.mean.index[0].year == 1961
    assert result.mean.max() > AIR.iloc[-12:].max()


def test_airline_equation_in_the_course_form():
    result = forecast(AIR, "sarima", 1, order=(0, 1, 1), seasonal_order=(0, 1, 1), season=12, transform="log")
    assert result.details["equation"] == (
        r"(1 - B)(1 - B^{12}) y_t = (1 - 0.402B)(1 - 0.557B^{12})\varepsilon_t")
    # multiplied out: θ₁Θ₁ = 0.4019 × 0.5571 = 0.224 at lag 13
    assert result.details["expanded"] == (
        r"y'_t = \varepsilon_t - 0.402\,\varepsilon_{t-1} - 0.557\,\varepsilon_{t-12} + 0.224\,\varepsilon_{t-13}")


def test_sarima_matches_statsmodels_sarimax_fitted_directly():
    train = np.log(AIR.iloc[:120])
    ours = forecast(train, "sarima", 24, order=(1, 1, 1), seasonal_order=(1, 1, 0), season=12)
    theirs = _quiet(lambda: SARIMAX(train.to_numpy(), order=(1, 1, 1), seasonal_order=(1, 1, 0, 12)).fit(disp=False))
    np.testing.assert_allclose(ours.mean, theirs.forecast(24), rtol=1e-4)
    # The likelihood is flat near its peak: the same optimum (to 0.001) may sit at slightly different values.
    assert ours.details["loglik"] == pytest.approx(theirs.llf, abs=1e-3)
    np.testing.assert_allclose(list(ours.details["coefficients"]["estimate"])[:3], theirs.params[:3], atol=5e-3)
    frame = theirs.get_forecast(24).summary_frame(alpha=0.05)
    np.testing.assert_allclose(ours.upper[95], frame["mean_ci_upper"], rtol=1e-4)
    frame80 = theirs.get_forecast(24).summary_frame(alpha=0.20)
    np.testing.assert_allclose(ours.lower[80], frame80["mean_ci_lower"], rtol=1e-4)


def test_arima_with_a_constant_matches_statsmodels_and_shows_c():
    ours = forecast(NILE, "arima", 10, order=(1, 0, 1))
    theirs = _quiet(lambda: ARIMA(NILE.to_numpy(), order=(1, 0, 1), trend="c").fit())
    np.testing.assert_allclose(ours.mean, theirs.forecast(10), rtol=1e-5)
    mu, phi = theirs.params[0], theirs.params[1]
    c = mu * (1 - phi)  # y_t = c + φ1 y_(t−1) + θ1 ε_(t−1) + ε_t with c = μ(1 − φ1)
    assert ours.details["expanded"].startswith(f"y_t = {c:.3f} + {phi:.3f}")


def test_arima_010_with_drift_is_the_drift_method():
    """ARIMA(0,1,0) with a constant is a random walk with drift: its forecasts are the drift method's."""
    train = AIR.iloc[:100]
    arima = forecast(train, "arima", 6, order=(0, 1, 0))
    drift = forecast(train, "drift", 6)
    np.testing.assert_allclose(arima.mean, drift.mean, rtol=1e-3)


def test_auto_arima_searches_by_aic_and_reports_progress():
    calls = []
    result = forecast(np.log(AIR.iloc[:120]), "auto_arima", 12, season=12, max_p=1, max_q=1, max_P=1, max_Q=1,
                      progress=lambda fraction, text: calls.append(fraction))
    search = result.details["search"]
    assert result.details["tried"] == len(search) == 16 == len(calls)
    assert calls[-1] == pytest.approx(1.0)
    assert search["AIC"].iloc[0] == search["AIC"].min()
    best = search.iloc[0]
    assert result.details["order"] == (best.p, best.d, best.q)
    assert result.details["seasonal_order"] == (best.P, best.D, best.Q)
    assert best.D == 1  # the air-passenger season is strong: F_S ≥ 0.64


def test_auto_arima_without_season_searches_nonseasonal_orders():
    result = forecast(NILE, "auto_arima", 5, season=1, max_p=2, max_q=2)
    assert result.details["tried"] == 9
    assert result.details["seasonal_order"] == (0, 0, 0)


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
    result = forecast(NILE, "arima", 5, order=(5, 1, 5))
    assert any("did not fully converge" in note for note in result.notes)
    assert np.all(np.isfinite(result.mean))
