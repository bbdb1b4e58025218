"""R's optim(method = "BFGS") with its numerical gradient and Hessian, step for step.

stats::arima fits every ARIMA with optim's BFGS ("vmmin", Nash 1990, in R's src/appl/optim.c) on a
finite-difference gradient (steps `ndeps` = 1e-3 on the parameters divided by `parscale`), stops when the
objective improves by less than `reltol` (√ε) relative, after at most 100 iterations, and gets standard errors
from optimhess (central differences of that gradient). On flat or multi-modal likelihoods (an MA root near the
unit circle) where the search stops decides which model auto.arima accepts, so the same steps are taken here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

NDEPS = 1e-3
RELTOL = math.sqrt(np.finfo(float).eps)
MAXIT = 100
STEP_REDUCTION, ACCEPTANCE, RELATIVE_TEST = 0.2, 1e-4, 10.0

Objective = Callable[[np.ndarray], float]


class OptimError(ValueError):
    """optim stopped with an error (R: a non-finite value), which makes arima fail."""


def _gradient(f: Objective, p: np.ndarray) -> np.ndarray:
    """optim's fmingr without a gradient function: central differences with steps NDEPS (scaled parameters)."""
    gradient = np.empty(len(p))
    x = p.copy()
    for i in range(len(p)):
        x[i] = p[i] + NDEPS
        up = f(x)
        x[i] = p[i] - NDEPS
        down = f(x)
        x[i] = p[i]
        gradient[i] = (up - down) / (2 * NDEPS)
        if not math.isfinite(gradient[i]):
            raise OptimError(f"non-finite finite-difference value [{i + 1}]")
    return gradient


def _identity(n: int) -> list[list[float]]:
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


def _times(B: list[list[float]], v: list[float]) -> tuple[list[float], float]:
    """B v for the symmetric B kept as its lower triangle, and v·(B v), each summed in vmmin's order."""
    n = len(v)
    product, dot = [0.0] * n, 0.0
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += (B[i][j] if j <= i else B[j][i]) * v[j]
        product[i] = s
        dot += s * v[i]
    return product, dot


@dataclass
class OptimResult:
    par: np.ndarray
    value: float
    convergence: int  # 0, or 1 when maxit was reached
    counts: tuple[int, int]  # evaluations of the function (line search) and of the gradient, as optim counts them


def bfgs(fn: Objective, start: np.ndarray, parscale: np.ndarray | None = None, maxit: int = MAXIT) -> OptimResult:
    """optim(start, fn, method = "BFGS", control = list(parscale, maxit))."""
    start = np.asarray(start, dtype=float)
    scale = np.ones(len(start)) if parscale is None else np.asarray(parscale, dtype=float)

    def f(p):
        return fn(p * scale)

    b = start / scale
    n = len(b)
    if maxit <= 0 or n == 0:
        return OptimResult(start.copy(), fn(start), 0, (0, 0))
    value = f(b)
    if not math.isfinite(value):
        raise OptimError("initial value in 'vmmin' is not finite")
    fmin = value
    g = _gradient(f, b)
    iteration, gradients, evaluations = 1, 1, 1
    last_reset = gradients
    # Plain floats summed in vmmin's order (B is symmetric, its lower triangle kept): numpy's products go to
    # BLAS kernels that sum in a CPU-dependent order, and one rounding at a line-search comparison changed
    # optim's evaluation count (118 → 119) on another CPU.
    B = _identity(n)
    while True:
        if last_reset == gradients:
            B = _identity(n)
        x, c = b.tolist(), g.tolist()
        Bg, gBg = _times(B, c)
        t, slope = [-s for s in Bg], -gBg  # vmmin's s -= B g: the same bits, as rounding is symmetric
        if slope < 0.0:  # downhill: backtrack from a full step
            step = 1.0
            accepted = False
            while True:
                b = np.array([x[i] + step * t[i] for i in range(n)])
                unchanged = sum(RELATIVE_TEST + x[i] == RELATIVE_TEST + b[i] for i in range(n))
                if unchanged < n:
                    value = f(b)
                    evaluations += 1
                    accepted = math.isfinite(value) and value <= fmin + slope * step * ACCEPTANCE
                    if not accepted:
                        step *= STEP_REDUCTION
                if unchanged == n or accepted:
                    break
            enough = abs(value - fmin) > RELTOL * (abs(fmin) + RELTOL)
            if not enough:
                unchanged = n
                fmin = value
            if unchanged < n:  # progress: update the inverse Hessian approximation
                fmin = value
                g = _gradient(f, b)
                gradients += 1
                iteration += 1
                d1 = 0.0
                for i in range(n):
                    t[i] = step * t[i]
                    c[i] = float(g[i]) - c[i]
                    d1 += t[i] * c[i]
                if d1 > 0:
                    Bc, cBc = _times(B, c)
                    d2 = 1.0 + cBc / d1
                    for i in range(n):
                        for j in range(i + 1):
                            B[i][j] += (d2 * t[i] * t[j] - Bc[i] * t[j] - t[i] * Bc[j]) / d1
                else:
                    last_reset = gradients
            elif last_reset < gradients:  # no progress: restart from steepest descent
                unchanged = 0
                last_reset = gradients
        else:  # uphill: reset unless just reset
            unchanged = 0
            if last_reset == gradients:
                unchanged = n
            else:
                last_reset = gradients
        if iteration >= maxit:
            break
        if gradients - last_reset > 2 * n:
            last_reset = gradients  # periodic restart
        if unchanged == n and last_reset == gradients:
            break
    return OptimResult(b * scale, fmin, 0 if iteration < maxit else 1, (evaluations, gradients))


def hessian(fn: Objective, par: np.ndarray, parscale: np.ndarray | None = None) -> np.ndarray:
    """optimhess: differences of the numerical gradient, steps NDEPS / parscale; symmetrised as optim does."""
    par = np.asarray(par, dtype=float)
    scale = np.ones(len(par)) if parscale is None else np.asarray(parscale, dtype=float)

    def f(p):
        return fn(p * scale)

    n = len(par)
    result = np.empty((n, n))
    p = par / scale
    for i in range(n):
        eps = NDEPS / scale[i]
        p[i] += eps
        up = _gradient(f, p)
        p[i] -= 2 * eps
        down = _gradient(f, p)
        p[i] += eps
        result[i] = (up - down) / (2 * eps * scale[i] * scale)
    return 0.5 * (result + result.T)
