"""What every forecasting method returns, and the small helpers they share.

A method works on a plain numpy array (already transformed) and returns a `RawForecast`;
`forecast()` in `__init__` puts the index back, undoes the transform and checks the result.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.stats import norm

LEVELS = (80, 95)


class ForecastError(ValueError):
    """These settings cannot forecast this series; the message says what to change."""


@dataclass
class RawForecast:
    """A method's output on the transformed scale, as arrays (the caller adds the index)."""

    mean: np.ndarray
    lower: dict[int, np.ndarray] | None = None  # level -> bound, one value per step ahead
    upper: dict[int, np.ndarray] | None = None
    fitted: np.ndarray | None = None  # one-step in-sample predictions, NaN where there are none
    params: dict = field(default_factory=dict)  # what the user set or the fit estimated, by display name
    notes: list[str] = field(default_factory=list)  # things the user should know (did not converge, ...)
    details: dict = field(default_factory=dict)  # method-specific extras (equation, search table, losses)


@dataclass
class Forecast:
    """Forecasts of one method: `.mean` on the future index, `.lower`/`.upper` with columns 80 and 95."""

    method: str
    mean: pd.Series
    lower: pd.DataFrame | None = None
    upper: pd.DataFrame | None = None
    fitted: pd.Series | None = None  # one-step in-sample forecasts, on the scale of the data
    residuals: pd.Series | None = None  # y − fitted on the scale the model was fitted on (after the transform)
    params: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def has_intervals(self) -> bool:
        return self.lower is not None and self.upper is not None

    def head(self, horizon: int) -> "Forecast":
        """The first `horizon` steps: a shorter forecast costs no refit."""
        return replace(
            self,
            mean=self.mean.iloc[:horizon],
            lower=None if self.lower is None else self.lower.iloc[:horizon],
            upper=None if self.upper is None else self.upper.iloc[:horizon],
        )

    def frame(self) -> pd.DataFrame:
        """Mean and bounds side by side, for a table or a CSV file."""
        frame = pd.DataFrame({"forecast": self.mean})
        if self.has_intervals:
            for level in self.lower.columns:
                frame[f"lower {level}%"] = self.lower[level]
                frame[f"upper {level}%"] = self.upper[level]
        return frame


def future_index(index: pd.Index, horizon: int) -> pd.Index:
    """The `horizon` time stamps after `index`: its `freq` for dates, the next integers otherwise."""
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq is None:
            raise ForecastError("The dates are not evenly spaced, so the forecast dates are unknown. "
                                "Use a regular series (the loader regularises most files) or drop the date column.")
        offset = pd.tseries.frequencies.to_offset(freq)
        return pd.date_range(index[-1] + offset, periods=horizon, freq=offset, name=index.name)
    if isinstance(index, pd.RangeIndex):
        step = index.step
        start = index.stop if len(index) else 0
        return pd.RangeIndex(start, start + step * horizon, step, name=index.name)
    if len(index) and pd.api.types.is_integer_dtype(index):
        return pd.RangeIndex(int(index[-1]) + 1, int(index[-1]) + 1 + horizon, name=index.name)
    return pd.RangeIndex(len(index), len(index) + horizon, name=index.name)


def normal_intervals(mean: np.ndarray, sd: np.ndarray) -> tuple[dict, dict]:
    """mean ± z·sd for each level (FPP3 §5.5, normal forecast errors: z = 1.28 for 80%, 1.96 for 95%)."""
    lower, upper = {}, {}
    for level in LEVELS:
        z = norm.ppf(0.5 + level / 200)
        lower[level] = mean - z * sd
        upper[level] = mean + z * sd
    return lower, upper


def sample_intervals(paths: np.ndarray) -> tuple[dict, dict]:
    """Percentile intervals from simulated future paths, shape (steps, repetitions)."""
    lower, upper = {}, {}
    for level in LEVELS:
        tail = (100 - level) / 2
        lower[level] = np.percentile(paths, tail, axis=1)
        upper[level] = np.percentile(paths, 100 - tail, axis=1)
    return lower, upper


def int_param(value, name: str, low: int, high: int) -> int:
    """An integer setting inside [low, high], or a ForecastError naming the bounds."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ForecastError(f"{name} must be a whole number, not {value!r}.") from None
    if number != value and not (isinstance(value, float) and value.is_integer()):
        raise ForecastError(f"{name} must be a whole number, not {value!r}.")
    if not low <= number <= high:
        raise ForecastError(f"{name} must be between {low} and {high} (got {number}).")
    return number


def fraction_param(value, name: str) -> float | None:
    """None (estimate it) or a smoothing parameter in [0, 1]."""
    if value is None:
        return None
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ForecastError(f"{name} must be between 0 and 1 (got {number}).")
    return number


@contextmanager
def caught_warnings(notes: list[str], label: str):
    """Run a statsmodels fit; turn its convergence warnings into a sentence for the user."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    messages = " ".join(str(w.message) for w in caught).lower()
    if "converge" in messages:
        notes.append(f"{label}: the optimiser did not fully converge, so the estimates may be poor. "
                     "Try other orders, a transform, or a longer training part.")
