"""Time-series decomposition: classical (moving average), STL and MSTL.

The classical method is written out here step by step, because the page explains those
steps with the very numbers computed below; tests check it against statsmodels'
`seasonal_decompose` and against R's `decompose()`. STL and MSTL come from statsmodels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2
from statsmodels.tsa.seasonal import MSTL, STL
from statsmodels.tsa.stattools import acf

MODELS = ("additive", "multiplicative")
METHODS = ("classical", "stl", "mstl")
MAX_STL_POINTS = 100_000


class DecompositionError(ValueError):
    """The chosen settings cannot decompose this series; the message says what to change."""


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
    period: int | tuple[int, ...]
    model: str
    method: str
    seasonals: pd.DataFrame  # one column per seasonal period (MSTL has several)
    steps: ClassicalSteps | None = None

    @property
    def periods(self) -> tuple[int, ...]:
        return self.period if isinstance(self.period, tuple) else (self.period,)

    def components(self) -> pd.DataFrame:
        frame = pd.DataFrame({"observed": self.observed, "trend": self.trend})
        if self.seasonals.shape[1] > 1:
            frame = frame.join(self.seasonals)
        frame["seasonal"] = self.seasonal
        frame["resid"] = self.resid
        return frame


def decompose(series: pd.Series, model: str = "additive", method: str = "classical", period=None,
              robust: bool = False, seasonal_smoother: int = 7) -> Decomposition:
    """Split `series` into trend, seasonal and residual components.

    `period` is an int (a tuple of ints for MSTL); None uses the first suggested period.
    """
    if model not in MODELS:
        raise DecompositionError(f"Unknown model '{model}'; choose additive or multiplicative.")
    if method not in METHODS:
        raise DecompositionError(f"Unknown method '{method}'; choose classical, stl or mstl.")
    series = series.astype(float)
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

    if method == "classical":
        steps = classical_steps(series, periods[0], model)
        seasonal = _tile(steps.indices, len(series), series.index)
        combine = np.subtract if model == "additive" else np.divide
        resid = combine(combine(series, steps.trend), seasonal)
        return Decomposition(series, steps.trend, seasonal, resid, periods[0], model, method,
                             seasonal.to_frame(f"seasonal_{periods[0]}"), steps)

    log = model == "multiplicative"
    fitted_on = np.log(series) if log else series
    if method == "stl":
        result = STL(fitted_on, period=periods[0], seasonal=seasonal_smoother, robust=robust).fit()
        seasonals = result.seasonal.to_frame(f"seasonal_{periods[0]}")
    else:
        result = MSTL(fitted_on, periods=periods, stl_kwargs={"robust": robust}).fit()
        seasonals = result.seasonal if isinstance(result.seasonal, pd.DataFrame) else result.seasonal.to_frame()
        seasonals.columns = [f"seasonal_{p}" for p in periods]
    trend, resid, seasonal = result.trend, result.resid, seasonals.sum(axis=1)
    if log:
        trend, resid, seasonal, seasonals = np.exp(trend), np.exp(resid), np.exp(seasonal), np.exp(seasonals)
    stored_period = periods[0] if method == "stl" else periods
    return Decomposition(series, trend.rename("trend"), seasonal.rename("seasonal"), resid.rename("resid"),
                         stored_period, model, method, seasonals)


def _check_periods(series: pd.Series, period, method: str) -> tuple[int, ...]:
    periods = tuple(int(p) for p in (period if isinstance(period, (tuple, list)) else (period,)))
    n = len(series)
    if method != "mstl" and len(periods) != 1:
        raise DecompositionError("Classical and STL decomposition take one period; use MSTL for several.")
    if method == "mstl" and len(periods) < 2:
        raise DecompositionError("MSTL needs at least two seasonal periods, e.g. 48 and 336 for half-hourly data.")
    if len(set(periods)) != len(periods):
        raise DecompositionError("The seasonal periods must be different from each other.")
    for p in periods:
        if p < 2:
            raise DecompositionError(f"The period must be at least 2 (got {p}): a season repeats every p steps.")
        if 2 * p > n:
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


def classical_steps(series: pd.Series, period: int, model: str = "additive") -> ClassicalSteps:
    weights = centred_moving_average_weights(period)
    half = len(weights) // 2
    values = series.to_numpy(dtype=float)
    smoothed = np.full(len(values), np.nan)
    smoothed[half:len(values) - half] = np.convolve(values, weights, mode="valid")
    trend = pd.Series(smoothed, index=series.index, name="trend")
    detrended = series - trend if model == "additive" else series / trend
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


def strength(decomposition: Decomposition) -> tuple[float, float]:
    """Hyndman & Athanasopoulos (FPP3 §4.3): F_T = max(0, 1 − Var(R)/Var(T+R)), F_S likewise with S.

    Multiplicative components are measured on the log scale, where they add.
    """
    frame = pd.DataFrame({"T": decomposition.trend, "S": decomposition.seasonal, "R": decomposition.resid}).dropna()
    if decomposition.model == "multiplicative":
        frame = np.log(frame)
    var_r = frame["R"].var()

    def measured(component: pd.Series) -> float:
        total = (component + frame["R"]).var()
        return 0.0 if not total > 0 else max(0.0, 1 - var_r / total)  # a constant part has no strength

    return measured(frame["T"]), measured(frame["S"])


@dataclass
class ResidualCheck:
    acf: np.ndarray  # lags 0..max_lag
    bound: float  # ±1.96/√n: where a white-noise ACF stays 95% of the time
    ljung_box_lag: int
    ljung_box_stat: float
    ljung_box_pvalue: float

    @property
    def has_structure(self) -> bool:
        return self.ljung_box_pvalue < 0.05

    @property
    def is_exact(self) -> bool:
        """The remainder is constant: trend and season explain every value."""
        return np.isnan(self.ljung_box_stat)

    @property
    def reading(self) -> str:
        q, p, h = self.ljung_box_stat, self.ljung_box_pvalue, self.ljung_box_lag
        if self.is_exact:
            return ("The remainder is constant: trend and season explain the series exactly, so there is "
                    "nothing left to test.")
        if self.has_structure:
            return (f"The residuals still have structure: the Ljung–Box test over {h} lags gives Q = {q:.1f}, "
                    f"p = {p:.3g} < 0.05, so they are autocorrelated. Something systematic (a changing season, "
                    "a cycle, a second season) is left in the remainder.")
        return (f"The residuals look like white noise: the Ljung–Box test over {h} lags gives Q = {q:.1f}, "
                f"p = {p:.3g} ≥ 0.05, so there is no evidence of structure left.")


def residual_check(decomposition: Decomposition, max_lag: int | None = None) -> ResidualCheck:
    resid = decomposition.resid.dropna()
    if decomposition.model == "multiplicative":
        resid = np.log(resid)
    n = len(resid)
    season = max(decomposition.periods)
    lb_lag = max(1, min(2 * season if season > 1 else 10, n // 5))
    max_lag = max_lag or min(max(2 * season, 24), n - 1, 400)
    if np.allclose(resid, resid.iloc[0], rtol=0, atol=1e-12 * max(1.0, float(np.abs(resid).max()))):
        return ResidualCheck(np.r_[1.0, np.zeros(max_lag)], 1.96 / np.sqrt(n), lb_lag, np.nan, np.nan)
    correlations = acf(resid, nlags=max(max_lag, lb_lag), fft=True)
    stat, pvalue = ljung_box(correlations, n, lb_lag)
    return ResidualCheck(correlations[:max_lag + 1], 1.96 / np.sqrt(n), lb_lag, stat, pvalue)


def ljung_box(correlations: np.ndarray, n: int, lags: int) -> tuple[float, float]:
    """Q = n(n+2) Σ_{k=1..h} ρ_k² / (n−k), compared with χ²(h) (Ljung & Box 1978).

    The same statistic as statsmodels' acorr_ljungbox, from an FFT autocorrelation, so that
    a long series with a long season (h in the thousands) stays fast.
    """
    k = np.arange(1, lags + 1)
    stat = float(n * (n + 2) * np.sum(correlations[1:lags + 1] ** 2 / (n - k)))
    return stat, float(chi2.sf(stat, lags))


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
