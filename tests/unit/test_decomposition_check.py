"""The remainder check is calibrated, the defaults follow the data, degenerate series get plain statements."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.diagnostic import acorr_ljungbox

from playground.data import load_series
from playground.decomposition import (
    DecompositionError, DegenerateSeries, NullShape, _classical_remainders, check_length, choose_defaults, decompose, null_shape,
    residual_check, simulate_null, strength,
)
from playground.samples import SAMPLES


def simulated(n, m, rng, kind="null", model="additive"):
    """Trend (linear plus a slow wave) + a fixed season + white noise; or with something left over."""
    t = np.arange(n)
    trend = 10 + 0.05 * t + 2 * np.sin(2 * np.pi * t / (1.3 * n))
    season = np.resize(3 * np.sin(2 * np.pi * np.arange(m) / m) + np.cos(4 * np.pi * np.arange(m) / m), n)
    noise = rng.normal(size=n)
    if kind == "ar":  # an AR(1) remainder: x_t = 0.6 x_{t-1} + e_t
        for i in range(1, n):
            noise[i] += 0.6 * noise[i - 1]
    if kind == "changing":  # a season whose size grows threefold
        season = season * np.linspace(0.5, 1.5, n)
    if kind == "no season":
        season = 0 * season
    if model == "multiplicative":
        return pd.Series((50 + 3 * trend) * np.exp(0.05 * season + 0.03 * noise))
    return pd.Series(trend + season + noise)


def alarm_rate(n, m, method, kind="null", model="additive", repeats=100, seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    null, alarms = None, 0
    for _ in range(repeats):
        series = simulated(n, m, rng, kind, model)
        result = decompose(series, model, method, m, **kwargs)
        null = null or simulate_null(null_shape(result))
        alarms += bool(residual_check(result, null).has_structure)
    return alarms / repeats


@pytest.mark.parametrize("n, m, method, model", [
    (144, 12, "classical", "additive"),
    (144, 12, "classical", "multiplicative"),
    (144, 12, "stl", "additive"),
    (96, 4, "stl", "multiplicative"),
])
def test_false_alarms_on_trend_plus_fixed_season_plus_noise_stay_near_five_percent(n, m, method, model):
    # The χ² Ljung–Box test fires on 57% (classical) to 87–100% (STL) of such series.
    assert alarm_rate(n, m, method, model=model) <= 0.10


def test_the_chi_square_table_alone_would_fire_far_too_often():
    rng = np.random.default_rng(1)
    fired = [residual_check(decompose(simulated(144, 12, rng), "additive", "stl", 12)).ljung_box_pvalue < 0.05
             for _ in range(40)]
    assert np.mean(fired) > 0.5  # why the comparison with simulated series is needed


def test_false_alarms_for_the_trend_alone_and_for_mstl():
    assert alarm_rate(120, 12, "trend", kind="no season", repeats=80) <= 0.10
    rng = np.random.default_rng(2)
    null, alarms = None, 0
    for _ in range(30):
        base = simulated(480, 8, rng)
        series = base + np.resize(np.sin(2 * np.pi * np.arange(24) / 24), 480)
        result = decompose(series, "additive", "mstl", (8, 24))
        null = null or simulate_null(null_shape(result))
        alarms += bool(residual_check(result, null).has_structure)
    assert alarms / 30 <= 0.15  # 30 series: 0.05 ± 0.04


@pytest.mark.parametrize("method, kind", [("classical", "ar"), ("classical", "changing"), ("stl", "ar")])
def test_real_leftover_structure_is_found(method, kind):
    # STL follows a changing season on purpose (its seasonal window), so it leaves nothing there to find.
    assert alarm_rate(240, 12, method, kind=kind, repeats=40) >= 0.8


def test_the_vectorised_simulation_is_the_classical_decomposition():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(3, 100))
    for period in (12, 7):
        remainders, strengths = _classical_remainders(values, period)
        for row in range(3):
            result = decompose(pd.Series(values[row]), "additive", "classical", period)
            np.testing.assert_allclose(remainders[row], result.resid.dropna(), atol=1e-10)
            assert strengths[row] == pytest.approx(strength(result)[1], abs=1e-10)
    trend_only, _ = _classical_remainders(values, 5, seasonal=False)
    np.testing.assert_allclose(trend_only[0], decompose(pd.Series(values[0]), "additive", "trend", 5).resid.dropna(),
                               atol=1e-10)


def test_simulated_statistics_are_ljung_box_statistics():
    shape = NullShape(60, "classical", (4,))
    null = simulate_null(shape, sims=3, seed=7)
    noise = np.random.default_rng(7).standard_normal((3, 60))
    remainders, _ = _classical_remainders(noise, 4)
    for row in range(3):
        expected = acorr_ljungbox(remainders[row], lags=[shape.lag]).lb_stat.iloc[0]
        assert null.statistics[row] == pytest.approx(expected, rel=1e-9)


def test_the_null_depends_only_on_the_settings_and_is_cheap_to_cache():
    shape = NullShape(144, "stl", (12,), False, 7)
    assert simulate_null(shape, sims=5).statistics.tolist() == simulate_null(shape, sims=5).statistics.tolist()
    assert hash(shape) == hash(NullShape(144, "stl", (12,), False, 7))


# ------------------------------------------------------------------------------------------- defaults


@pytest.mark.parametrize("key, model, method, periods", [
    ("air_passengers", "multiplicative", "classical", (12,)),  # its description: the swing grows with the level
    ("co2", "additive", "classical", (12,)),
    ("melbourne_temp", "additive", "classical", (365,)),  # the yearly cycle; no weekly one in temperatures
    ("electricity", "additive", "mstl", (48, 336)),
    ("us_accidents", "additive", "classical", (12,)),
    ("nile", "additive", "trend", ()),  # yearly: no season
    ("sunspots", "additive", "trend", ()),  # the calendar's 12 is not in the data
    ("google", "additive", "trend", ()),
])
def test_defaults_follow_the_data(key, model, method, periods):
    defaults = choose_defaults(load_series(SAMPLES[key].path).series)
    assert (defaults.model, defaults.method, defaults.periods) == (model, method, periods)
    assert defaults.reasons


def test_the_reasons_quote_the_evidence():
    melbourne = choose_defaults(load_series(SAMPLES["melbourne_temp"].path).series)
    text = " ".join(melbourne.reasons)
    assert "Not m = 7" in text and "m = 365 (a yearly season)" in text and "zero or negative" in text
    strength_7, noise_7 = melbourne.evidence[7]
    assert strength_7 < noise_7
    air = " ".join(choose_defaults(load_series(SAMPLES["air_passengers"].path).series).reasons)
    assert "Multiplicative: the seasonal swing grows with the level" in air


def test_the_model_follows_the_swing_not_the_sample():
    rng = np.random.default_rng(5)
    grows = simulated(144, 12, rng, model="multiplicative") * np.exp(np.linspace(0, 1.5, 144))
    assert choose_defaults(grows.set_axis(pd.date_range("2000-01", periods=144, freq="MS"))).model == "multiplicative"
    same_size = simulated(144, 12, rng) + np.linspace(0, 60, 144)
    assert choose_defaults(same_size.set_axis(pd.date_range("2000-01", periods=144, freq="MS"))).model == "additive"


@pytest.mark.parametrize("n", [4, 5, 13, 20, 24, 30, 36, 37, 100])
def test_the_default_is_always_accepted(n):
    series = pd.Series(np.sin(np.arange(n) * 2 * np.pi / 12) + np.arange(n) * 0.1,
                       index=pd.date_range("2020-01", periods=n, freq="MS"))
    defaults = choose_defaults(series)
    period = defaults.periods if defaults.method == "mstl" else (defaults.periods or (defaults.window,))[0]
    decompose(series, defaults.model, defaults.method, period)  # never refused
    if n < 36:
        assert defaults.method == "trend"
        assert any("three full cycles" in reason for reason in defaults.reasons)


@pytest.mark.parametrize("method, period", [("trend", 6_001), ("classical", 2_400), ("stl", 12)])
def test_the_check_of_a_long_series_reads_enough_points_for_its_window_or_period(method, period):
    """The page checks the last check_length points, decomposed again with the same settings: they must be
    accepted (a 6,001-step moving average on 20,000 points once failed on the last 5,000)."""
    series = simulated(20_000, 12, np.random.default_rng(1))
    result = decompose(series, "additive", method, period)
    last = check_length(len(series), result.periods)
    assert last >= min(20_000, 3 * period)
    decompose(series.iloc[-last:], "additive", method, period)


# ------------------------------------------------------------------------------------------- degenerate input


def test_a_constant_series_is_stated_not_decomposed():
    with pytest.raises(DegenerateSeries, match="Every value of this series is 5"):
        decompose(pd.Series(np.full(48, 5.0)), "additive", "classical", 12)
    with pytest.raises(DegenerateSeries):
        choose_defaults(pd.Series(np.full(48, 5.0)))


def test_a_two_value_series_gets_exact_numbers_not_rounding_noise():
    alternating = pd.Series(np.tile([0.1, 0.7], 30))  # 0.1 and 0.7 leave rounding errors in the moving average
    result = decompose(alternating, "additive", "classical", 2)
    assert strength(result) == (0.0, 1.0)  # a flat trend, a season that explains everything
    check = residual_check(result, simulate_null(null_shape(result)))
    assert check.is_exact and "nan" not in check.reading.lower()
    step = pd.Series(np.r_[np.zeros(30), np.ones(30)])
    check = residual_check(decompose(step, "additive", "trend", 5))
    assert np.isfinite(check.ljung_box_stat)


def test_a_value_that_overflows_the_arithmetic_is_refused_not_called_constant():
    values = np.sin(np.arange(60)) + 10
    values[20] = 1e300
    series = pd.Series(values, index=pd.date_range("2020-01", periods=60, freq="MS"))
    with pytest.raises(DecompositionError, match="too large") as info:
        decompose(series, "additive", "classical", 12)
    assert "2021-09-01" in str(info.value) and "constant" not in str(info.value)
    with pytest.raises(DecompositionError, match="too large"):
        choose_defaults(series)


def test_a_longer_cycle_must_add_a_season_of_its_own():
    """A weekly cycle of half-hours always holds the daily season: it counts only if a weekly pattern remains."""
    rng = np.random.default_rng(6)
    n = 336 * 6
    index = pd.date_range("2020-01-06", periods=n, freq="30min")
    daily = np.sin(2 * np.pi * np.arange(n) / 48)
    only_daily = pd.Series(daily + 0.3 * rng.normal(size=n), index=index)
    defaults = choose_defaults(only_daily)
    assert (defaults.method, defaults.periods) == ("classical", (48,))
    assert any("Not m = 336" in r and "beyond the season of 48" in r for r in defaults.reasons)
    weekend = np.where((np.arange(n) // 48) % 7 >= 5, -1.5, 0.0)
    both = pd.Series(daily + weekend + 0.3 * rng.normal(size=n), index=index)
    assert choose_defaults(both).periods == (48, 336)
