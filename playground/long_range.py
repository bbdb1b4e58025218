"""A long-range dependency: “the cat … was” / “the cats … were” with a gap of filler words in between.

The sentences come from the gates page's agreement task (`gate_tasks.agreement_task`): one-hot words,
and the verb (0 = was, 1 = were) is asked only at the last step, so the one training signal, J⟨T⟩,
must travel back through every filler word to reach the noun. A vanilla RNN, an LSTM and a GRU are
each trained from scratch at several gap lengths with `playground.training.fit`; the accuracy on
held-out sentences against the gap shows who can learn to carry the noun's number across it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from scipy.stats import binomtest

from playground import gate_tasks
from playground.training import History, fit

KINDS = ("RNN", "LSTM", "GRU")
LIMITS = {  # (min, max, default) of everything a user can set
    "gap": (2, 80, 60),  # the longest gap trained; shorter ones come from GAP_FRACTIONS
    "hidden_size": (2, 32, 8),
    "keep_bias": (0.0, 3.0, 3.0),
    "epochs": (1, 60, 20),
    "seed": (0, 9999, 0),
    "truncate": (2, 80, 10),  # truncated BPTT: gradient through the last k steps only
}
GAP_FRACTIONS = (0.125, 0.25, 0.5, 0.75, 1.0)  # of the longest gap
TRUNCATIONS = (0, 2, 3, 5, 10, 15, 20, 30, 40, 60, 80)  # the page's choices of k (0: full BPTT)
N_TRAIN, N_TEST, BATCH = 512, 200, 64
LEARNING_RATE = 1e-2
LEARNED = 0.02  # training stops early once an epoch's mean loss is below this (the task is learned)
ALPHA = 0.05  # for the "better than chance" verdict, shared (Bonferroni) by the gaps of one curve
# The gated cells can start out keeping their memory and writing little: with `keep_bias` b, the LSTM's
# forget gate Γ_f gets bias +b and its update gate Γ_u bias −b; the GRU's update gate Γ_u gets bias −b
# (PyTorch's z = 1 − Γ_u gets +b). b = 3 keeps σ(3) ≈ 95 % of the memory per step and writes σ(−3) ≈ 5 %,
# as the "chrono" initialisation does (Tallec & Ollivier 2018, b_u = −b_f). PyTorch starts every gate at 0
# (half open, σ(0) = 0.5); Keras starts b_f at 1 (Jozefowicz et al. 2015). The vanilla RNN has no gate.
KEEP_BIASES = (0.0, 1.0, 2.0, 3.0)
VERBS = gate_tasks.VERBS
N_X = len(gate_tasks.VOCABULARY)


class LongRangeError(ValueError):
    """A setting is out of bounds; the message says which and what the bounds are."""


NAMES = {"gap": "The longest gap", "hidden_size": "The number of hidden units n_a", "epochs": "The number of epochs",
         "seed": "The seed", "truncate": "k (truncated BPTT)"}


def check(name: str, value) -> int:
    low, high, _ = LIMITS[name]
    if not low <= int(value) <= high:
        raise LongRangeError(f"{NAMES[name]} must be between {low} and {high}; got {value}.")
    return int(value)


# --------------------------------------------------------------------------- the sentences


@dataclass
class Sentences:
    inputs: torch.Tensor  # (N, gap + 3, n_x) one-hot words
    verbs: torch.Tensor  # (N,) 0 = was, 1 = were
    words: list[list[str]]  # "the", noun, gap fillers, "___"

    @property
    def gap(self) -> int:
        return self.inputs.shape[1] - 3


def sentences(gap: int, n: int, seed: int) -> Sentences:
    """n sentences “the <noun> <gap filler words> ___”, made by the gates page's agreement task."""
    task = gate_tasks.agreement_task(int(gap) + 3, int(n), int(seed))
    return Sentences(task.inputs, task.targets[:, -1, 0].long(), task.labels)


def _data_seeds(seed: int, gap: int) -> tuple[int, int]:
    """Different sentences for every gap, and test sentences that are never the training ones' stream."""
    return 1_000 * seed + gap, 10_000_000 + 1_000 * seed + gap


def analysis_seed(seed: int, gap: int) -> int:
    """Fresh sentences for looking inside the trained cells (neither training nor test sentences)."""
    return 20_000_000 + 1_000 * seed + gap


# Seconds per sentence, time step and epoch, measured by bench_bptt on a busy shared core (the gated cells
# halved: they usually stop early). Small models: the time is mostly overhead, hardly the hidden size.
SECONDS_PER_STEP = {"RNN": 5e-6, "LSTM": 2e-6, "GRU": 7e-6}


def estimated_seconds(longest: int, hidden_size: int, epochs: int) -> float:
    """A rough, pessimistic guess of the time to train every cell at every gap, to say before the button."""
    steps = sum(gap + 3 for gap in gaps_for(longest))
    return sum(SECONDS_PER_STEP.values()) * steps * N_TRAIN * epochs * (1 + hidden_size / 64)


def gaps_for(longest: int) -> list[int]:
    """The gaps trained for one curve: fractions of the longest, each at least 1, no repeats."""
    longest = check("gap", longest)
    return sorted({max(1, int(round(longest * fraction))) for fraction in GAP_FRACTIONS})


# --------------------------------------------------------------------------- the models


class AgreementModel(torch.nn.Module):
    """x⟨t⟩ → RNN / LSTM / GRU → a⟨t⟩ → ŷ⟨t⟩ = softmax(W_ya a⟨t⟩ + b_y) over (was, were), at every step."""

    def __init__(self, kind: str, hidden_size: int):
        super().__init__()
        if kind not in KINDS:
            raise LongRangeError(f"kind must be one of {', '.join(KINDS)}")
        self.kind = kind
        self.rnn = {"RNN": torch.nn.RNN, "LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU}[kind](
            N_X, hidden_size, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, len(VERBS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits at every step, (N, T, 2)."""
        hidden, _ = self.rnn(x)
        return self.head(hidden)

    def final_logits(self, x: torch.Tensor, truncate: int | None = None) -> torch.Tensor:
        """Logits at the last step. `truncate=k`: the first T − k steps run without gradient (truncated
        BPTT), so J⟨T⟩ can only teach the weights about the last k inputs."""
        steps = x.shape[1]
        if truncate is None or truncate >= steps:
            hidden, _ = self.rnn(x)
        else:
            with torch.no_grad():
                _, state = self.rnn(x[:, :steps - truncate])
            hidden, _ = self.rnn(x[:, steps - truncate:], state)
        return self.head(hidden[:, -1])


def build(kind: str, hidden_size: int, seed: int = 0, keep_bias: float = LIMITS["keep_bias"][2]) -> AgreementModel:
    """A seeded, untrained model; the gated cells start keeping with bias `keep_bias` (see KEEP_BIASES)."""
    hidden_size = check("hidden_size", hidden_size)
    low, high, _ = LIMITS["keep_bias"]
    if not low <= float(keep_bias) <= high:
        raise LongRangeError(f"The keep-gate bias must be between {low:g} and {high:g}; got {keep_bias}.")
    torch.manual_seed(int(seed))
    model = AgreementModel(kind, hidden_size)
    # PyTorch's row blocks: LSTM i (= Γ_u), f (= Γ_f), g, o; GRU r, z (= 1 − Γ_u), n. The course's single bias
    # of a gate is b_ih + b_hh: b_ih carries it, b_hh is zeroed.
    blocks = {"LSTM": {0: -keep_bias, 1: keep_bias}, "GRU": {1: keep_bias}}.get(kind, {})
    with torch.no_grad():
        for block, value in blocks.items():
            rows = slice(block * hidden_size, (block + 1) * hidden_size)
            model.rnn.bias_ih_l0[rows] = float(value)
            model.rnn.bias_hh_l0[rows] = 0.0
    return model.eval()


# --------------------------------------------------------------------------- training and scoring


@dataclass
class GapResult:
    gap: int
    accuracy: float  # on N_TEST held-out sentences
    correct: int
    n_test: int
    p_value: float  # one-sided binomial test of "better than guessing (50 %)"
    history: History
    model: AgreementModel


@dataclass
class Curve:
    """One kind of cell trained at every gap of the curve."""

    kind: str
    results: list[GapResult] = field(default_factory=list)
    truncate: int | None = None

    @property
    def gaps(self) -> list[int]:
        return [r.gap for r in self.results]

    @property
    def seconds(self) -> float:
        return sum(r.history.seconds for r in self.results)

    @property
    def level(self) -> float:
        """The per-gap significance level: ALPHA shared by the gaps (Bonferroni)."""
        return ALPHA / max(1, len(self.results))

    def above_chance(self) -> list[bool]:
        return [r.p_value < self.level for r in self.results]

    def chance_gap(self) -> int | None:
        """The shortest gap from which on the model is never better than guessing (None: it never falls).

        Each gap's verdict is a one-sided binomial test at ALPHA / (number of gaps), so for a model that
        guesses at every gap a false "better than chance" shows up with probability at most ALPHA."""
        verdicts = self.above_chance()
        falls = len(verdicts)  # one past the last gap that is better than chance
        while falls > 0 and not verdicts[falls - 1]:
            falls -= 1
        return self.results[falls].gap if falls < len(verdicts) else None

    @property
    def longest(self) -> GapResult:
        return self.results[-1]


def accuracy(model: AgreementModel, data: Sentences) -> tuple[int, int]:
    with torch.no_grad():
        right = model.final_logits(data.inputs).argmax(-1) == data.verbs
    return int(right.sum()), len(right)


def train_at(kind: str, gap: int, hidden_size: int, epochs: int, seed: int = 0, truncate: int | None = None,
             keep_bias: float = LIMITS["keep_bias"][2], progress=None) -> GapResult:
    """One model trained from scratch at one gap: Adam (LEARNING_RATE), mini-batches of 64, seeded; it stops
    early once it has learned the training sentences (loss below LEARNED)."""
    if not 1 <= int(gap) <= LIMITS["gap"][1]:
        raise LongRangeError(f"The gap must be between 1 and {LIMITS['gap'][1]} words; got {gap}.")
    gap, epochs = int(gap), check("epochs", epochs)
    train_seed, test_seed = _data_seeds(int(seed), gap)
    data, test = sentences(gap, N_TRAIN, train_seed), sentences(gap, N_TEST, test_seed)
    model = build(kind, hidden_size, seed, keep_bias)

    def batch_loss(rows, epoch):
        return torch.nn.functional.cross_entropy(model.final_logits(data.inputs[rows], truncate), data.verbs[rows])

    history = fit(model, batch_loss, N_TRAIN, epochs, lr=LEARNING_RATE, batch_size=BATCH, progress=progress,
                  seed=int(seed), stop=lambda h: h.losses[-1] < LEARNED)
    correct, n = accuracy(model, test)
    p_value = float(binomtest(correct, n, 0.5, alternative="greater").pvalue)
    return GapResult(gap, correct / n, correct, n, p_value, history, model)


def train_curves(longest: int, hidden_size: int, epochs: int, seed: int = 0, truncate: int | None = None,
                 keep_bias: float = LIMITS["keep_bias"][2], kinds=KINDS, progress=None) -> dict[str, Curve]:
    """Every kind trained at every gap of `gaps_for(longest)`; progress reports the share of the work done."""
    gaps = gaps_for(longest)
    seed = check("seed", seed)
    if truncate is not None:
        truncate = check("truncate", truncate)
    work = {(kind, gap): (gap + 3) * (2.0 if kind == "GRU" else 1.0) for kind in kinds for gap in gaps}
    total, done = sum(work.values()), 0.0
    curves = {}
    for kind in kinds:
        curve = Curve(kind, truncate=truncate)
        for gap in gaps:
            def report(fraction, text, kind=kind, gap=gap, done=done):
                if progress is not None:
                    progress((done + fraction * work[kind, gap]) / total, f"{kind}, gap {gap}: {text}")
            curve.results.append(train_at(kind, gap, hidden_size, epochs, seed, truncate, keep_bias, report))
            done += work[kind, gap]
        curves[kind] = curve
    return curves


def truncation_note(truncate: int, gaps: list[int]) -> str:
    """Which gaps truncated BPTT leaves the noun outside of: x⟨2⟩ gets a gradient from J⟨T⟩ (T = gap + 3) only
    if it is among the last k steps, i.e. if gap ≤ k − 2."""
    outside = [gap for gap in gaps if gap > truncate - 2]
    if not outside:
        return f"With k = {truncate}, the noun is inside the last k steps at every gap trained here."
    return (f"With k = {truncate}, the noun is outside the last k steps at gaps {', '.join(map(str, outside))}: no "
            "gradient links it to the verb there, so no cell can learn the agreement from these sentences.")


def _words(gap: int) -> str:
    return f"{gap} word" if gap == 1 else f"{gap} words"


def verdict(curves: dict[str, Curve]) -> str:
    """Who falls to chance first, in words, from the measured curves."""
    longest = max(curves[next(iter(curves))].gaps)
    falls = {kind: curve.chance_gap() for kind, curve in curves.items()}
    parts = []
    for kind, gap in falls.items():
        misses = [r.gap for r, above in zip(curves[kind].results, curves[kind].above_chance()) if not above]
        if gap is None and not misses:
            parts.append(f"the **{kind}** is better than guessing at every gap up to {longest}")
        elif gap is None:
            parts.append(f"the **{kind}** is better than guessing at the longest gap ({longest}), though not at "
                         f"{', '.join(map(str, misses))}")
        else:
            parts.append(f"the **{kind}** is no better than guessing from a gap of **{_words(gap)}** on")
    first = min(falls.values(), key=lambda gap: np.inf if gap is None else gap)
    failed_first = [kind for kind, gap in falls.items() if gap == first]
    if first is None:
        summary = ("Every cell carried the noun's number across every gap here: at these settings even the vanilla "
                   "RNN learned it. Try a longer gap, fewer epochs or another seed.")
    elif len(failed_first) == len(falls):
        summary = f"All {len(falls)} fail from the same gap on."
    elif len(failed_first) == 1:
        summary = f"The **{failed_first[0]}** fails first."
    else:
        summary = f"{' and '.join(f'**{k}**' for k in failed_first)} fail first, at the same gap."
    details = "; ".join(parts)
    return f"{summary} {details[0].upper()}{details[1:]}."
