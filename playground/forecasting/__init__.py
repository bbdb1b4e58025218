"""Forecasting: benchmarks, exponential smoothing, (S)ARIMA, neural nets, and a fair evaluation.

    forecast(train, method, horizon, **params) -> Forecast
    accuracy(actual, predicted, train, season=1) -> {"MAE", "RMSE", "MAPE", "MASE"}

`forecast` transforms the data (none | log | boxcox), fits the method on the transformed values,
forecasts `horizon` steps, and undoes the transform on the forecasts and their intervals.
torch is imported only when a neural method (narn, lstm, gru) runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playground.forecasting import arima as _arima
from playground.forecasting import baselines as _baselines
from playground.forecasting import smoothing as _smoothing
from playground.forecasting.core import Forecast, ForecastError, RawForecast, future_index, int_param
from playground.forecasting.evaluation import accuracy
from playground.forecasting.transforms import make_transform

MAX_HORIZON = 5_000
COMMON_PARAMS = ("season", "transform", "boxcox_lambda")

__all__ = ["forecast", "accuracy", "Forecast", "ForecastError", "METHODS", "Method"]


@dataclass(frozen=True)
class Method:
    name: str
    label: str
    family: str  # benchmark | smoothing | arima | neural
    params: tuple[str, ...]  # the method's own settings (besides season and transform)
    intervals: bool  # whether it gives prediction intervals
    seasonal: bool = False  # whether it uses the season m


METHODS = {
    method.name: method
    for method in [
        Method("mean", "Mean", "benchmark", (), True),
        Method("naive", "Naive", "benchmark", (), True),
        Method("snaive", "Seasonal naive", "benchmark", (), True, seasonal=True),
        Method("drift", "Drift", "benchmark", (), True),
        Method("moving_average", "Moving average", "benchmark", ("window",), False),
        Method("ses", "Simple exp. smoothing", "smoothing", ("alpha", "seed"), True),
        Method("holt", "Holt", "smoothing", ("alpha", "beta", "damped", "phi", "seed"), True),
        Method("holt_winters", "Holt–Winters", "smoothing",
               ("seasonal", "alpha", "beta", "gamma", "damped", "phi", "seed"), True, seasonal=True),
        Method("arima", "ARIMA", "arima", ("order", "constant"), True),
        Method("sarima", "SARIMA", "arima", ("order", "seasonal_order", "constant"), True, seasonal=True),
        Method("auto_arima", "Auto ARIMA", "arima",
               ("max_p", "max_q", "max_P", "max_Q", "max_order", "stepwise", "constant", "progress"), True,
               seasonal=True),
        Method("narn", "NARN", "neural", ("lags", "hidden_size", "epochs", "seed", "lr", "differences", "progress"),
               True),
        Method("lstm", "LSTM", "neural", ("lags", "hidden_size", "epochs", "seed", "lr", "differences", "progress"),
               True),
        Method("gru", "GRU", "neural", ("lags", "hidden_size", "epochs", "seed", "lr", "differences", "progress"),
               True),
    ]
}


def _run(method: str, y: np.ndarray, horizon: int, season: int, params: dict) -> RawForecast:
    if method == "mean":
        return _baselines.mean_method(y, horizon)
    if method == "naive":
        return _baselines.naive(y, horizon)
    if method == "snaive":
        return _baselines.seasonal_naive(y, horizon, season)
    if method == "drift":
        return _baselines.drift(y, horizon)
    if method == "moving_average":
        return _baselines.moving_average(y, horizon, **params)
    if method == "ses":
        return _smoothing.ses(y, horizon, **params)
    if method == "holt":
        return _smoothing.holt(y, horizon, **params)
    if method == "holt_winters":
        return _smoothing.holt_winters(y, horizon, season=season, **params)
    if method == "arima":
        return _arima.arima(y, horizon, season=season, **params)
    if method == "sarima":
        return _arima.sarima(y, horizon, season=season, **params)
    if method == "auto_arima":
        return _arima.auto_arima(y, horizon, season=season, **params)
    from playground.forecasting import neural  # torch is imported here, and only here

    return neural.neural(y, horizon, kind=method, **params)


def _check_train(train) -> pd.Series:
    if not isinstance(train, pd.Series):
        raise ForecastError("The training data must be a pandas Series.")
    try:
        values = train.astype(float)
    except (TypeError, ValueError):
        raise ForecastError("The training data must be numbers.") from None
    if values.isna().any():
        raise ForecastError("The training data has missing values; fill or drop them first.")
    if not np.all(np.isfinite(values.to_numpy())):
        raise ForecastError("The training data has infinite values.")
    if len(values) < 2:
        raise ForecastError("At least 2 training points are needed to forecast.")
    return values


RUNAWAY_FACTOR = 100


def _runaway_note(label: str, train: np.ndarray, mean: np.ndarray) -> str | None:
    """A warning when the forecasts leave the data's scale by orders of magnitude (an unstable fit)."""
    scale = max(float(np.max(np.abs(train))), float(np.ptp(train)))
    furthest = float(np.max(np.abs(mean - train[-1])))
    if scale > 0 and furthest > RUNAWAY_FACTOR * scale:
        return (f"{label}'s forecasts move {furthest:.3g} away from the last value, over {RUNAWAY_FACTOR} times "
                "anything in the training data: the fit is unstable with these settings, so do not trust them.")
    return None


def forecast(train: pd.Series, method: str, horizon: int, **params) -> Forecast:
    """Fit `method` on `train` and forecast `horizon` steps; bad settings raise ForecastError."""
    if method not in METHODS:
        raise ForecastError(f"Unknown method '{method}'. Choose one of: {', '.join(METHODS)}.")
    spec = METHODS[method]
    unknown = set(params) - set(spec.params) - set(COMMON_PARAMS)
    if unknown:
        raise ForecastError(f"{spec.label} has no setting called {', '.join(sorted(unknown))}.")
    horizon = int_param(horizon, "The horizon", 1, MAX_HORIZON)
    train = _check_train(train)
    season = int_param(params.pop("season", 1), "The season m", 1, max(1, len(train)))
    transform = make_transform(params.pop("transform", "none") or "none", train.to_numpy(), season,
                               params.pop("boxcox_lambda", None))
    transformed = transform.forward(train.to_numpy())
    try:
        with np.errstate(all="ignore"):  # overflow shows up below as non-finite forecasts, with a message
            raw = _run(method, transformed, horizon, season, params)
    except ForecastError:
        raise
    except Exception as error:  # a library's own failure on unusual data: a message, never a traceback
        raise ForecastError(f"{spec.label} failed on this series ({type(error).__name__}: {error}). "
                            "Try other settings, a transform, or another method.") from error

    index = future_index(train.index, horizon)
    mean = pd.Series(transform.inverse(raw.mean), index=index, name=spec.label)
    if not np.all(np.isfinite(mean.to_numpy())):
        raise ForecastError(f"{spec.label} gave forecasts that are not numbers with these settings.")
    runaway = _runaway_note(spec.label, train.to_numpy(), mean.to_numpy())
    if runaway:
        raw.notes.append(runaway)
    lower = upper = None
    if raw.lower is not None and raw.upper is not None:
        lower = pd.DataFrame({level: transform.inverse(values) for level, values in raw.lower.items()}, index=index)
        upper = pd.DataFrame({level: transform.inverse(values) for level, values in raw.upper.items()}, index=index)
    fitted = residuals = None
    if raw.fitted is not None:
        fitted = pd.Series(transform.inverse(raw.fitted), index=train.index, name="fitted")
        residuals = pd.Series(transformed - raw.fitted, index=train.index, name="residuals")
    details = dict(raw.details, transform=transform.label, season=season)
    return Forecast(method, mean, lower, upper, fitted, residuals, raw.params, raw.notes, details)
