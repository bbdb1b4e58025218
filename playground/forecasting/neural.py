"""Neural forecasters: NARN (a small fully connected net on the last d lags), LSTM and GRU.

The only forecasting module that imports torch; `playground.forecasting` imports it when a neural
method runs, so the classical methods never pay for torch.

Every model maps a window x<t> = (y<t−d>, …, y<t−1>) of the (scaled) series to y-hat<t>:
    NARN:       y-hat<t> = W_2 tanh(W_1 x<t> + b_1) + b_2
    LSTM / GRU: the cell reads y<t−d> … y<t−1> one step at a time; y-hat<t> = W_ya a<t> + b_y
The series is scaled to mean 0 and standard deviation 1 on the training part (and, optionally,
differenced first, so that the net learns the changes and a trend can continue). Multi-step
forecasts are recursive: each forecast becomes the newest input. Prediction intervals come from
`PATHS` simulated futures, each step adding a residual drawn from the training residuals
(the bootstrap used by FPP3 §12.4 for NNAR models).
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from playground import training
from playground.forecasting.core import ForecastError, RawForecast, int_param, sample_intervals

KINDS = ("narn", "lstm", "gru")
MAX_LAGS = 120
MAX_HIDDEN = 128
MAX_EPOCHS = 1000
MAX_WINDOWS = 1500  # the most recent windows only: enough to learn from, quick enough for a lecture
PATHS = 200
NAMES = {"narn": "NARN", "lstm": "LSTM", "gru": "GRU"}
FORMULAS = {
    "narn": r"\hat y^{\langle t\rangle} = W_2 \tanh\!\left(W_1\, x^{\langle t\rangle} + b_1\right) + b_2,"
            r"\qquad x^{\langle t\rangle} = \left(y^{\langle t-1\rangle}, \dots, y^{\langle t-d\rangle}\right)",
    "lstm": r"a^{\langle t\rangle} = \mathrm{LSTM}\!\left(y^{\langle t-d\rangle}, \dots, y^{\langle t-1\rangle}\right),"
            r"\qquad \hat y^{\langle t\rangle} = W_{ya}\, a^{\langle t\rangle} + b_y",
    "gru": r"a^{\langle t\rangle} = \mathrm{GRU}\!\left(y^{\langle t-d\rangle}, \dots, y^{\langle t-1\rangle}\right),"
           r"\qquad \hat y^{\langle t\rangle} = W_{ya}\, a^{\langle t\rangle} + b_y",
}

NOTATION = {
    "lstm": "The cell is PyTorch's nn.LSTM: its gates i, f, o and candidate g are the course's Γ_u, Γ_f, Γ_o and c̃<t>; "
            "its cell state is c<t> and its hidden state is a<t>.",
    "gru": "The cell is PyTorch's nn.GRU: its r is the course's Γ_r, and its z is 1 − Γ_u (PyTorch keeps the old state "
           "with weight z, the course with 1 − Γ_u); its hidden state is a<t>.",
}


class NARN(nn.Module):
    def __init__(self, lags: int, hidden_size: int):
        super().__init__()
        self.hidden = nn.Linear(lags, hidden_size)  # W_1, b_1
        self.output = nn.Linear(hidden_size, 1)  # W_2, b_2

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (batch, d) -> (batch,)
        return self.output(torch.tanh(self.hidden(x))).squeeze(-1)


class RecurrentForecaster(nn.Module):
    def __init__(self, kind: str, hidden_size: int):
        super().__init__()
        cell = nn.LSTM if kind == "lstm" else nn.GRU
        self.cell = cell(input_size=1, hidden_size=hidden_size, batch_first=True)
        self.output = nn.Linear(hidden_size, 1)  # W_ya, b_y

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (batch, d) -> (batch,)
        states, _ = self.cell(x.unsqueeze(-1))  # a<1> … a<d>, oldest input first
        return self.output(states[:, -1]).squeeze(-1)


def build(kind: str, lags: int, hidden_size: int) -> nn.Module:
    return NARN(lags, hidden_size) if kind == "narn" else RecurrentForecaster(kind, hidden_size)


def windows(z: np.ndarray, lags: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (z_(t−d) … z_(t−1)) and targets z_t for every t with a full window."""
    inputs = np.lib.stride_tricks.sliding_window_view(z[:-1], lags)
    return inputs.astype(np.float32), z[lags:].astype(np.float32)


def neural(y: np.ndarray, horizon: int, kind: str = "narn", lags: int = 12, hidden_size: int = 16,
           epochs: int = 200, seed: int = 0, lr: float = 0.01, differences: int = 1,
           progress=None) -> RawForecast:
    if kind not in KINDS:
        raise ForecastError(f"Unknown neural forecaster '{kind}'.")
    lags = int_param(lags, "The history length d", 1, MAX_LAGS)
    hidden_size = int_param(hidden_size, "The hidden size", 1, MAX_HIDDEN)
    epochs = int_param(epochs, "The number of epochs", 1, MAX_EPOCHS)
    seed = int_param(seed, "The seed", 0, 2**31 - 1)
    differences = int_param(differences, "The number of differences", 0, 1)
    lr = float(lr)
    if not 1e-5 <= lr <= 1.0:
        raise ForecastError("The learning rate must be between 0.00001 and 1.")
    work = np.diff(y) if differences else y
    if len(work) < lags + 10:
        raise ForecastError(f"{NAMES[kind]} with a history of d = {lags} needs at least {lags + 10 + differences} "
                            f"training points; there are {len(y)}. Use a shorter history.")
    centre = float(np.mean(work))
    scale = float(np.std(work)) or 1.0
    z = (work - centre) / scale
    inputs, targets = windows(z, lags)
    inputs, targets = inputs[-MAX_WINDOWS:], targets[-MAX_WINDOWS:]
    x, target = torch.from_numpy(np.ascontiguousarray(inputs)), torch.from_numpy(targets)

    training.seed_everything(seed)
    model = build(kind, lags, hidden_size)

    def batch_loss(indices: torch.Tensor, epoch: int) -> torch.Tensor:
        return torch.mean((model(x[indices]) - target[indices]) ** 2)

    start = time.perf_counter()
    history = training.fit(model, batch_loss, len(target), epochs, lr=lr, batch_size=min(64, len(target)),
                           progress=progress, seed=seed)
    with torch.no_grad():
        in_sample = model(x).numpy().astype(float)
        residuals = targets.astype(float) - in_sample
        mean_z = _recursive(model, z[-lags:][None, :], horizon, None, None)[0]
        rng = np.random.default_rng(seed)
        paths_z = _recursive(model, np.repeat(z[-lags:][None, :], PATHS, axis=0), horizon, residuals, rng)
    seconds = time.perf_counter() - start

    def to_scale(values):  # z back to the scale of `work`
        return values * scale + centre

    mean, paths = to_scale(mean_z), to_scale(paths_z)
    fitted = np.full(len(y), np.nan)
    first = len(y) - len(in_sample)
    if differences:
        mean = y[-1] + np.cumsum(mean)
        paths = y[-1] + np.cumsum(paths, axis=1)
        fitted[first:] = y[first - 1:-1] + to_scale(in_sample)
    else:
        fitted[first:] = to_scale(in_sample)
    lower, upper = sample_intervals(paths.T)
    params = {"d (history length)": lags, "hidden size": hidden_size, "epochs": epochs, "seed": seed,
              "learning rate": lr, "learns": "changes y_t − y_(t−1)" if differences else "levels y_t",
              "training windows": len(target), "weights": sum(p.numel() for p in model.parameters())}
    details = {"losses": history.losses, "seconds": seconds, "training_seconds": history.seconds,
               "formula": FORMULAS[kind], "kind": kind}
    return RawForecast(mean, lower, upper, fitted=fitted, params=params, details=details)


def _recursive(model: nn.Module, window: np.ndarray, horizon: int, residuals, rng) -> np.ndarray:
    """Forecast `horizon` steps for each row of `window`, feeding each forecast back as the newest input.

    With residuals, a bootstrapped residual is added at each step (one simulated future per row).
    """
    current = torch.from_numpy(np.ascontiguousarray(window, dtype=np.float32))
    out = np.empty((window.shape[0], horizon))
    for step in range(horizon):
        value = model(current).numpy().astype(float)
        if residuals is not None:
            value = value + rng.choice(residuals, size=len(value))
        out[:, step] = value
        current = torch.cat([current[:, 1:], torch.from_numpy(value.astype(np.float32))[:, None]], dim=1)
    return out
