"""ARIMA(p,d,q), SARIMA(p,d,q)(P,D,Q)m and an automatic order search by AIC.

Fitted by exact maximum likelihood (Kalman filter) with statsmodels' `ARIMA`, the estimator of
R's `arima()`; standard errors from the numerical Hessian (`cov_type="approx"`), as R reports them.
Sign convention (FPP3 §9, statsmodels and R alike):
    (1 − φ1 B − … − φp B^p)(1 − Φ1 B^m − …)(1 − B)^d (1 − B^m)^D y_t = c + (1 + θ1 B + …)(1 + Θ1 B^m + …) ε_t
A constant is included when it makes sense: c with d + D = 0, a drift with d + D = 1, none with more
differences (a constant there would be a quadratic trend).
The automatic search follows auto.arima's order of decisions (Hyndman & Khandakar 2008): D from the
seasonal strength of an STL decomposition (D = 1 when F_S ≥ 0.64, FPP3 §9.5), d from repeated KPSS tests,
then every p, q, P, Q up to the bounds, compared by AIC on the same differenced data.
"""

from __future__ import annotations

import time
import warnings
from typing import Callable

import numpy as np
import pandas as pd
from numpy.polynomial import polynomial as P
from statsmodels.tsa.arima.model import ARIMA

from playground.forecasting.core import ForecastError, RawForecast, caught_warnings, int_param, normal_intervals

MAX_P, MAX_D, MAX_Q = 5, 2, 5
MAX_SP, MAX_SD, MAX_SQ = 2, 1, 2
MAX_SEASON = 60
MAX_WORK = 5e6  # observations × (state size)² above which one fit takes too long for a page (m = 48 on 3,000 points)
HESSIAN_POINTS = 1_000  # above this, standard errors from outer products of gradients (the Hessian is slow)
AUTO_MAX_SEASON = 24  # longest season the automatic search models (each candidate carries m states)
SEARCH_POINTS = 600  # the automatic search compares candidates on the most recent points only
SEASONAL_STRENGTH_FOR_D = 0.64  # FPP3 §9.5 (unitroot_nsdiffs)

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
        shown = f"ARIMA({p},{d},{q})" + (f"({sp},{sd},{sq})[{season}]" if season else "")
        raise ForecastError(f"The training part is too short for {shown}: after differencing {n - lost} points "
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
    notes = [] if notes is None else notes
    label = model_name(order, seasonal_order, season)
    try:
        with caught_warnings(notes, label):
            result = _maximum_likelihood(y, order, seasonal_order, season, trend)
            prediction = result.get_forecast(horizon)
            mean = np.asarray(prediction.predicted_mean, dtype=float)
            sd = np.asarray(prediction.se_mean, dtype=float)
    except (ValueError, np.linalg.LinAlgError, IndexError) as error:
        raise ForecastError(f"{label} could not be fitted: {error}") from None
    if not np.all(np.isfinite(mean)):
        raise ForecastError(f"{label} gave no usable forecast (the fit failed). Try other orders or a transform.")
    lower, upper = normal_intervals(mean, sd) if np.all(np.isfinite(sd)) else (None, None)
    fitted = np.asarray(result.fittedvalues, dtype=float).copy()
    fitted[: order[1] + season * seasonal_order[1]] = np.nan  # the first differenced values have no past to use
    table = _coefficient_table(result)
    details = {
        "order": order, "seasonal_order": seasonal_order, "season": season, "trend": trend,
        "coefficients": table,
        "aic": float(result.aic), "aicc": float(result.aicc), "bic": float(result.bic),
        "loglik": float(result.llf), "sigma2": float(result.params[-1]),
        "equation": equation(result.params, result.param_names, order, seasonal_order, season, trend),
        "expanded": expanded_equation(result.params, result.param_names, order, seasonal_order, season, trend),
    }
    params = dict(zip(table.index, table["estimate"]))
    return RawForecast(mean, lower, upper, fitted=fitted, params=params, notes=notes, details=details)


def _maximum_likelihood(y, order, seasonal_order, season, trend):
    """Exact Gaussian maximum likelihood. Without a constant the innovations algorithm finds the same optimum
    as the Kalman filter several times faster; with one, statsmodels' innovations route switches to GLS, so
    the Kalman filter is used. Standard errors: numerical Hessian (as R), outer products for long series."""
    model = ARIMA(y, order=order, seasonal_order=(*seasonal_order, season), trend=trend)
    cov_type = "approx" if len(y) <= HESSIAN_POINTS else "opg"
    has_arma = sum(order) - order[1] + sum(seasonal_order) - seasonal_order[1] > 0
    if trend == "n" and has_arma:
        try:
            return model.fit(method="innovations_mle", cov_type=cov_type)
        except (ValueError, np.linalg.LinAlgError):
            pass  # the Kalman filter below is slower but more forgiving
    return model.fit(method="statespace", cov_type=cov_type)


def model_name(order, seasonal_order=(0, 0, 0), season: int = 0) -> str:
    p, d, q = order
    name = f"ARIMA({p},{d},{q})"
    if season and any(seasonal_order):
        sp, sd, sq = seasonal_order
        name += f"({sp},{sd},{sq})[{season}]"
    return name


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


def _coefficient_table(result) -> pd.DataFrame:
    names = [_display_name(n) for n in result.param_names]
    seasonal_lags = {n: int(n.split("L")[-1]) for n in result.param_names if ".S.L" in n}
    # Seasonal coefficients are numbered by season count (Φ1 at lag m), as in the course and in R.
    season = min(seasonal_lags.values()) if seasonal_lags else 1
    names = [(_display_name(n)[0] + _subscript(seasonal_lags[n] // season)) if n in seasonal_lags else shown
             for n, shown in zip(result.param_names, names)]
    bse = np.asarray(result.bse, dtype=float) if result.bse is not None else np.full(len(names), np.nan)
    return pd.DataFrame({"estimate": np.asarray(result.params, dtype=float), "s.e.": bse}, index=names)


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

def choose_seasonal_difference(y: np.ndarray, season: int) -> tuple[int, str]:
    from statsmodels.tsa.seasonal import STL

    if season < 2 or len(y) < 2 * season + 1:
        return 0, "no seasonal difference (no season, or fewer than two seasons of data)"
    parts = STL(y, period=season, robust=True).fit()
    remainder, seasonal = parts.resid, parts.seasonal
    strength = max(0.0, 1 - np.var(remainder) / np.var(seasonal + remainder))
    if strength >= SEASONAL_STRENGTH_FOR_D:
        return 1, f"D = 1: the seasonal strength F_S = {strength:.2f} is at least {SEASONAL_STRENGTH_FOR_D}"
    return 0, f"D = 0: the seasonal strength F_S = {strength:.2f} is below {SEASONAL_STRENGTH_FOR_D}"


def choose_difference(y: np.ndarray, max_d: int = MAX_D) -> tuple[int, str]:
    from playground.forecasting.stationarity import kpss_test

    d = 0
    series = y
    readings = []
    while d < max_d and len(series) > 10:
        try:
            test = kpss_test(series)
        except ForecastError:  # constant after differencing: nothing left to difference away
            break
        readings.append(f"KPSS p {test.p_text} after {d} difference(s)")
        if test.pvalue >= 0.05:
            break
        series = np.diff(series)
        d += 1
    return d, f"d = {d}: " + ("; ".join(readings) or "too short or constant to test")


def auto_arima(y: np.ndarray, horizon: int, season: int = 1, max_p: int = 2, max_q: int = 2, max_P: int = 1,
               max_Q: int = 1, constant: bool = True, progress: Progress | None = None) -> RawForecast:
    """Every ARIMA up to the bounds compared by AIC (on the last SEARCH_POINTS points); the best is refitted
    on all of `y` and forecast."""
    max_p = int_param(max_p, "The largest p", 0, 3)
    max_q = int_param(max_q, "The largest q", 0, 3)
    max_P = int_param(max_P, "The largest P", 0, 1)
    max_Q = int_param(max_Q, "The largest Q", 0, 1)
    season = int_param(season, "The season m", 1, 100_000)
    seasonal_note = None
    if season > AUTO_MAX_SEASON:
        # Every candidate would carry m states: the search would take minutes. Search non-seasonal orders.
        seasonal_note = (f"The season m = {season} is too long for the automatic search (at most "
                         f"{AUTO_MAX_SEASON}): only non-seasonal orders were searched. Try Holt–Winters.")
        season = 1
    if len(y) < 12:
        raise ForecastError(f"The automatic ARIMA search needs at least 12 training points; there are {len(y)}.")
    start = time.perf_counter()
    sd, d_reason = choose_seasonal_difference(y, season)
    differenced = y[season:] - y[:-season] if sd else y
    d, reason = choose_difference(differenced)
    trend = trend_for(d, sd, constant)
    seasonal_grid = [(sp, sq) for sp in range(max_P + 1) for sq in range(max_Q + 1)] if season >= 2 else [(0, 0)]
    candidates = [(p, q, sp, sq) for p in range(max_p + 1) for q in range(max_q + 1) for sp, sq in seasonal_grid]
    recent = y[-SEARCH_POINTS:]  # the same points for every candidate, so their AICs compare
    rows = []
    for i, (p, q, sp, sq) in enumerate(candidates):
        order, seasonal_order = (p, d, q), (sp, sd, sq)
        name = model_name(order, seasonal_order, season)
        aic = _search_aic(recent, order, seasonal_order, season, trend)
        rows.append({"model": name, "p": p, "d": d, "q": q, "P": sp, "D": sd, "Q": sq, "AIC": aic})
        if progress is not None:
            progress((i + 1) / len(candidates), f"{i + 1}/{len(candidates)} · {name} · AIC {aic:.1f}")
    table = pd.DataFrame(rows).sort_values("AIC", na_position="last").reset_index(drop=True)
    usable = table.dropna(subset=["AIC"])
    if usable.empty:
        raise ForecastError("No ARIMA model could be fitted in the search. Try a transform or a longer training part.")
    best = usable.iloc[0]
    order, seasonal_order = (int(best.p), d, int(best.q)), (int(best.P), sd, int(best.Q))
    notes = [seasonal_note] if seasonal_note else []
    _check_length(len(y), order, seasonal_order, season if any(seasonal_order) else 0)
    result = _fit(y, horizon, order, seasonal_order, season if any(seasonal_order) else 0, trend, notes)
    result.details.update({
        "search": table, "d_reason": reason, "D_reason": d_reason, "tried": len(candidates),
        "search_seconds": time.perf_counter() - start, "chosen": best.model, "search_points": len(recent),
    })
    return result


def _search_aic(y, order, seasonal_order, season, trend) -> float:
    """AIC of one candidate on the differenced (and, with a constant, centred) data: fast, and comparable
    between candidates because they all see the same differenced values."""
    p, d, q = order
    sp, sd, sq = seasonal_order
    z = _difference(y, d, sd, season)
    extra = 0
    if trend != "n":
        z = z - z.mean()  # the constant (mean or drift) estimated by the sample mean: one more parameter
        extra = 2
    try:
        _check_length(len(z), (p, 0, q), (sp, 0, sq), season)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ARIMA(z, order=(p, 0, q), seasonal_order=(sp, 0, sq, season if sp + sq else 0), trend="n")
            if p + q + sp + sq == 0:
                sigma2 = float(np.mean(z ** 2))  # white noise: the likelihood in closed form
                return len(z) * (np.log(2 * np.pi * sigma2) + 1) + 2 + extra
            return float(model.fit(method="innovations_mle", cov_type="none").aic) + extra
    except (ValueError, np.linalg.LinAlgError, ForecastError):
        return float("nan")


def _difference(y: np.ndarray, d: int, sd: int, season: int) -> np.ndarray:
    for _ in range(sd):
        y = y[season:] - y[:-season]
    for _ in range(d):
        y = np.diff(y)
    return y
