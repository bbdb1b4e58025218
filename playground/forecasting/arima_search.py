"""The automatic ARIMA order search of R's forecast::auto.arima (version 8.20), step by step.

Hyndman & Khandakar (2008), "Automatic time series forecasting: the forecast package for R", §3.2:
1. D by the seasonal strength, then d by repeated KPSS tests (stationarity.choose_differences).
2. Four start models, ARIMA(2,d,2)(1,D,1), (0,d,0)(0,D,0), (1,d,0)(1,D,0), (0,d,1)(0,D,1), then the white noise
   without a constant; with a constant (a mean when d + D = 0, a drift when d + D = 1) where one is allowed.
3. From the current best, the neighbours in R's order: P ± 1, Q ± 1, both, then p ± 1, q ± 1, both, then the
   constant switched; the first neighbour that lowers the AICc becomes the current model and the round starts
   again. The search stops when no neighbour improves (or after 94 models).
Models are compared by AICc. For long or finely seasonal series (n > 150 or m > 12) every candidate is fitted by
CSS and its AICc approximated (R's `offset`); then the candidates are refitted by exact ML, best first, until
one is accepted. A model is refused when a root of its AR or MA polynomial lies within 1.01 of the unit circle,
its CSS start is non-stationary, or its standard errors are not real numbers (R's checks). With
`stepwise=False` every model with p + q + P + Q ≤ max_order is fitted instead (R's search.arima).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from playground.forecasting.arima_fit import INF, Fit, Spec, difference, fit_css, fit_ml, white_noise_offset
from playground.forecasting.core import ForecastError
from playground.forecasting.stationarity import Differences, choose_differences, is_constant

Progress = Callable[[float, str], None]
MAX_MODELS = 94  # forecast's nmodels
START = (2, 2, 1, 1)  # start.p, start.q, start.P, start.Q
MOVES = [  # (Δp, Δq, ΔP, ΔQ) in R's order: the seasonal orders first, then the non-seasonal ones
    (0, 0, -1, 0), (0, 0, 0, -1), (0, 0, 1, 0), (0, 0, 0, 1),
    (0, 0, -1, -1), (0, 0, -1, 1), (0, 0, 1, -1), (0, 0, 1, 1),
    (-1, 0, 0, 0), (0, -1, 0, 0), (1, 0, 0, 0), (0, 1, 0, 0),
    (-1, -1, 0, 0), (-1, 1, 0, 0), (1, -1, 0, 0), (1, 1, 0, 0),
]
APPROXIMATION_LENGTH, APPROXIMATION_SEASON = 150, 12  # approximation = n > 150 or m > 12


@dataclass
class Search:
    best: Fit
    path: pd.DataFrame  # every model fitted, in order: its AICc and whether it became the current best
    differences: Differences
    approximation: bool
    stepwise: bool
    seconds: float


class _Fitter:
    """Fits each model once (per estimator), and writes every fit into the path in order."""

    def __init__(self, y: np.ndarray, approximation: bool, offset: float, progress: Progress | None, total: int):
        self.y, self.approximation, self.offset = y, approximation, offset
        self.progress, self.total = progress, total
        self.fits: dict[tuple[Spec, bool], Fit] = {}
        self.rows: list[dict] = []

    def __call__(self, spec: Spec, stage: str, approximate: bool | None = None) -> Fit:
        approximate = self.approximation if approximate is None else approximate
        key = (spec, approximate)
        if key not in self.fits:
            fit = fit_css(self.y, spec, self.offset) if approximate else fit_ml(self.y, spec, strict=True)
            self.fits[key] = fit
            self.rows.append({
                "step": len(self.rows) + 1, "stage": stage, "model": spec.name,
                "p": spec.p, "d": spec.d, "q": spec.q, "P": spec.P, "D": spec.D, "Q": spec.Q,
                "constant": spec.constant, "fitted by": fit.method,
                "AICc": fit.aicc if not fit.rejected else np.nan, "current best": False, "note": fit.rejected,
            })
            if self.progress is not None:
                shown = f"{fit.aicc:.2f}" if not fit.rejected else "refused"
                self.progress(min(0.97, len(self.rows) / self.total), f"{len(self.rows)} · {spec.name} · AICc {shown}")
        return self.fits[key]

    def has(self, spec: Spec) -> bool:
        return (spec, self.approximation) in self.fits

    def mark_best(self, spec: Spec, approximate: bool | None = None) -> None:
        approximate = self.approximation if approximate is None else approximate
        fit = self.fits[(spec, approximate)]
        for row in reversed(self.rows):
            if row["model"] == spec.name and row["fitted by"] == fit.method:
                row["current best"] = True
                return

    def path(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["step", "stage", "model", "p", "d", "q", "P", "D", "Q", "constant",
                                                "fitted by", "AICc", "current best", "note"])


def search(y: np.ndarray, season: int = 1, max_p: int = 5, max_q: int = 5, max_P: int = 2, max_Q: int = 2,
           max_order: int = 5, stepwise: bool = True, approximation: bool | None = None, constant: bool = True,
           progress: Progress | None = None) -> Search:
    """forecast::auto.arima(y, stepwise = stepwise) for a series with frequency `season`."""
    started = time.perf_counter()
    y = np.asarray(y, dtype=float)
    n = len(y)
    m = season if season >= 2 else 1
    if is_constant(y):
        raise ForecastError("The training part is constant: there is nothing for ARIMA to model. Every method "
                            "forecasts that constant; use Mean or Naive.")
    max_p, max_q = min(max_p, n // 3), min(max_q, n // 3)
    max_P, max_Q = (min(max_P, n // (3 * m)), min(max_Q, n // (3 * m))) if m > 1 else (0, 0)
    differences = choose_differences(y, m)
    d, D = differences.d, differences.D
    z = difference(y, d, D, m)
    if len(z) == 0:
        raise ForecastError("After the differences nothing is left: the training part is too short.")
    if is_constant(z):
        raise ForecastError(f"After {d} difference(s) and {D} seasonal difference(s) the series is constant (an "
                            "exact trend or repeated season): Drift or Seasonal naive forecasts it exactly.")
    if m > 1:
        max_p = min(max_p, m - 1) if max_P > 0 else max_p
        max_q = min(max_q, m - 1) if max_Q > 0 else max_q
    if approximation is None:
        approximation = n > APPROXIMATION_LENGTH or m > APPROXIMATION_SEASON
    offset = white_noise_offset(y, d, D, m) if approximation else 0.0
    allow_constant = constant and d + D <= 1
    bounds = (max_p, max_q, max_P, max_Q)
    fitter = _Fitter(y, approximation, offset, progress,
                     total=30 if stepwise else _grid_size(bounds, max_order, allow_constant))

    def spec(p, q, P, Q, with_constant):
        return Spec(p, d, q, P, D, Q, m, with_constant)

    if stepwise:
        best = _stepwise(fitter, spec, bounds, allow_constant, n)
    else:
        best = _grid(fitter, spec, bounds, max_order, allow_constant)
    if approximation:
        best = _refit_by_ml(fitter, best, stepwise, spec, bounds, max_order, allow_constant)
    if best is None or best.rejected:
        raise ForecastError("No suitable ARIMA model was found: every candidate was refused (roots on the unit "
                            "circle or a failed fit). Try a transform, another season, or set the orders by hand.")
    fitter.mark_best(best.spec, approximate=False)
    return Search(best, fitter.path(), differences, approximation, stepwise, time.perf_counter() - started)


def _grid_size(bounds, max_order, allow_constant) -> int:
    max_p, max_q, max_P, max_Q = bounds
    count = sum(1 for p in range(max_p + 1) for q in range(max_q + 1) for P in range(max_P + 1)
                for Q in range(max_Q + 1) if p + q + P + Q <= max_order)
    return count * (2 if allow_constant else 1)


def _stepwise(fitter: _Fitter, spec, bounds, allow_constant: bool, n: int) -> Fit:
    max_p, max_q, max_P, max_Q = bounds
    start_p, start_q, start_P, start_Q = START
    if n < 10:
        start_p, start_q, start_P, start_Q = min(start_p, 1), min(start_q, 1), 0, 0
    p, q = min(start_p, max_p), min(start_q, max_q)
    P, Q = min(start_P, max_P), min(start_Q, max_Q)
    constant = allow_constant
    seasonal = spec(0, 0, 0, 0, False).m > 1

    best = fitter(spec(p, q, P, Q, constant), "start")
    if best.ic < INF:
        fitter.mark_best(best.spec)

    def consider(candidate: Spec, stage: str) -> bool:
        nonlocal best
        fit = fitter(candidate, stage)
        if fit.ic < best.ic:
            best = fit
            fitter.mark_best(candidate)
            return True
        return False

    if consider(spec(0, 0, 0, 0, constant), "start"):
        p = q = P = Q = 0
    if max_p > 0 or max_P > 0:
        ar_p, ar_P = int(max_p > 0), int(seasonal and max_P > 0)
        if consider(spec(ar_p, 0, ar_P, 0, constant), "start"):
            p, P, q, Q = ar_p, ar_P, 0, 0
    if max_q > 0 or max_Q > 0:
        ma_q, ma_Q = int(max_q > 0), int(seasonal and max_Q > 0)
        if consider(spec(0, ma_q, 0, ma_Q, constant), "start"):
            p, P, q, Q = 0, 0, ma_q, ma_Q
    if constant:
        if consider(spec(0, 0, 0, 0, False), "start"):
            p = q = P = Q = 0

    # R's loop: a round ends at the first neighbour that improves (the next round starts from it), and rounds go
    # on while a round fits anything new; after the 16 neighbours comes the model with the constant switched.
    k, k_at_start = len(fitter.rows), 0
    while k_at_start < k < MAX_MODELS:
        k_at_start = k
        moved = False
        for dp, dq, dP, dQ in MOVES:
            new = (p + dp, q + dq, P + dP, Q + dQ)
            if not (0 <= new[0] <= max_p and 0 <= new[1] <= max_q and 0 <= new[2] <= max_P and 0 <= new[3] <= max_Q):
                continue
            candidate = spec(*new, constant)
            if fitter.has(candidate):
                continue
            k += 1
            if k > MAX_MODELS:
                break
            if consider(candidate, "neighbour"):
                p, q, P, Q = new
                moved = True
                break
        if moved or k > MAX_MODELS or not allow_constant:
            continue
        candidate = spec(p, q, P, Q, not constant)
        if not fitter.has(candidate):
            k += 1
            if k <= MAX_MODELS and consider(candidate, "constant switched"):
                constant = not constant
    return best


def _grid(fitter: _Fitter, spec, bounds, max_order: int, allow_constant: bool) -> Fit | None:
    max_p, max_q, max_P, max_Q = bounds
    best = None
    for p in range(max_p + 1):
        for q in range(max_q + 1):
            for P in range(max_P + 1):
                for Q in range(max_Q + 1):
                    if p + q + P + Q > max_order:
                        continue
                    for with_constant in ([False, True] if allow_constant else [False]):
                        fit = fitter(spec(p, q, P, Q, with_constant), "grid")
                        if fit.ic < (best.ic if best is not None else INF):
                            best = fit
                            fitter.mark_best(fit.spec)
    return best


def _refit_by_ml(fitter: _Fitter, best: Fit | None, stepwise: bool, spec, bounds, max_order, allow_constant):
    """After a CSS search: R refits the candidates by ML in the order of their approximate AICc (stepwise), or
    the best one, and the whole grid by ML if that one is refused (exhaustive)."""
    if best is None:
        return None
    if stepwise:
        ranked = sorted((fit for (_, approximate), fit in fitter.fits.items() if approximate), key=lambda fit: fit.ic)
        for candidate in ranked:
            fit = fitter(candidate.spec, "refit by ML", approximate=False)
            if fit.ic < INF:
                return fit
        return None
    fit = fitter(best.spec, "refit by ML", approximate=False)
    if fit.ic < INF:
        return fit
    fitter.approximation = False
    return _grid(fitter, spec, bounds, max_order, allow_constant)
