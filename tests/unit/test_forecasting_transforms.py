"""Transforms: applied before the fit and undone on the forecasts and their intervals."""

import numpy as np
import pytest
from scipy.special import boxcox, inv_boxcox

from playground.data import load_series
from playground.forecasting import ForecastError, forecast
from playground.forecasting.transforms import guerrero_lambda, make_transform

AIR = load_series("sample_data/AirPassengers.csv").series


def test_guerrero_lambda_matches_r_forecast_package():
    """R: forecast::BoxCox.lambda(AirPassengers) (method = "guerrero", lower = -1, upper = 2) = -0.2947."""
    assert guerrero_lambda(AIR.to_numpy(), season=12) == pytest.approx(-0.2947, abs=5e-4)


@pytest.mark.parametrize("lam", [-0.5, 0.0, 0.3, 1.5])
def test_box_cox_matches_scipy_and_inverts(lam):
    y = AIR.to_numpy()
    transform = make_transform("boxcox", y, lam=lam)
    np.testing.assert_allclose(transform.forward(y), boxcox(y, lam), rtol=1e-12)
    np.testing.assert_allclose(transform.inverse(transform.forward(y)), y, rtol=1e-10)
    np.testing.assert_allclose(transform.inverse(boxcox(y, lam)), inv_boxcox(boxcox(y, lam), lam), rtol=1e-10)


def test_log_transform_is_undone_on_forecasts_and_bounds():
    """A naive forecast on the log scale, back-transformed: the point is y_T; the bounds are exp(log y_T ± z σ √h)."""
    train = AIR.iloc[:100]
    result = forecast(train, "naive", 3, transform="log")
    np.testing.assert_allclose(result.mean, train.iloc[-1])
    logged = forecast(np.log(train), "naive", 3)
    np.testing.assert_allclose(result.upper[95], np.exp(logged.upper[95]))
    np.testing.assert_allclose(result.lower[80], np.exp(logged.lower[80]))
    np.testing.assert_allclose(result.residuals, logged.residuals)  # residuals stay on the log scale
    assert result.details["transform"] == "log"


def test_box_cox_estimates_lambda_when_not_given():
    result = forecast(AIR.iloc[:120], "drift", 2, transform="boxcox", season=12)
    assert result.details["transform"].startswith("Box–Cox, λ = ")
    fixed = forecast(AIR.iloc[:120], "drift", 2, transform="boxcox", boxcox_lambda=0.5)
    assert fixed.details["transform"] == "Box–Cox, λ = 0.500"


@pytest.mark.parametrize("kind", ["log", "boxcox"])
def test_non_positive_data_is_refused(kind):
    shifted = AIR - AIR.min()  # contains a zero
    with pytest.raises(ForecastError, match="strictly positive"):
        forecast(shifted, "naive", 3, transform=kind)


def test_unknown_transform():
    with pytest.raises(ForecastError, match="Unknown transform"):
        forecast(AIR, "naive", 3, transform="sqrt")
