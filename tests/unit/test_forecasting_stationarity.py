"""Stationarity tools: the tests read correctly on series whose answer is known, and d, D are chosen as R does.

R references: R 4.2.2 (Debian bookworm), forecast 8.20, urca 1.3-3. Each series is read from sample_data/ as
    y <- ts(read.csv("sample_data/<file>")[[2]], frequency = m)          # log(y) for log AirPassengers
and the numbers come from forecast:::seas.heuristic(y), nsdiffs(y), ndiffs(dx) with dx <- diff(y, lag = m) when
nsdiffs(y) = 1, and urca::ur.kpss(x, type = "mu", use.lag = trunc(3 * sqrt(length(x)) / 13))@teststat on dx,
diff(dx) and diff(dx, differences = 2) (the lag truncation forecast 8.20's ndiffs uses).
"""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.stattools import acf, adfuller, pacf

from playground.data import load_series
from playground.forecasting import stationarity
from playground.forecasting.core import ForecastError
from playground.forecasting.stationarity import (
    NotTestable, adf_test, choose_differences, correlogram, difference, kpss_lags, kpss_statistic, kpss_test,
    rolling_stats, seasonal_strength, shown_against, verdict,
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


# name: (file, m, log, F_S, nsdiffs, ndiffs after D, KPSS statistics of dx, diff(dx), diff(dx, 2))
R_DIFFERENCES = {
    "log AirPassengers": ("AirPassengers.csv", 12, True, 0.9644539700, 1, 1, (0.5366879474, 0.0585685005, 0.0111728686)),
    "AirPassengers": ("AirPassengers.csv", 12, False, 0.9406724903, 1, 1, (0.9704024795, 0.0418627140, 0.0108511657)),
    "ausbeer": ("ausbeer_fpp2.csv", 4, False, 0.9520329995, 1, 1, (1.3026400543, 0.0232795052, 0.0097059184)),
    "USAccDeaths": ("USAccDeaths.csv", 12, False, 0.9447944649, 1, 1, (1.7389579904, 0.0373339655, 0.0162653471)),
    "co2": ("co2_maunaloa_1959_1997.csv", 12, False, 0.9897715912, 1, 1, (2.2523221346, 0.0106533538, 0.0066637145)),
    "Nile": ("Nile.csv", 1, False, None, 0, 1, (1.3152264632, 0.0196221315, 0.0164826300)),
    "Melbourne temperatures, m = 7": ("daily_min_temperatures_melbourne.csv", 7, False, 0.2353763509, 0, 0,
                                      (0.1319348971, 0.0136033677, 0.0038159424)),
    "sunspots": ("monthly_sunspots_1749_1983.csv", 12, False, 0.2165466997, 0, 1,
                 (0.9153457792, 0.0086640175, 0.0023420722)),
    "Google": ("goog_fpp2.csv", 1, False, None, 0, 1, (10.7223104062, 0.0324241030, 0.0039947541)),
    "electricity, m = 48": ("uk_electricity_demand_halfhourly_2000.csv", 48, False, 0.9507583418, 1, 0,
                            (0.0436393583, 0.0065748945, 0.0027167074)),
}


def _raw(file: str, log: bool) -> np.ndarray:
    """The file's values as R reads them (the loader would fill Melbourne's two missing days)."""
    values = pd.read_csv(f"sample_data/{file}").iloc[:, 1].to_numpy(float)
    return np.log(values) if log else values


@pytest.mark.parametrize("name", list(R_DIFFERENCES))
def test_differences_are_rs_ndiffs_and_nsdiffs(name):
    file, m, log, strength, D, d, statistics = R_DIFFERENCES[name]
    y = _raw(file, log)
    chosen = choose_differences(y, m)
    assert (chosen.D, chosen.d) == (D, d)
    if strength is not None:
        # statsmodels' STL is R's Fortran code, but wants a low-pass window longer than m: for odd m (7) it gets
        # m + 2, not R's m, which moves F_S in the fifth decimal
        assert seasonal_strength(y, m) == pytest.approx(strength, abs=1e-9 if m % 2 == 0 else 1e-4)
    x = y[m:] - y[:-m] if D else y
    for expected in statistics:
        assert kpss_statistic(x, kpss_lags(len(x))) == pytest.approx(expected, abs=6e-11)  # R printed %.10f
        x = np.diff(x)


def test_kpss_lag_truncation_and_p_value_are_ndiffs():
    assert [kpss_lags(n) for n in (72, 131, 144, 3650)] == [1, 2, 2, 13]  # trunc(3√n/13)
    # urca's table for the level test, interpolated and clamped as approx(..., rule = 2) does
    assert stationarity.kpss_pvalue(0.463) == pytest.approx(0.05)
    assert stationarity.kpss_pvalue(0.5185) == pytest.approx(0.0375)
    assert stationarity.kpss_pvalue(2.0) == 0.01 and stationarity.kpss_pvalue(0.1) == 0.10


def test_adf_is_statsmodels_adfuller():
    for series in (NOISE, WALK, np.log(AIR), np.cumsum(RNG.normal(size=800))):
        ours = adf_test(series)
        statistic, pvalue, lags, *_ = adfuller(np.asarray(series), autolag="AIC", result_object=False)
        assert ours.statistic == pytest.approx(statistic, rel=1e-8)
        assert ours.pvalue == pytest.approx(pvalue, rel=1e-8)
        assert ours.lags == lags


def test_decisions_are_shown_with_enough_digits():
    assert shown_against(0.04998, 0.05) == "0.04998"  # not "0.05" next to "< 0.05"
    assert shown_against(0.05, 0.05) == "0.05"
    assert shown_against(0.0334, 0.05) == "0.0334"
    assert shown_against(0.6400004, 0.64) == "0.6400004"
    assert shown_against(0.9644539, 0.64) == "0.964"


def test_the_reason_for_d_shows_the_p_value_it_compared(monkeypatch):
    pvalues = iter([0.04998, 0.5])
    monkeypatch.setattr(stationarity, "kpss_pvalue", lambda statistic: next(pvalues))
    d, reason = stationarity.choose_difference(np.cumsum(np.random.default_rng(5).normal(size=200)))
    assert d == 1
    assert "KPSS p = 0.04998 on the series, below 0.05: difference" in reason


@pytest.mark.parametrize("values,words", [
    (np.full(50, 7.0), "constant"),
    (np.full(50, 1e6) + np.r_[0.0, np.zeros(49)], "constant"),
    (np.tile([0.0, 1.0], 50), "only two values"),
    (RNG.integers(0, 2, 200).astype(float), "only two values"),
    (np.tile([1.0, 5.0, 2.0], 40), "exactly predictable"),
])
def test_degenerate_series_get_a_plain_statement_not_numbers(values, words):
    for test in (adf_test, kpss_test):
        if words == "exactly predictable" and test is kpss_test:
            continue  # KPSS has no regression on lags: a repeated pattern is a (stationary) series for it
        with pytest.raises(NotTestable, match=words):
            test(pd.Series(values))


def test_a_nearly_constant_level_is_not_called_constant():
    """R's is.constant: relative to the level (1.5e-8), not an absolute tolerance."""
    values = 1e6 + RNG.normal(scale=5.0, size=200)
    assert not stationarity.is_constant(values)
    assert np.isfinite(adf_test(pd.Series(values)).statistic)


def test_tests_on_a_long_series_look_at_a_bounded_number_of_points():
    """An hourly series of 200,000 points took > 600 s (ADF alone 327 s): every test now looks at the last
    TEST_POINTS values with at most adf_maxlag(TEST_POINTS) lags, and says so."""
    long = pd.Series(np.cumsum(RNG.normal(size=200_000)))
    cap = stationarity.TEST_POINTS
    adf, kpss_result = adf_test(long), kpss_test(long)
    assert adf.points == kpss_result.points == cap
    assert adf.lags <= stationarity.adf_maxlag(cap) <= 40
    assert kpss_result.lags == kpss_lags(cap)
    assert f"last {cap:,} of the 200,000 values" in adf.reading
    chosen = choose_differences(long.to_numpy(), 24)
    assert f"on the last {cap:,} of the 200,000 values" in chosen.d_reason
    assert len(correlogram(long, 60).acf) == 61
