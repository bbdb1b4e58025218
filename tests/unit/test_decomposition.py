"""Decomposition against statsmodels and against R's published decompose() output."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.tsa.seasonal import STL, seasonal_decompose

from playground.data import load_series
from playground.decomposition import (
    Decomposition, DecompositionError, centred_moving_average_weights, classical_steps, cycle_labels, decompose,
    null_shape, periods_for_frequency, residual_check, simulate_null, stl_options, strength, suggest_periods,
)
from playground.samples import SAMPLES


@pytest.fixture(scope="module")
def air():
    return load_series(SAMPLES["air_passengers"].path).series


@pytest.fixture(scope="module")
def co2():
    return load_series(SAMPLES["co2"].path).series


# R 4.x: decompose(AirPassengers, type = "multiplicative")$figure, as printed in public knitr output of an
# AirPassengers analysis (AP.decompM$seasonal) and identical in R's own print of the decomposed.ts object.
R_MULTIPLICATIVE_FIGURE = [0.9102304, 0.8836253, 1.0073663, 0.9759060, 0.9813780, 1.1127758,
                           1.2265555, 1.2199110, 1.0604919, 0.9217572, 0.8011781, 0.8988244]
# R 4.x: decompose(AirPassengers)$figure (additive), as printed by `f$figure` in public R tutorials.
R_ADDITIVE_FIGURE = [-24.748737, -36.188131, -2.241162, -8.036616, -4.506313, 35.402778,
                     63.830808, 62.823232, 16.520202, -20.642677, -53.593434, -28.619949]
# ...and the trend of the multiplicative decomposition from July 1949 (the first six are NA):
R_TREND_FROM_JULY_1949 = [126.7917, 127.2500, 127.9583, 128.5833, 129.0000, 129.7500]


def test_classical_indices_reproduce_r_decompose(air):
    multiplicative = decompose(air, "multiplicative", "classical", 12)
    np.testing.assert_allclose(multiplicative.steps.indices, R_MULTIPLICATIVE_FIGURE, atol=5e-8)
    np.testing.assert_allclose(multiplicative.trend.iloc[6:12], R_TREND_FROM_JULY_1949, atol=5e-5)
    assert multiplicative.trend.iloc[:6].isna().all() and multiplicative.trend.iloc[-6:].isna().all()
    additive = decompose(air, "additive", "classical", 12)
    np.testing.assert_allclose(additive.steps.indices, R_ADDITIVE_FIGURE, atol=5e-7)


@pytest.mark.parametrize("model", ["additive", "multiplicative"])
@pytest.mark.parametrize("key, period", [("air_passengers", 12), ("co2", 12), ("beer", 4), ("us_accidents", 5)])
def test_classical_equals_statsmodels(key, period, model):
    series = load_series(SAMPLES[key].path).series
    ours = decompose(series, model, "classical", period)
    reference = seasonal_decompose(series, model=model, period=period)
    for name in ("trend", "seasonal", "resid"):
        pd.testing.assert_series_equal(getattr(ours, name), getattr(reference, name), check_names=False,
                                       rtol=1e-12, atol=1e-10)


def test_centred_moving_average_weights():
    np.testing.assert_allclose(centred_moving_average_weights(4), [1 / 8, 1 / 4, 1 / 4, 1 / 4, 1 / 8])
    np.testing.assert_allclose(centred_moving_average_weights(3), [1 / 3] * 3)


def test_classical_steps_by_hand():
    # period 2 on 1..6 plus a zig-zag: T_t = (x_{t-1} + 2 x_t + x_{t+1}) / 4
    x = pd.Series([1.0, 4.0, 3.0, 6.0, 5.0, 8.0])
    steps = classical_steps(x, 2, "additive")
    np.testing.assert_allclose(steps.trend.to_numpy(), [np.nan, 3.0, 4.0, 5.0, 6.0, np.nan])
    np.testing.assert_allclose(steps.detrended.to_numpy(), [np.nan, 1.0, -1.0, 1.0, -1.0, np.nan])
    np.testing.assert_allclose(steps.raw_indices, [-1.0, 1.0])
    np.testing.assert_allclose(steps.indices, [-1.0, 1.0])


# R 4.2.2 (this machine), stats::stl(co2, s.window = 7)$time.series[1:3, ] and, robust = TRUE, the same rows.
R_STL_CO2 = {False: [[-0.141786, 315.3221, 0.239732], [0.478231, 315.4107, 0.421079], [1.070949, 315.4993, -0.070274]],
             True: [[-0.096441, 315.0570, 0.459411], [0.399990, 315.1631, 0.746935], [1.172337, 315.2691, 0.058541]]}
# R 4.2.2 with forecast 8.20: mstl(msts(x, seasonal.periods = c(48, 336))) on the first 1,344 half-hours of the
# electricity sample; rows 1, 2, 700: Trend, Seasonal48, Seasonal336, Remainder.
R_MSTL_ELECTRICITY = {0: [30167.69, -5810.750, -1811.593, -283.34447], 1: [30167.30, -6528.533, -1709.737, -173.02951],
                      699: [30036.98, 4548.338, 2611.778, 634.89864]}


@pytest.mark.parametrize("robust", [False, True])
def test_stl_reproduces_r(co2, robust):
    ours = decompose(co2, "additive", "stl", 12, robust=robust, seasonal_smoother=7)
    got = np.c_[ours.seasonal.iloc[:3], ours.trend.iloc[:3], ours.resid.iloc[:3]]
    np.testing.assert_allclose(got, R_STL_CO2[robust], atol=6e-5)
    model, fit = stl_options(12, 7, robust)  # and it is statsmodels' STL with R's settings
    reference = STL(co2, **model).fit(**fit)
    np.testing.assert_allclose(ours.resid, reference.resid, rtol=1e-12, atol=1e-12)


def test_multiplicative_stl_is_stl_of_the_logs(air):
    ours = decompose(air, "multiplicative", "stl", 12)
    model, fit = stl_options(12)
    reference = STL(np.log(air), **model).fit(**fit)
    np.testing.assert_allclose(np.log(ours.seasonal), reference.seasonal, atol=1e-12)
    np.testing.assert_allclose(ours.trend * ours.seasonal * ours.resid, air, rtol=1e-10)


def test_mstl_reproduces_r():
    series = load_series(SAMPLES["electricity"].path).series.iloc[: 336 * 4]
    ours = decompose(series, "additive", "mstl", (336, 48))
    assert ours.periods == (48, 336)  # shortest first, as R does
    for row, expected in R_MSTL_ELECTRICITY.items():
        got = [ours.trend.iloc[row], *ours.seasonals.iloc[row], ours.resid.iloc[row]]
        np.testing.assert_allclose(got, expected, atol=6e-3)
    np.testing.assert_allclose(ours.trend + ours.seasonal + ours.resid, series, atol=1e-8)
    assert list(ours.components().columns) == ["observed", "trend", "seasonal_48", "seasonal_336", "seasonal", "resid"]


def test_period_suggestions():
    assert periods_for_frequency("MS") == [12] and periods_for_frequency("QS-JAN") == [4]
    assert periods_for_frequency("h") == [24, 168] and periods_for_frequency("30min") == [48, 336]
    assert periods_for_frequency("D") == [7, 365] and periods_for_frequency("YS-JAN") == []
    air = load_series(SAMPLES["air_passengers"].path).series
    suggestion = suggest_periods(air)
    assert suggestion.periods[0] == 12 and suggestion.from_data[0] == 12
    nile = load_series(SAMPLES["nile"].path).series
    assert suggest_periods(nile).periods == []  # yearly, and no peak in the data
    no_dates = pd.Series(np.tile([1.0, 5.0, 3.0, 0.0, 2.0], 20) + np.arange(100) * 0.1)
    assert suggest_periods(no_dates).periods[0] == 5  # found from the data alone
    electricity = load_series(SAMPLES["electricity"].path).series
    assert suggest_periods(electricity).periods[:2] == [48, 336]


def test_period_defaults_to_the_suggestion(air):
    assert decompose(air, "multiplicative").period == 12


def test_strength_by_hand():
    # Hyndman & Athanasopoulos FPP3 §4.3, computed directly from the definition.
    rng = np.random.default_rng(1)
    n = 240
    trend = np.linspace(0, 10, n)
    season = np.tile(np.sin(2 * np.pi * np.arange(12) / 12), n // 12) * 3
    series = pd.Series(trend + season + rng.normal(0, 0.5, n))
    result = decompose(series, "additive", "classical", 12)
    frame = pd.DataFrame({"T": result.trend, "S": result.seasonal, "R": result.resid}).dropna()
    expected_t = 1 - frame["R"].var() / (frame["T"] + frame["R"]).var()
    expected_s = 1 - frame["R"].var() / (frame["S"] + frame["R"]).var()
    assert strength(result) == pytest.approx((expected_t, expected_s))
    assert strength(result)[0] > 0.95 and strength(result)[1] > 0.9
    constant = decompose(pd.Series(np.tile([0.0, 10.0, 20.0, 30.0], 10)), "additive", "classical", 4)
    assert strength(constant) == (0.0, 1.0)  # flat trend, remainder exactly zero
    flat = decompose(pd.Series(rng.normal(size=n)), "additive", "classical", 12)
    assert strength(flat)[0] < 0.5 and strength(flat)[1] < 0.5


def test_residual_check_matches_statsmodels_ljung_box(air):
    result = decompose(air, "multiplicative", "classical", 12)
    check = residual_check(result, simulate_null(null_shape(result)))
    expected = acorr_ljungbox(np.log(result.resid.dropna()), lags=[24], return_df=True)
    assert check.ljung_box_lag == 24
    assert check.ljung_box_stat == pytest.approx(expected.lb_stat.iloc[0], rel=1e-10)
    assert check.ljung_box_pvalue == pytest.approx(expected.lb_pvalue.iloc[0], rel=1e-8)
    assert check.has_structure and "Something systematic is left" in check.reading
    assert residual_check(result).has_structure is None  # no verdict before the comparison is simulated
    # A remainder that is white noise by construction reads as such.
    noise = pd.Series(np.random.default_rng(3).normal(size=400))
    zero = pd.Series(np.zeros(400))
    white = Decomposition(noise, zero, zero, noise, 4, "additive", "classical", zero.to_frame())
    assert residual_check(white).bound == pytest.approx(1.96 / np.sqrt(400))
    assert residual_check(white).ljung_box_lag == 8
    exact = decompose(pd.Series(np.tile([0.0, 10.0, 20.0, 30.0], 10)), "additive", "classical", 4)
    check = residual_check(exact, simulate_null(null_shape(exact)))
    assert check.is_exact and not check.has_structure and check.pvalue is None
    assert "explain every value exactly" in check.reading


@pytest.mark.parametrize("kwargs, words", [
    (dict(model="multiplicative", period=4), ["strictly positive", "additive"]),
    (dict(period=30), ["two full periods", "at most 25"]),
    (dict(period=1), ["at least 2"]),
    (dict(method="mstl", period=(4,)), ["at least two seasonal periods"]),
    (dict(method="mstl", period=(4, 4)), ["different"]),
    (dict(model="cubic", period=4), ["additive or multiplicative"]),
])
def test_bad_settings_say_what_to_change(kwargs, words):
    series = pd.Series(np.r_[0.0, np.arange(1, 50, dtype=float)] - 3)
    with pytest.raises(DecompositionError) as info:
        decompose(series, **kwargs)
    assert all(word in str(info.value) for word in words), str(info.value)


def test_no_period_found_is_explained():
    with pytest.raises(DecompositionError, match="no seasonal period"):
        decompose(pd.Series(np.arange(30, dtype=float)))


def test_cycle_labels(air):
    assert cycle_labels(air.index, 12)[:3] == ["Jan", "Feb", "Mar"]
    quarters = load_series(SAMPLES["beer"].path).series
    assert cycle_labels(quarters.index, 4) == ["Q1", "Q2", "Q3", "Q4"]
    hours = pd.date_range("2020-01-01", periods=100, freq="h")
    assert cycle_labels(hours, 24)[1] == "01:00"
    assert cycle_labels(pd.RangeIndex(50), 5) == ["1", "2", "3", "4", "5"]
