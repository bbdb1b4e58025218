"""Windows for sequence-to-sequence forecasting: see the last T_x values, predict the next T_y.

Two sources: the course's sine task (a generated wave, optionally noisy) and a user's series.
The split is chronological (the test windows come after the training ones, as in real forecasting)
and a user's series is standardised with the mean and spread of its training part only, so that
nothing about the test period leaks into training.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from playground import data

HISTORY_RANGE = (2, 60)
HORIZON_RANGE = (1, 30)
FREQUENCY_RANGE = (0.01, 0.25)
NOISE_RANGE = (0.0, 0.5)
SINE_POINTS = 400
TEST_FRACTION = 0.2
MIN_TRAIN_WINDOWS = 8
MAX_WINDOWS = 500


class WindowError(ValueError):
    """The settings or the series cannot give training and test windows; the message says what to change."""


@dataclass(frozen=True)
class Scaling:
    mean: float = 0.0
    std: float = 1.0

    def apply(self, values):
        return (values - self.mean) / self.std

    def invert(self, values):
        return values * self.std + self.mean


@dataclass
class Windows:
    """Inputs (N, T_x, 1) and targets (N, T_y, 1), float32, in scaled units."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    values: np.ndarray          # the whole scaled series the windows were cut from
    index: pd.Index             # its time axis (dates or positions)
    split: int                  # values[split:] is the test period
    test_starts: np.ndarray     # position in `values` of each test window's first input
    train_starts: np.ndarray
    scaling: Scaling
    fingerprint: str            # identifies the data and window settings (part of every training cache key)
    period: float | None = None  # steps per cycle, for the sine task only

    def phase_of(self, starts: np.ndarray) -> np.ndarray:
        """The sine's phase (degrees) at each window's last input x⟨T_x⟩."""
        return (360.0 * (starts + self.history - 1) / self.period) % 360

    @property
    def history(self) -> int:
        return self.x_train.shape[1]

    @property
    def horizon(self) -> int:
        return self.y_train.shape[1]

    def all_inputs(self) -> tuple[torch.Tensor, np.ndarray]:
        """Every window's input (train then test) and its start position, for the encoding picture."""
        return torch.cat([self.x_train, self.x_test]), np.concatenate([self.train_starts, self.test_starts])

    def shift_limit(self, n: int, count: int) -> int:
        """The largest useful `shift` for `spread`: beyond it the same picture repeats."""
        spacing = int(np.ceil(self.period / count)) if self.period is not None else n // max(count, 1)
        return max(0, min(spacing, n) - 1)

    def spread(self, starts: np.ndarray, count: int, shift: int = 0) -> list[int]:
        """Positions in `starts` of `count` windows worth comparing, moved along by `shift` steps.

        Sine: windows at phases evenly around the cycle (nearby windows of a sine all look alike);
        otherwise: windows evenly spread in time.
        """
        n = len(starts)
        count = min(count, n)
        if self.period is not None:
            phases = self.phase_of(starts)
            targets = (360.0 * shift / self.period + 360.0 * np.arange(count) / count) % 360
            distance = np.abs((phases[None, :] - targets[:, None] + 180) % 360 - 180)
            return [int(i) for i in np.argmin(distance, axis=1)]
        spacing = max(1, n // count)
        return [min(n - 1, shift + k * spacing) for k in range(count)]

    def end_label(self, start: int) -> str:
        """When a window's last input x⟨T_x⟩ was observed: its date, or its position."""
        stamp = self.index[int(start) + self.history - 1]
        if isinstance(stamp, pd.Timestamp):
            return stamp.strftime("%Y-%m-%d %H:%M") if (stamp.hour or stamp.minute) else stamp.strftime("%Y-%m-%d")
        return f"t = {stamp}"

    def share_outside_training_range(self) -> float:
        """The share of test-period values above the training part's maximum or below its minimum."""
        train, test = self.values[: self.split], self.values[self.split:]
        return float(np.mean((test > train.max()) | (test < train.min()))) if len(test) else 0.0

    def describe(self, starts: np.ndarray) -> tuple[np.ndarray, str]:
        """A number per window to colour it by: the sine's phase, or the last value the window saw."""
        if self.period is not None:
            return self.phase_of(starts), "phase of x⟨T_x⟩ (°)"
        last = self.scaling.invert(self.values[starts + self.history - 1])
        return last, "last value seen"


def _check_range(name: str, value, bounds) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise WindowError(f"{name} must be between {low} and {high} (got {value}).")


def _cut(values: np.ndarray, starts: np.ndarray, history: int, horizon: int) -> tuple[torch.Tensor, torch.Tensor]:
    offsets_x = starts[:, None] + np.arange(history)[None, :]
    offsets_y = starts[:, None] + history + np.arange(horizon)[None, :]
    as_tensor = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).unsqueeze(-1)
    return as_tensor(values[offsets_x]), as_tensor(values[offsets_y])


def _thin(starts: np.ndarray, limit: int) -> np.ndarray:
    """Every k-th window when there are too many: training time grows with the number of windows."""
    if len(starts) <= limit:
        return starts
    return starts[np.linspace(0, len(starts) - 1, limit).round().astype(int)]


def make_windows(values: np.ndarray, index: pd.Index, history: int, horizon: int, split: int,
                 scaling: Scaling, fingerprint: str, period: float | None = None,
                 max_windows: int = MAX_WINDOWS) -> Windows:
    """Training windows lie wholly before `split`; test windows predict values at or after it."""
    n = len(values)
    last_start = n - history - horizon
    train_starts = np.arange(0, split - history - horizon + 1)
    test_starts = np.arange(max(0, split - history), last_start + 1)
    if len(train_starts) < MIN_TRAIN_WINDOWS:
        longest = split - MIN_TRAIN_WINDOWS + 1  # history + horizon that still leaves enough windows
        if longest < 3:
            raise WindowError(
                f"The training part has only {split} values: too few to cut {MIN_TRAIN_WINDOWS} training windows "
                f"of even 2 + 1 values (it needs at least {MIN_TRAIN_WINDOWS + 2}). Use a longer series, or a "
                "smaller test part."
            )
        raise WindowError(
            f"The training part ({split} values) has room for only {max(len(train_starts), 0)} window(s) of "
            f"{history} + {horizon} values; at least {MIN_TRAIN_WINDOWS} are needed, so history + horizon can be "
            f"at most {longest} (now {history + horizon}). Shorten the history or the horizon, or use a longer series."
        )
    if len(test_starts) < 1:
        raise WindowError(
            f"The test part ({n - split} values) is shorter than the horizon ({horizon}). Choose a horizon of at most "
            f"{max(1, n - split)}, or a larger test part."
        )
    train_starts = _thin(train_starts, max_windows)
    test_starts = _thin(test_starts, max(1, max_windows // 4))
    x_train, y_train = _cut(values, train_starts, history, horizon)
    x_test, y_test = _cut(values, test_starts, history, horizon)
    key = f"{fingerprint}|{history}|{horizon}|{split}|{len(train_starts)}|{len(test_starts)}"
    return Windows(x_train, y_train, x_test, y_test, values, index, split, test_starts, train_starts, scaling,
                   hashlib.sha1(key.encode()).hexdigest()[:16], period)


def sine_windows(history: int = 5, horizon: int = 5, frequency: float = 0.05, noise: float = 0.0,
                 n_points: int = SINE_POINTS, test_fraction: float = TEST_FRACTION, seed: int = 0) -> Windows:
    """The course's task: x⟨t⟩ = sin(2π f t) + noise, t = 0, 1, ...; see `history` values, predict `horizon`.

    `frequency` f is in cycles per time step (0.05: one cycle every 20 steps); `noise` is the
    standard deviation of Gaussian noise added to every value (seeded). The wave is already in
    [-1, 1], so it is not rescaled.
    """
    _check_range("History", history, HISTORY_RANGE)
    _check_range("Horizon", horizon, HORIZON_RANGE)
    _check_range("Frequency", frequency, FREQUENCY_RANGE)
    _check_range("Noise", noise, NOISE_RANGE)
    t = np.arange(n_points)
    rng = np.random.default_rng(seed)
    values = np.sin(2 * np.pi * frequency * t) + noise * rng.standard_normal(n_points)
    split = int(round(n_points * (1 - test_fraction)))
    fingerprint = f"sine|{n_points}|{frequency!r}|{noise!r}|{seed}|{test_fraction!r}"
    return make_windows(values, pd.RangeIndex(n_points), history, horizon, split, Scaling(), fingerprint, 1 / frequency)


def series_windows(series: pd.Series, history: int = 12, horizon: int = 6,
                   test_fraction: float = TEST_FRACTION) -> Windows:
    """Windows from a user's series: chronological split, standardised with the training part's mean and std."""
    _check_range("History", history, HISTORY_RANGE)
    _check_range("Horizon", horizon, HORIZON_RANGE)
    if not 0.05 <= test_fraction <= 0.5:
        raise WindowError("The test part must be between 5% and 50% of the series.")
    raw = series.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(raw)):
        raise WindowError("The series has missing or infinite values; the windows need every value.")
    split = int(round(len(raw) * (1 - test_fraction)))
    train_part = raw[:split]
    with np.errstate(over="ignore", invalid="ignore"):
        centre = float(np.mean(train_part)) if len(train_part) else 0.0
        spread = float(np.std(train_part)) if len(train_part) else 0.0
    if not (np.isfinite(centre) and np.isfinite(spread)):
        largest = int(np.argmax(np.abs(raw)))
        raise WindowError(
            f"The values are too large to scale: the training part's standard deviation overflows (the largest "
            f"value is {raw[largest]:.3g}, at {series.index[largest]}). Correct the value if it is a typo, or "
            "rescale the series (e.g. divide it by a million)."
        )
    if len(train_part) < 2 or spread == 0.0:
        raise WindowError("The training part of the series is constant (or too short): there is nothing to learn. "
                          "Pick a series that changes.")
    scaling = Scaling(centre, spread)
    return make_windows(scaling.apply(raw), series.index, history, horizon, split, scaling,
                        f"series|{data.fingerprint(series)}|{test_fraction!r}")
