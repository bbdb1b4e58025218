"""Tools for choosing d, D, p and q: unit-root tests, rolling statistics, differencing, ACF and PACF.

ADF (augmented Dickey–Fuller): null hypothesis "there is a unit root", i.e. non-stationary.
    A small p-value (< 0.05) is evidence of stationarity.
KPSS: null hypothesis "the series is stationary" (around a constant level).
    A small p-value (< 0.05) is evidence that it needs differencing.
The two nulls are opposite, which is why they are read together (FPP3 §9.1 uses KPSS).

d and D are chosen as R's forecast 8.20 chooses them for auto.arima:
- `choose_seasonal_difference` is nsdiffs(test = "seas"): D = 1 when the seasonal strength
  F_S = max(0, 1 − Var(R) / Var(S + R)) of an STL decomposition (stl with s.window = 11, as forecast's mstl
  calls it) is above 0.64.
- `choose_difference` is ndiffs(test = "kpss"): KPSS level test with lag truncation trunc(3√n / 13), p-value
  interpolated in the KPSS table (between 0.01 and 0.10); difference while p < 0.05, at most twice.
Every test looks at the last TEST_POINTS values at most, so it stays fast on any series.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.adfvalues import mackinnonp
from statsmodels.tsa.stattools import acf, pacf

from playground.forecasting.core import ForecastError

ALPHA = 0.05
TEST_POINTS = 10_000  # the tests and the rules for d and D use at most the last this many values
MAX_D, MAX_SEASONAL_D = 2, 1
SEASONAL_STRENGTH_FOR_D = 0.64  # forecast::nsdiffs, "chosen based on seasonal M3 auto.arima accuracy"
STL_SEASONAL_WINDOW = 11  # forecast::mstl's s.window for the first (here the only) season
KPSS_TABLE = (np.array([0.347, 0.463, 0.574, 0.739]), np.array([0.10, 0.05, 0.025, 0.01]))  # level test


class NotTestable(ForecastError):
    """The series is degenerate (constant, two values, exactly predictable): a unit-root test says nothing."""


@dataclass
class UnitRootTest:
    name: str
    statistic: float
    pvalue: float
    p_text: str  # "= 0.031", or "< 0.01" / "> 0.10" where KPSS's table stops
    lags: int
    stationary: bool  # what the test says at the 5% level
    reading: str
    points: int = 0  # how many values were tested (at most TEST_POINTS, the most recent)


def shown_against(value: float, threshold: float, digits: int = 3) -> str:
    """`value` with enough significant digits that the shown number compares with `threshold` as the exact one
    does (0.04998 is not shown as 0.05 next to "< 0.05")."""
    exact = (value > threshold) - (value < threshold)
    for precision in range(digits, 18):
        text = f"{value:.{precision}g}"
        shown = float(text)
        if (shown > threshold) - (shown < threshold) == exact:
            return text
    return repr(value)


def is_constant(y: np.ndarray) -> bool:
    """R's forecast:::is.constant: all.equal(y, y[1]), a mean relative difference below 1.5e-8."""
    y = np.asarray(y, dtype=float)
    if len(y) == 0:
        return True
    differing = y[y != y[0]]
    if not len(differing):
        return True
    difference = np.mean(np.abs(differing - y[0]))
    scale = np.mean(np.abs(differing))
    tolerance = math.sqrt(np.finfo(float).eps)
    return bool((difference / scale if np.isfinite(scale) and scale > tolerance else difference) <= tolerance)


def recent(y: np.ndarray) -> np.ndarray:
    return y[-TEST_POINTS:] if len(y) > TEST_POINTS else y


def _values(series, for_tests: bool = True) -> np.ndarray:
    y = np.asarray(series, dtype=float)
    y = recent(y[~np.isnan(y)])
    if not np.all(np.isfinite(y)):
        raise ForecastError("The series has infinite values, so the tests cannot be computed.")
    if len(y) < 10:
        raise ForecastError("The stationarity tests need at least 10 values (after differencing).")
    if is_constant(y):
        raise NotTestable("The series is constant here (after the differences chosen), so the tests do not apply: "
                          "there is no variation left to test.")
    if for_tests and len(np.unique(y)) == 2:
        raise NotTestable("The series takes only two values here, so the unit-root tests do not apply: they "
                          "assume a continuous series.")
    return y


def _tested_on(points: int, total: int) -> str:
    return f" (Tested on the last {points:,} of the {total:,} values, to stay fast.)" if points < total else ""


def _p_text(pvalue: float, low: float | None = None, high: float | None = None) -> str:
    if low is not None and pvalue <= low:
        return f"< {low:.2f}"
    if high is not None and pvalue >= high:
        return f"> {high:.2f}"
    return f"= {shown_against(pvalue, ALPHA)}"


# --------------------------------------------------------------------------- ADF

def adf_maxlag(n: int) -> int:
    """statsmodels' (and Schwert's) default largest lag, ⌈12 (n/100)^¼⌉, kept below n/2 − 2."""
    return max(0, min(n // 2 - 2, int(np.ceil(12.0 * (n / 100.0) ** 0.25))))


def _adf_design(y: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Δy_t on [1, y_(t−1), Δy_(t−1), …, Δy_(t−lags)], for every t that has all of them."""
    dy = np.diff(y)
    rows = len(dy) - lags
    columns = [np.ones(rows), y[lags:-1]] + [dy[lags - i:len(dy) - i] for i in range(1, lags + 1)]
    return dy[lags:], np.column_stack(columns)


def adf_test(series) -> UnitRootTest:
    """statsmodels' adfuller(regression="c", autolag="AIC") with one QR for all the lag lengths: the lag is the one
    with the smallest AIC on a common sample, then the regression is rerun on every point it can use."""
    total = len(series)
    y = _values(series)
    maxlag = adf_maxlag(len(y))
    target, design = _adf_design(y, maxlag)
    rotated = np.linalg.qr(design, mode="reduced")
    projections = rotated[0].T @ target
    ssr = target @ target - np.cumsum(projections ** 2)
    n = len(target)
    columns = np.arange(1, design.shape[1] + 1)
    with np.errstate(divide="ignore"):
        aic = n * (np.log(2 * np.pi * np.maximum(ssr, 1e-300) / n) + 1) + 2 * columns
    lags = int(np.argmin(aic[1:]))  # the first candidate is [1, y_(t−1)]: lag 0
    target, design = _adf_design(y, lags)
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    residuals = target - design @ coefficients
    if residuals @ residuals <= 1e-10 * np.sum((target - target.mean()) ** 2):
        raise NotTestable("The series is exactly predictable from its last values (a fixed pattern, no noise), so "
                          "the unit-root tests do not apply.")
    variance = residuals @ residuals / (len(target) - design.shape[1])
    statistic = float(coefficients[1] / np.sqrt(variance * np.linalg.inv(design.T @ design)[1, 1]))
    pvalue = float(mackinnonp(statistic, regression="c", N=1))
    stationary = pvalue < ALPHA
    p = _p_text(pvalue)
    if stationary:
        reading = f"ADF: p {p} < 0.05, so we reject a unit root: the series looks **stationary**."
    else:
        reading = (f"ADF: p {p} ≥ 0.05, so we cannot reject a unit root: the series may be **non-stationary** "
                   "(a difference may help).")
    return UnitRootTest("ADF", statistic, pvalue, p, lags, stationary, reading + _tested_on(len(y), total), len(y))


# --------------------------------------------------------------------------- KPSS

def kpss_lags(n: int) -> int:
    """forecast::ndiffs' lag truncation for ur.kpss: trunc(3√n / 13)."""
    return int(3 * math.sqrt(n) / 13)


def kpss_statistic(y: np.ndarray, lags: int) -> float:
    """urca::ur.kpss(type = "mu"): Σ S_t² / n² over the Bartlett long-run variance of y − ȳ."""
    residuals = y - y.mean()
    n = len(y)
    partial = np.cumsum(residuals)
    variance = residuals @ residuals / n
    for lag in range(1, lags + 1):
        variance += 2 / n * (1 - lag / (lags + 1)) * (residuals[lag:] @ residuals[:-lag])
    return float(partial @ partial / n ** 2 / variance)


def kpss_pvalue(statistic: float) -> float:
    """R's approx(cval, c(0.10, 0.05, 0.025, 0.01), rule = 2): interpolated, clamped to [0.01, 0.10]."""
    return float(np.interp(statistic, *KPSS_TABLE))


def kpss_test(series) -> UnitRootTest:
    total = len(series)
    y = _values(series)
    lags = kpss_lags(len(y))
    statistic = kpss_statistic(y, lags)
    pvalue = kpss_pvalue(statistic)
    stationary = pvalue >= ALPHA
    p = _p_text(pvalue, 0.01, 0.10)
    if stationary:
        reading = f"KPSS: p {p} ≥ 0.05, so we keep the null of stationarity: the series looks **stationary**."
    else:
        reading = (f"KPSS: p {p} < 0.05, so we reject stationarity: the series is **non-stationary** "
                   "and needs differencing.")
    return UnitRootTest("KPSS", statistic, pvalue, p, lags, stationary, reading + _tested_on(len(y), total), len(y))


def verdict(adf: UnitRootTest, kpss_result: UnitRootTest) -> str:
    """One plain sentence from the two tests together."""
    if adf.stationary and kpss_result.stationary:
        return "Both tests agree: **stationary**. No (more) differencing is needed."
    if not adf.stationary and not kpss_result.stationary:
        return "Both tests agree: **non-stationary**. Take a (further) difference."
    if adf.stationary:
        return ("The tests disagree: ADF finds no unit root but KPSS rejects stationarity. The series may be "
                "stationary around a trend; a difference is the safer choice. Check the ACF.")
    return ("The tests disagree: neither rejects its null, so the data cannot tell. Look at the ACF: "
            "a slow decay means difference, a quick drop means no difference.")


# --------------------------------------------------------------------------- the rules for d and D

def _next_odd(x: float) -> int:
    x = int(round(x))
    return x + 1 if x % 2 == 0 else x


def seasonal_strength(y: np.ndarray, season: int) -> float:
    """forecast:::seas.heuristic: F_S from stats::stl(y, s.window = 11) with R's other defaults (degree 0 for the
    seasonal smoother, jumps of a tenth of each window, 2 inner and no robustness iterations). statsmodels' STL
    is the same Fortran code, but wants a low-pass window longer than m: for odd m it gets m + 2, not R's m."""
    from statsmodels.tsa.seasonal import STL

    trend = _next_odd(math.ceil(1.5 * season / (1 - 1.5 / STL_SEASONAL_WINDOW)))
    low_pass = _next_odd(season + 1)
    parts = STL(y, period=season, seasonal=STL_SEASONAL_WINDOW, trend=trend, low_pass=low_pass, seasonal_deg=0,
                trend_deg=1, low_pass_deg=1, seasonal_jump=math.ceil(STL_SEASONAL_WINDOW / 10),
                trend_jump=math.ceil(trend / 10), low_pass_jump=math.ceil(low_pass / 10), robust=False).fit(inner_iter=2, outer_iter=0)
    remainder = np.asarray(parts.resid)
    return float(max(0.0, min(1.0, 1 - np.var(remainder, ddof=1) / np.var(remainder + parts.seasonal, ddof=1))))


def _capped(y: np.ndarray) -> str:
    return f" (on the last {TEST_POINTS:,} of the {len(y):,} values)" if len(y) > TEST_POINTS else ""


def choose_seasonal_difference(y: np.ndarray, season: int) -> tuple[int, str]:
    """D as forecast::nsdiffs (and auto.arima, which skips it when n ≤ 2m) chooses it; with the reason."""
    y = np.asarray(y, dtype=float)
    note = _capped(y)
    y = recent(y)
    if season < 2:
        return 0, "D = 0: no season (m = 1)"
    if len(y) <= 2 * season:
        return 0, f"D = 0: {len(y)} values are not more than two seasons (2m = {2 * season})"
    if is_constant(y):
        return 0, "D = 0: the series is constant"
    strength = seasonal_strength(y, season)
    shown = shown_against(strength, SEASONAL_STRENGTH_FOR_D)
    if strength > SEASONAL_STRENGTH_FOR_D:
        return 1, f"D = 1: the seasonal strength F_S = {shown} is above {SEASONAL_STRENGTH_FOR_D}{note}"
    return 0, f"D = 0: the seasonal strength F_S = {shown} is not above {SEASONAL_STRENGTH_FOR_D}{note}"


def choose_difference(y: np.ndarray, max_d: int = MAX_D, what: str = "the series") -> tuple[int, str]:
    """d as forecast::ndiffs(test = "kpss") chooses it, with each test's p-value in the reason."""
    y = np.asarray(y, dtype=float)
    note = _capped(y)
    x = recent(y)
    if is_constant(x):
        return 0, "d = 0: the series is constant"
    readings = []
    d = 0
    while True:
        pvalue = kpss_pvalue(kpss_statistic(x, kpss_lags(len(x))))
        where = f"on {what}" if d == 0 else f"after {d} difference{'s' if d > 1 else ''}"
        if pvalue >= ALPHA:
            readings.append(f"KPSS p {_p_text(pvalue, 0.01, 0.10)} {where}, not below {ALPHA}: stop")
            break
        readings.append(f"KPSS p {_p_text(pvalue, 0.01, 0.10)} {where}, below {ALPHA}: difference")
        if d == max_d:
            readings[-1] = readings[-1].replace(": difference", f": but d = {max_d} is the most allowed")
            break
        d += 1
        x = np.diff(x)
        if is_constant(x) or len(x) < 2:
            readings.append(f"constant after {d} difference{'s' if d > 1 else ''}: stop")
            break
    return d, f"d = {d}: " + "; ".join(readings) + note


@dataclass(frozen=True)
class Differences:
    d: int
    D: int
    d_reason: str
    D_reason: str


def choose_differences(y: np.ndarray, season: int) -> Differences:
    """auto.arima's order: D first on the series, then d on the seasonally differenced series."""
    y = np.asarray(y, dtype=float)
    D, D_reason = choose_seasonal_difference(y, season)
    if D:
        d, d_reason = choose_difference(y[season:] - y[:-season], what="the seasonally differenced series")
    else:
        d, d_reason = choose_difference(y)
    return Differences(d, D, d_reason, D_reason)


RULES = ("Auto ARIMA chooses them as R's forecast package does (auto.arima): first D = 1 when the seasonal strength "
         "F_S = 1 − Var(R)/Var(S + R) of an STL decomposition is above 0.64 (nsdiffs), then d = the number of "
         "differences after which the KPSS test (lag truncation ⌊3√n/13⌋) no longer rejects stationarity at 5%, "
         "at most 2 (ndiffs).")


# --------------------------------------------------------------------------- differencing and pictures

def difference(series: pd.Series, d: int = 0, seasonal: int = 0, season: int = 1) -> pd.Series:
    """(1 − B)^d (1 − B^m)^D y_t, on the index of the values that remain."""
    if seasonal and season < 2:
        raise ForecastError("A seasonal difference needs a season m of at least 2.")
    result = series
    for _ in range(seasonal):
        result = result.diff(season)
    for _ in range(d):
        result = result.diff()
    result = result.dropna()
    if len(result) < 10:
        raise ForecastError("After these differences fewer than 10 values are left: use fewer differences.")
    return result


def rolling_stats(series: pd.Series, window: int) -> pd.DataFrame:
    """Rolling mean and variance over `window` steps: both roughly flat for a stationary series."""
    window = max(2, min(int(window), len(series)))
    rolled = series.rolling(window, center=True)
    return pd.DataFrame({"mean": rolled.mean(), "variance": rolled.var()})


@dataclass
class Correlogram:
    acf: np.ndarray  # lags 0..nlags
    pacf: np.ndarray
    bound: float  # ±1.96/√n, where 95% of a white-noise series' autocorrelations fall


def correlogram(series, nlags: int | None = None) -> Correlogram:
    y = _values(series, for_tests=False)
    n = len(y)
    nlags = max(1, min(nlags or 24, n // 2 - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Correlogram(acf(y, nlags=nlags, fft=True), pacf(y, nlags=nlags, method="ywadjusted"),
                           1.96 / np.sqrt(n))
