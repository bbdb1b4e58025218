"""The RNN cell page: a sequence in the course's notation, dense net vs RNN sizes, a small vanilla RNN
trained live, and the catalogue of RNN types.

Two examples, each with the task that suits it:
- a sentence: words x⟨1⟩ … x⟨T_x⟩ as one-hot vectors over a vocabulary of the page's fables
  (sample_data/fables.txt, `<unk>` for the rest); the cell learns the next word, y⟨t⟩ = x⟨t+1⟩, and
  ŷ⟨t⟩ = softmax(W_ya a⟨t⟩ + b_y) is a probability for every word of the vocabulary;
- a stretch of a time series: x⟨t⟩ is one standardised number; the cell learns the next value and
  ŷ⟨t⟩ = W_ya a⟨t⟩ + b_y is a number (no softmax).
Every number the page shows is recomputed by `playground.cells.rnn_trace` from the model's weights.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import torch

from playground import cells, text
from playground.gate_tasks import series_task, split
from playground.samples import SAMPLE_DIR
from playground.training import History, fit

KINDS = ("sentence", "series")
MAX_STEPS = 20  # tokens or values in the example: the unrolled diagram stays legible on a projector
LIMITS = {  # (min, max, default) of everything a user can set
    "hidden_size": (2, 32, 8),
    "vocab_size": (10, 330, 150),
    "length": (4, MAX_STEPS, 12),  # a series stretch (and the training windows)
    "epochs": (1, 300, 0),  # default per example: EPOCHS
    "seed": (0, 9999, 0),
    "generate": (1, 40, 15),
}
EPOCHS = {"sentence": 12, "series": 100}
LEARNING_RATE = {"sentence": 1e-2, "series": 3e-2}  # Adam; the series cell needs bigger steps to learn in seconds
COURSE_VOCABULARY = 10_000  # the course's example vocabulary size
DEFAULT_SENTENCE = "The little fox saw Harry Potter in the forest and ran away."
CORPUS = SAMPLE_DIR / "fables.txt"
WINDOW, STRIDE = 16, 4  # training windows of the language model: 16 words, a new one every 4 words
SERIES_WINDOWS = 400
TEST_FRACTION = 0.2


class CellError(ValueError):
    """The settings or the data cannot make this example; the message says what to change."""


def _check(name: str, value: int, what: str) -> int:
    low, high, _ = LIMITS[name]
    if not low <= int(value) <= high:
        raise CellError(f"{what} must be between {low} and {high}.")
    return int(value)


# --------------------------------------------------------------------------- the examples


@lru_cache(maxsize=1)
def corpus_tokens() -> tuple[str, ...]:
    """The fables as one stream of lowercase tokens (the order of the text)."""
    return tuple(token.lower() for token in text.tokenize(CORPUS.read_text(encoding="utf-8")))


@lru_cache(maxsize=16)
def vocabulary(size: int) -> text.Vocabulary:
    """The `size` most frequent words of the fables (lowercased), `<unk>` at index 0."""
    return text.Vocabulary.build([corpus_tokens()], size=_check("vocab_size", size, "The vocabulary size"),
                                 lowercase=True)


@dataclass(frozen=True)
class SentenceExample:
    tokens: tuple[str, ...]
    vocabulary: text.Vocabulary
    note: str | None = None  # what was cut from a long input

    kind = "sentence"

    @property
    def indices(self) -> np.ndarray:
        return self.vocabulary.encode(self.tokens)

    @property
    def unknown(self) -> list[bool]:
        return self.vocabulary.unknown(self.tokens)

    @property
    def inputs(self) -> np.ndarray:
        """(T_x, |V|): x⟨t⟩ as one-hot rows."""
        return self.vocabulary.one_hot(self.tokens)

    @property
    def labels(self) -> list[str]:
        return list(self.tokens)

    @property
    def targets(self) -> np.ndarray:
        """y⟨t⟩ = x⟨t+1⟩ as vocabulary indices; −1 at t = T_x (the word after the sentence is not known)."""
        return np.r_[self.indices[1:], -1]

    def word(self, index: int) -> str:
        return self.vocabulary.words[int(index)]


def sentence_example(sentence: str, vocab_size: int) -> SentenceExample:
    """The user's sentence, cut to MAX_STEPS tokens, against a vocabulary of `vocab_size` words."""
    tokens, note = text.cut(sentence, max_tokens=MAX_STEPS)
    if not tokens:
        raise CellError("The sentence has no words: type a sentence, e.g. “The fox saw the crow.”")
    return SentenceExample(tuple(tokens), vocabulary(vocab_size), note)


@dataclass(frozen=True)
class SeriesExample:
    values: np.ndarray  # (T_x,) in the series' own units
    labels: list[str]  # dates (or positions)
    next_value: float | None  # the value after the stretch (None at the end of the series)
    scale: tuple[float, float]  # (mean, std): x⟨t⟩ = (value − mean) / std, as the model is trained
    start: int  # position of x⟨1⟩ in the series
    name: str = "value"

    kind = "series"

    @property
    def inputs(self) -> np.ndarray:
        return ((self.values - self.scale[0]) / self.scale[1]).astype(np.float32)[:, None]

    @property
    def targets(self) -> np.ndarray:
        """y⟨t⟩ = x⟨t+1⟩, standardised; NaN after the end of the series."""
        following = np.r_[self.values[1:], np.nan if self.next_value is None else self.next_value]
        return (following - self.scale[0]) / self.scale[1]


def series_scale(series: pd.Series) -> tuple[float, float]:
    """The standardisation the series model learns with (gate_tasks.series_task: the training part)."""
    return series_data(series, LIMITS["length"][0], 0).scale


def series_example(series: pd.Series, length: int, start: int | None = None) -> SeriesExample:
    """T_x = `length` consecutive values from position `start` (default: the most recent stretch)."""
    length = _check("length", length, "The stretch length T_x")
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    if len(values) < length + 10:
        raise CellError(f"The series has {len(values)} values: too short for a stretch of {length} "
                        f"(and training windows). Choose a shorter T_x or a longer series.")
    start = len(values) - length if start is None else int(np.clip(start, 0, len(values) - length))
    stretch = values[start:start + length]
    if np.isnan(stretch).any():
        raise CellError("This stretch has missing values; move it or pick the value column again.")
    following = values[start + length] if start + length < len(values) else None
    labels = [_stamp(stamp) for stamp in series.index[start:start + length]]
    return SeriesExample(stretch, labels, following, series_scale(series), start, str(series.name or "value"))


def _stamp(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    return str(value)


# --------------------------------------------------------------------------- why not a standard network


def dense_parameter_count(t_x: int, n_x: int, n_h: int, t_y: int, n_y: int) -> int:
    """A dense net with one hidden layer of n_h units on all T_x inputs at once: T_x·n_x → n_h → T_y·n_y."""
    return t_x * n_x * n_h + n_h + n_h * t_y * n_y + t_y * n_y


def rnn_parameter_count(n_x: int, n_a: int, n_y: int) -> int:
    """The course's vanilla RNN: W_aa, W_ax, b_a (one bias) and W_ya, b_y, the same for every T_x."""
    return cells.course_parameter_count("RNN", n_x, n_a) + n_y * n_a + n_y


def dense_net(t_x: int, n_x: int, n_h: int, t_y: int, n_y: int) -> torch.nn.Module:
    """The dense net of `dense_parameter_count` as real torch modules (the tests count its parameters)."""
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(t_x * n_x, n_h), torch.nn.Tanh(),
                               torch.nn.Linear(n_h, t_y * n_y))


def size_rows(t_x: int, n_x: int, n_a: int, n_y: int, vocabulary: bool) -> list[dict]:
    """Dense net vs RNN at the example's size (and, for words, with the course's 10,000-word vocabulary)."""
    sizes = [(n_x, n_y, "this example")]
    if vocabulary and n_x != COURSE_VOCABULARY:
        sizes.append((COURSE_VOCABULARY, COURSE_VOCABULARY, f"a {COURSE_VOCABULARY:,}-word vocabulary"))
    rows = []
    for inputs, outputs, label in sizes:
        dense = dense_parameter_count(t_x, inputs, n_a, t_x, outputs)
        rnn = rnn_parameter_count(inputs, n_a, outputs)
        rows.append({"size": label, "T_x": t_x, "n_x": inputs, "dense net": dense, "RNN": rnn,
                     "dense / RNN": dense / rnn})
    return rows


# --------------------------------------------------------------------------- the model and its data


class CellModel(torch.nn.Module):
    """x⟨t⟩ → nn.RNN (tanh) → a⟨t⟩ → W_ya a⟨t⟩ + b_y; softmax for words (in the loss), none for numbers."""

    def __init__(self, n_x: int, hidden_size: int, n_y: int, softmax: bool):
        super().__init__()
        self.rnn = torch.nn.RNN(n_x, hidden_size, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, n_y)
        self.softmax = softmax

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden, _ = self.rnn(x)
        return self.head(hidden)


@dataclass
class CellData:
    inputs: torch.Tensor  # (N, T, n_x)
    targets: torch.Tensor  # (N, T) word indices, or (N, T, 1) standardised next values
    train_rows: torch.Tensor
    test_rows: torch.Tensor
    kind: str
    vocabulary: text.Vocabulary | None = None
    scale: tuple[float, float] = (0.0, 1.0)
    previous: torch.Tensor | None = None  # (N, T, 1) x⟨t⟩ again, for the naive forecast of a series

    @property
    def n_x(self) -> int:
        return self.inputs.shape[2]


def language_data(vocab_size: int) -> CellData:
    """Windows of WINDOW words of the fables; targets are the next words. The last 20 % of the text is
    held out (its windows do not overlap the training text)."""
    vocab = vocabulary(vocab_size)
    stream = torch.tensor(vocab.encode(corpus_tokens()))
    cut = int(len(stream) * (1 - TEST_FRACTION))
    train_starts = range(0, cut - WINDOW, STRIDE)
    test_starts = range(cut, len(stream) - WINDOW, WINDOW)
    windows = torch.stack([stream[s:s + WINDOW + 1] for s in [*train_starts, *test_starts]])
    inputs = torch.nn.functional.one_hot(windows[:, :-1], len(vocab)).float()
    rows = torch.arange(len(windows))
    return CellData(inputs, windows[:, 1:], rows[:len(train_starts)], rows[len(train_starts):], "sentence", vocab)


def series_data(series: pd.Series, length: int, seed: int) -> CellData:
    """One-step windows of the standardised series (as the gates page's series task makes them)."""
    try:
        task = series_task(series, _check("length", length, "The stretch length T_x"), SERIES_WINDOWS, seed)
    except ValueError as error:
        raise CellError(str(error)) from error
    train_rows, test_rows = split(len(task.inputs))
    return CellData(task.inputs, task.targets, train_rows, test_rows, "series", scale=task.scale,
                    previous=task.inputs)


def _loss(model: CellModel, data: CellData, rows) -> torch.Tensor:
    output = model(data.inputs[rows])
    if data.kind == "sentence":
        return torch.nn.functional.cross_entropy(output.reshape(-1, output.shape[-1]), data.targets[rows].reshape(-1))
    return torch.nn.functional.mse_loss(output, data.targets[rows])


def score(model: CellModel, data: CellData, rows=None) -> dict:
    """Held-out loss and the example's own score: next-word accuracy, or MAE in the series' units."""
    rows = data.test_rows if rows is None else rows
    with torch.no_grad():
        loss = float(_loss(model, data, rows))
        output = model(data.inputs[rows])
    if data.kind == "sentence":
        return {"loss": loss, "accuracy": float((output.argmax(-1) == data.targets[rows]).float().mean())}
    return {"loss": loss, "mae": float((output - data.targets[rows]).abs().mean()) * data.scale[1]}


def baseline(data: CellData) -> dict:
    """What a model without memory scores on the same held-out steps.

    Words: the word-frequency (unigram) model of the training text, add-one smoothed: its loss is the
    cross-entropy a cell must beat to show it uses the previous words. Series: the naive forecast
    x⟨t+1⟩ = x⟨t⟩."""
    if data.kind == "sentence":
        counts = torch.bincount(data.targets[data.train_rows].reshape(-1), minlength=len(data.vocabulary)) + 1.0
        log_p = torch.log(counts / counts.sum())
        held_out = data.targets[data.test_rows].reshape(-1)
        return {"name": "word frequency (no memory)", "loss": float(-log_p[held_out].mean()),
                "accuracy": float((held_out == counts.argmax()).float().mean())}
    error = (data.previous[data.test_rows] - data.targets[data.test_rows]).abs()
    return {"name": "naive forecast x⟨t+1⟩ = x⟨t⟩", "mae": float(error.mean()) * data.scale[1],
            "loss": float((error ** 2).mean())}


def target_reached(run: "CellRun") -> bool:
    """The page's quality target: better than the model without memory on held-out data."""
    key = "loss" if run.kind == "sentence" else "mae"
    return run.score[key] < run.baseline[key]


@dataclass
class CellRun:
    kind: str
    model: CellModel
    initial: CellModel  # the same network before training (= model while untrained)
    data: CellData
    history: History = field(default_factory=History)
    trained: bool = False
    score: dict = field(default_factory=dict)
    initial_score: dict = field(default_factory=dict)
    baseline: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)


def build(kind: str, hidden_size: int, seed: int = 0, vocab_size: int | None = None,
          series: pd.Series | None = None, length: int | None = None) -> CellRun:
    """The example's data and a seeded, untrained cell: what the page shows before training."""
    if kind not in KINDS:
        raise CellError(f"The example must be one of {', '.join(KINDS)}.")
    hidden_size = _check("hidden_size", hidden_size, "The number of hidden units n_a")
    seed = _check("seed", seed, "The seed")
    if kind == "sentence":
        data = language_data(LIMITS["vocab_size"][2] if vocab_size is None else vocab_size)
        n_y = len(data.vocabulary)
    else:
        if series is None:
            raise CellError("Choose a dataset (or upload a CSV) in the sidebar first.")
        data = series_data(series, LIMITS["length"][2] if length is None else length, seed)
        n_y = 1
    torch.manual_seed(seed)
    model = CellModel(data.n_x, hidden_size, n_y, softmax=kind == "sentence").eval()
    run = CellRun(kind, model, model, data, baseline=baseline(data),
                  settings=dict(hidden_size=hidden_size, seed=seed, vocab_size=vocab_size, length=length))
    run.score = run.initial_score = score(model, data)
    return run


def train(kind: str, hidden_size: int, epochs: int | None = None, seed: int = 0, vocab_size: int | None = None,
          series: pd.Series | None = None, length: int | None = None, progress=None) -> CellRun:
    """Train the example's cell with `playground.training.fit` (Adam, LEARNING_RATE, mini-batches of 32, seeded)."""
    run = build(kind, hidden_size, seed, vocab_size, series, length)
    epochs = EPOCHS[kind] if epochs is None else _check("epochs", epochs, "The number of epochs")
    run.initial = copy.deepcopy(run.model)
    model, data = run.model, run.data
    run.history = fit(model, lambda rows, epoch: _loss(model, data, data.train_rows[rows]), len(data.train_rows),
                      epochs, lr=LEARNING_RATE[kind], batch_size=32, validate=lambda: score(model, data)["loss"],
                      progress=progress, seed=seed)
    run.trained = True
    run.score = score(model, data)
    run.settings["epochs"] = epochs
    return run


# --------------------------------------------------------------------------- one sequence, step by step


@dataclass
class CellTrace:
    """The example replayed through one cell, as numpy arrays (T = T_x steps, n_a units)."""

    kind: str
    labels: list[str]  # x⟨t⟩ as text: the token, or the date
    inputs: np.ndarray  # (T, n_x)
    previous: np.ndarray  # (T, n_a) a⟨t−1⟩, with a⟨0⟩ = 0
    recurrent: np.ndarray  # (T, n_a) W_aa a⟨t−1⟩
    input_term: np.ndarray  # (T, n_a) W_ax x⟨t⟩ (for a one-hot x⟨t⟩: one column of W_ax)
    preactivation: np.ndarray  # (T, n_a) W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a
    hidden: np.ndarray  # (T, n_a) a⟨t⟩
    output: np.ndarray  # (T, n_y) ŷ⟨t⟩: probabilities (words) or standardised values (series)
    targets: np.ndarray  # (T,) y⟨t⟩: word index (−1 unknown) or standardised value (NaN unknown)
    weights: dict[str, np.ndarray]  # W_aa, W_ax, b_a, W_ya, b_y
    words: tuple[str, ...] = ()  # the vocabulary (words)
    indices: np.ndarray | None = None  # x⟨t⟩'s vocabulary index (words)
    scale: tuple[float, float] = (0.0, 1.0)

    @property
    def steps(self) -> int:
        return len(self.labels)


def model_weights(model: CellModel) -> dict[str, np.ndarray]:
    w_ax, w_aa, b_a = cells.rnn_weights(model.rnn)
    return {"W_aa": w_aa.numpy(), "W_ax": w_ax.numpy(), "b_a": b_a.numpy(),
            "W_ya": model.head.weight.detach().numpy(), "b_y": model.head.bias.detach().numpy()}


def trace(model: CellModel, example) -> CellTrace:
    """Every quantity of the cell at every step, from `playground.cells.rnn_trace` and the model's weights."""
    x = torch.as_tensor(example.inputs)
    steps = cells.rnn_trace(model.rnn, x, readout=model.head, softmax=model.softmax)
    weights = model_weights(model)
    hidden = steps["hidden"].numpy()
    previous = np.vstack([np.zeros((1, hidden.shape[1]), dtype=hidden.dtype), hidden[:-1]])
    words = example.vocabulary.words if example.kind == "sentence" else ()
    return CellTrace(
        example.kind, example.labels, example.inputs, previous, previous @ weights["W_aa"].T,
        example.inputs @ weights["W_ax"].T, steps["preactivation"].numpy(), hidden, steps["output"].numpy(),
        np.asarray(example.targets), weights, words, example.indices if example.kind == "sentence" else None,
        (0.0, 1.0) if example.kind == "sentence" else example.scale)


def compact_form_gap(model: CellModel, steps: CellTrace) -> float:
    """Largest |W_a [a⟨t−1⟩, x⟨t⟩] + b_a − (W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a)| over the example (float rounding)."""
    w_a, b_a = cells.compact_weights(model.rnn)
    stacked = np.hstack([steps.previous, steps.inputs])
    return float(np.max(np.abs(stacked @ w_a.numpy().T + b_a.numpy() - steps.preactivation)))


def weight_changes(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> list[dict]:
    """Per weight: mean |w| before and after training, and the largest change of one entry."""
    return [{"weights": name, "mean |w| untrained": float(np.abs(before[name]).mean()),
             "mean |w| trained": float(np.abs(after[name]).mean()),
             "largest change": float(np.abs(after[name] - before[name]).max())} for name in before]


def verdict(run: CellRun) -> str:
    """One sentence on the quality target, from the scores (with the branch for a miss)."""
    if run.kind == "sentence":
        loss, base, start = run.score["loss"], run.baseline["loss"], run.initial_score["loss"]
        if loss < base:
            return (f"Target reached: on held-out text the trained cell's loss is {loss:.3f}, below the word-frequency "
                    f"model's {base:.3f} (untrained: {start:.3f}). It uses the words before: it is as unsure as a "
                    f"choice among {np.exp(loss):.0f} words, where counting words alone leaves {np.exp(base):.0f}.")
        best = int(np.argmin(run.history.validation)) + 1
        return (f"Target missed: the held-out loss {loss:.3f} is not below the word-frequency model's {base:.3f}. "
                f"The held-out loss was lowest after epoch {best} ({min(run.history.validation):.3f}): with more "
                "epochs the cell memorises the training text (overfits). Try fewer epochs.")
    mae, base, start = run.score["mae"], run.baseline["mae"], run.initial_score["mae"]
    if mae < base:
        return (f"Target reached: one step ahead on held-out windows the trained cell is off by {mae:.4g} on average, "
                f"the naive forecast (next = last value) by {base:.4g} (untrained cell: {start:.4g}).")
    return (f"Target missed: the trained cell's held-out error {mae:.4g} is not below the naive forecast's {base:.4g}. "
            "More epochs, more units or a longer T_x may help; on a random walk nothing beats the naive forecast.")


def top_words(probabilities: np.ndarray, words, k: int = 3) -> list[tuple[str, float]]:
    order = np.argsort(-probabilities, kind="stable")[:k]
    return [(words[i], float(probabilities[i])) for i in order]


def compare_predictions(before: CellTrace, after: CellTrace) -> pd.DataFrame:
    """Step by step, what the untrained and the trained cell predict for y⟨t⟩ = x⟨t+1⟩."""
    rows = []
    for t in range(after.steps):
        row = {"t": t + 1, "x⟨t⟩": after.labels[t]}
        if after.kind == "sentence":
            known = after.targets[t] >= 0
            row["y⟨t⟩ = x⟨t+1⟩"] = after.words[after.targets[t]] if known else "(after the sentence)"
            for name, run in (("untrained", before), ("trained", after)):
                word, p = top_words(run.output[t], run.words, 1)[0]
                row[f"{name}: top word"] = f"{word} ({p:.0%})"
                row[f"{name}: P(y⟨t⟩)"] = float(run.output[t, after.targets[t]]) if known else np.nan
        else:
            mean, std = after.scale
            row["y⟨t⟩ = x⟨t+1⟩"] = after.targets[t] * std + mean
            for name, run in (("untrained", before), ("trained", after)):
                row[f"{name}: ŷ⟨t⟩"] = float(run.output[t, 0]) * std + mean
        rows.append(row)
    return pd.DataFrame(rows).set_index("t")


def generate(model: CellModel, vocab: text.Vocabulary, seed_text: str, n_words: int, temperature: float = 0.8,
             seed: int = 0) -> tuple[list[str], list[str]]:
    """One-to-many: read the seed words, then sample a word from ŷ⟨t⟩ and feed it back as x⟨t+1⟩.

    Returns (the seed tokens as the model read them, the generated words). Seeded: the same call gives
    the same words."""
    n_words = _check("generate", n_words, "The number of words to generate")
    tokens, _ = text.cut(seed_text, max_tokens=MAX_STEPS)
    tokens = tokens or ["the"]
    generator = torch.Generator().manual_seed(int(seed))
    x = torch.as_tensor(vocab.one_hot(tokens))
    w_ax, w_aa, b_a = cells.rnn_weights(model.rnn)
    w_ya, b_y = model.head.weight.detach(), model.head.bias.detach()
    a = torch.zeros(model.rnn.hidden_size)
    words = []
    with torch.no_grad():
        for step in range(len(tokens) + n_words - 1):
            x_t = x[step] if step < len(tokens) else torch.nn.functional.one_hot(torch.tensor(index), len(vocab)).float()
            a = torch.tanh(w_ax @ x_t + w_aa @ a + b_a)
            if step >= len(tokens) - 1:
                probabilities = torch.softmax((w_ya @ a + b_y) / max(temperature, 1e-3), dim=0)
                index = int(torch.multinomial(probabilities, 1, generator=generator))
                words.append(vocab.words[index])
    return [vocab.words[i] for i in vocab.encode(tokens)], words


# --------------------------------------------------------------------------- bidirectional: who sees what


ROUNDING = 1e-12  # float64 arithmetic on numbers of order 1 rounds at ~1e-16; a real change here is above 1e-9


def bidirectional_demo(inputs: np.ndarray, replacement: np.ndarray, hidden_size: int, n_y: int, seed: int = 0,
                       softmax: bool = True) -> dict[str, np.ndarray]:
    """Change x⟨T_x⟩ only and measure how much each ŷ⟨t⟩ moves, in a one-directional RNN and in a
    bidirectional RNN with the same forward weights (random weights: the question is which outputs can
    move at all). Returns per-step |Δŷ⟨t⟩| (largest over the outputs) for both; a change within rounding
    is exactly 0.

    In float64: in float32 a one-directional ŷ⟨t⟩ that cannot depend on x⟨T_x⟩ still moved by 7e-9 on some
    CPUs (the same row of a matrix product rounded differently), and the page then counted it as changed."""
    torch.manual_seed(seed)
    n_x = inputs.shape[1]
    both = torch.nn.RNN(n_x, hidden_size, bidirectional=True).double()
    forward = torch.nn.RNN(n_x, hidden_size).double()
    forward.load_state_dict({key: value for key, value in both.state_dict().items() if "reverse" not in key})
    both_head = torch.nn.Linear(2 * hidden_size, n_y).double()
    forward_head = torch.nn.Linear(hidden_size, n_y).double()
    with torch.no_grad():
        forward_head.weight.copy_(both_head.weight[:, :hidden_size])
        forward_head.bias.copy_(both_head.bias)
    original = torch.as_tensor(inputs, dtype=torch.float64)
    changed = original.clone()
    changed[-1] = torch.as_tensor(replacement, dtype=torch.float64)
    outputs = {}
    for name, run in (("forward", lambda v: cells.rnn_trace(forward, v, readout=forward_head, softmax=softmax)),
                      ("bidirectional", lambda v: cells.bidirectional_trace(both, v, readout=both_head,
                                                                              softmax=softmax))):
        before, after = run(original), run(changed)
        change = (before["output"] - after["output"]).abs().max(dim=1).values.numpy()
        outputs[name] = np.where(change > ROUNDING * max(1.0, float(before["output"].abs().max())), change, 0.0)
        if name == "bidirectional":
            outputs["forward_states"] = before["forward"].numpy()
            outputs["backward_states"] = before["backward"].numpy()
    return outputs


def bidirectional_sentence(demo: dict, said: str) -> str:
    """What the demo shows, from its numbers: which outputs moved when only the last input changed."""
    steps = len(demo["forward"])
    moved_forward = int((demo["forward"] > 0).sum())
    moved_both = int((demo["bidirectional"] > 0).sum())
    only_last = moved_forward == 1 and demo["forward"][-1] > 0
    text = (f"If only the last input x⟨{steps}⟩ were {said}, the one-directional RNN's outputs would change at "
            f"**{moved_forward} of {steps}** steps ({'only the last' if only_last else 'see the chart'}), "
            f"the bidirectional RNN's at **{moved_both} of {steps}**")
    if moved_both == steps:
        text += f": its ŷ⟨1⟩ already depends on x⟨{steps}⟩ through a←⟨1⟩."
    else:
        first = int(np.flatnonzero(demo["bidirectional"] > 0)[0]) + 1 if moved_both else steps + 1
        text += (f": carried back through a←⟨t⟩ the change shrinks at every step, and before step {first} it is "
                 "below rounding (a vanishing gradient: see the BPTT page). The early ŷ⟨t⟩ still read "
                 f"x⟨{steps}⟩ through a←⟨t⟩, only too faintly to measure.")
    return text + (" So a bidirectional RNN cannot output ŷ⟨1⟩ before it has read the whole sequence (fine for "
                   "tagging a finished sentence, not for live speech). Random weights: what this shows is which "
                   "outputs can change at all.")


def replacement_for(example) -> tuple[np.ndarray, str]:
    """Another last input, and how to say it: a different word, or the last value one standard deviation up."""
    if example.kind == "sentence":
        last = int(example.indices[-1])
        other = 1 if last != 1 else 2
        return example.vocabulary.one_hot([example.word(other)])[0], f"“{example.word(other)}”"
    x = example.inputs[-1] + 1.0
    return x, f"{example.values[-1] + example.scale[1]:.4g} (one standard deviation higher)"


# --------------------------------------------------------------------------- the RNN types of the course


@dataclass(frozen=True)
class RNNType:
    key: str
    title: str
    steps: int  # columns of the unrolled diagram
    inputs: tuple[int, ...]  # columns that read an x⟨t⟩
    outputs: tuple[int, ...]  # columns that emit a ŷ⟨t⟩
    example: str
    layers: int = 1
    bidirectional: bool = False
    feedback: bool = False  # ŷ⟨t⟩ is fed back as the next input (generation, a decoder)
    page: str | None = None  # where the app has a live model of this type
    page_label: str | None = None
    formula: str = ""


TYPES = [
    RNNType("one_to_one", "One-to-one", 1, (0,), (0,),
            "No sequence at all: one input, one output (an image and its class). A standard network; "
            "T_x = T_y = 1.", formula="T_x = T_y = 1"),
    RNNType("one_to_many", "One-to-many", 5, (0,), (0, 1, 2, 3, 4),
            "Generation: from one seed (a word, a genre, nothing at all) write a whole sequence, each ŷ⟨t⟩ "
            "fed back as the next input. Try it below with this page's word model.",
            feedback=True, formula="T_x = 1, T_y > 1"),
    RNNType("many_to_one", "Many-to-one", 5, (0, 1, 2, 3, 4), (4,),
            "Read the whole sequence, answer once at the end: the sentiment of a review, or the gates "
            "page's agreement task (was or were after “the cat(s) …”).",
            page="pages/gates.py", page_label="LSTM & GRU gates: the agreement task", formula="T_x > 1, T_y = 1"),
    RNNType("many_to_many_same", "Many-to-many, T_x = T_y", 5, (0, 1, 2, 3, 4), (0, 1, 2, 3, 4),
            "One output for every input: is this word a name (NER), or this page's next-word model.",
            page="pages/ner.py", page_label="NER tagging", formula="T_x = T_y"),
    RNNType("many_to_many_different", "Many-to-many, T_x ≠ T_y", 7, (0, 1, 2), (3, 4, 5, 6),
            "An encoder reads all of x⟨1⟩ … x⟨T_x⟩, a decoder then writes ŷ⟨1⟩ … ŷ⟨T_y⟩: translation, or a "
            "forecast of T_y future values from T_x past ones.",
            feedback=True, page="pages/seq2seq.py", page_label="Seq2Seq", formula="T_x ≠ T_y"),
    RNNType("deep", "Deep (stacked) RNN", 5, (0, 1, 2, 3, 4), (0, 1, 2, 3, 4),
            "Layer 2 reads layer 1's states a[1]⟨t⟩ as its inputs, layer 3 reads layer 2's; each layer has "
            "its own W_aa, W_ax, b_a. Two or three layers are already deep for an RNN.",
            layers=3, page="pages/gates.py", page_label="LSTM & GRU gates: stacked layers",
            formula="a[l]⟨t⟩ = g(W_aa[l] a[l]⟨t−1⟩ + W_ax[l] a[l−1]⟨t⟩ + b_a[l])"),
    RNNType("bidirectional", "Bidirectional RNN", 5, (0, 1, 2, 3, 4), (0, 1, 2, 3, 4),
            "A forward RNN reads left to right, a backward one right to left; ŷ⟨t⟩ = g(W_y[a→⟨t⟩, a←⟨t⟩] + b_y) "
            "sees the past and the future of step t. It needs the whole sequence before the first output.",
            bidirectional=True, page="pages/ner.py", page_label="NER tagging (bidirectional)",
            formula="ŷ⟨t⟩ = g(W_y[a→⟨t⟩, a←⟨t⟩] + b_y)"),
]
TYPES_BY_KEY = {rnn_type.key: rnn_type for rnn_type in TYPES}
