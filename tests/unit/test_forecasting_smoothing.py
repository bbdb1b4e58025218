"""Exponential smoothing against statsmodels fitted directly, and against the recursions written by hand."""

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.holtwinters import ExponentialSmoothing, Holt, SimpleExpSmoothing

from playground.data import load_series
from playground.forecasting import ForecastError, forecast
from playground.forecasting.smoothing import ses_weights

AIR = load_series("sample_data/AirPassengers.csv").series
TRAIN = AIR.iloc[:120]


def test_ses_estimated_matches_statsmodels():
    ours = forecast(TRAIN, "ses", 12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SimpleExpSmoothing(TRAIN.to_numpy(), initialization_method="estimated").fit()
    np.testing.assert_allclose(ours.mean, theirs.forecast(12), rtol=1e-6)
    assert ours.params["α (level)"] == pytest.approx(theirs.params["smoothing_level"], abs=1e-6)


def test_ses_with_fixed_alpha_is_the_course_recursion():
    alpha = 0.3
    ours = forecast(TRAIN, "ses", 5, alpha=alpha)
    level = ours.params["ℓ0 (initial level)"]
    for value in TRAIN:  # ℓ_t = α y_t + (1 − α) ℓ_(t−1)
        level = alpha * value + (1 - alpha) * level
    np.testing.assert_allclose(ours.mean, level)
    assert ours.params["α (level)"] == alpha
    assert "α (level)" in ours.details["set_by_user"]


def test_ses_weights_reproduce_the_forecast():
    """ŷ(T+1|T) = Σ α(1−α)^k y_(T−k) + (1−α)^T ℓ0: the weights shown in the bar chart give the forecast."""
    alpha = 0.25
    ours = forecast(TRAIN, "ses", 1, alpha=alpha)
    weights, on_initial = ses_weights(alpha, len(TRAIN))
    rebuilt = np.sum(weights * TRAIN.to_numpy()[::-1]) + on_initial * ours.params["ℓ0 (initial level)"]
    assert rebuilt == pytest.approx(ours.mean.iloc[0], rel=1e-9)
    assert weights.sum() + on_initial == pytest.approx(1.0)


def test_ses_intervals_agree_with_the_analytic_formula():
    """ETS(A,N,N): σ_h² = σ²(1 + α²(h − 1)) (FPP3 §8.7); the simulated bands should be close."""
    alpha = 0.4
    ours = forecast(TRAIN, "ses", 8, alpha=alpha)
    residuals = ours.residuals.to_numpy()
    sigma = np.sqrt(np.mean(residuals ** 2))
    h = np.arange(1, 9)
    half = 1.959964 * sigma * np.sqrt(1 + alpha ** 2 * (h - 1))
    np.testing.assert_allclose((ours.upper[95] - ours.lower[95]) / 2, half, rtol=0.1)  # 1000 simulated paths


@pytest.mark.parametrize("damped", [False, True])
def test_holt_matches_statsmodels(damped):
    ours = forecast(TRAIN, "holt", 10, damped=damped)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = Holt(TRAIN.to_numpy(), damped_trend=damped, initialization_method="estimated").fit()
    np.testing.assert_allclose(ours.mean, theirs.forecast(10), rtol=1e-6)
    if damped:
        assert ours.params["φ (damping)"] == pytest.approx(theirs.params["damping_trend"], abs=1e-6)


@pytest.mark.parametrize("seasonal", ["additive", "multiplicative"])
def test_holt_winters_matches_statsmodels(seasonal):
    ours = forecast(TRAIN, "holt_winters", 24, season=12, seasonal=seasonal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = ExponentialSmoothing(TRAIN.to_numpy(), trend="add", seasonal=seasonal[:3], seasonal_periods=12,
                                      initialization_method="estimated").fit()
    np.testing.assert_allclose(ours.mean, theirs.forecast(24), rtol=1e-6)
    assert ours.params["γ (season)"] == pytest.approx(theirs.params["smoothing_seasonal"], abs=1e-6)
    assert ours.has_intervals
    assert np.all(ours.lower[95] <= ours.lower[80]) and np.all(ours.upper[80] <= ours.upper[95])


def test_holt_winters_additive_is_the_formula_on_the_page():
    """Run the additive Holt–Winters recursions shown on the page with the fitted parameters and initial states."""
    result = forecast(TRAIN, "holt_winters", 3, season=12, seasonal="additive", alpha=0.3, beta=0.1, gamma=0.2)
    p = result.params
    alpha, beta, gamma = p["α (level)"], p["β* (trend)"], p["γ (season)"]
    level, trend = p["ℓ0 (initial level)"], p["b0 (initial trend)"]
    seasons = list(result.details["initial_seasons"])  # s_(1−m) … s_0
    fitted = []
    for y in TRAIN.to_numpy():
        fitted.append(level + trend + seasons[-12])
        new_level = alpha * (y - seasons[-12]) + (1 - alpha) * (level + trend)
        new_trend = beta * (new_level - level) + (1 - beta) * trend
        seasons.append(gamma * (y - level - trend) + (1 - gamma) * seasons[-12])
        level, trend = new_level, new_trend
    np.testing.assert_allclose(result.fitted, fitted, rtol=1e-9)
    expected = [level + h * trend + seasons[-12 + (h - 1) % 12] for h in (1, 2, 3)]
    np.testing.assert_allclose(result.mean, expected, rtol=1e-9)


def test_fixed_parameters_are_kept_and_reported():
    result = forecast(TRAIN, "holt", 3, alpha=0.5, beta=0.2, damped=True, phi=0.9)
    assert result.params["α (level)"] == 0.5
    assert result.params["β* (trend)"] == pytest.approx(0.2)
    assert result.params["φ (damping)"] == pytest.approx(0.9)
    assert set(result.details["set_by_user"]) == {"α (level)", "β* (trend)", "φ (damping)"}


def test_intervals_are_reproducible_with_a_seed():
    first = forecast(TRAIN, "ses", 6, seed=3)
    second = forecast(TRAIN, "ses", 6, seed=3)
    pd.testing.assert_frame_equal(first.upper, second.upper)


def test_bad_input_for_smoothing():
    shifted = TRAIN - 200  # has negative values
    with pytest.raises(ForecastError, match="strictly positive"):
        forecast(shifted, "holt_winters", 12, season=12, seasonal="multiplicative")
    with pytest.raises(ForecastError, match="two full seasons"):
        forecast(TRAIN.iloc[:20], "holt_winters", 12, season=12)
    with pytest.raises(ForecastError, match="between 0 and 1"):
        forecast(TRAIN, "ses", 3, alpha=1.5)
    with pytest.raises(ForecastError, match="φ must be"):
        forecast(TRAIN, "holt", 3, damped=True, phi=0.5)
