"""Forecasts, their standard errors and the one-step fitted values of an ARIMA fitted by arima_fit.

Exact finite-sample predictions, as R's predict.Arima (Kalman filter) gives them: the differenced series
y'_t minus its mean is an ARMA; its Ansley transform W is factored as W = L ε̃ with L banded (arima_fit), over the
observed points and the h future ones together. Given the data, a future W is Σ_j L[N+k, j] ε̃_j over the
observed ε̃ (the future ones are unknown, mean zero); the AR recursion and the undone differences give the
forecasts of y. The forecast errors are (1/(φ(B)Δ(B))) applied to L's future block: a few columns where L is
still settling are done exactly, the rest by the ψ weights of θ(B)/(φ(B)Δ(B)), which they equal.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter, lfiltic

from playground.forecasting.arima_fit import (
    Fit, ansley_transform, banded_cholesky, difference, lag_polynomials, mean_of_differenced, standardized_innovations,
)

SETTLED = 1e-10  # a column of L this close to (1, θ_1, θ_2, …) is in the steady state
MAX_EXACT_COLUMNS = 400


def differencing_polynomial(d: int, D: int, m: int) -> np.ndarray:
    """Coefficients of Δ(B) = (1 − B)^d (1 − B^m)^D, from B^0."""
    poly = np.array([1.0])
    for _ in range(d):
        poly = np.convolve(poly, [1.0, -1.0])
    seasonal = np.zeros(m + 1)
    seasonal[0], seasonal[-1] = 1.0, -1.0
    for _ in range(D):
        poly = np.convolve(poly, seasonal)
    return poly


def _continue(recursion: np.ndarray, history: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """Run a_t = inputs_t − Σ_j recursion_j a_(t−j) forward from the known `history` (oldest first)."""
    if len(recursion) == 1:
        return inputs.copy()
    order = len(recursion) - 1
    start = lfiltic([1.0], recursion, history[::-1][:order])
    return lfilter([1.0], recursion, inputs, zi=start)[0]


def predict(y: np.ndarray, fit: Fit, horizon: int, sigma2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, standard error, fitted) of `fit` on `y`: `horizon` forecasts and the one-step predictions of y."""
    spec = fit.spec
    ar, ma = lag_polynomials(fit.coef, spec)
    c = mean_of_differenced(fit.coef, spec)
    z = difference(y, spec.d, spec.D, spec.m)
    x = z - c
    N, lost = len(x), len(y) - len(z)
    if len(ar) == 1 and len(ma) == 1:
        innovations = x.copy()
        future_w = np.zeros(horizon)
        lower = None
    else:
        lower = banded_cholesky(ar, ma, N + horizon)
        innovations = standardized_innovations(lower, ansley_transform(x, ar))
        future_w = np.zeros(horizon)
        band = lower.shape[0] - 1
        for k in range(min(horizon, band)):  # only the last `band` innovations reach the future
            row = N + k
            lags = np.arange(k + 1, band + 1)
            lags = lags[row - lags >= 0]
            future_w[k] = lower[lags, row - lags] @ innovations[row - lags]
    # x̂ by the AR recursion from the observed x, then y' = x + c, then the differences undone.
    future_x = _continue(ar, x, future_w)
    delta = differencing_polynomial(spec.d, spec.D, spec.m)
    mean = _continue(delta, y, future_x + c)
    se = np.sqrt(sigma2 * _error_variances(lower, N, horizon, np.convolve(ar, delta), ma))
    fitted = np.full(len(y), np.nan)
    fitted[lost:] = y[lost:] - innovations
    return mean, se, fitted


def _error_variances(lower, N: int, horizon: int, full_ar: np.ndarray, ma: np.ndarray) -> np.ndarray:
    """Var of the h forecast errors of y for unit innovation variance: rows of (1/(φΔ)) applied to L's future."""
    psi = lfilter(ma, full_ar, np.r_[1.0, np.zeros(horizon - 1)])  # ψ weights of θ/(φΔ)
    if lower is None:  # white noise after differencing: L = I
        return np.cumsum(psi ** 2)
    band = lower.shape[0] - 1
    steady = np.r_[ma, np.zeros(max(0, band + 1 - len(ma)))][:band + 1]
    future = lower[:, N:N + horizon]
    deviation = np.max(np.abs(future - steady[:, None]), axis=0)
    unsettled = np.flatnonzero(deviation > SETTLED)
    exact = min(horizon, MAX_EXACT_COLUMNS, int(unsettled[-1]) + 1 if len(unsettled) else 0)
    variances = np.zeros(horizon)
    for i in range(exact):  # column i of L's future block, through 1/(φΔ), lands on steps i, i+1, …
        column = np.zeros(horizon - i)
        length = min(band + 1, horizon - i)
        column[:length] = future[:length, i]
        variances[i:] += lfilter([1.0], full_ar, column) ** 2
    if exact < horizon:  # settled columns i ≥ exact add ψ_(k−i)² to step k
        tail = np.cumsum(psi ** 2)
        variances[exact:] += tail[:horizon - exact]
    return variances
