"""One (seasonal) ARIMA fitted the way R's `stats::arima` fits it inside `forecast::auto.arima`.

The series is differenced first, y'_t = (1 − B)^d (1 − B^m)^D y_t; what is left is an ARMA with a mean c:

    φ(B)Φ(B^m)(y'_t − c) = θ(B)Θ(B^m) ε_t,   c = μ (d + D = 0), δ (d = 1) or m·δ (D = 1), or none

Two estimators, both R's:
- CSS, conditional sum of squares (R's method "CSS"): residuals by the ARMA recursion started with zeros after
  the first p + mP values; minimise their sum of squares.
- ML, exact Gaussian maximum likelihood (R's "CSS-ML": CSS for the start values, then ML). The likelihood of
  the differenced series is exact: the first max(p + mP) values keep their ARMA covariance, the rest are
  φ(B)Φ(B^m)y'_t, an MA with a banded covariance (Ansley 1979), so one banded Cholesky factor gives it. That
  equals R's diffuse Kalman-filter likelihood of the undifferenced series.
AR parameters are optimised through R's stationarity transform (tanh of partial autocorrelations); the MA part
is free and flipped to its invertible form afterwards, as R does. Information criteria are R's (myarima in
forecast 8.20): npar counts σ², AICc = AIC + 2 npar (npar + 1) / (n* − npar − 1) with n* the differenced length,
and a model is refused (ic = ∞) when a root of its AR or MA polynomial lies within 1.01 of the unit circle or
its estimated standard errors are not real numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.linalg import LinAlgError
from scipy.linalg.lapack import dgesv, dpbtrf, dtbtrs
from scipy.signal import lfilter

from playground.forecasting.r_optim import OptimError, bfgs, hessian

ROOT_MARGIN = 1.01  # forecast::myarima refuses roots with modulus below this
INF = float("inf")
DBL_MAX = float(np.finfo(float).max)  # what R's armafn returns where the likelihood cannot be computed
ZERO = np.zeros(1)


@dataclass(frozen=True)
class Spec:
    p: int
    d: int
    q: int
    P: int = 0
    D: int = 0
    Q: int = 0
    m: int = 1
    constant: bool = False

    @property
    def n_arma(self) -> int:
        return self.p + self.q + self.P + self.Q

    @property
    def n_params(self) -> int:
        return self.n_arma + int(self.constant)

    @property
    def name(self) -> str:
        text = f"ARIMA({self.p},{self.d},{self.q})"
        if self.m > 1 and (self.P or self.D or self.Q):
            text += f"({self.P},{self.D},{self.Q})[{self.m}]"
        if self.constant:
            text += " with non-zero mean" if self.d + self.D == 0 else " with drift"
        return text

    @property
    def ar_blocks(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """(start, length) of the AR and seasonal AR coefficients in R's order."""
        return (0, self.p), (self.p + self.q, self.P)

    @property
    def ma_blocks(self) -> tuple[tuple[int, int], tuple[int, int]]:
        return (self.p, self.q), (self.p + self.q + self.P, self.Q)

    @property
    def constant_scale(self) -> int:
        """y'_t has mean c = scale · (the coefficient): 1 for a mean or a drift with d = 1, m for D = 1."""
        return self.m if self.D and not self.d else 1


@dataclass
class Fit:
    spec: Spec
    coef: np.ndarray  # R's order: ar 1..p, ma 1..q, sar 1..P, sma 1..Q, then the mean or drift
    sigma2: float  # R's arima estimate: the residual sum of squares over n* (ML) or over the residual count (CSS)
    loglik: float  # nan for CSS
    aic: float
    aicc: float
    bic: float
    method: str  # "ML" or "CSS"
    se: np.ndarray | None = None
    rejected: str = ""  # why the model is refused (ic = ∞), "" when it is not
    converged: bool = True  # optim's convergence code was 0
    sigma2_unbiased: float = float("nan")  # forecast::myarima's σ² = Σ e² / (n* − npar + 1), npar counting σ²

    @property
    def ic(self) -> float:
        return INF if self.rejected else self.aicc


# --------------------------------------------------------------------------- polynomials and transforms

def difference(y: np.ndarray, d: int, D: int, m: int) -> np.ndarray:
    for _ in range(D):
        y = y[m:] - y[:-m]
    for _ in range(d):
        y = np.diff(y)
    return y


def mean_of_differenced(coef: np.ndarray, spec: Spec) -> float:
    """c, the mean of y'_t: μ, δ, or m·δ (R's drift regressor 1..n, seasonally differenced, is m)."""
    return float(coef[spec.n_arma]) * spec.constant_scale if spec.constant else 0.0


def lag_polynomials(coef: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """φ(B)Φ(B^m) = 1 − φ_1 B − … and θ(B)Θ(B^m) = 1 + θ_1 B + …, multiplied out, coefficients from B^0."""
    p, q, P, Q, m = spec.p, spec.q, spec.P, spec.Q, spec.m
    ar = np.empty(p + 1)
    ar[0], ar[1:] = 1.0, -coef[:p]
    if P:
        seasonal = np.zeros(m * P + 1)
        seasonal[0], seasonal[m::m] = 1.0, -coef[p + q:p + q + P]
        ar = np.convolve(ar, seasonal)
    ma = np.empty(q + 1)
    ma[0], ma[1:] = 1.0, coef[p:p + q]
    if Q:
        seasonal = np.zeros(m * Q + 1)
        seasonal[0], seasonal[m::m] = 1.0, coef[p + q + P:p + q + P + Q]
        ma = np.convolve(ma, seasonal)
    return ar, ma


def expand(coef: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """The multiplied-out AR and MA coefficients φ_1… and θ_1… (R's `model$phi`, `model$theta`)."""
    ar, ma = lag_polynomials(coef, spec)
    return -ar[1:], ma[1:]


def _pacf_to_ar(raw: np.ndarray) -> np.ndarray:
    """R's partrans: tanh maps each value to a partial autocorrelation; Durbin–Levinson gives the AR."""
    new = np.tanh(raw)
    work = new.copy()
    for j in range(1, len(raw)):
        a = new[j]
        work[:j] -= a * new[:j][::-1]
        new[:j] = work[:j]
    return new


def _ar_to_pacf(ar: np.ndarray) -> np.ndarray:
    """The inverse of _pacf_to_ar (R's ARIMA_Invtrans): step down Durbin–Levinson, then atanh."""
    new = ar.astype(float).copy()
    for j in range(len(ar) - 1, 0, -1):
        a = new[j]
        new[:j] = (new[:j] + a * new[:j][::-1]) / (1 - a * a)
    return np.arctanh(new)


def _map_blocks(values: np.ndarray, blocks, function) -> np.ndarray:
    """`values` with `function` applied to each (start, length) block, the rest unchanged."""
    result = values.copy()
    for start, length in blocks:
        if length:
            result[start:start + length] = function(values[start:start + length])
    return result


def _to_natural(u: np.ndarray, spec: Spec) -> np.ndarray:
    return _map_blocks(u, spec.ar_blocks, _pacf_to_ar)


def _to_raw(coef: np.ndarray, spec: Spec) -> np.ndarray:
    return _map_blocks(coef, spec.ar_blocks, _ar_to_pacf)


def _smallest_root(coefficients: np.ndarray) -> float:
    """Smallest |z| with 1 + c_1 z + c_2 z² + … = 0, ignoring trailing coefficients below 1e-8 (as R)."""
    nonzero = np.flatnonzero(np.abs(coefficients) > 1e-8)
    if not len(nonzero):
        return INF
    poly = np.r_[1.0, coefficients[:nonzero[-1] + 1]]
    return float(np.min(np.abs(np.roots(poly[::-1]))))


def _stationary(ar: np.ndarray) -> bool:
    """R's arCheck: every root of 1 − φ_1 z − … outside the unit circle."""
    return _smallest_root(-np.asarray(ar)) > 1


def _invert_ma(ma: np.ndarray) -> np.ndarray:
    """R's maInvert: roots inside the unit circle replaced by their reciprocals (same likelihood)."""
    nonzero = np.flatnonzero(ma != 0)
    if not len(nonzero):
        return ma
    q0 = nonzero[-1] + 1
    roots = np.roots(np.r_[1.0, ma[:q0]][::-1])
    inside = np.abs(roots) < 1
    if not inside.any():
        return ma
    if q0 == 1:
        return np.r_[1 / ma[0], np.zeros(len(ma) - 1)]
    roots[inside] = 1 / roots[inside]
    poly = np.array([1.0 + 0j])
    for root in roots:
        poly = np.r_[poly, 0] - np.r_[0, poly] / root
    return np.r_[poly[1:].real, np.zeros(len(ma) - q0)]


def _invert_ma_parts(coef: np.ndarray, spec: Spec) -> np.ndarray:
    return _map_blocks(coef, spec.ma_blocks, _invert_ma)


# --------------------------------------------------------------------------- the two objectives

def css_residuals(z: np.ndarray, coef: np.ndarray, spec: Spec) -> np.ndarray:
    """Residuals of the ARMA recursion on the differenced series, zero before the first p + mP values."""
    ar, ma = lag_polynomials(coef, spec)
    x = z - mean_of_differenced(coef, spec) if spec.constant else z
    u = np.convolve(x, ar, mode="valid") if len(ar) > 1 else x
    if len(ma) == 1:
        return u
    # e = θ(B)⁻¹ u: a banded triangular solve (LAPACK dtbtrs) runs the MA recursion from zeros
    band = np.empty((len(ma), len(u)), order="F")
    band[:] = ma[:, None]
    e, _ = dtbtrs(band, u[:, None], uplo="L")
    return e[:, 0]


@lru_cache(maxsize=64)
def _ar_system(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (p+1)² system for γ(0..p): the identity, and where −φ_j goes (row k, column |k − j|, flat)."""
    k, j = np.meshgrid(np.arange(p + 1), np.arange(1, p + 1), indexing="ij")
    return np.eye(p + 1).ravel(), (k * (p + 1) + np.abs(k - j)).ravel(), j.ravel()


def _psi(ar: np.ndarray, ma: np.ndarray) -> np.ndarray:
    """ψ_0..ψ_q of θ(B)/φ(B): a loop for a short MA part, lfilter for a long (seasonal) one."""
    q = len(ma) - 1
    if q > 4:
        impulse = np.zeros(q + 1)
        impulse[0] = 1.0
        return lfilter(ma, ar, impulse)
    phi = (-ar[1:]).tolist()
    psi = [1.0]
    for j, theta_j in enumerate(ma[1:].tolist(), start=1):
        psi.append(theta_j + sum(phi[k - 1] * psi[j - k] for k in range(1, min(j, len(phi)) + 1)))
    return np.array(psi)


def arma_autocovariance(ar: np.ndarray, ma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """γ(0..p) of the ARMA with unit innovation variance, and c_h = Cov(x_t, θ(B)ε_(t+h)) = Σ_{k≥h} θ_k ψ_(k−h) for
    h = 0..q (Brockwell & Davis §3.3: solve the p + 1 Yule–Walker-type equations with the MA terms)."""
    p, q = len(ar) - 1, len(ma) - 1
    cross = np.correlate(ma, _psi(ar, ma), mode="full")[q:]
    right = np.zeros(p + 1)
    right[:min(p, q) + 1] = cross[:p + 1]
    eye, where, which = _ar_system(p)
    system = eye + np.bincount(where, weights=ar[which], minlength=(p + 1) ** 2)
    *_, gamma, info = dgesv(system.reshape(p + 1, p + 1), right)
    if info != 0:
        raise LinAlgError("the AR part is not stationary")
    return gamma, cross


@lru_cache(maxsize=256)
def _first_columns(p: int, q: int) -> np.ndarray:
    """For the first p columns of the banded covariance: which value sits at (lag h, column i), indexing
    [γ(0..p−1), c_0..c_q, 0]: γ(h) while i + h < p, c_h across to the MA part (h ≤ q), 0 beyond."""
    band = max(p - 1, q)
    h, i = np.meshgrid(np.arange(band + 1), np.arange(p), indexing="ij")
    return np.where(i + h < p, np.minimum(h, p - 1), np.where(h <= q, p + h, p + q + 1))


def ansley_transform(x: np.ndarray, ar: np.ndarray) -> np.ndarray:
    """W_t = x_t for t < p, W_t = φ(B) x_t after (Ansley 1979): a map with determinant 1; from t = p on, W_t is
    the MA part θ(B) ε_t, so its covariance is banded."""
    w = x.copy()
    if len(ar) > 1:
        w[len(ar) - 1:] = np.convolve(x, ar, mode="valid")
    return w


def banded_cholesky(ar: np.ndarray, ma: np.ndarray, n: int) -> np.ndarray:
    """Lower banded Cholesky factor (LAPACK storage, row h = lag h) of Cov(W_1..W_n) for unit innovation variance:
    γ(i − j) among the first p, c_(j−i) across, the MA(q) autocovariances after."""
    p, q = len(ar) - 1, len(ma) - 1
    band = max(p - 1, q)
    ab = np.zeros((band + 1, n), order="F")
    ab[:q + 1, p:] = np.correlate(ma, ma, mode="full")[q:, None]  # Σ_k θ_k θ_(k+h), h = 0..q
    if p:
        gamma, cross = arma_autocovariance(ar, ma)
        values = np.concatenate((gamma[:p], cross, ZERO))
        ab[:, :min(p, n)] = values[_first_columns(p, q)][:, :n]
    lower, info = dpbtrf(ab, lower=1, overwrite_ab=1)
    if info != 0:
        raise LinAlgError("the ARMA covariance is not positive definite")
    return lower


def standardized_innovations(lower: np.ndarray, w: np.ndarray) -> np.ndarray:
    """L⁻¹ W: independent, each with the innovation variance σ² (R's residuals of an arima fit)."""
    v, _ = dtbtrs(lower[:, :len(w)], w[:, None], uplo="L")
    return v[:, 0]


def arma_likelihood_parts(x: np.ndarray, ar: np.ndarray, ma: np.ndarray) -> tuple[float, float]:
    """(x' Γ⁻¹ x, log det Γ) for a zero-mean ARMA with unit innovation variance: exact, in O(n (p + q)²), from one
    banded Cholesky factor of the covariance of the Ansley-transformed series."""
    if len(ar) == 1 and len(ma) == 1:
        return float(x @ x), 0.0
    lower = banded_cholesky(ar, ma, len(x))
    v = standardized_innovations(lower, ansley_transform(x, ar))
    return float(v @ v), 2.0 * float(np.log(lower[0]).sum())


# --------------------------------------------------------------------------- fitting as stats::arima

def _start_and_parscale(z: np.ndarray, spec: Spec) -> tuple[np.ndarray, np.ndarray]:
    """R's start: zeros for the ARMA part, least squares on the differenced series for the mean or drift, whose
    optim parscale is 10 standard errors of that estimate."""
    start, parscale = np.zeros(spec.n_params), np.ones(spec.n_params)
    if spec.constant:
        k = spec.constant_scale
        start[-1] = np.mean(z) / k
        parscale[-1] = 10 * np.std(z, ddof=1) / (k * np.sqrt(len(z))) if len(z) > 1 else 1.0
        if not parscale[-1] > 0:
            parscale[-1] = 1.0
    return start, parscale


def _css_objective(coef: np.ndarray, z: np.ndarray, spec: Spec) -> float:
    """R's armaCSS: ½ log(σ²_CSS), σ²_CSS = Σ e_t² / (number of residuals)."""
    residuals = css_residuals(z, coef, spec)
    ssq = float(residuals @ residuals)
    if not math.isfinite(ssq):
        return INF
    return 0.5 * math.log(ssq / len(residuals)) if ssq > 0 else -INF


def _ml_value(coef: np.ndarray, z: np.ndarray, spec: Spec) -> float:
    """R's armafn at natural parameters: ½ (log σ̂² + log det Γ / n), σ̂² = x'Γ⁻¹x / n (σ² concentrated out)."""
    ar, ma = lag_polynomials(coef, spec)
    x = z - mean_of_differenced(coef, spec) if spec.constant else z
    try:
        ssq, logdet = arma_likelihood_parts(x, ar, ma)
    except (LinAlgError, ValueError, np.linalg.LinAlgError):
        return DBL_MAX
    if not (ssq > 0 and math.isfinite(ssq) and math.isfinite(logdet)):
        return DBL_MAX
    n = len(x)
    return 0.5 * (math.log(ssq / n) + logdet / n)


def _gradtrans(raw: np.ndarray, spec: Spec) -> np.ndarray:
    """R's ARIMA_Gradtrans: forward differences (1e-3) of the AR transforms; A[i, j] = ∂ natural_j / ∂ raw_i."""
    eps = 1e-3
    A = np.eye(len(raw))
    for first, count in spec.ar_blocks:
        if count:
            w = raw[first:first + count].copy()
            base = _pacf_to_ar(w)
            for i in range(count):
                w[i] += eps
                A[first + i, first:first + count] = (_pacf_to_ar(w) - base) / eps
                w[i] -= eps
    return A


def _variance(hess: np.ndarray, n: int, A: np.ndarray | None = None) -> np.ndarray:
    """R: solve(hessian · n.used) (CSS), or crossprod(A, solve(hessian · n.used, A)) through the AR transform."""
    try:
        inverse = np.linalg.solve(hess * n, np.eye(len(hess)) if A is None else A)
    except np.linalg.LinAlgError:
        raise OptimError("the Hessian is singular (Lapack dgesv)") from None
    return inverse if A is None else A.T @ inverse


def _standard_errors(variance: np.ndarray) -> tuple[np.ndarray, str]:
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(variance))
    problem = "a negative estimated variance (the likelihood is not at a maximum)" if np.any(np.isnan(se)) else ""
    return se, problem


def _criteria(spec: Spec, n_star: int, aic: float) -> tuple[float, float]:
    npar = spec.n_params + 1
    aicc = aic + 2 * npar * (npar + 1) / (n_star - npar - 1) if n_star - npar - 1 > 0 else INF
    bic = aic + npar * (math.log(n_star) - 2)
    return aicc, bic


def _root_problem(coef: np.ndarray, spec: Spec) -> str:
    phi, theta = expand(coef, spec)
    if spec.p + spec.P and _smallest_root(-phi) < ROOT_MARGIN:
        return f"an AR root within {ROOT_MARGIN} of the unit circle (nearly non-stationary)"
    if spec.q + spec.Q and _smallest_root(theta) < ROOT_MARGIN:
        return f"an MA root within {ROOT_MARGIN} of the unit circle (nearly non-invertible)"
    return ""


def _refused(spec: Spec, reason: str, method: str) -> Fit:
    nan = float("nan")
    return Fit(spec, np.full(spec.n_params, nan), nan, nan, INF, INF, INF, method, rejected=reason)


def _guarded(method: str):
    """A fit that fails (optim stops, a matrix cannot be factored) refuses its model, as R's try() in myarima does;
    overflows in trial steps are part of the search (the value is refused), not warnings for the user."""
    def wrap(fit):
        def guarded(y, spec, *args, **kwargs):
            with np.errstate(all="ignore"):
                try:
                    return fit(y, spec, *args, **kwargs)
                except ValueError as error:  # OptimError, LinAlgError and math domain errors
                    return _refused(spec, f"the fit failed ({error})", method)
        guarded.__doc__, guarded.__name__ = fit.__doc__, fit.__name__
        return guarded
    return wrap


@_guarded("CSS")
def fit_css(y: np.ndarray, spec: Spec, offset: float) -> Fit:
    """R's myarima(approximation = TRUE): arima(method = "CSS"); AIC = offset + n* log σ²_CSS + 2 npar."""
    z = difference(y, spec.d, spec.D, spec.m)
    n_star = len(z)
    start, parscale = _start_and_parscale(z, spec)

    def objective(c):
        return _css_objective(c, z, spec)

    optimum = bfgs(objective, start, parscale)
    coef, code = optimum.par, optimum.convergence
    variance = _variance(hessian(objective, coef, parscale), n_star) if spec.n_params else np.zeros((0, 0))
    residuals = css_residuals(z, coef, spec)
    sigma2 = float(residuals @ residuals) / len(residuals)
    aic = offset + n_star * math.log(sigma2) + 2 * (spec.n_params + 1)
    aicc, bic = _criteria(spec, n_star, aic)
    se, se_problem = _standard_errors(variance)
    fit = Fit(spec, coef, sigma2, float("nan"), aic, aicc, bic, "CSS", se=se, converged=code == 0)
    fit.rejected = _root_problem(coef, spec) or se_problem
    return fit


@_guarded("ML")
def fit_ml(y: np.ndarray, spec: Spec, strict: bool = True) -> Fit:
    """R's myarima(approximation = FALSE): stats::arima(method = "CSS-ML"), with AICc and R's checks. `strict`:
    refuse the model when the CSS start is non-stationary (R's arima stops there); otherwise start that AR at 0."""
    z = difference(y, spec.d, spec.D, spec.m)
    n_star = len(z)
    start, parscale = _start_and_parscale(z, spec)
    if spec.n_params:
        css = bfgs(lambda c: _css_objective(c, z, spec), start, parscale)
        if css.convergence == 0:
            start = css.par
    for (first, count), part in zip(spec.ar_blocks, ("AR", "seasonal AR")):
        if count and not _stationary(start[first:first + count]):
            if strict:
                return _refused(spec, f"the CSS start has a non-stationary {part} part", "ML")
            start[first:first + count] = 0.0
    raw = _invert_ma_parts(_to_raw(start, spec), spec)

    def objective(u):
        return _ml_value(_to_natural(u, spec), z, spec)

    optimum = bfgs(objective, raw, parscale)
    raw, value, code = optimum.par, optimum.value, optimum.convergence
    inverted = _invert_ma_parts(raw, spec)
    if np.any(inverted != raw):
        raw, value = inverted, objective(inverted)
    if value >= DBL_MAX:
        raise OptimError("the likelihood cannot be computed near these estimates")
    variance = (_variance(hessian(objective, raw, parscale), n_star, _gradtrans(raw, spec)) if spec.n_params
                else np.zeros((0, 0)))
    coef = _to_natural(raw, spec)
    loglik = -0.5 * (2 * n_star * value + n_star + n_star * math.log(2 * math.pi))
    ssq, _ = arma_likelihood_parts(z - mean_of_differenced(coef, spec), *lag_polynomials(coef, spec))
    aic = -2 * loglik + 2 * (spec.n_params + 1)
    aicc, bic = _criteria(spec, n_star, aic)
    se, se_problem = _standard_errors(variance)
    fit = Fit(spec, coef, ssq / n_star, loglik, aic, aicc, bic, "ML", se=se, converged=code == 0,
              sigma2_unbiased=ssq / (n_star - spec.n_params))
    fit.rejected = _root_problem(coef, spec) or se_problem
    return fit


def white_noise_offset(y: np.ndarray, d: int, D: int, m: int) -> float:
    """forecast::auto.arima's offset for CSS criteria: −2 loglik − n log σ² of ARIMA(0,d,0)(0,D,0) by ML."""
    z = difference(y, d, D, m)
    n_star = len(z)
    sigma2 = float(z @ z) / n_star
    loglik = -0.5 * n_star * (math.log(2 * math.pi * sigma2) + 1)
    return -2 * loglik - len(y) * math.log(sigma2)
