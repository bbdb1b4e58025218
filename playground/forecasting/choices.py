"""Sensible defaults for the forecasting page, and the tables it offers as CSV files."""

from __future__ import annotations

import pandas as pd

from playground.forecasting.arima import AUTO_MAX_SEASON, MAX_SEASON
from playground.forecasting.core import Forecast

MIN_POINTS = 12  # below this there is nothing to split into a training and a test part
FIT_POINTS = 2_000  # every method is fitted on at most this many recent points: a plain rerun stays in seconds
AGGREGATE_ABOVE = 20_000  # a longer series opens aggregated to a coarser step (the user can undo it)
MAX_HORIZON = 1_000  # the horizon slider's upper end on a long test part


def default_horizon(n_test: int, season: int) -> int:
    """Two seasons (at least 30 steps), or the whole test part if it is shorter."""
    return max(1, min(n_test, max(2 * season, 30), MAX_HORIZON))


def default_methods(n_train: int, season: int) -> list[str]:
    """Benchmarks first, then one method of each classical family that will fit quickly on this series."""
    if season >= 2 and n_train >= 2 * season + 2:
        methods = ["naive", "snaive", "drift"]
        if season <= MAX_SEASON:
            methods.append("holt_winters")
        if season <= AUTO_MAX_SEASON and n_train <= 1_500:
            methods.append("sarima")
        return methods
    return ["mean", "naive", "drift", "ses", "arima"]


def default_window(season: int) -> int:
    return season if 2 <= season <= 24 else 3


def default_lags(season: int, n_train: int) -> int:
    lags = season if 2 <= season <= 24 else 8
    return max(1, min(lags, n_train // 3))


def history_length(n_train: int, n_test: int, season: int) -> int:
    """How much of the training data to draw before the forecasts: enough to see the pattern continue."""
    return min(n_train, max(3 * n_test, 4 * season, 60))


def forecasts_table(test: pd.Series, forecasts: dict[str, Forecast]) -> pd.DataFrame:
    """The actual test values and every method's forecast (and bounds) side by side, one row per step."""
    horizon = max((len(f.mean) for f in forecasts.values()), default=0)
    table = pd.DataFrame({"actual": test.iloc[:horizon]})
    for label, result in forecasts.items():
        frame = result.frame()
        frame.columns = [f"{label}: {column}" for column in frame.columns]
        table = table.join(frame, how="outer")
    table.index.name = test.index.name or "time"
    return table
