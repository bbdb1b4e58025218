"""Benchmark methods (FPP3 §5.2) and their prediction intervals (FPP3 §5.5, Table 5.2).

With y_1 … y_T the training data, m the season and k = ⌊(h − 1)/m⌋:
    mean            ŷ(T+h|T) = ȳ                         σ_h = σ̂ √(1 + 1/T)
    naive           ŷ(T+h|T) = y_T                       σ_h = σ̂ √h
    seasonal naive  ŷ(T+h|T) = y_(T+h−m(k+1))            σ_h = σ̂ √(k + 1)
    drift           ŷ(T+h|T) = y_T + h (y_T − y_1)/(T−1)  σ_h = σ̂ √(h (1 + h/(T−1)))
    moving average  ŷ(T+h|T) = (y_T + … + y_(T−w+1)) / w  (no interval: not a statistical model)
σ̂ is the residual standard deviation, √(Σ e_t² / (T − K − M)) with K parameters and M missing
residuals (FPP3 §5.5): mean K=1 M=0; naive K=0 M=1; seasonal naive K=0 M=m; drift K=1 M=1.
"""

from __future__ import annotations

import numpy as np

from playground.forecasting.core import ForecastError, RawForecast, int_param, normal_intervals

FORMULAS = {
    "mean": (r"\hat y_{T+h|T} = \bar y = \frac{1}{T}\sum_{t=1}^{T} y_t",
             r"\hat\sigma_h = \hat\sigma\sqrt{1 + 1/T}"),
    "naive": (r"\hat y_{T+h|T} = y_T", r"\hat\sigma_h = \hat\sigma\sqrt{h}"),
    "snaive": (r"\hat y_{T+h|T} = y_{T+h-m(k+1)},\quad k = \lfloor (h-1)/m \rfloor",
               r"\hat\sigma_h = \hat\sigma\sqrt{k+1}"),
    "drift": (r"\hat y_{T+h|T} = y_T + h\,\frac{y_T - y_1}{T-1}",
              r"\hat\sigma_h = \hat\sigma\sqrt{h\,(1 + h/(T-1))}"),
    "moving_average": (r"\hat y_{T+h|T} = \frac{1}{k}\left(y_T + y_{T-1} + \dots + y_{T-k+1}\right)", None),
}


def _sigma(residuals: np.ndarray, n_params: int) -> float:
    errors = residuals[~np.isnan(residuals)]
    dof = len(errors) - n_params
    return float(np.sqrt(np.sum(errors ** 2) / dof)) if dof > 0 else float("nan")


def _with_intervals(mean: np.ndarray, sd: np.ndarray, fitted: np.ndarray, params: dict) -> RawForecast:
    if np.all(np.isfinite(sd)):
        lower, upper = normal_intervals(mean, sd)
    else:
        lower = upper = None
    return RawForecast(mean, lower, upper, fitted=fitted, params=params)


def _need(y: np.ndarray, count: int, what: str) -> None:
    if len(y) < count:
        raise ForecastError(f"{what} needs at least {count} training points; there are {len(y)}.")


def mean_method(y: np.ndarray, horizon: int) -> RawForecast:
    _need(y, 2, "The mean method")
    level = float(np.mean(y))
    fitted = np.full(len(y), level)
    sigma = _sigma(y - fitted, 1)
    sd = np.full(horizon, sigma * np.sqrt(1 + 1 / len(y)))
    return _with_intervals(np.full(horizon, level), sd, fitted, {"ȳ (mean of the training data)": level})


def naive(y: np.ndarray, horizon: int) -> RawForecast:
    _need(y, 2, "The naive method")
    fitted = np.concatenate([[np.nan], y[:-1]])
    sigma = _sigma(y - fitted, 0)
    h = np.arange(1, horizon + 1)
    return _with_intervals(np.full(horizon, y[-1]), sigma * np.sqrt(h), fitted, {"y_T (last value)": float(y[-1])})


def seasonal_naive(y: np.ndarray, horizon: int, season: int) -> RawForecast:
    if season < 2:
        raise ForecastError("Seasonal naive needs a season m of at least 2 (with m = 1 it is the naive method).")
    _need(y, season + 1, f"Seasonal naive with m = {season}")
    last_season = y[-season:]
    h = np.arange(1, horizon + 1)
    mean = last_season[(h - 1) % season]  # y_(T+h−m(k+1)): the same position in the last full season
    fitted = np.concatenate([np.full(season, np.nan), y[:-season]])
    sigma = _sigma(y - fitted, 0)
    k = (h - 1) // season
    return _with_intervals(mean, sigma * np.sqrt(k + 1), fitted, {"m (season)": season})


def drift(y: np.ndarray, horizon: int) -> RawForecast:
    _need(y, 3, "The drift method")
    n = len(y)
    slope = (y[-1] - y[0]) / (n - 1)
    fitted = np.concatenate([[np.nan], y[:-1] + slope])
    sigma = _sigma(y - fitted, 1)
    h = np.arange(1, horizon + 1)
    return _with_intervals(y[-1] + slope * h, sigma * np.sqrt(h * (1 + h / (n - 1))), fitted,
                           {"drift (y_T − y_1)/(T − 1)": float(slope)})


def moving_average(y: np.ndarray, horizon: int, window: int = 3) -> RawForecast:
    window = int_param(window, "The moving-average window k", 1, 10_000)
    _need(y, window, f"A moving average of the last {window} values")
    level = float(np.mean(y[-window:]))
    # One-step fitted value at t: the mean of the k values before t.
    sums = np.convolve(y, np.ones(window), mode="valid")[:-1] / window
    fitted = np.concatenate([np.full(window, np.nan), sums])
    return RawForecast(np.full(horizon, level), fitted=fitted,
                       params={"k (window)": window, f"mean of the last {window} values": level})
