"""Tools for choosing d, D, p and q: unit-root tests, rolling statistics, differencing, ACF and PACF.

ADF (augmented Dickey–Fuller): null hypothesis "there is a unit root", i.e. non-stationary.
    A small p-value (< 0.05) is evidence of stationarity.
KPSS: null hypothesis "the series is stationary" (around a constant level).
    A small p-value (< 0.05) is evidence that it needs differencing.
The two nulls are opposite, which is why they are read together (FPP3 §9.1 uses KPSS).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tsa.stattools import acf, adfuller, kpss, pacf

from playground.forecasting.core import ForecastError

ALPHA = 0.05


@dataclass
class UnitRootTest:
    name: str
    statistic: float
    pvalue: float
    p_text: str  # "0.031", or "< 0.01" / "> 0.10" where KPSS's table stops
    lags: int
    stationary: bool  # what the test says at the 5% level
    reading: str


def _p_text(pvalue: float, low: float | None = None, high: float | None = None) -> str:
    if low is not None and pvalue <= low:
        return f"< {low:.2f}"
    if high is not None and pvalue >= high:
        return f"> {high:.2f}"
    return f"= {pvalue:.3g}"


def _values(series) -> np.ndarray:
    y = np.asarray(series, dtype=float)
    y = y[~np.isnan(y)]
    if len(y) < 10:
        raise ForecastError("The stationarity tests need at least 10 values (after differencing).")
    if np.allclose(y, y[0]):
        raise ForecastError("The series is constant here, so there is nothing to test.")
    return y


def adf_test(series) -> UnitRootTest:
    y = _values(series)
    statistic, pvalue, lags, *_ = adfuller(y, autolag="AIC", result_object=False)
    stationary = pvalue < ALPHA
    p = _p_text(pvalue)
    if stationary:
        reading = (f"ADF: p {p} < 0.05, so we reject a unit root: the series looks **stationary**.")
    else:
        reading = (f"ADF: p {p} ≥ 0.05, so we cannot reject a unit root: the series may be **non-stationary** "
                   "(a difference may help).")
    return UnitRootTest("ADF", float(statistic), float(pvalue), p, int(lags), stationary, reading)


def kpss_test(series) -> UnitRootTest:
    y = _values(series)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the p-value is only tabulated between 0.01 and 0.10; we say so instead
        # Short lag truncation ⌊4 (n/100)^¼⌋, as urca's ur.kpss(lags = "short") used by R's ndiffs and FPP3.
        statistic, pvalue, lags, _ = kpss(y, regression="c", nlags=int(4 * (len(y) / 100) ** 0.25))
    stationary = pvalue >= ALPHA
    p = _p_text(pvalue, 0.01, 0.10)
    if stationary:
        reading = f"KPSS: p {p} ≥ 0.05, so we keep the null of stationarity: the series looks **stationary**."
    else:
        reading = (f"KPSS: p {p} < 0.05, so we reject stationarity: the series is **non-stationary** "
                   "and needs differencing.")
    return UnitRootTest("KPSS", float(statistic), float(pvalue), p, int(lags), stationary, reading)


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
    y = _values(series)
    n = len(y)
    nlags = max(1, min(nlags or 24, n // 2 - 1))
    return Correlogram(acf(y, nlags=nlags, fft=True), pacf(y, nlags=nlags, method="ywadjusted"),
                       1.96 / np.sqrt(n))
