"""Transforms applied before fitting and undone on the forecasts: none, log, Box–Cox.

Box–Cox (FPP3 §3.1):  w_t = log y_t if λ = 0, else (y_t^λ − 1) / λ.
λ is chosen by Guerrero's method (Guerrero 1993), as in R's forecast::BoxCox.lambda and
FPP3's `guerrero` feature: the λ that makes the standard deviation of each season-long block
most nearly proportional to its mean^(1−λ).
Back-transforming a forecast gives the median of the forecast distribution, not its mean;
the interval bounds back-transform exactly (the transform is monotone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from playground.forecasting.core import ForecastError

TRANSFORMS = ("none", "log", "boxcox")
LAMBDA_BOUNDS = (-1.0, 2.0)


@dataclass(frozen=True)
class Transform:
    kind: str = "none"
    lam: float | None = None  # Box–Cox λ (0 for log)

    def forward(self, y: np.ndarray) -> np.ndarray:
        if self.kind == "none":
            return y
        if self.lam == 0:
            return np.log(y)
        return (np.power(y, self.lam) - 1) / self.lam

    def inverse(self, w: np.ndarray) -> np.ndarray:
        if self.kind == "none":
            return w
        if self.lam == 0:
            return np.exp(w)
        base = self.lam * np.asarray(w, dtype=float) + 1
        # Outside the range of the transform (λw + 1 ≤ 0) the nearest possible value is 0.
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(base > 0, np.power(np.maximum(base, 1e-300), 1 / self.lam), 0.0)

    @property
    def label(self) -> str:
        if self.kind == "none":
            return "none"
        if self.kind == "log":
            return "log"
        return f"Box–Cox, λ = {self.lam:.3f}"


def guerrero_lambda(y: np.ndarray, season: int = 1, bounds=LAMBDA_BOUNDS) -> float:
    """Guerrero's λ: minimise the coefficient of variation of sd_i / mean_i^(1−λ) over blocks i."""
    period = max(2, int(season))
    n_blocks = len(y) // period
    if n_blocks < 2:
        raise ForecastError("Box–Cox needs at least two seasons of data to choose λ.")
    blocks = y[len(y) - n_blocks * period:].reshape(n_blocks, period)
    means, sds = blocks.mean(axis=1), blocks.std(axis=1, ddof=1)

    def variation(lam: float) -> float:
        ratio = sds / means ** (1 - lam)
        return ratio.std(ddof=1) / ratio.mean()

    return float(minimize_scalar(variation, bounds=bounds, method="bounded", options={"xatol": 1e-6}).x)


def make_transform(kind: str, y: np.ndarray, season: int = 1, lam: float | None = None) -> Transform:
    """The transform `kind` for data `y`; raises ForecastError when the data cannot take it."""
    if kind not in TRANSFORMS:
        raise ForecastError(f"Unknown transform '{kind}'; choose none, log or boxcox.")
    if kind == "none":
        return Transform()
    if np.any(y <= 0):
        name = "The log" if kind == "log" else "Box–Cox"
        raise ForecastError(f"{name} transform needs strictly positive data, and this series has values ≤ 0 "
                            f"(smallest {np.min(y):g}). Choose no transform, or shift the data above zero.")
    if kind == "log":
        return Transform("log", 0.0)
    if lam is None:
        lam = guerrero_lambda(y, season)
    elif not LAMBDA_BOUNDS[0] <= lam <= LAMBDA_BOUNDS[1]:
        raise ForecastError(f"λ must be between {LAMBDA_BOUNDS[0]} and {LAMBDA_BOUNDS[1]}.")
    return Transform("boxcox", float(lam))
