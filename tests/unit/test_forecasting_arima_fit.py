"""The ARIMA estimator and forecaster against R: likelihood, optimiser, forecasts and standard errors.

R references: R 4.2.2 (Debian bookworm), forecast 8.20, urca 1.3-3; the series are read from sample_data/ with
read.csv(...)[[2]] and ts(frequency = ...). The exact R calls are next to each number.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from playground.forecasting.arima_fit import Fit, Spec, _ml_value, difference, expand, fit_ml
from playground.forecasting.arima_predict import predict
from playground.forecasting.r_optim import bfgs, hessian


def _sample(name: str) -> np.ndarray:
    return pd.read_csv(f"sample_data/{name}").iloc[:, 1].to_numpy(float)


AIR, NILE, DEATHS = _sample("AirPassengers.csv"), _sample("Nile.csv"), _sample("USAccDeaths.csv")


def _loglik(y, spec, coef):
    z = difference(y, spec.d, spec.D, spec.m)
    n = len(z)
    return -0.5 * (2 * n * _ml_value(np.asarray(coef, float), z, spec) + n + n * np.log(2 * np.pi))


def test_bfgs_takes_r_optims_steps():
    """R: fr <- function(x) 100 * (x[2] - x[1]^2)^2 + (1 - x[1])^2
    optim(c(-1.2, 1), fr, method = "BFGS"): par 0.999804433231 0.999608380623, value 3.82738275611e-08,
        counts 118 38, convergence 0
    optim(c(-1.2, 1), fr, method = "BFGS", hessian = TRUE, control = list(parscale = c(2, 0.5), maxit = 30)):
        par 0.982235074322 0.960354504728, value 0.00227917827649, counts 68 30, convergence 1,
        hessian [775.603087583, -392.894029729; -392.894029729, 200]"""
    def rosenbrock(x):
        return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2

    result = bfgs(rosenbrock, np.array([-1.2, 1.0]))
    np.testing.assert_allclose(result.par, [0.999804433231, 0.999608380623], rtol=1e-10)
    assert result.value == pytest.approx(3.82738275611e-08, rel=1e-6)
    assert result.counts == (118, 38) and result.convergence == 0
    scaled = bfgs(rosenbrock, np.array([-1.2, 1.0]), np.array([2.0, 0.5]), maxit=30)
    np.testing.assert_allclose(scaled.par, [0.982235074322, 0.960354504728], rtol=1e-8)
    assert scaled.counts == (68, 30) and scaled.convergence == 1
    np.testing.assert_allclose(hessian(rosenbrock, scaled.par, np.array([2.0, 0.5])),
                               [[775.603087583, -392.894029729], [-392.894029729, 200.0]], rtol=1e-8)


@pytest.mark.parametrize("y,spec,coef,r_loglik", [
    # arima(Nile, c(1, 0, 1), fixed = c(0.5, -0.3, 900), transform.pars = FALSE)$loglik
    (NILE, Spec(1, 0, 1, constant=True), [0.5, -0.3, 900], -643.684050993),
    # arima(Nile, c(1, 1, 1), xreg = 1:100, fixed = c(0.5, -0.3, -2), transform.pars = FALSE)$loglik
    (NILE, Spec(1, 1, 1, constant=True), [0.5, -0.3, -2], -656.33985985),
    # arima(diff(diff(log(AirPassengers), 12)), c(0, 0, 1), seasonal = c(0, 0, 1), include.mean = FALSE,
    #       fixed = c(-0.4, -0.55), transform.pars = FALSE)$loglik  (R's exact ARMA likelihood of y')
    (np.log(AIR), Spec(0, 1, 1, 0, 1, 1, 12), [-0.4, -0.55], 244.691551123),
])
def test_exact_likelihood_equals_r(y, spec, coef, r_loglik):
    assert _loglik(y, spec, coef) == pytest.approx(r_loglik, abs=1e-6)


def test_seasonal_likelihood_is_exact_where_r_approximates_the_diffuse_start():
    """R's arima on the undifferenced series puts a prior of variance κ = 1e6 on the 13 differenced states:
    arima(log(AirPassengers), c(0,1,1), seasonal = c(0,1,1), fixed = c(-0.4, -0.55), transform.pars = FALSE,
    kappa = k)$loglik is 244.694580515 (k = 1e6, the default), 244.691854188 (1e7), 244.691581423 (1e8): it tends
    to the exact 244.691551123 computed here. That 0.003 is the whole gap between R's and these seasonal AICc.
    statsmodels' exact state-space likelihood of the differenced series agrees as well."""
    spec, coef = Spec(2, 1, 1, 1, 1, 0, 12), np.array([0.3, 0.1, -0.6, -0.3])
    z = difference(np.log(AIR), 1, 1, 12)
    ours = _loglik(np.log(AIR), spec, coef)
    model = SARIMAX(z, order=(2, 0, 1), seasonal_order=(1, 0, 0, 12), concentrate_scale=True)
    assert ours == pytest.approx(float(model.loglike(coef)), abs=1e-6)
    # R: arima(log(AirPassengers), c(2,1,1), seasonal = c(1,1,0), fixed = c(0.3, 0.1, -0.6, -0.3),
    #          transform.pars = FALSE)$loglik = 238.932142004 (κ = 1e6)
    assert ours == pytest.approx(238.932142004, abs=5e-3)


def test_airline_fit_matches_r():
    """R: arima(log(AirPassengers), c(0,1,1), seasonal = list(order = c(0,1,1), period = 12)) — ?arima's example:
    ma1 −0.4018 (s.e. 0.0896), sma1 −0.5569 (0.0731), log likelihood 244.7, aic −483.4; coef to 10 digits
    −0.4018280168, −0.5569448384; forecast::Arima's σ² 0.001371 (Σ e² / (n* − k), with R's κ artefact)."""
    fit = fit_ml(np.log(AIR), Spec(0, 1, 1, 0, 1, 1, 12))
    np.testing.assert_allclose(fit.coef, [-0.4018280168, -0.5569448384], atol=5e-5)
    np.testing.assert_allclose(fit.se, [0.0896, 0.0731], atol=5e-4)
    assert fit.loglik == pytest.approx(244.7, abs=0.01)
    assert fit.aic == pytest.approx(-483.4, abs=0.02)
    assert fit.sigma2_unbiased == pytest.approx(0.001371, rel=3e-3)
    assert not fit.rejected and fit.converged


R_FORECASTS = {
    # fit <- Arima(y, order, seasonal, include.constant); fc <- forecast(fit, h = 24, level = 95)
    # mean = fc$mean[c(1, 2, 12, 24)], se = (fc$upper - fc$mean) / qnorm(0.975) at those steps
    "log AirPassengers (0,1,1)(0,1,1)": (
        np.log(AIR), Spec(0, 1, 1, 0, 1, 1, 12), [-0.4018280168, -0.5569448384], 0.001371260004,
        [6.110185743, 6.053775271, 6.168024882, 6.264274132], [0.03703055703, 0.04314988508, 0.08227038878,
                                                               0.1396214924]),
    "AirPassengers (2,1,1)(0,1,0)": (
        AIR, Spec(2, 1, 1, 0, 1, 0, 12), [0.5959807066, 0.2142745536, -0.9818771697], 132.3447494,
        [445.6349014, 420.3949965, 465.5075841, 499.8582072], [11.50523613, 13.50261099, 19.26159064, 31.37234637]),
    "Nile (1,1,1)": (
        NILE, Spec(1, 1, 1), [0.2543713701, -0.8741363712], 20176.91487,
        [816.1812759, 835.5596115, 842.1705274, 842.1705349], [142.0454676, 151.9673191, 171.4556506, 190.5154152]),
    "Nile (1,0,1) with mean": (
        NILE, Spec(1, 0, 1, constant=True), [0.8610782775, -0.5176954086, 920.5567266548], 20506.86345,
        [800.3126076, 817.0171277, 897.3543318, 916.7015488], [143.2021768, 151.4095919, 171.7876856, 172.7704261]),
    "Nile (0,1,1) with drift": (
        NILE, Spec(0, 1, 1, constant=True), [-0.7645757268, -3.2582788720], 20836.46356,
        [794.9651867, 791.7069078, 759.1241191, 720.0247726], [144.3484103, 148.294693, 183.1388548, 217.7109762]),
    "USAccDeaths (1,0,0)(0,1,1) with drift": (
        DEATHS, Spec(1, 0, 0, 0, 1, 1, 12, constant=True), [0.7987169323, -0.5766201603, -11.6932468602],
        110767.5396, [8262.273995, 7324.333035, 8658.628743, 8488.579105],
        [333.1517694, 426.2244079, 551.9852766, 614.8701474]),
}


@pytest.mark.parametrize("case", list(R_FORECASTS))
def test_forecasts_and_standard_errors_equal_r_at_r_coefficients(case):
    y, spec, coef, sigma2, r_mean, r_se = R_FORECASTS[case]
    fit = Fit(spec, np.array(coef), sigma2, 0.0, 0.0, 0.0, 0.0, "ML")
    mean, se, fitted = predict(y, fit, 24, sigma2)
    steps = [0, 1, 11, 23]
    np.testing.assert_allclose(mean[steps], r_mean, rtol=1e-6)
    np.testing.assert_allclose(se[steps], r_se, rtol=1e-6)
    lost = spec.d + spec.m * spec.D
    assert np.isnan(fitted[:lost]).all() and np.isfinite(fitted[lost:]).all()


def test_fitted_values_equal_r():
    """R: fitted(Arima(Nile, c(1,0,1)))[c(1, 2, 14, 30, 100)] and fitted(Arima(log(AirPassengers), c(0,1,1),
    seasonal = c(0,1,1)))[c(14, 30, 144)] (the first values differ a little: R's κ start)."""
    fit = Fit(Spec(1, 0, 1, constant=True), np.array([0.8610782775, -0.5176954086, 920.5567266548]), 1.0, 0, 0, 0, 0,
              "ML")
    _, _, fitted = predict(NILE, fit, 1, 1.0)
    np.testing.assert_allclose(fitted[[0, 1, 13, 29, 99]],
                               [954.7164301, 1026.857568, 1021.437452, 942.1054933, 808.0503545], rtol=1e-8)
    fit = Fit(Spec(0, 1, 1, 0, 1, 1, 12), np.array([-0.4018280168, -0.5569448384]), 1.0, 0, 0, 0, 0, "ML")
    _, _, fitted = predict(np.log(AIR), fit, 1, 1.0)
    np.testing.assert_allclose(fitted[[13, 29, 143]], [4.804563946, 5.247467145, 6.083394789], rtol=1e-5)


def test_expanded_polynomials_multiply_the_seasonal_parts():
    spec = Spec(2, 0, 1, 1, 0, 1, 4)
    phi, theta = expand(np.array([0.5, -0.2, 0.3, 0.4, -0.6]), spec)
    # (1 − 0.5B + 0.2B²)(1 − 0.4B⁴) = 1 − 0.5B + 0.2B² − 0.4B⁴ + 0.2B⁵ − 0.08B⁶
    np.testing.assert_allclose(phi, [0.5, -0.2, 0, 0.4, -0.2, 0.08])
    # (1 + 0.3B)(1 − 0.6B⁴) = 1 + 0.3B − 0.6B⁴ − 0.18B⁵
    np.testing.assert_allclose(theta, [0.3, 0, 0, -0.6, -0.18])


def test_non_stationary_css_start_is_refused_as_r_refuses_it():
    """R: auto.arima(Nile, stepwise = FALSE, trace = TRUE) prints ARIMA(1,1,4) : Inf (arima stops with
    'non-stationary AR part from CSS'); a fit by hand starts that AR at zero instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        refused = fit_ml(NILE, Spec(1, 1, 4))
        assert "non-stationary AR" in refused.rejected and refused.ic == float("inf")
        by_hand = fit_ml(NILE, Spec(1, 1, 4), strict=False)
    assert np.all(np.isfinite(by_hand.coef))
