"""ARIMA(p,d,q), SARIMA(p,d,q)(P,D,Q)m and the automatic order search of R's forecast::auto.arima.

Every model is fitted as R's stats::arima fits it (arima_fit: CSS start values, then exact maximum likelihood,
R's optimiser) and forecast exactly as R's predict does (arima_predict); σ² is forecast's Σ e² / (n* − k), the
variance its Arima and auto.arima use for the intervals. Sign convention (FPP3 §9, statsmodels and R alike):
    (1 − φ1 B − … − φp B^p)(1 − Φ1 B^m − …)(1 − B)^d (1 − B^m)^D y_t = c + (1 + θ1 B + …)(1 + Θ1 B^m + …) ε_t
A constant is included when it makes sense: c with d + D = 0, a drift with d + D = 1, none with more
differences (a constant there would be a quadratic trend).
The automatic search (arima_search) is forecast 8.20's: D from the seasonal strength, d from repeated KPSS tests
(stationarity), then the Hyndman–Khandakar stepwise search by AICc, or every model up to the bounds.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from numpy.polynomial import polynomial as P

from playground.forecasting import arima_search
from playground.forecasting.arima_fit import Fit, Spec, difference, fit_ml
from playground.forecasting.arima_predict import predict
from playground.forecasting.core import ForecastError, RawForecast, int_param, normal_intervals
from playground.forecasting.stationarity import is_constant

MAX_P, MAX_D, MAX_Q = 5, 2, 5
MAX_SP, MAX_SD, MAX_SQ = 2, 1, 2
MAX_SEASON = 60
MAX_WORK = 5e6  # observations × (state size)² above which one fit takes too long for a page (m = 48 on 3,000 points)
AUTO_MAX_SEASON = 24  # longest season the automatic search models (each candidate carries m states)
AUTO_MAX_POINTS = 10_000  # the automatic search fits the most recent points only, beyond this
AUTO_BOUNDS = {"max_p": 5, "max_q": 5, "max_P": 2, "max_Q": 2, "max_order": 10}  # the largest settings allowed

Progress = Callable[[float, str], None]


def check_orders(order, seasonal_order=(0, 0, 0), season: int = 1) -> tuple[tuple, tuple, int]:
    """Validated (p,d,q), (P,D,Q) and m; a seasonal order needs m ≥ 2."""
    if len(order) != 3:
        raise ForecastError("The order must be three numbers (p, d, q).")
    p = int_param(order[0], "p", 0, MAX_P)
    d = int_param(order[1], "d", 0, MAX_D)
    q = int_param(order[2], "q", 0, MAX_Q)
    seasonal_order = tuple(seasonal_order or (0, 0, 0))
    if len(seasonal_order) == 4:
        season = seasonal_order[3]
        seasonal_order = seasonal_order[:3]
    if len(seasonal_order) != 3:
        raise ForecastError("The seasonal order must be three numbers (P, D, Q).")
    sp = int_param(seasonal_order[0], "P", 0, MAX_SP)
    sd = int_param(seasonal_order[1], "D", 0, MAX_SD)
    sq = int_param(seasonal_order[2], "Q", 0, MAX_SQ)
    season = int_param(season, "The season m", 1, 100_000)
    if sp + sd + sq > 0:
        if season < 2:
            raise ForecastError("A seasonal part (P, D, Q) needs a season m of at least 2.")
        if season > MAX_SEASON:
            raise ForecastError(f"SARIMA with m = {season} is too slow to fit here (every season position is "
                                f"part of the model state). Use m ≤ {MAX_SEASON}, or aggregate the data first "
                                "(e.g. daily to weekly).")
    else:
        season = 0
    return (p, d, q), (sp, sd, sq), season


def trend_for(d: int, sd: int, constant: bool) -> str:
    if not constant or d + sd > 1:
        return "n"
    return "c" if d + sd == 0 else "t"


def _check_length(n: int, order, seasonal_order, season: int) -> None:
    p, d, q = order
    sp, sd, sq = seasonal_order
    lost = d + season * sd
    needed = p + q + season * (sp + sq) + 3
    if n - lost < needed:
        raise ForecastError(f"The training part is too short for {model_name(order, seasonal_order, season)}: after differencing {n - lost} points "
                            f"are left, and these orders need at least {needed}. Use smaller orders, a "
                            "shorter season or a larger training part.")
    states = max(p + season * sp, q + season * sq + 1) + d + season * sd
    if n * states ** 2 > MAX_WORK:
        raise ForecastError(f"This model has {states} states on {n} points: fitting it would take too long here. "
                            "Use smaller (seasonal) orders, a shorter season, fewer points, or Holt–Winters.")


def arima(y: np.ndarray, horizon: int, order=(1, 1, 1), constant: bool = True, season: int = 1) -> RawForecast:
    return sarima(y, horizon, order=order, seasonal_order=(0, 0, 0), season=season, constant=constant)


def sarima(y: np.ndarray, horizon: int, order=(0, 1, 1), seasonal_order=(0, 1, 1), season: int = 12,
           constant: bool = True) -> RawForecast:
    order, seasonal_order, season = check_orders(order, seasonal_order, season)
    _check_length(len(y), order, seasonal_order, season)
    return _fit(y, horizon, order, seasonal_order, season, trend_for(order[1], seasonal_order[1], constant))


def _fit(y, horizon, order, seasonal_order, season, trend, notes=None) -> RawForecast:
    spec = Spec(*order, *seasonal_order, max(season, 1), trend != "n")
    if is_constant(difference(y, spec.d, spec.D, spec.m)):
        raise ForecastError(f"After these differences the training part is constant (an exact line or a repeated "
                            f"season): {model_name(order, seasonal_order, season)} has no noise to model. Drift or "
                            "Seasonal naive forecast it exactly; or use fewer differences.")
    fit = fit_ml(y, spec, strict=False)
    if fit.rejected.startswith("the fit failed"):
        raise ForecastError(f"{model_name(order, seasonal_order, season)} could not be fitted: {fit.rejected}. "
                            "Try other orders or a transform.")
    return forecast_from(y, fit, horizon, [] if notes is None else notes)


def _names(spec: Spec) -> list[str]:
    """Parameter names in statsmodels' style and order (the constant first, σ² last), for the tables."""
    m = spec.m
    names = (["const" if spec.d + spec.D == 0 else "x1"] if spec.constant else [])
    names += [f"ar.L{i}" for i in range(1, spec.p + 1)] + [f"ma.L{i}" for i in range(1, spec.q + 1)]
    names += [f"ar.S.L{i * m}" for i in range(1, spec.P + 1)] + [f"ma.S.L{i * m}" for i in range(1, spec.Q + 1)]
    return names + ["sigma2"]


def forecast_from(y: np.ndarray, fit: Fit, horizon: int, notes: list[str]) -> RawForecast:
    """The forecasts, intervals, fitted values and tables of a fitted model (no refit)."""
    spec = fit.spec
    order, seasonal_order = (spec.p, spec.d, spec.q), (spec.P, spec.D, spec.Q)
    season = spec.m if any(seasonal_order) else 0
    label = model_name(order, seasonal_order, season)
    if not fit.converged:
        notes.append(f"{label}: the optimiser did not fully converge, so the estimates may be poor. "
                     "Try other orders, a transform, or a longer training part.")
    sigma2 = fit.sigma2_unbiased
    try:
        mean, sd, fitted = predict(y, fit, horizon, sigma2)
    except ValueError:  # the covariance of the estimates cannot be factored (a root on the unit circle)
        mean = np.full(horizon, np.nan)
    if not np.all(np.isfinite(mean)):
        raise ForecastError(f"{label} gave no usable forecast (the fit failed). Try other orders or a transform.")
    lower, upper = normal_intervals(mean, sd) if np.all(np.isfinite(sd)) else (None, None)
    trend = trend_for(spec.d, spec.D, spec.constant)
    # statsmodels' order: the constant first; R's: last.
    values = np.r_[fit.coef[spec.n_arma:], fit.coef[:spec.n_arma], sigma2]
    se = fit.se if fit.se is not None else np.full(spec.n_params, np.nan)
    errors = np.r_[se[spec.n_arma:], se[:spec.n_arma], np.nan]
    names = _names(spec)
    table = _coefficient_table(names, values, errors)
    details = {
        "order": order, "seasonal_order": seasonal_order, "season": season, "trend": trend,
        "coefficients": table, "aic": fit.aic, "aicc": fit.aicc, "bic": fit.bic, "loglik": fit.loglik,
        "sigma2": sigma2,
        "equation": equation(values, names, order, seasonal_order, season, trend),
        "expanded": expanded_equation(values, names, order, seasonal_order, season, trend),
    }
    params = dict(zip(table.index, table["estimate"]))
    return RawForecast(mean, lower, upper, fitted=fitted, params=params, notes=notes, details=details)


def model_name(order, seasonal_order=(0, 0, 0), season: int = 0) -> str:
    return Spec(*order, *seasonal_order, max(season, 1)).name


# --------------------------------------------------------------------------- coefficients in the course's notation

def _display_name(name: str) -> str:
    if name == "const":
        return "μ (mean)"
    if name == "x1":
        return "δ (drift)"
    if name == "sigma2":
        return "σ² (noise variance)"
    kind, *rest = name.split(".")
    seasonal = rest[0] == "S"
    lag = int(rest[-1][1:])
    if seasonal:
        return ("Φ" if kind == "ar" else "Θ") + _subscript(lag)
    return ("φ" if kind == "ar" else "θ") + _subscript(lag)


def _subscript(lag: int) -> str:
    return str(lag).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _coefficient_table(param_names: list[str], values: np.ndarray, errors: np.ndarray) -> pd.DataFrame:
    names = [_display_name(n) for n in param_names]
    seasonal_lags = {n: int(n.split("L")[-1]) for n in param_names if ".S.L" in n}
    # Seasonal coefficients are numbered by season count (Φ1 at lag m), as in the course and in R.
    season = min(seasonal_lags.values()) if seasonal_lags else 1
    names = [(_display_name(n)[0] + _subscript(seasonal_lags[n] // season)) if n in seasonal_lags else shown
             for n, shown in zip(param_names, names)]
    return pd.DataFrame({"estimate": np.asarray(values, dtype=float), "s.e.": np.asarray(errors, dtype=float)},
                        index=names)


def _polynomials(params, names, order, seasonal_order, season):
    """AR and MA lag polynomials (coefficients of B^0, B^1, …), seasonal parts multiplied in."""
    values = dict(zip(names, np.asarray(params, dtype=float)))
    p, _, q = order
    sp, _, sq = seasonal_order
    ar = np.r_[1.0, [-values[f"ar.L{i}"] for i in range(1, p + 1)]]
    ma = np.r_[1.0, [values[f"ma.L{i}"] for i in range(1, q + 1)]]
    sar = np.zeros(season * sp + 1)
    sar[0] = 1.0
    sma = np.zeros(season * sq + 1)
    sma[0] = 1.0
    for i in range(1, sp + 1):
        sar[i * season] = -values[f"ar.S.L{i * season}"]
    for i in range(1, sq + 1):
        sma[i * season] = values[f"ma.S.L{i * season}"]
    return ar, ma, sar, sma, values


def constant_c(values: dict, ar_at_one: float, trend: str, d: int, season: int) -> float | None:
    """c in the equations: μ·φ(1) for a mean; for a drift δ per step, δ·φ(1) per difference (m·δ per seasonal one)."""
    if trend == "c":
        return values["const"] * ar_at_one
    if trend == "t":
        return values["x1"] * ar_at_one * (1 if d == 1 else season)
    return None


def _number(value: float) -> str:
    return f"{abs(value):.3f}"


def _factor(coefficients: np.ndarray, lag_symbol: str = "B") -> str:
    """(1 − 0.352B + 0.120B^{12}) from polynomial coefficients; '' when the polynomial is 1."""
    terms = [(i, c) for i, c in enumerate(coefficients) if i > 0 and c != 0]
    if not terms:
        return ""
    text = "1"
    for i, c in terms:
        power = lag_symbol if i == 1 else f"{lag_symbol}^{{{i}}}"
        text += f" {'+' if c > 0 else '-'} {_number(c)}{power}"
    return f"({text})"


def equation(params, names, order, seasonal_order, season, trend) -> str:
    """The fitted model in backshift notation, numbers in place of φ, θ, Φ, Θ."""
    ar, ma, sar, sma, values = _polynomials(params, names, order, seasonal_order, season)
    d, sd = order[1], seasonal_order[1]
    left = _factor(ar) + _factor(sar)
    left += "(1 - B)" + (f"^{{{d}}}" if d > 1 else "") if d else ""
    left += f"(1 - B^{{{season}}})" if sd else ""
    c = constant_c(values, P.polyval(1.0, P.polymul(ar, sar)), trend, d, season)
    right = (f"{c:.3f} + " if c is not None else "") + _factor(ma) + _factor(sma) + r"\varepsilon_t"
    return f"{left} y_t = {right}"


def expanded_equation(params, names, order, seasonal_order, season, trend) -> str:
    """y'_t = c + Σ a_k y'_(t−k) + ε_t + Σ b_k ε_(t−k), with y'_t the differenced series."""
    ar, ma, sar, sma, values = _polynomials(params, names, order, seasonal_order, season)
    full_ar, full_ma = P.polymul(ar, sar), P.polymul(ma, sma)
    d, sd = order[1], seasonal_order[1]
    symbol = "y'_t" if d + sd else "y_t"
    lagged = "y'" if d + sd else "y"
    c = constant_c(values, P.polyval(1.0, full_ar), trend, d, season)
    parts = [f"{c:.3f}"] if c is not None else []
    for k, a in enumerate(full_ar[1:], start=1):
        if a != 0:
            parts.append(f"{'-' if -a < 0 else '+'} {_number(a)}\\,{lagged}_{{t-{k}}}")
    parts.append(r"+ \varepsilon_t")
    for k, b in enumerate(full_ma[1:], start=1):
        if b != 0:
            parts.append(f"{'+' if b > 0 else '-'} {_number(b)}\\,\\varepsilon_{{t-{k}}}")
    text = " ".join(parts).lstrip("+ ").strip()
    return f"{symbol} = {text}"


def differencing_formula(d: int, sd: int, season: int) -> str | None:
    if d + sd == 0:
        return None
    parts = ("(1 - B)" + (f"^{{{d}}}" if d > 1 else "")) if d else ""
    parts += f"(1 - B^{{{season}}})" if sd else ""
    return f"y'_t = {parts} y_t"


# --------------------------------------------------------------------------- automatic order search

def auto_arima(y: np.ndarray, horizon: int, season: int = 1, max_p: int = 5, max_q: int = 5, max_P: int = 2,
               max_Q: int = 2, max_order: int = 5, stepwise: bool = True, constant: bool = True,
               progress: Progress | None = None) -> RawForecast:
    """R's auto.arima(y, stepwise = stepwise) with its bounds; the chosen model's own fit gives the forecasts."""
    bounds = {"max_p": max_p, "max_q": max_q, "max_P": max_P, "max_Q": max_Q, "max_order": max_order}
    labels = {"max_p": "The largest p", "max_q": "The largest q", "max_P": "The largest P", "max_Q": "The largest Q",
              "max_order": "The largest p + q + P + Q"}
    bounds = {k: int_param(v, labels[k], 0, AUTO_BOUNDS[k]) for k, v in bounds.items()}
    season = int_param(season, "The season m", 1, 100_000)
    notes = []
    if season > AUTO_MAX_SEASON:
        # Every seasonal candidate would carry m states: the search would take minutes. Search non-seasonal orders.
        notes.append(f"The season m = {season} is too long for the automatic search (at most {AUTO_MAX_SEASON}): "
                     "only non-seasonal orders were searched. Try Holt–Winters.")
        season = 1
    if len(y) < 12:
        raise ForecastError(f"The automatic ARIMA search needs at least 12 training points; there are {len(y)}.")
    if len(y) > AUTO_MAX_POINTS:
        notes.append(f"The search and the fit use the last {AUTO_MAX_POINTS:,} of the {len(y):,} training points.")
        y = y[-AUTO_MAX_POINTS:]
    found = arima_search.search(y, season, stepwise=bool(stepwise), constant=bool(constant), progress=progress,
                                **bounds)
    result = forecast_from(y, found.best, horizon, notes)
    result.details.update({
        "search": found.path, "chosen": found.best.spec.name, "tried": len(found.path),
        "stepwise": found.stepwise, "approximation": found.approximation, "search_seconds": found.seconds,
        "d_reason": found.differences.d_reason, "D_reason": found.differences.D_reason,
        "search_points": len(y), "search_season": season,
    })
    return result


def search_summary(details: dict) -> str:
    """What the search did and why it chose its model, from its own path (markdown, no user text)."""
    path = details["search"]
    refused = int(path["AICc"].isna().sum())
    how = ("the stepwise search of R's auto.arima (Hyndman–Khandakar)" if details["stepwise"]
           else "the search of every model within the bounds")
    if details["approximation"]:
        refits = int((path["stage"] == "refit by ML").sum())
        refitted = ("refitted the best by maximum likelihood" if refits == 1 else
                    f"refitted them by maximum likelihood, best first, until one was accepted ({refits} refits)")
        n, m = details["search_points"], details["search_season"]
        why = f"long (n = {n} > 150)" if n > 150 else f"finely seasonal (m = {m} > 12)"
        chosen = (f"**Chosen: {details['chosen']}**, AICc {details['aicc']:.2f} by maximum likelihood. The series is "
                  f"{why}, so, as R does, "
                  f"{how} compared {int((path['fitted by'] == 'CSS').sum())} models by an approximate AICc "
                  f"(conditional sum of squares) and {refitted}")
    else:
        chosen = (f"**Chosen: {details['chosen']}**, AICc {details['aicc']:.2f}: the lowest of the {len(path)} "
                  f"models {how} fitted")
    text = f"{chosen} ({details['search_seconds']:.1f} s)."
    if refused:
        text += (f" {refused} of them {'was' if refused == 1 else 'were'} refused, as R refuses them "
                 "(the note in the table says why).")
    return text + f"\n\n{details['D_reason']}. {details['d_reason']}."


def search_table(path: pd.DataFrame) -> pd.DataFrame:
    """The path for a table: one row per model, in the order tried."""
    shown = ["step", "model", "stage", "fitted by", "AICc"] if (path["fitted by"] == "CSS").any() else \
        ["step", "model", "stage", "AICc"]
    table = path[shown].copy()
    table["current best"] = np.where(path["current best"], "◀ best so far", "")
    table["note"] = path["note"].replace("", "—")
    return table
