"""Stationarity tools: the tests read correctly on series whose answer is known."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.stattools import acf, adfuller, pacf

from playground.data import load_series
from playground.forecasting.core import ForecastError
from playground.forecasting.stationarity import (
    adf_test, correlogram, difference, kpss_test, rolling_stats, verdict,
)

RNG = np.random.default_rng(1)
NOISE = pd.Series(RNG.normal(size=300))
WALK = pd.Series(np.cumsum(RNG.normal(size=300)))
AIR = load_series("sample_data/AirPassengers.csv").series


def test_white_noise_is_stationary_for_both_tests():
    adf, kpss_result = adf_test(NOISE), kpss_test(NOISE)
    assert adf.stationary and kpss_result.stationary
    assert adf.pvalue == pytest.approx(adfuller(NOISE.to_numpy(), autolag="AIC", result_object=False)[1])
    assert "Both tests agree: **stationary**" in verdict(adf, kpss_result)


def test_random_walk_is_not_and_its_difference_is():
    adf, kpss_result = adf_test(WALK), kpss_test(WALK)
    assert not adf.stationary and not kpss_result.stationary
    assert "non-stationary" in verdict(adf, kpss_result)
    assert kpss_result.p_text == "< 0.01"  # beyond KPSS's table: said as a bound, not a made-up number
    changes = difference(WALK, d=1)
    assert adf_test(changes).stationary and kpss_test(changes).stationary


def test_difference_orders():
    y = pd.Series(np.arange(30.0) ** 2)
    np.testing.assert_allclose(difference(y, d=2), 2.0)  # second differences of t² are 2
    seasonal = difference(AIR, d=0, seasonal=1, season=12)
    assert len(seasonal) == len(AIR) - 12
    assert seasonal.iloc[0] == AIR.iloc[12] - AIR.iloc[0]
    with pytest.raises(ForecastError):
        difference(AIR, seasonal=1, season=1)


def test_rolling_stats_are_centred_windows():
    stats = rolling_stats(AIR, 12)
    assert stats["mean"].iloc[6] == pytest.approx(AIR.iloc[0:12].mean())
    assert stats["variance"].iloc[6] == pytest.approx(AIR.iloc[0:12].var())


def test_correlogram_matches_statsmodels():
    result = correlogram(AIR, 24)
    np.testing.assert_allclose(result.acf, acf(AIR.to_numpy(), nlags=24, fft=True))
    np.testing.assert_allclose(result.pacf, pacf(AIR.to_numpy(), nlags=24, method="ywadjusted"))
    assert result.bound == pytest.approx(1.96 / 12)


def test_too_short_for_the_tests():
    with pytest.raises(ForecastError, match="at least 10"):
        adf_test(pd.Series([1.0, 2.0, 3.0]))
