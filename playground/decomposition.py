"""Time-series decomposition: classical (moving average), STL and MSTL, or the trend alone.

The classical method is written out here step by step, because the page explains those
steps with the very numbers computed below; tests check it against statsmodels'
`seasonal_decompose` and against R's `decompose()`. STL is statsmodels' implementation run
with R's `stl()` settings (degree-0 seasonal smoothing, loess jumps of a tenth of each window,
2 inner passes, or 1 inner and 15 outer when robust), so it gives R's numbers (for an even period;
for an odd one the low-pass window is m + 2 where R uses m), 10–100× faster than statsmodels'
defaults; MSTL is R's `forecast::mstl` loop over that STL.

Whether anything is left in the remainder is judged against simulation: the smoothing filters
themselves make the remainder of a perfect trend + season + white noise series autocorrelated,
so the Ljung–Box statistic is compared with the same decomposition applied to simulated series,
not with the χ² table (see `simulate_null`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import chi2
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.stattools import acf

MODELS = ("additive", "multiplicative")
METHODS = ("classical", "stl", "mstl", "trend")
MAX_STL_POINTS = 100_000
CHECK_POINTS = 5_000  # the remainder check and the default choice read at most the last 5,000 points
SIMULATIONS = 199  # a Monte Carlo test with 199 series has p-values in steps of 0.005 (Besag & Clifford 1991)
LEVEL = 0.05
MIN_CYCLES = 3  # with two cycles a classical decomposition puts every value into the season
STRENGTH_FLOOR = 0.3  # a season weaker than this is not worth opening a page on


class DecompositionError(ValueError):
    """The chosen settings cannot decompose this series; the message says what to change."""


class DegenerateSeries(DecompositionError):
    """The series has nothing to decompose (e.g. it is constant); the message says so plainly."""


@dataclass
class ClassicalSteps:
    """Every intermediate quantity of the classical decomposition."""

    weights: np.ndarray  # the centred moving-average filter
    trend: pd.Series  # T_t, NaN for the first and last floor(m/2) points
    detrended: pd.Series  # x_t - T_t  or  x_t / T_t
    raw_indices: np.ndarray  # mean of the detrended values at each position in the cycle
    indices: np.ndarray  # normalised: sum to 0 (additive) or average 1 (multiplicative)


@dataclass
class Decomposition:
    observed: pd.Series
    trend: pd.Series
    seasonal: pd.Series
    resid: pd.Series
    period: int | tuple[int, ...]  # the moving-average window for method "trend"
    model: str
    method: str
    seasonals: pd.DataFrame  # one column per seasonal period (MSTL has several, "trend" none)
    steps: ClassicalSteps | None = None
    robust: bool = False
    smoother: int = 7
    seconds: float = 0.0  # how long the decomposition took

    @property
    def periods(self) -> tuple[int, ...]:
        return self.period if isinstance(self.period, tuple) else (self.period,)

    @property
    def has_season(self) -> bool:
        return self.method != "trend"

    def components(self) -> pd.DataFrame:
        frame = pd.DataFrame({"observed": self.observed, "trend": self.trend})
        if self.seasonals.shape[1] > 1:
            frame = frame.join(self.seasonals)
        if self.has_season:
            frame["seasonal"] = self.seasonal
        frame["resid"] = self.resid
        return frame


def decompose(series: pd.Series, model: str = "additive", method: str = "classical", period=None,
              robust: bool = False, seasonal_smoother: int = 7) -> Decomposition:
    """Split `series` into trend, seasonal and residual components.

    `period` is an int (a tuple of ints for MSTL; the moving-average window for method "trend");
    None uses the first suggested period.
    """
    if model not in MODELS:
        raise DecompositionError(f"Unknown model '{model}'; choose additive or multiplicative.")
    if method not in METHODS:
        raise DecompositionError(f"Unknown method '{method}'; choose classical, stl, mstl or trend.")
    series = series.astype(float)
    check_values(series)
    if period is None:
        suggested = suggest_periods(series)
        if not suggested.periods:
            raise DecompositionError(
                "This series shows no seasonal period (yearly data, or no repeating pattern). "
                "Enter a period if you know one, or study the trend alone."
            )
        period = tuple(suggested.periods[:2]) if method == "mstl" else suggested.periods[0]
    periods = _check_periods(series, period, method)
    _check_model(series, model)
    started = time.process_time()
    result = _decompose(series, model, method, periods, robust, seasonal_smoother)
    result.seconds = time.process_time() - started
    return result


def _decompose(series, model, method, periods, robust, smoother) -> Decomposition:
    if method in ("classical", "trend"):
        steps = classical_steps(series, periods[0], model, seasonal=method == "classical")
        seasonal = _tile(steps.indices, len(series), series.index)
        combine = np.subtract if model == "additive" else np.divide
        resid = combine(combine(series, steps.trend), seasonal)
        seasonals = seasonal.to_frame(f"seasonal_{periods[0]}") if method == "classical" else pd.DataFrame(
            index=series.index)
        return Decomposition(series, steps.trend, seasonal, resid, periods[0], model, method, seasonals, steps)

    log = model == "multiplicative"
    values = np.log(series.to_numpy()) if log else series.to_numpy()
    if method == "stl":
        trend, seasonal_parts, resid = stl(values, periods[0], smoother, robust)
    else:
        trend, seasonal_parts, resid = mstl(values, periods, robust)
    index = series.index
    seasonals = pd.DataFrame(seasonal_parts.T, index=index, columns=[f"seasonal_{p}" for p in periods])
    trend, resid = pd.Series(trend, index=index), pd.Series(resid, index=index)
    seasonal = seasonals.sum(axis=1)
    if log:
        trend, resid, seasonal, seasonals = np.exp(trend), np.exp(resid), np.exp(seasonal), np.exp(seasonals)
    stored_period = periods[0] if method == "stl" else periods
    return Decomposition(series, trend.rename("trend"), seasonal.rename("seasonal"), resid.rename("resid"),
                         stored_period, model, method, seasonals, robust=robust, smoother=smoother)


def _next_odd(value: float) -> int:
    value = int(math.ceil(value))
    return value if value % 2 else value + 1


def stl_options(period: int, seasonal: int = 7, robust: bool = False) -> tuple[dict, dict]:
    """R's stl() defaults as statsmodels arguments: (STL(...) keywords, fit(...) keywords)."""
    seasonal = _next_odd(seasonal)
    trend = _next_odd(1.5 * period / (1 - 1.5 / seasonal))
    low_pass = _next_odd(period + 1)  # R: nextodd(m); statsmodels needs a window longer than m (m + 2 for odd m)
    model = dict(period=period, seasonal=seasonal, trend=trend, low_pass=low_pass, seasonal_deg=0,
                 seasonal_jump=math.ceil(seasonal / 10), trend_jump=math.ceil(trend / 10),
                 low_pass_jump=math.ceil(low_pass / 10), robust=robust)
    fit = dict(inner_iter=1, outer_iter=15) if robust else dict(inner_iter=2, outer_iter=0)
    return model, fit


def stl(values: np.ndarray, period: int, seasonal: int = 7, robust: bool = False):
    """R's stl(x, s.window = seasonal, robust = robust): (trend, seasonal (1, n), remainder) arrays."""
    model, fit = stl_options(period, seasonal, robust)
    result = STL(np.asarray(values, dtype=float), **model).fit(**fit)
    return result.trend, result.seasonal[None, :], result.resid


def mstl(values: np.ndarray, periods: tuple[int, ...], robust: bool = False, iterate: int = 2):
    """R's forecast::mstl: STL for each period in turn (shortest first, s.window 11, 15, …), twice over."""
    periods = tuple(sorted(periods))
    windows = [7 + 4 * (i + 1) for i in range(len(periods))]
    seasonal = np.zeros((len(periods), len(values)))
    deseasonalised = np.asarray(values, dtype=float)
    for _ in range(iterate if len(periods) > 1 else 1):
        for i, (period, window) in enumerate(zip(periods, windows)):
            deseasonalised = deseasonalised + seasonal[i]
            trend, part, _ = stl(deseasonalised, period, window, robust)
            seasonal[i] = part[0]
            deseasonalised = deseasonalised - seasonal[i]
    return trend, seasonal, deseasonalised - trend


def check_values(series: pd.Series) -> None:
    """Refuse values the arithmetic cannot take, and say plainly when there is nothing to decompose."""
    values = series.to_numpy(dtype=float)
    if len(values) == 0:
        raise DecompositionError("The series is empty.")
    if not np.isfinite(values).all():
        bad = np.flatnonzero(~np.isfinite(values))
        raise DecompositionError(
            f"The series has {len(bad)} missing or infinite value(s), first at {_where(series, bad[0])}. "
            "Decomposition needs a number at every step: fill or remove them."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        spread = float(np.var(values))
    if not math.isfinite(spread):
        largest = int(np.argmax(np.abs(values)))
        raise DecompositionError(
            f"The values are too large to compute with: the square of {values[largest]:.3g} (at "
            f"{_where(series, largest)}) overflows the arithmetic, so every variance would be infinite. "
            "Correct the value if it is a typo, or rescale the series (e.g. divide it by a million)."
        )
    if np.ptp(values) == 0:
        raise DegenerateSeries(
            f"Every value of this series is {values[0]:g}: there is no trend, no season and no remainder to "
            "separate. Pick a series that changes."
        )


def _where(series: pd.Series, position: int) -> str:
    stamp = series.index[position]
    return stamp.strftime("%Y-%m-%d %H:%M").removesuffix(" 00:00") if isinstance(stamp, pd.Timestamp) else \
        f"position {stamp}"


def _check_periods(series: pd.Series, period, method: str) -> tuple[int, ...]:
    periods = tuple(int(p) for p in (period if isinstance(period, (tuple, list)) else (period,)))
    n = len(series)
    if method != "mstl" and len(periods) != 1:
        raise DecompositionError("Classical and STL decomposition take one period; use MSTL for several.")
    if method == "mstl" and len(periods) < 2:
        raise DecompositionError("MSTL needs at least two seasonal periods, e.g. 48 and 336 for half-hourly data.")
    if len(set(periods)) != len(periods):
        raise DecompositionError("The seasonal periods must be different from each other.")
    if method == "mstl":
        periods = tuple(sorted(periods))
    if method == "trend":
        if not 2 <= periods[0] <= max(2, n - 2):
            raise DecompositionError(f"The moving-average window must be between 2 and {max(2, n - 2)} steps "
                                     f"(got {periods[0]}).")
        return periods
    for p in periods:
        if p < 2:
            raise DecompositionError(f"The period must be at least 2 (got {p}): a season repeats every p steps.")
        if 2 * p > n:
            if n < 4:
                raise DecompositionError(f"A season needs at least two full periods, but the series has only {n} "
                                         "points. Study the trend alone, or use more data.")
            raise DecompositionError(
                f"A period of {p} needs at least two full periods ({2 * p} points), but the series has {n}: "
                f"the period is larger than half the series. Choose a period of at most {n // 2}, or use more data."
            )
    if method != "classical" and n > MAX_STL_POINTS:
        raise DecompositionError(
            f"STL and MSTL are limited to {MAX_STL_POINTS:,} points here (this series has {n:,}). "
            "Use classical decomposition, or aggregate the data to a coarser step."
        )
    return periods


def _check_model(series: pd.Series, model: str) -> None:
    if model == "multiplicative" and (series <= 0).any():
        bad = int((series <= 0).sum())
        raise DecompositionError(
            f"A multiplicative model needs strictly positive data, but {bad} value(s) are zero or negative "
            f"(smallest {series.min():g}). Use the additive model, or shift the data above zero."
        )


def centred_moving_average_weights(period: int) -> np.ndarray:
    """The 2×m MA for even m (halves at both ends), the plain m-MA for odd m."""
    if period % 2 == 0:
        weights = np.r_[0.5, np.ones(period - 1), 0.5]
    else:
        weights = np.ones(period)
    return weights / period


def centred_moving_average(values: np.ndarray, period: int) -> np.ndarray:
    """The centred moving average (the 2×m MA for even m) along the last axis, where its window fits.

    By running sums, so a window of a week of minutes costs no more than one of a year of months; the
    sums run over the deviations from the mean, which keeps their rounding error at the data's own scale.
    """
    n = values.shape[-1]
    half = period // 2
    centre = values.mean(axis=-1, keepdims=True)
    deviations = values - centre
    sums = np.cumsum(np.concatenate([np.zeros(values.shape[:-1] + (1,)), deviations], axis=-1), axis=-1)
    width = 2 * half + 1  # the number of values the window touches
    window = sums[..., width:] - sums[..., : n + 1 - width]
    if period % 2 == 0:  # the 2×m MA gives half weight to both ends
        window = window - 0.5 * (deviations[..., : n - 2 * half] + deviations[..., 2 * half:])
    return window / period + centre


def classical_steps(series: pd.Series, period: int, model: str = "additive", seasonal: bool = True) -> ClassicalSteps:
    """The centred moving average, the detrended series and the seasonal indices (none when `seasonal` is off)."""
    weights = centred_moving_average_weights(period)
    half = len(weights) // 2
    values = series.to_numpy(dtype=float)
    smoothed = np.full(len(values), np.nan)
    smoothed[half:len(values) - half] = centred_moving_average(values, period)
    trend = pd.Series(smoothed, index=series.index, name="trend")
    detrended = series - trend if model == "additive" else series / trend
    neutral = 0.0 if model == "additive" else 1.0
    if not seasonal:
        return ClassicalSteps(weights, trend, detrended.rename("detrended"), np.array([neutral]), np.array([neutral]))
    raw = cycle_means(detrended.to_numpy(), period)
    indices = raw - raw.mean() if model == "additive" else raw / raw.mean()
    return ClassicalSteps(weights, trend, detrended.rename("detrended"), raw, indices)


def cycle_means(values: np.ndarray, period: int) -> np.ndarray:
    """Mean of the non-missing values at each position 0..period-1 of the cycle (position = row mod period)."""
    positions = np.arange(len(values)) % period
    present = ~np.isnan(values)
    sums = np.bincount(positions[present], weights=values[present], minlength=period)
    counts = np.bincount(positions[present], minlength=period)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def _tile(indices: np.ndarray, n: int, index) -> pd.Series:
    return pd.Series(np.resize(indices, n), index=index, name="seasonal")


# ----------------------------------------------------------------------------------- periods


@dataclass
class PeriodSuggestion:
    periods: list[int]  # best first
    from_frequency: list[int]
    from_data: list[int]
    reason: str


CALENDAR_PERIODS = {"M": [12], "Q": [4], "W": [52], "B": [5], "D": [7, 365]}


def periods_for_frequency(freq: str | None) -> list[int]:
    """The calendar seasons a frequency implies: 12 for monthly, 24 and 168 for hourly, none for yearly."""
    if freq is None:
        return []
    offset = pd.tseries.frequencies.to_offset(freq)
    base = offset.rule_code.split("-")[0].rstrip("SE") or offset.rule_code
    if base in CALENDAR_PERIODS and offset.n == 1:
        return CALENDAR_PERIODS[base]
    if base in ("Y", "A"):
        return []
    try:
        step = pd.Timedelta(offset)
    except (TypeError, ValueError):
        return []
    per_day = pd.Timedelta(days=1) / step
    if per_day > 1 and per_day == int(per_day):
        return [int(per_day), int(7 * per_day)]
    return []


def periods_from_data(series: pd.Series, max_points: int = 20_000, count: int = 3) -> list[int]:
    """Lags where the ACF of the differenced series has its strongest clear peaks (multiples dropped)."""
    values = series.to_numpy(dtype=float)[-max_points:]
    changes = np.diff(values)
    n = len(changes)
    if n < 8 or np.allclose(changes, changes[0]):
        return []
    max_lag = min(n // 2, 1000)
    correlations = acf(changes, nlags=max_lag, fft=True)
    bound = max(0.2, 3 / np.sqrt(n))  # stricter than ±2/√n: hundreds of lags are tested at once
    peaks = [
        lag for lag in range(2, max_lag)
        if correlations[lag] > bound and correlations[lag] >= correlations[lag - 1]
        and correlations[lag] >= correlations[lag + 1]
    ]
    peaks.sort(key=lambda lag: correlations[lag], reverse=True)
    chosen: list[int] = []
    for lag in peaks:  # a multiple of a stronger peak is the same season seen again
        if not any(lag % c == 0 for c in chosen):
            chosen.append(lag)
        if len(chosen) == count:
            break
    return chosen


def suggest_periods(series: pd.Series) -> PeriodSuggestion:
    freq = getattr(series.index, "freqstr", None)
    n = len(series)
    calendar = [p for p in periods_for_frequency(freq) if 2 * p <= n]
    data = [p for p in periods_from_data(series) if 2 * p <= n]
    agreed = [p for p in calendar if p in data]
    ordered = list(dict.fromkeys(agreed + calendar + data))
    parts = []
    if calendar:
        parts.append(f"the calendar suggests {', '.join(map(str, calendar))}")
    if data:
        parts.append(f"the autocorrelation of the changes peaks at lag {', '.join(map(str, data))}")
    reason = ("; ".join(parts) + ".").capitalize() if parts else "No seasonal period found in the dates or the data."
    return PeriodSuggestion(ordered, calendar, data, reason)


# ----------------------------------------------------------------------------------- defaults


@dataclass
class Defaults:
    """What a forecaster would open this series with, and why, in sentences for the screen."""

    model: str
    method: str
    periods: tuple[int, ...]  # () when the series shows no season: the trend alone
    window: int  # the moving average's window for the trend alone
    reasons: list[str]
    evidence: dict[int, tuple[float, float]] = field(default_factory=dict)  # m -> (F_S, what noise reaches)


def trend_window(n: int) -> int:
    """About a tenth of the series, odd (so the moving average is centred), at least 3 (2 for 4 points)."""
    return max(2, min(n - 2, max(3, 2 * round(n / 20) + 1)))


def choose_defaults(series: pd.Series) -> Defaults:
    """The model and period(s) decided from the data, as a forecaster would.

    Period: every candidate (the calendar's seasons, the autocorrelation's peaks) must show in the data:
    its seasonal strength F_S must exceed what 99% of pure-noise series of the same length reach at that
    period (simulated), and be at least 0.3, with three full cycles to tell a season from noise.
    Model: multiplicative when the data is positive, the level changes by at least ×1.5 from cycle to
    cycle, and the seasonal swing grows with it (the log-log slope of swing on level is at least 0.5
    and clearly above 0; Guerrero's idea behind the Box–Cox λ).
    """
    series = series.astype(float)
    check_values(series)
    n = len(series)
    calendar = periods_for_frequency(getattr(series.index, "freqstr", None))
    candidates = list(dict.fromkeys(calendar + periods_from_data(series)))
    tail = series.iloc[-check_length(n, tuple(candidates)):]
    reasons, evidence, shown = [], {}, []
    for m in candidates:
        name = calendar_name(series.index, m) if m in calendar else f"the autocorrelation peaks at lag {m}"
        if len(tail) < MIN_CYCLES * m:
            reasons.append(f"Not m = {m} ({name}): three full cycles ({MIN_CYCLES * m} points) are needed to tell "
                           f"a season from noise, and the series has {len(tail)}.")
            continue
        # A cycle that holds a shorter season shows that season too: measure it with the shorter one taken out.
        inner = [p for p in shown if m % p == 0]
        base = tail
        for p in inner:
            base = base - decompose(base, "additive", "classical", p).seasonal
        season_strength = strength(decompose(base, "additive", "classical", m))[1]
        noise = float(np.quantile(noise_strengths(len(tail), m), 0.99))
        evidence[m] = (season_strength, noise)
        beyond = f" beyond the season of {', '.join(map(str, inner))}" if inner else ""
        if season_strength > max(noise, STRENGTH_FLOOR):
            shown.append(m)
            reasons.append(f"m = {m} ({name}): the seasonal strength at m = {m}{beyond} is {season_strength:.2f}; "
                           f"series of pure noise reach {noise:.2f} at most (99 in 100).")
        else:
            reasons.append(f"Not m = {m} ({name}): the seasonal strength at m = {m}{beyond} is only "
                           f"{season_strength:.2f} (pure noise reaches {noise:.2f}).")
    if not candidates:
        dated = getattr(series.index, "freqstr", None) is not None
        reasons.append(("The dates imply no season (e.g. yearly data)" if dated else "There are no dates")
                       + " and the autocorrelation shows no repeating pattern.")
    shown = sorted(shown[:2])
    if len(shown) == 2 and n > CHECK_POINTS:  # MSTL of a long series takes seconds; one long cycle holds both
        reasons.append(f"Classical decomposition at m = {shown[1]}, whose cycle holds the shorter one: MSTL of "
                       f"{n:,} points would take seconds (choose it above if you want it).")
        shown = shown[1:]
    window = trend_window(n)
    if not shown:
        reasons.append(f"So the trend alone: a centred moving average over w = {window} steps (about a tenth "
                       "of the series).")
        return Defaults("additive", "trend", (), window, reasons, evidence)
    method = "mstl" if len(shown) == 2 else "classical"
    if method == "mstl":
        reasons.append("Two seasons at once: MSTL, which fits one seasonal component for each.")
    model, why = choose_model(series, shown[0])
    return Defaults(model, method, tuple(shown), window, [why] + reasons, evidence)


def calendar_name(index: pd.Index, period: int) -> str:
    """'a daily season', 'a weekly season', 'a yearly season': how long one period of the calendar lasts."""
    if not isinstance(index, pd.DatetimeIndex) or index.freq is None:
        return "a season of the calendar"
    days = (index[0] + period * index.freq - index[0]) / pd.Timedelta(days=1)
    for length, name in ((1, "daily"), (7, "weekly"), (365.25, "yearly")):
        if abs(days - length) <= 0.02 * length + 0.5 * (length > 300):
            return f"a {name} season"
    return "a season of the calendar"


def choose_model(series: pd.Series, period: int) -> tuple[str, str]:
    """Additive or multiplicative, from how the seasonal swing of each cycle follows its level."""
    if (series <= 0).any():
        return "additive", "Additive: the series has zero or negative values, which a multiplicative model cannot take."
    steps = classical_steps(series, period)
    trend, detrended = steps.trend.to_numpy(), (series - steps.trend).to_numpy()
    start = period // 2
    cycles = (len(series) - 2 * start) // period
    if cycles < MIN_CYCLES:
        return "additive", "Additive: too few cycles to see whether the swing grows with the level."
    blocks = slice(start, start + cycles * period)
    level = trend[blocks].reshape(cycles, period).mean(axis=1)
    swing = detrended[blocks].reshape(cycles, period).std(axis=1)
    ratio = level.max() / level.min()
    if ratio < 1.5 or (swing <= 0).any():
        return "additive", (f"Additive: the level changes too little (×{ratio:.2f} from its lowest cycle to its "
                            "highest) for the two models to differ much.")
    design = np.c_[np.ones(cycles), np.log(level)]
    coefficients, *_ = np.linalg.lstsq(design, np.log(swing), rcond=None)
    slope = float(coefficients[1])
    residual = np.log(swing) - design @ coefficients
    error = float(np.sqrt(residual @ residual / max(cycles - 2, 1) * np.linalg.inv(design.T @ design)[1, 1]))
    low, high = int(np.argmin(level)), int(np.argmax(level))
    seen = (f"the swing is ±{swing[low]:.3g} around a level of {level[low]:.3g} and ±{swing[high]:.3g} "
            f"around {level[high]:.3g}; it grows like level^{slope:.2f} (1 = in proportion, 0 = not at all)")
    if slope >= 0.5 and slope - 2 * error > 0:
        return "multiplicative", f"Multiplicative: the seasonal swing grows with the level ({seen})."
    return "additive", f"Additive: the seasonal swing does not grow in step with the level ({seen})."


# ----------------------------------------------------------------------------------- strength


def _negligible(values: pd.Series, scale: float) -> bool:
    """Floating-point noise rather than a component: a spread below a billionth of the series'."""
    return not float(values.std()) > 1e-9 * scale


def strength(decomposition: Decomposition) -> tuple[float, float]:
    """Hyndman & Athanasopoulos (FPP3 §4.3): F_T = max(0, 1 − Var(R)/Var(T+R)), F_S likewise with S.

    Multiplicative components are measured on the log scale, where they add. A component whose
    spread is floating-point noise counts as exactly flat (strength 0) or, for the remainder,
    exactly zero (the other parts explain everything): no ratio of rounding errors. F_S is NaN
    when there is no season.
    """
    frame = pd.DataFrame({"T": decomposition.trend, "S": decomposition.seasonal, "R": decomposition.resid,
                          "X": decomposition.observed}).dropna()
    if decomposition.model == "multiplicative":
        frame = np.log(frame)
    scale = float(frame["X"].std())
    remainder_zero = _negligible(frame["R"], scale)

    def measured(component: pd.Series) -> float:
        if _negligible(component, scale):
            return 0.0  # a flat part has no strength
        if remainder_zero:
            return 1.0
        total = (component + frame["R"]).var()
        if _negligible(component + frame["R"], scale):  # the part and the remainder cancel: nothing to measure
            return 0.0
        return max(0.0, 1 - frame["R"].var() / total)

    return measured(frame["T"]), measured(frame["S"]) if decomposition.has_season else float("nan")


# ----------------------------------------------------------------------------------- the remainder check


@dataclass(frozen=True)
class NullShape:
    """Everything the null distribution of the remainder's Ljung–Box statistic depends on."""

    n: int
    method: str
    periods: tuple[int, ...]
    robust: bool = False
    smoother: int = 7

    @property
    def lag(self) -> int:
        return ljung_box_lag(self.n - (self.periods[0] // 2) * 2 if self.method in ("classical", "trend") else self.n,
                             self.periods if self.method != "trend" else ())


@dataclass
class NullDistribution:
    shape: NullShape
    statistics: np.ndarray  # Ljung–Box Q of each simulated remainder
    seasonal_strength: np.ndarray  # F_S of each (classical only; NaN otherwise)


def ljung_box_lag(n: int, seasons: tuple[int, ...]) -> int:
    """Hyndman's rule: 2m lags for seasonal data, 10 otherwise, at most n/5."""
    season = max(seasons, default=1)
    return max(1, min(2 * season if season > 1 else 10, n // 5))


def check_length(n: int, periods: tuple[int, ...]) -> int:
    """How many of the last points the check reads: all of them up to CHECK_POINTS, else at least 3 cycles
    (of the trend-only method, 3 moving-average windows)."""
    return min(n, max(CHECK_POINTS, MIN_CYCLES * max(periods, default=1)))


def null_shape(decomposition: Decomposition) -> NullShape:
    smoother = decomposition.smoother if decomposition.method == "stl" else 7
    return NullShape(len(decomposition.observed), decomposition.method, decomposition.periods,
                     decomposition.robust and decomposition.method in ("stl", "mstl"), smoother)


def robust_seconds(plain: Decomposition) -> float:
    """About how long the robust fit takes, from the ordinary one: R's robust STL makes 15 outer passes of one
    inner pass instead of two inner passes (measured: ×8–9 on the electricity data)."""
    return 8 * plain.seconds


def simulation_seconds(decomposition: Decomposition, sims: int | None = None) -> float:
    """About how long simulating the null takes: classical is vectorised, STL and MSTL run once per series."""
    sims = sims or SIMULATIONS
    if decomposition.method in ("classical", "trend"):
        return 2e-8 * sims * len(decomposition.observed) + 0.01
    return sims * max(decomposition.seconds, 1e-3)


def simulate_null(shape: NullShape, sims: int | None = None, seed: int = 0, progress=None) -> NullDistribution:
    """Ljung–Box statistics of the remainders of `sims` white-noise series decomposed like the data.

    Every method here is linear in the data (robust STL nearly so) and removes a linear trend and a
    fixed season exactly (STL up to its loess fit), so its remainder of trend + fixed season + noise
    is its remainder of the noise alone: simulating noise simulates "nothing systematic is left".
    The statistic does not depend on the noise's scale. Multiplicative classical decomposition is
    treated on the log scale, where it is additive to first order.
    """
    sims = sims or SIMULATIONS
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((sims, shape.n))
    if shape.method in ("classical", "trend"):
        remainders, strengths = _classical_remainders(noise, shape.periods[0], seasonal=shape.method == "classical")
    else:
        remainders, strengths = np.empty_like(noise), np.full(sims, np.nan)
        for i, values in enumerate(noise):
            if shape.method == "stl":
                remainders[i] = stl(values, shape.periods[0], shape.smoother, shape.robust)[2]
            else:
                remainders[i] = mstl(values, shape.periods, shape.robust)[2]
            if progress is not None:
                progress((i + 1) / sims, f"simulated series {i + 1} of {sims}")
    correlations = _acf_rows(remainders, shape.lag)
    statistics = ljung_box(correlations, remainders.shape[1], shape.lag)[0]
    return NullDistribution(shape, np.asarray(statistics, dtype=float), strengths)


def noise_strengths(n: int, period: int, sims: int | None = None, seed: int = 0) -> np.ndarray:
    """The seasonal strength F_S that classical decomposition finds at `period` in series of pure noise."""
    noise = np.random.default_rng(seed).standard_normal((sims or SIMULATIONS, n))
    return _classical_remainders(noise, period)[1]


def _classical_remainders(values: np.ndarray, period: int, seasonal: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """`classical_steps` for every row at once (additive): the remainders where the trend exists, and F_S."""
    sims, n = values.shape
    half = period // 2
    detrended = values[:, half: n - half] - centred_moving_average(values, period)
    if not seasonal:
        return detrended, np.full(sims, np.nan)
    # Lay the detrended values out as whole cycles (NaN where the trend is missing) and average each position.
    cycles = -(-n // period)
    laid_out = np.full((sims, cycles * period), np.nan)
    laid_out[:, half: n - half] = detrended
    raw = np.nanmean(laid_out.reshape(sims, cycles, period), axis=1)
    indices = raw - raw.mean(axis=1, keepdims=True)
    season = np.tile(indices, cycles)[:, half: n - half]
    remainder = detrended - season
    strengths = np.maximum(0.0, 1 - remainder.var(axis=1, ddof=1) / detrended.var(axis=1, ddof=1))
    return remainder, strengths


def _acf_rows(values: np.ndarray, lags: int) -> np.ndarray:
    """The sample ACF (lags 0..`lags`) of each row, by FFT: statsmodels' acf(x, fft=True) for every row."""
    centred = values - values.mean(axis=1, keepdims=True)
    n = values.shape[1]
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size, axis=1)
    covariance = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, : lags + 1]
    return covariance / covariance[:, :1]


@dataclass
class ResidualCheck:
    acf: np.ndarray  # lags 0..max_lag
    bound: float  # ±1.96/√n: where a white-noise ACF stays 95% of the time
    ljung_box_lag: int
    ljung_box_stat: float
    ljung_box_pvalue: float  # from the χ² table: right for white noise, not for a smoothed remainder
    points: int = 0  # remainder values tested
    null: NullDistribution | None = None
    zero: bool = False  # the remainder is zero up to rounding
    explained_by: str = "trend and season"

    @property
    def is_exact(self) -> bool:
        """The remainder is zero (constant): trend and season explain every value."""
        return self.zero

    @property
    def pvalue(self) -> float | None:
        """The Monte Carlo p-value: the share of simulated remainders with a Q at least as large."""
        if self.null is None or self.zero:
            return None
        reached = int(np.sum(self.null.statistics >= self.ljung_box_stat))
        return (1 + reached) / (1 + len(self.null.statistics))

    @property
    def has_structure(self) -> bool | None:
        """None until the null distribution is known (or when there is nothing to test)."""
        return None if self.pvalue is None else self.pvalue < LEVEL

    @property
    def reading(self) -> str:
        q, h, p = self.ljung_box_stat, self.ljung_box_lag, self.pvalue
        if self.zero:
            verb = "explain" if " and " in self.explained_by else "explains"
            return (f"The remainder is zero (up to rounding): {self.explained_by} {verb} every value exactly, so "
                    "there is nothing left to test.")
        if p is None:
            return (f"Ljung–Box over {h} lags: Q = {q:.1f}. The smoothing itself leaves some autocorrelation in any "
                    "remainder, so Q is judged against simulated series decomposed the same way; that comparison "
                    "has not been run yet.")
        sims = len(self.null.statistics)
        reached = int(np.sum(self.null.statistics >= q))
        typical = float(np.median(self.null.statistics))
        if p < LEVEL:
            return (f"**Something systematic is left in the remainder.** Over {h} lags its Ljung–Box statistic is "
                    f"Q = {q:.1f}; of {sims} simulated series that were exactly trend + fixed season + white noise, "
                    f"decomposed the same way, {_how_many(reached)} reached it (typical Q: {typical:.1f}; p = {p:.3f} < "
                    f"{LEVEL}). A changing season, a cycle, a second season or autocorrelated noise is left over.")
        return (f"**Nothing systematic shows in the remainder.** Over {h} lags its Ljung–Box statistic is Q = "
                f"{q:.1f}; {reached} of {sims} simulated series that were exactly trend + fixed season + white noise, "
                f"decomposed the same way, reached it (typical Q: {typical:.1f}; p = {p:.2f} ≥ {LEVEL}).")


def _how_many(count: int) -> str:
    return "none" if count == 0 else "one" if count == 1 else str(count)


def residual_check(decomposition: Decomposition, null: NullDistribution | None = None,
                   max_lag: int | None = None) -> ResidualCheck:
    """The remainder's ACF and Ljung–Box statistic; with `null` (from `simulate_null`), a calibrated verdict."""
    resid = decomposition.resid.dropna()
    if decomposition.model == "multiplicative":
        resid = np.log(resid)
    n = len(resid)
    seasons = decomposition.periods if decomposition.has_season else ()
    lag = ljung_box_lag(n, seasons)
    max_lag = max_lag or min(max(2 * max(seasons, default=1), 24), n - 1, 400)
    bound = 1.96 / np.sqrt(n)
    values = resid.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise DecompositionError("The remainder has infinite values (the arithmetic overflowed): rescale the series.")
    observed = decomposition.observed.to_numpy(dtype=float)
    scale = float(np.std(np.log(observed) if decomposition.model == "multiplicative" else observed))
    if not float(np.std(values)) > 1e-9 * scale:
        return ResidualCheck(np.r_[1.0, np.zeros(max_lag)], bound, lag, float("nan"), float("nan"), n, None, True,
                             "trend and season" if decomposition.has_season else "the trend")
    correlations = acf(values, nlags=max(max_lag, lag), fft=True)
    stat, pvalue = ljung_box(correlations, n, lag)
    if null is not None and null.shape.lag != lag:
        raise ValueError(f"the null distribution was simulated for {null.shape.lag} lags, not {lag}")
    return ResidualCheck(correlations[:max_lag + 1], bound, lag, stat, pvalue, n, null)


def ljung_box(correlations: np.ndarray, n: int, lags: int):
    """Q = n(n+2) Σ_{k=1..h} ρ_k² / (n−k), compared with χ²(h) (Ljung & Box 1978).

    The same statistic as statsmodels' acorr_ljungbox, from an FFT autocorrelation, so that
    a long series with a long season (h in the thousands) stays fast. Rows of a 2-D array are
    tested one by one.
    """
    k = np.arange(1, lags + 1)
    stat = n * (n + 2) * np.sum(correlations[..., 1:lags + 1] ** 2 / (n - k), axis=-1)
    if np.ndim(stat) == 0:
        return float(stat), float(chi2.sf(stat, lags))
    return stat, chi2.sf(stat, lags)


def cycle_labels(index: pd.Index, period: int) -> list[str]:
    """Names for the positions in one cycle, starting where the series starts (Jan, Feb, …)."""
    freq = getattr(index, "freqstr", None) or ""
    first = index[:period]
    if isinstance(index, pd.DatetimeIndex) and len(first) == period:
        if freq.startswith("M") and period == 12:
            return [d.strftime("%b") for d in first]
        if freq.startswith("Q") and period == 4:
            return [f"Q{d.quarter}" for d in first]
        if freq in ("D", "B") and period in (5, 7):
            return [d.strftime("%a") for d in first]
        if period * (first[1] - first[0]) == pd.Timedelta(days=1):
            return [d.strftime("%H:%M") for d in first]
    return [str(k + 1) for k in range(period)]
