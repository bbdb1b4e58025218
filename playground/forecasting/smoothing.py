"""Exponential smoothing: simple, Holt (linear or damped trend), Holt–Winters (additive or multiplicative).

Fitted with statsmodels' `ExponentialSmoothing`, which uses the component form of FPP3 §8.1–8.3
(written out in FORMULAS below, the same recursions statsmodels runs). A parameter left as None is
estimated by least squares together with the initial states; a number fixes it. Prediction
intervals come from simulating `REPETITIONS` future paths of the fitted model with normal errors
(statsmodels' `simulate`), seeded, so the same settings always give the same bands.
"""

from __future__ import annotations

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from playground.forecasting.core import (
    ForecastError, RawForecast, caught_warnings, fraction_param, int_param, sample_intervals,
)

REPETITIONS = 1000
SEASONALITY = ("additive", "multiplicative")
MAX_SEASON = 60  # every season position is an initial state to estimate: more makes the fit slow and fragile
PHI_BOUNDS = (0.8, 0.98)  # FPP3 §8.2: φ below 0.8 damps too hard, above 0.98 is hard to tell from 1

FORMULAS = {
    "ses": [
        r"\hat y_{t+h|t} = \ell_t, \qquad \ell_t = \alpha\, y_t + (1-\alpha)\,\ell_{t-1}",
        r"\hat y_{T+1|T} = \sum_{k=0}^{T-1} \alpha(1-\alpha)^k\, y_{T-k} + (1-\alpha)^T \ell_0",
    ],
    "holt": [
        r"\hat y_{t+h|t} = \ell_t + h\, b_t",
        r"\ell_t = \alpha\, y_t + (1-\alpha)(\ell_{t-1} + b_{t-1})",
        r"b_t = \beta^*(\ell_t - \ell_{t-1}) + (1-\beta^*)\, b_{t-1}",
    ],
    "holt_damped": [
        r"\hat y_{t+h|t} = \ell_t + (\phi + \phi^2 + \dots + \phi^h)\, b_t",
        r"\ell_t = \alpha\, y_t + (1-\alpha)(\ell_{t-1} + \phi\, b_{t-1})",
        r"b_t = \beta^*(\ell_t - \ell_{t-1}) + (1-\beta^*)\,\phi\, b_{t-1}",
    ],
    "holt_winters_additive": [
        r"\hat y_{t+h|t} = \ell_t + h\, b_t + s_{t+h-m(k+1)}",
        r"\ell_t = \alpha\,(y_t - s_{t-m}) + (1-\alpha)(\ell_{t-1} + b_{t-1})",
        r"b_t = \beta^*(\ell_t - \ell_{t-1}) + (1-\beta^*)\, b_{t-1}",
        r"s_t = \gamma\,(y_t - \ell_{t-1} - b_{t-1}) + (1-\gamma)\, s_{t-m}",
    ],
    "holt_winters_multiplicative": [
        r"\hat y_{t+h|t} = (\ell_t + h\, b_t)\, s_{t+h-m(k+1)}",
        r"\ell_t = \alpha\,\frac{y_t}{s_{t-m}} + (1-\alpha)(\ell_{t-1} + b_{t-1})",
        r"b_t = \beta^*(\ell_t - \ell_{t-1}) + (1-\beta^*)\, b_{t-1}",
        r"s_t = \gamma\,\frac{y_t}{\ell_{t-1} + b_{t-1}} + (1-\gamma)\, s_{t-m}",
    ],
}
DAMPED_NOTE = "With a damped trend, every b_{t−1} above becomes φ·b_{t−1} and h·b_t becomes (φ + … + φ^h)·b_t."


def ses_weights(alpha: float, n: int) -> tuple[np.ndarray, float]:
    """Weights α(1−α)^k on y_(T−k), k = 0 … n−1, and the weight (1−α)^n left on the initial level ℓ0."""
    k = np.arange(n)
    return alpha * (1 - alpha) ** k, float((1 - alpha) ** n)


def ses(y: np.ndarray, horizon: int, alpha=None, seed: int = 0) -> RawForecast:
    return _smooth(y, horizon, "ses", alpha=alpha, seed=seed)


def holt(y: np.ndarray, horizon: int, alpha=None, beta=None, damped: bool = False, phi=None,
         seed: int = 0) -> RawForecast:
    return _smooth(y, horizon, "holt", alpha=alpha, beta=beta, damped=damped, phi=phi, seed=seed)


def holt_winters(y: np.ndarray, horizon: int, season: int, seasonal: str = "additive", alpha=None, beta=None,
                 gamma=None, damped: bool = False, phi=None, seed: int = 0) -> RawForecast:
    return _smooth(y, horizon, "holt_winters", season=season, seasonal=seasonal, alpha=alpha, beta=beta,
                   gamma=gamma, damped=damped, phi=phi, seed=seed)


def formula_key(method: str, seasonal: str = "additive", damped: bool = False) -> str:
    if method == "holt":
        return "holt_damped" if damped else "holt"
    if method == "holt_winters":
        return f"holt_winters_{seasonal}"
    return method


def _smooth(y: np.ndarray, horizon: int, method: str, season: int = 1, seasonal: str = "additive",
            alpha=None, beta=None, gamma=None, damped: bool = False, phi=None, seed: int = 0) -> RawForecast:
    alpha = fraction_param(alpha, "α")
    beta = fraction_param(beta, "β*")
    gamma = fraction_param(gamma, "γ")
    seed = int_param(seed, "The seed", 0, 2**31 - 1)
    trend = "add" if method in ("holt", "holt_winters") else None
    damped = bool(damped) and trend is not None
    if phi is not None and damped:
        phi = float(phi)
        if not PHI_BOUNDS[0] <= phi <= PHI_BOUNDS[1]:
            raise ForecastError(f"φ must be between {PHI_BOUNDS[0]} and {PHI_BOUNDS[1]} (got {phi}).")
    kwargs = dict(trend=trend, damped_trend=damped, initialization_method="estimated")
    if method == "holt_winters":
        if int(season) < 2:
            raise ForecastError("Holt–Winters needs a season m of at least 2 (set the season above); "
                                "for a series without a season use Holt.")
        if int(season) > MAX_SEASON:
            raise ForecastError(f"Holt–Winters with m = {season} would estimate {season} starting values for the "
                                f"season: too many to fit well. Use m ≤ {MAX_SEASON}, or aggregate the data first.")
        season = int_param(season, "The season m", 2, MAX_SEASON)
        if seasonal not in SEASONALITY:
            raise ForecastError(f"Unknown seasonality '{seasonal}'; choose additive or multiplicative.")
        if len(y) < 2 * season + 2:
            raise ForecastError(f"Holt–Winters with m = {season} needs at least two full seasons "
                                f"({2 * season + 2} points) in the training part; there are {len(y)}.")
        if seasonal == "multiplicative" and np.any(y <= 0):
            raise ForecastError("Multiplicative seasonality needs strictly positive values (after the transform), "
                                "because the season is a ratio. Use additive seasonality or a positive series.")
        kwargs.update(seasonal="add" if seasonal == "additive" else "mul", seasonal_periods=season)
    elif len(y) < (4 if trend else 2):
        raise ForecastError(f"Exponential smoothing needs at least {4 if trend else 2} training points.")

    notes: list[str] = []
    fixed = {"smoothing_level": alpha, "smoothing_trend": beta, "smoothing_seasonal": gamma, "damping_trend": phi}
    fixed = {name: value for name, value in fixed.items() if value is not None}
    label = {"ses": "Simple exponential smoothing", "holt": "Holt", "holt_winters": "Holt–Winters"}[method]
    try:
        with caught_warnings(notes, label):
            model = ExponentialSmoothing(y, **kwargs)
            result = model.fit(optimized=True, **fixed)
            mean = np.asarray(result.forecast(horizon), dtype=float)
            paths = np.asarray(result.simulate(horizon, anchor="end", repetitions=REPETITIONS, error="add",
                                               rng=np.random.default_rng(seed)), dtype=float)
    except (ValueError, np.linalg.LinAlgError) as error:
        raise ForecastError(f"{label} could not be fitted: {error}") from None
    if not np.all(np.isfinite(mean)):
        raise ForecastError(f"{label} gave no usable forecast with these settings (the fit diverged). "
                            "Try estimating the parameters or another transform.")
    lower, upper = sample_intervals(paths.reshape(horizon, -1))
    params, set_by_user = _parameters(result.params, fixed, method, damped, kwargs.get("seasonal"))
    details = {
        "formula": formula_key(method, seasonal, damped),
        "set_by_user": set_by_user,
        "sse": float(result.sse),
        "aic": float(result.aic),
    }
    if method == "holt_winters":
        details["initial_seasons"] = np.asarray(result.params["initial_seasons"], dtype=float).tolist()
    return RawForecast(mean, lower, upper, fitted=np.asarray(result.fittedvalues, dtype=float),
                       params=params, notes=notes, details=details)


def _parameters(estimated: dict, fixed: dict, method: str, damped: bool, seasonal) -> tuple[dict, list[str]]:
    names = [("smoothing_level", "α (level)"), ("initial_level", "ℓ0 (initial level)")]
    if method in ("holt", "holt_winters"):
        names += [("smoothing_trend", "β* (trend)"), ("initial_trend", "b0 (initial trend)")]
        if damped:
            names.append(("damping_trend", "φ (damping)"))
    if seasonal:
        names.append(("smoothing_seasonal", "γ (season)"))
    params = {shown: float(estimated[name]) for name, shown in names}
    return params, [shown for name, shown in names if name in fixed]
