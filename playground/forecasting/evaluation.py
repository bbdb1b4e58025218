"""Accuracy on a hold-out, the leaderboard, rolling-origin evaluation and residual diagnostics.

With e_t = y_t − ŷ_t over the test period (FPP3 §5.8):
    MAE  = mean |e_t|              RMSE = √(mean e_t²)
    MAPE = 100 · mean |e_t / y_t|  (undefined when an actual y_t is 0; misleading near 0)
    MASE = mean |e_t| / Q,  Q = 1/(T − m) · Σ_{t=m+1..T} |y_t − y_(t−m)|  on the training data
         (Hyndman & Koehler 2006: scaled by the in-sample seasonal naive MAE; m = 1 gives the naive MAE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.tsa.stattools import acf

from playground.forecasting.core import ForecastError

METRICS = ("MAE", "RMSE", "MAPE", "MASE")
FORMULAS = {
    "MAE": r"\mathrm{MAE} = \frac{1}{h}\sum_{j=1}^{h} |e_{T+j}|,\qquad e_{T+j} = y_{T+j} - \hat y_{T+j|T}",
    "RMSE": r"\mathrm{RMSE} = \sqrt{\frac{1}{h}\sum_{j=1}^{h} e_{T+j}^2}",
    "MAPE": r"\mathrm{MAPE} = \frac{100}{h}\sum_{j=1}^{h} \left|\frac{e_{T+j}}{y_{T+j}}\right|",
    "MASE": r"\mathrm{MASE} = \frac{\mathrm{MAE}}{\frac{1}{T-m}\sum_{t=m+1}^{T} |y_t - y_{t-m}|}",
}
MAPE_ZERO_MESSAGE = ("MAPE is switched off: the actual values in the test period contain zeros, and the "
                     "percentage error |e_t / y_t| divides by them. Use MAE, RMSE or MASE instead.")


def _aligned(actual, predicted) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(actual, pd.Series) and isinstance(predicted, pd.Series) and not actual.index.equals(predicted.index):
        common = actual.index.intersection(predicted.index)
        actual, predicted = actual.loc[common], predicted.loc[common]
    a = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    if a.shape != p.shape:
        raise ForecastError(f"Actual and forecast values differ in length ({len(a)} vs {len(p)}).")
    if len(a) == 0:
        raise ForecastError("There are no test values to compare the forecasts with.")
    return a, p


def mase_scale(train, season: int = 1) -> float:
    """Q: the in-sample MAE of the seasonal naive method (naive for m = 1) on the training data."""
    y = np.asarray(train, dtype=float)
    m = max(1, int(season))
    if len(y) <= m:
        return float("nan")
    return float(np.mean(np.abs(y[m:] - y[:-m])))


def mape_available(actual) -> bool:
    return not np.any(np.asarray(actual, dtype=float) == 0)


def accuracy(actual, predicted, train, season: int = 1) -> dict:
    """MAE, RMSE, MAPE (%, NaN when an actual is 0) and MASE of `predicted` against `actual`."""
    a, p = _aligned(actual, predicted)
    errors = a - p
    scale = mase_scale(train, season)
    mae = float(np.mean(np.abs(errors)))
    return {
        "MAE": mae,
        "RMSE": float(np.sqrt(np.mean(errors ** 2))),
        "MAPE": float(100 * np.mean(np.abs(errors / a))) if mape_available(a) else float("nan"),
        "MASE": mae / scale if scale > 0 else float("nan"),
    }


def leaderboard(actual: pd.Series, forecasts: dict[str, pd.Series], train: pd.Series, season: int = 1,
                sort_by: str = "MASE") -> pd.DataFrame:
    """One row per method, the same hold-out and the same metrics for all; best first."""
    rows = {name: accuracy(actual.iloc[:len(mean)], mean, train, season) for name, mean in forecasts.items()}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(METRICS))
    table.index.name = "method"
    key = sort_by if sort_by in table and table[sort_by].notna().any() else "MAE"
    return table.sort_values(key, na_position="last")


# --------------------------------------------------------------------------- rolling origin


def origins(n: int, initial: int, horizon: int, step: int = 1, max_origins: int = 20) -> list[int]:
    """Training sizes of the expanding windows: initial, initial + step, …, each leaving `horizon` to test.

    When there would be more than `max_origins`, the last `max_origins` are kept (most data, most relevant).
    """
    if initial < 3:
        raise ForecastError("The first training window needs at least 3 points.")
    if initial + horizon > n:
        raise ForecastError(f"A first window of {initial} points plus a horizon of {horizon} is longer than the "
                            f"series ({n} points). Use a smaller first window or horizon.")
    sizes = list(range(initial, n - horizon + 1, max(1, step)))
    return sizes[-max_origins:]


@dataclass
class RollingOrigin:
    sizes: list[int]  # training size at each origin
    horizon: int
    errors: dict[str, pd.DataFrame] = field(default_factory=dict)  # method -> metrics per origin
    forecasts: dict[str, list[pd.Series | None]] = field(default_factory=dict)  # method -> forecast per origin
    failures: dict[str, str] = field(default_factory=dict)  # method -> why it failed at some origin

    def summary(self) -> pd.DataFrame:
        """Each metric averaged over the origins, best (lowest MASE) first."""
        rows = {name: frame[list(METRICS)].mean() for name, frame in self.errors.items() if len(frame)}
        table = pd.DataFrame.from_dict(rows, orient="index", columns=list(METRICS))
        table.index.name = "method"
        return table.sort_values("MASE" if table["MASE"].notna().any() else "MAE")


def rolling_origin(series: pd.Series, specs: dict[str, tuple[str, dict]], horizon: int, initial: int,
                   step: int = 1, max_origins: int = 20, season: int = 1,
                   progress: Callable[[float, str], None] | None = None,
                   max_fit_points: int | None = None) -> RollingOrigin:
    """Time-series cross-validation (FPP3 §5.10): refit each method on every expanding window, forecast
    `horizon` steps, measure them against what followed; `specs` maps a label to (method, params).
    With `max_fit_points` each method is fitted on at most the last that many points of its window."""
    from playground.forecasting import forecast

    sizes = origins(len(series), initial, horizon, step, max_origins)
    result = RollingOrigin(sizes, horizon)
    total = len(sizes) * max(1, len(specs))
    done = 0
    for label, (method, params) in specs.items():
        rows, shown = [], []
        for size in sizes:
            first = 0 if max_fit_points is None else max(0, size - max_fit_points)
            train, test = series.iloc[first:size], series.iloc[size:size + horizon]
            try:
                predicted = forecast(train, method, horizon, **params).mean
                rows.append({"origin": series.index[size - 1], "train size": size,
                             **accuracy(test, predicted, train, season)})
                shown.append(predicted)
            except ForecastError as error:
                result.failures[label] = str(error)
                shown.append(None)
            done += 1
            if progress is not None:
                progress(done / total, f"{label}: window {len(shown)}/{len(sizes)}")
        result.errors[label] = pd.DataFrame(rows, columns=["origin", "train size", *METRICS])
        result.forecasts[label] = shown
    return result


# --------------------------------------------------------------------------- residual diagnostics


@dataclass
class ResidualDiagnostics:
    residuals: pd.Series
    acf: np.ndarray  # lags 0..max_lag
    bound: float  # ±1.96/√n
    lag: int  # Ljung–Box lags: 2m for seasonal data, 10 otherwise (FPP3 §5.4), at most n/5
    statistic: float
    pvalue: float

    @property
    def white_noise(self) -> bool:
        return self.pvalue >= 0.05

    @property
    def reading(self) -> str:
        q, p, h = self.statistic, self.pvalue, self.lag
        if self.white_noise:
            return (f"The residuals look like white noise: Ljung–Box over {h} lags gives Q* = {q:.1f}, "
                    f"p = {p:.3g} ≥ 0.05. The model has used the information in the data.")
        return (f"The residuals are still autocorrelated: Ljung–Box over {h} lags gives Q* = {q:.1f}, "
                f"p = {p:.3g} < 0.05. Information is left in them: the forecasts can be improved.")


def residual_diagnostics(residuals: pd.Series, season: int = 1) -> ResidualDiagnostics:
    resid = residuals.dropna()
    n = len(resid)
    if n < 10:
        raise ForecastError("Too few residuals (fewer than 10) to check them.")
    if np.ptp(resid.to_numpy()) == 0:
        raise ForecastError(f"Every residual is {resid.iloc[0]:g}: the model leaves nothing to check.")
    lag = max(1, min(2 * season if season > 1 else 10, n // 5))
    max_lag = max(1, min(max(2 * season, 24), n // 2 - 1, 200))
    test = acorr_ljungbox(resid.to_numpy(), lags=[lag], return_df=True)
    return ResidualDiagnostics(resid, acf(resid.to_numpy(), nlags=max_lag, fft=True), 1.96 / np.sqrt(n), lag,
                               float(test["lb_stat"].iloc[0]), float(test["lb_pvalue"].iloc[0]))
