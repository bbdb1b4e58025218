"""Toy tasks where LSTM/GRU gates have a visible meaning, the small models that learn them, and their traces.

Each task makes seeded (inputs, targets, mask) tensors: inputs (N, T, n_x), targets (N, T, n_y),
and a mask (N, T) of the steps the loss looks at. A `GateModel` (an LSTM, PyTorch's full GRU or the course's
simplified GRU, possibly stacked, plus a linear read-out ŷ<t> = W_ya a<t> + b_y) learns it with
`playground.training.fit`; `trace_example` replays one sequence through `playground.cells` for the page to
animate, and `playground.gate_reading` measures what the trained gates do.

- remember:  random numbers stream past; remember the one marked "store", say it when "recall" arrives.
- count:     count the 1s seen so far.
- agreement: "the cat(s) <gap words> ___": choose "was" or "were" after the gap.
- series:    predict the next value of a time series (a sample dataset or the user's own upload).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from playground import cells
from playground.training import History, fit

KINDS = ("LSTM", "GRU", "simplified GRU")  # the full GRU is PyTorch's nn.GRU; the simplified one is the course's
KIND_NAMES = {  # what each cell is, in one line (the page and the tables say it the same way)
    "LSTM": "LSTM (PyTorch's nn.LSTM)",
    "GRU": "full GRU (PyTorch's nn.GRU)",
    "simplified GRU": "the course's simplified GRU (no Γ_r)",
}
LIMITS = {  # bounds on everything a user can set: (min, max, default)
    "hidden_size": (1, 32, 4),
    "num_layers": (1, 3, 1),
    "epochs": (1, 400, 0),  # default per task
    "seed": (0, 9999, 0),
}
MAX_SERIES_POINTS = 1_500  # the most recent points of a long series: enough to learn, seconds to train
TEST_FRACTION = 0.2


class GateTaskError(ValueError):
    """The settings or the data cannot make this task; the message says what to change."""


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    about: str  # the task, in plain words
    stories: dict  # per cell kind: the textbook solution, what the gates should learn to do
    length: tuple[int, int, int]  # sequence length T: (min, max, default)
    epochs: int  # default number of epochs
    n_samples: int
    classify: bool = False

    def story(self, kind: str) -> str:
        return f"{self.about} {self.stories[kind]}"


REMEMBER = ("Random numbers stream past. One is marked **store**; the model must say nothing (0) until the "
            "**recall** cue arrives, and then say the stored number.")
COUNT = "A stream of 0s and 1s; after every step the model says how many 1s it has seen so far."
AGREEMENT = ("“the cat … was” / “the cats … were”: the words in between do not matter, the model has to choose the "
             "verb at the slot “___”.")
SERIES = ("One step ahead: from x⟨1…t⟩ predict x⟨t+1⟩, on a window of the dataset chosen in the sidebar (a sample, "
          "or your uploaded CSV). Values are standardised first.")
_GRU_COUNT = ("A unit whose c⟨t⟩ moves a step at every 1 and stays flat on a 0: Γ_u opens "
              "wider when a 1 arrives (write) and 1 − Γ_u keeps the rest.")
_GRU_AGREEMENT = ("The state takes in singular or plural at the noun (Γ_u opens there) and "
                  "keeps it through the gap (1 − Γ_u high), so that some units' c⟨t⟩ end up clearly different for "
                  "a singular and a plural sentence.")
_GRU_SERIES = "Watch which units follow the level, and how much of each new value Γ_u lets in."
TASKS = {
    task.key: task
    for task in [
        Task("remember", "Remember a value until a cue arrives", REMEMBER, {
            "LSTM": "The update gate Γ_u opens at the store step to write the value, the "
                    "forget gate Γ_f drops there to clear the old content and then stays high to keep c⟨t⟩ while "
                    "it waits, and the output gate Γ_o opens at the recall step to show it.",
            "GRU": "The update gate Γ_u opens at the store step to write the value into c⟨t⟩ "
                   "and stays near 0 while it waits (1 − Γ_u close to 1 keeps c⟨t⟩). The GRU has no output gate: "
                   "at the recall step some unit opens its Γ_u to put the answer out, and its relevance gate Γ_r "
                   "lets c⟨t−1⟩ into its candidate.",
            "simplified GRU": "The update gate Γ_u opens at the store step to write the "
                              "value into c⟨t⟩ and stays near 0 while it waits (1 − Γ_u close to 1 keeps c⟨t⟩). "
                              "There is neither an output gate nor a relevance gate: at the recall step some unit "
                              "has to open its Γ_u to put the answer out.",
        }, (8, 40, 16), 80, 512),
        Task("count", "Count the 1s", COUNT, {
            "LSTM": "The cell works as a counter: a unit whose c⟨t⟩ climbs a step at every 1 "
                    "and stays flat on a 0; its Γ_f stays high (keep the count) and Γ_u is larger when a 1 arrives.",
            "GRU": _GRU_COUNT,
            "simplified GRU": _GRU_COUNT,
        }, (8, 40, 16), 80, 512),
        Task("agreement", "Singular/plural agreement across a gap", AGREEMENT, {
            "LSTM": "The cell stores singular or plural at the noun (Γ_u opens), keeps it "
                    "through the gap (Γ_f high) and shows it (Γ_o opens) at “___”, so that some units' c⟨t⟩ end "
                    "up clearly different for a singular and a plural sentence.",
            "GRU": _GRU_AGREEMENT,
            "simplified GRU": _GRU_AGREEMENT,
        }, (5, 24, 10), 30, 512, classify=True),
        Task("series", "Predict your own series", SERIES, {
            "LSTM": "Watch which units follow the level, and how much Γ_f keeps and Γ_u writes at each step.",
            "GRU": _GRU_SERIES,
            "simplified GRU": _GRU_SERIES,
        }, (8, 60, 24), 150, 400),
    ]
}
DEFAULT_TASK = "remember"

SINGULAR = ["cat", "dog", "key", "child", "bird"]
PLURAL = ["cats", "dogs", "keys", "children", "birds"]
FILLERS = ["that", "sat", "on", "the", "old", "red", "near", "quietly", "today", "again", "very", "big"]
VOCABULARY = ["the"] + SINGULAR + PLURAL + FILLERS + ["___"]
VERBS = ["was", "were"]


@dataclass
class TaskData:
    inputs: torch.Tensor  # (N, T, n_x)
    targets: torch.Tensor  # (N, T, n_y); class index in channel 0 for classification
    mask: torch.Tensor  # (N, T) bool: the steps the loss and the score look at
    input_names: list[str]  # one per input channel
    labels: list[list[str]]  # per sequence, one short label per step (for the time axis)
    target_name: str
    classify: bool = False
    scale: tuple[float, float] = (0.0, 1.0)  # (mean, std) used to standardise a series
    quiet: bool = False  # the unmasked steps must output 0 (their loss weighs as much as the masked steps')

    @property
    def n_x(self) -> int:
        return self.inputs.shape[2]

    @property
    def n_y(self) -> int:
        return len(VERBS) if self.classify else self.targets.shape[2]


# --------------------------------------------------------------------------- the tasks


def _check_length(task: Task, length: int) -> int:
    low, high, _ = task.length
    if not low <= int(length) <= high:
        raise GateTaskError(f"The sequence length for “{task.title}” must be between {low} and {high}.")
    return int(length)


def remember_task(length: int, n: int, seed: int) -> TaskData:
    """Channels: value (a random number every step), store flag, recall flag.

    Target: the stored value at the recall step and 0 everywhere else ("say nothing until asked"), so
    the output gate has a job too. The recall step's error weighs as much as all the quiet steps'.
    """
    g = torch.Generator().manual_seed(seed)
    values = torch.rand(n, length, generator=g) * 2 - 1
    store = torch.randint(0, max(1, length - 3), (n,), generator=g)
    gap = torch.rand(n, generator=g)
    recall = store + 2 + (gap * (length - 2 - store).float()).long()  # at least 2 steps after store
    recall = torch.clamp(recall, max=length - 1)
    rows = torch.arange(n)
    inputs = torch.zeros(n, length, 3)
    inputs[:, :, 0] = values
    inputs[rows, store, 1] = 1.0
    inputs[rows, recall, 2] = 1.0
    inputs[rows, recall, 0] = 0.0  # nothing to read at the recall step but the cue itself
    targets = torch.zeros(n, length, 1)
    targets[rows, recall, 0] = values[rows, store]
    mask = torch.zeros(n, length, dtype=torch.bool)
    mask[rows, recall] = True
    labels = [["store" if t == s else "recall" if t == r else f"{inputs[i, t, 0]:+.1f}" for t in range(length)]
              for i, (s, r) in enumerate(zip(store.tolist(), recall.tolist()))]
    return TaskData(inputs, targets, mask, ["value", "store", "recall"], labels, "stored value", quiet=True)


def count_task(length: int, n: int, seed: int) -> TaskData:
    """One channel of 0/1 (a 1 with probability 0.3); target: the number of 1s so far, at every step."""
    g = torch.Generator().manual_seed(seed)
    bits = (torch.rand(n, length, generator=g) < 0.3).float()
    targets = torch.cumsum(bits, dim=1).unsqueeze(-1)
    labels = [[str(int(b)) for b in row] for row in bits.tolist()]
    return TaskData(bits.unsqueeze(-1), targets, torch.ones(n, length, dtype=torch.bool), ["bit"], labels,
                    "count so far")


def agreement_task(length: int, n: int, seed: int) -> TaskData:
    """One-hot words: “the <noun> <length − 3 filler words> ___”; at “___” predict was (0) or were (1)."""
    g = torch.Generator().manual_seed(seed)
    plural = torch.randint(0, 2, (n,), generator=g)
    nouns = torch.randint(0, len(SINGULAR), (n,), generator=g)
    fillers = torch.randint(0, len(FILLERS), (n, length - 3), generator=g)
    index = {word: i for i, word in enumerate(VOCABULARY)}
    words = [["the", (PLURAL if p else SINGULAR)[k]] + [FILLERS[f] for f in row] + ["___"]
             for p, k, row in zip(plural.tolist(), nouns.tolist(), fillers.tolist())]
    ids = torch.tensor([[index[w] for w in sentence] for sentence in words])
    inputs = torch.nn.functional.one_hot(ids, len(VOCABULARY)).float()
    targets = torch.zeros(n, length, 1)
    targets[:, -1, 0] = plural.float()
    mask = torch.zeros(n, length, dtype=torch.bool)
    mask[:, -1] = True
    return TaskData(inputs, targets, mask, list(VOCABULARY), words, "verb (0 = was, 1 = were)", classify=True)


SPARE_POINTS = 10  # a series needs this many points beyond one window, so that there are windows to hold out


def series_task(series: pd.Series, length: int, n: int, seed: int) -> TaskData:
    """Windows of the standardised series; at every step the target is the next value."""
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)[-MAX_SERIES_POINTS:]
    index = series.index[-len(values):]
    if np.isnan(values).any():
        raise GateTaskError("The series has missing values; pick the value column again or fill the gaps.")
    if not np.isfinite(values).all():
        raise GateTaskError(f"The series has infinite values (at {_where(index, ~np.isfinite(values))}); "
                            "remove them from the file.")
    if len(values) < length + SPARE_POINTS:
        low = TASKS["series"].length[0]
        if len(values) < low + SPARE_POINTS:
            raise GateTaskError(f"The series has {len(values)} points: too short for this task, which needs at "
                                f"least {low + SPARE_POINTS} (windows of {low} or more steps, and more windows "
                                "to hold out). Choose a longer series.")
        raise GateTaskError(f"The series has {len(values)} points: too short for windows of {length} steps. "
                            f"Choose a sequence length T of at most {len(values) - SPARE_POINTS} under "
                            "“Model and training”.")
    train_end = int(len(values) * (1 - TEST_FRACTION))
    with np.errstate(over="ignore", invalid="ignore"):
        mean, std = float(values[:train_end].mean()), float(values[:train_end].std())
    if not (np.isfinite(mean) and np.isfinite(std)):
        largest = np.abs(values) == np.abs(values).max()
        raise GateTaskError(f"The values are too large to compute with (up to {np.abs(values).max():.3g}, at "
                            f"{_where(index, largest)}): their spread overflows. Check that value for a typing or "
                            "unit error, or rescale the column (for example divide it by a power of ten).")
    if std <= 1e-12 * max(abs(mean), np.finfo(float).tiny):
        raise GateTaskError("The training part of the series (its first 80 %) is constant: there is nothing to "
                            "learn from. Choose another column or dataset.")
    scaled = torch.tensor((values - mean) / std, dtype=torch.float32)
    starts = np.arange(len(values) - length)  # window [s, s + length) and targets [s + 1, s + length]
    if len(starts) > n:  # spread the windows over the whole span, always keeping the most recent
        starts = np.unique(np.linspace(0, starts[-1], n).round().astype(int))
    windows = torch.stack([scaled[s:s + length + 1] for s in starts])
    labels = [[_stamp(index[s + t]) for t in range(length)] for s in starts]
    return TaskData(windows[:, :-1].unsqueeze(-1), windows[:, 1:].unsqueeze(-1),
                    torch.ones(len(starts), length, dtype=torch.bool), ["x<t> (standardised)"], labels,
                    "next value", scale=(mean, std))


def _where(index, mask: np.ndarray, most: int = 3) -> str:
    """The first few positions where `mask` holds, as the user's dates (or row numbers)."""
    places = [_stamp(index[i]) for i in np.flatnonzero(mask)[:most]]
    more = int(mask.sum()) - len(places)
    return ", ".join(places) + (f" and {more} more" if more > 0 else "")


def _stamp(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    return str(value)


def make_task(key: str, length: int, seed: int = 0, series: pd.Series | None = None) -> TaskData:
    task = TASKS.get(key)
    if task is None:
        raise GateTaskError(f"Unknown task {key!r}; choose one of {', '.join(TASKS)}.")
    length = _check_length(task, length)
    if key == "series":
        if series is None:
            raise GateTaskError("Choose a dataset (or upload a CSV) in the sidebar first.")
        return series_task(series, length, task.n_samples, seed)
    return {"remember": remember_task, "count": count_task, "agreement": agreement_task}[key](
        length, task.n_samples, seed)


# --------------------------------------------------------------------------- the model


MODULES = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "simplified GRU": cells.SimpleGRU}


class GateModel(torch.nn.Module):
    """x<t> → LSTM/GRU (1–3 layers) → a<t> → ŷ<t> = W_ya a<t> + b_y, at every step."""

    def __init__(self, kind: str, n_x: int, hidden_size: int, n_y: int, num_layers: int = 1):
        super().__init__()
        if kind not in KINDS:
            raise GateTaskError(f"kind must be one of {KINDS}")
        low, high, _ = LIMITS["hidden_size"]
        if not low <= hidden_size <= high:
            raise GateTaskError(f"The number of hidden units must be between {low} and {high}.")
        low, high, _ = LIMITS["num_layers"]
        if not low <= num_layers <= high:
            raise GateTaskError(f"The number of layers must be between {low} and {high}.")
        self.kind = kind
        self.rnn = MODULES[kind](n_x, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, n_y)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.rnn(x)
        return self.head(hidden)


def _task_loss(model: GateModel, data: TaskData, rows) -> torch.Tensor:
    output = model(data.inputs[rows])
    mask = data.mask[rows]
    targets = data.targets[rows]
    if data.classify:
        return torch.nn.functional.cross_entropy(output[mask], targets[mask][:, 0].long())
    loss = torch.nn.functional.mse_loss(output[mask], targets[mask])
    if data.quiet:
        loss = loss + torch.nn.functional.mse_loss(output[~mask], targets[~mask])
    return loss


def score(model: GateModel, data: TaskData, rows=None) -> dict:
    """Loss on `rows`, and the task's own score: accuracy (agreement, count) or error in the task's units."""
    rows = torch.arange(len(data.inputs)) if rows is None else rows
    with torch.no_grad():
        output = model(data.inputs[rows])
        mask = data.mask[rows]
        loss = float(_task_loss(model, data, rows))
        if data.classify:
            right = output[mask].argmax(-1) == data.targets[rows][mask][:, 0]
            return {"loss": loss, "accuracy": float(right.float().mean())}
        error = (output[mask] - data.targets[rows][mask]).abs()
        if data.target_name == "count so far":
            return {"loss": loss, "accuracy": float((error < 0.5).float().mean())}
        return {"loss": loss, "mae": float(error.mean()) * data.scale[1]}


@dataclass
class GateRun:
    """A trained (or untrained) model with the data it learned; what the page caches and draws."""

    task: str
    kind: str
    model: GateModel
    data: TaskData
    test_rows: torch.Tensor
    history: History = field(default_factory=History)
    trained: bool = True
    test_score: dict = field(default_factory=dict)


def split(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The last 20 % of the samples are held out (for a series: the most recent windows)."""
    cut = int(n * (1 - TEST_FRACTION))
    return torch.arange(cut), torch.arange(cut, n)


def build(task: str, kind: str, hidden_size: int, num_layers: int, length: int, seed: int = 0,
          series: pd.Series | None = None) -> GateRun:
    """The task's data and a seeded, untrained model: what the page shows before training."""
    data = make_task(task, length, seed, series)
    torch.manual_seed(seed)
    model = GateModel(kind, data.n_x, hidden_size, data.n_y, num_layers).eval()
    _, test_rows = split(len(data.inputs))
    run = GateRun(task, kind, model, data, test_rows, trained=False)
    run.test_score = score(model, data, test_rows)
    return run


def train(task: str, kind: str, hidden_size: int, num_layers: int, length: int, epochs: int | None = None,
          seed: int = 0, series: pd.Series | None = None, progress=None) -> GateRun:
    """Train the task's model with `playground.training.fit` (Adam, mini-batches of 64, seeded)."""
    run = build(task, kind, hidden_size, num_layers, length, seed, series)
    epochs = TASKS[task].epochs if epochs is None else int(epochs)
    low, high, _ = LIMITS["epochs"]
    if not low <= epochs <= high:
        raise GateTaskError(f"The number of epochs must be between {low} and {high}.")
    train_rows, test_rows = split(len(run.data.inputs))
    model, data = run.model, run.data
    run.history = fit(model, lambda rows, epoch: _task_loss(model, data, train_rows[rows]), len(train_rows),
                      epochs, lr=1e-2, batch_size=64, validate=lambda: score(model, data, test_rows)["loss"],
                      progress=progress, seed=seed)
    run.trained = True
    run.test_score = score(model, data, test_rows)
    return run


# --------------------------------------------------------------------------- one sequence, traced


@dataclass
class ExampleTrace:
    """One sequence replayed through the model: per-layer gate traces as numpy (T, H) arrays."""

    kind: str
    layers: list[dict[str, np.ndarray]]  # cells.lstm_trace / gru_trace keys, plus pre-activations
    inputs: np.ndarray  # (T, n_x)
    labels: list[str]  # one per step, for the time axis
    target: np.ndarray  # (T,) the task's target (NaN where the loss does not look)
    prediction: np.ndarray  # (T,) ŷ<t> (for agreement: P(were))
    target_name: str
    input_values: np.ndarray | None  # (T,) the numeric input channel, drawn under the gates (None for words)
    input_name: str = "x<t>"

    def step_text(self, t: int) -> str:
        """What x<t> is at step t, for the diagram: the word, the number, or the marker with its number."""
        label = self.labels[t]
        if self.input_values is None:
            return label
        try:
            float(label)
            return label
        except ValueError:
            return f"{label}, {self.input_values[t]:+.2f}"


def trace_example(run: GateRun, index: int) -> ExampleTrace:
    """Replay test sequence `index` through `playground.cells` (every gate recomputed from the weights)."""
    row = int(run.test_rows[int(index) % len(run.test_rows)])
    x = run.data.inputs[row]
    layers = cells.stacked_trace(run.model.rnn, x, preactivations=True)
    with torch.no_grad():
        output = run.model.head(layers[-1]["hidden"])
    if run.data.classify:
        prediction = torch.softmax(output, -1)[:, 1].numpy()
    else:
        prediction = output[:, 0].numpy()
    target = run.data.targets[row, :, 0].numpy().copy()
    if not run.data.quiet:
        target[~run.data.mask[row].numpy()] = np.nan
    values = None if run.data.classify else x[:, 0].numpy()
    return ExampleTrace(run.kind, [{k: v.numpy() for k, v in layer.items()} for layer in layers], x.numpy(),
                        list(run.data.labels[row]), target, prediction, run.data.target_name, values,
                        run.data.input_names[0])


def busiest_unit(example: ExampleTrace, layer: int = 0) -> int:
    """The unit whose cell c⟨t⟩ moves most over this sequence: usually the one doing the task's memory work."""
    cell = example.layers[layer]["cell" if example.kind == "LSTM" else "hidden"]
    return int(np.argmax(np.ptp(cell, axis=0)))


def default_example(run: GateRun) -> int:
    """The test sequence the page opens with: for `remember` a large value kept over a long gap (the
    gates are easiest to read there); for a series the most recent window; otherwise the first."""
    if run.task == "series":
        return len(run.test_rows) - 1
    if run.task != "remember":
        return 0
    data, rows = run.data, run.test_rows
    store = data.inputs[rows, :, 1].argmax(1)
    recall = data.inputs[rows, :, 2].argmax(1)
    value = data.inputs[rows, store, 0].abs()
    return int(torch.argmax(value * (recall - store).float()))


def key_step(run: GateRun, index: int) -> int:
    """The step the animated cell opens at: the store step of `remember`, the noun of `agreement`, else the first."""
    row = int(run.test_rows[int(index) % len(run.test_rows)])
    if run.task == "remember":
        return int(run.data.inputs[row, :, 1].argmax())
    return 1 if run.task == "agreement" else 0


SCORE_LABELS = {
    "accuracy": ("Test accuracy", "{:.0%}"),
    "mae": ("Test error (MAE)", "{:.3g}"),
    "loss": ("Test loss", "{:.3g}"),
}


def score_lines(run: GateRun) -> list[tuple[str, str, str]]:
    """(label, value, help) for the page's metrics: the task's own score first, then the loss."""
    helps = {
        "remember": "error of the number said at the recall step (values are between −1 and 1)",
        "count": "share of steps where the rounded prediction is the right count",
        "agreement": "share of sentences where the verb (was/were) is right",
        "series": "one step ahead, on the most recent 20 % of windows, in the series' own units",
    }
    lines = []
    for key in ("accuracy", "mae", "loss"):
        if key in run.test_score:
            label, fmt = SCORE_LABELS[key]
            lines.append((label, fmt.format(run.test_score[key]), helps[run.task] if key != "loss" else
                          "the training objective on held-out sequences"))
    return lines


SECONDS_PER_STEP = 5e-6  # one training time step of one sequence in one layer, measured on one core (bench_gates)


def estimated_seconds(task: str, hidden_size: int, num_layers: int, length: int, epochs: int,
                      n_samples: int | None = None) -> float:
    """A rough, deliberately pessimistic guess of the training time, to warn before a long run."""
    n_train = (n_samples or TASKS[task].n_samples) * (1 - TEST_FRACTION)
    return epochs * n_train * length * num_layers * SECONDS_PER_STEP * (1 + hidden_size / 64)


def multiply_adds(kind: str, n_x: int, hidden_size: int, num_layers: int = 1) -> int:
    """Multiply-adds of the matrix products in one time step: blocks × n_a × (n_a + n_x) per layer."""
    blocks = cells.GATE_BLOCKS[MODULES[kind].__name__]
    return sum(blocks * hidden_size * (hidden_size + (n_x if layer == 0 else hidden_size))
               for layer in range(num_layers))


def speed_table(n_x: int, hidden_size: int, num_layers: int, steps: int = 50) -> list[dict]:
    """Work and time per step of every cell at the same size: the arithmetic, the module's own forward
    pass (PyTorch's C++ for LSTM and GRU, Python for the simplified GRU), and the step-by-step trace."""
    rows = []
    x = torch.randn(steps, n_x, generator=torch.Generator().manual_seed(0))
    for kind in KINDS:
        torch.manual_seed(0)
        module = MODULES[kind](n_x, hidden_size, num_layers=num_layers)
        traced = []
        for _ in range(5):
            start = time.perf_counter()
            cells.stacked_trace(module, x)
            traced.append(time.perf_counter() - start)
        rows.append({"cell": kind, "multiply-adds per step": multiply_adds(kind, n_x, hidden_size, num_layers),
                     "module forward (µs per step)": cells.seconds_per_step(module, steps) * 1e6,
                     "step-by-step trace (µs per step)": sorted(traced)[2] / steps * 1e6})
    return rows


def parameter_table(n_x: int, hidden_size: int, n_y: int, num_layers: int = 1) -> list[dict]:
    """Course formula, PyTorch formula and the count from the real modules, for every cell at the same size.

    The simplified GRU has no PyTorch module (None there); ours keeps one bias per block, as the course."""
    rows = []
    for kind in KINDS:
        module = MODULES[kind](n_x, hidden_size, num_layers=num_layers)
        name = type(module).__name__
        rows.append({
            "cell": kind,
            "course (one bias per gate)": cells.course_parameter_count(name, n_x, hidden_size, num_layers),
            "PyTorch (b_ih and b_hh)": (None if name == "SimpleGRU" else
                                        cells.pytorch_parameter_count(name, n_x, hidden_size, num_layers)),
            "counted in the module": cells.counted_parameters(module),
            "read-out W_ya, b_y": hidden_size * n_y + n_y,
        })
    return rows
