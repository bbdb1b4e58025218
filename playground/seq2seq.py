"""Seq2Seq: an LSTM encoder compresses the input window into its final state, an LSTM decoder unrolls it.

The encoder reads x⟨1⟩ … x⟨T_x⟩; its final hidden state a⟨T_x⟩ (with the cell c⟨T_x⟩) is the
encoding vector, and it is the decoder's starting state s⟨0⟩. The decoder then makes T_y outputs,
ŷ⟨k⟩ = W_ya s⟨k⟩ + b_y, in one of two ways, with the same weights:

- parallel: the decoder's input is the last observed value x⟨T_x⟩ at every step, so no step waits
  for an output: after step 1 (computed exactly as in the other mode) the remaining steps run in one pass;
- autoregressive: the decoder's input at step k is its own previous output ŷ⟨k-1⟩ (ŷ⟨0⟩ = x⟨T_x⟩),
  one step at a time. In training a "teacher" may give the true y⟨k-1⟩ instead.

Both modes start from the same state with the same first input, so their first outputs are identical.
With `attention=True` each output also looks back at every encoder state a⟨t⟩ (Luong-style):
α⟨k,t⟩ = softmax over t of s⟨k⟩ᵀ W_α a⟨t⟩, context⟨k⟩ = Σ_t α⟨k,t⟩ a⟨t⟩, ŷ⟨k⟩ = W_ya [s⟨k⟩; context⟨k⟩] + b_y.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from playground import training
from playground.seq2seq_data import Windows

MODES = ("parallel", "autoregressive")
SCHEDULES = ("constant", "linear", "inverse_sigmoid")


class Seq2Seq(nn.Module):
    def __init__(self, input_size: int, hidden_size: int, output_size: int, num_layers: int = 1,
                 dropout: float = 0.0, attention: bool = False):
        super().__init__()
        if output_size > input_size:
            raise ValueError("The decoder's first input is the last observed value of the target, so the input "
                             "must carry the output's features first: output_size <= input_size.")
        if hidden_size < 1 or num_layers < 1 or input_size < 1 or output_size < 1:
            raise ValueError("sizes and the number of layers must be at least 1")
        if not 0.0 <= dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")
        # PyTorch's LSTM applies dropout between stacked layers only; with one layer it would do nothing.
        between_layers = dropout if num_layers > 1 else 0.0
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.num_layers, self.dropout, self.attention = num_layers, dropout, attention
        self.encoder = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, dropout=between_layers)
        self.decoder = nn.LSTM(output_size, hidden_size, num_layers, batch_first=True, dropout=between_layers)
        if attention:
            # Starts as plain dot-product attention, s⟨k⟩ᵀ a⟨t⟩; training reshapes it.
            self.W_alpha = nn.Parameter(torch.eye(hidden_size))
        self.head = nn.Linear(hidden_size * (2 if attention else 1), output_size)  # W_ya, b_y
        self.last_attention: torch.Tensor | None = None

    # ------------------------------------------------------------------ encoder

    def encoder_states(self, input_seq: torch.Tensor):
        """All top-layer states a⟨1..T_x⟩ (batch, T_x, hidden) and the final (h, c) of every layer."""
        if input_seq.dim() != 3 or input_seq.shape[-1] != self.input_size:
            raise ValueError(f"input_seq must be (batch, T, {self.input_size}); got {tuple(input_seq.shape)}")
        return self.encoder(input_seq)

    def encode(self, input_seq: torch.Tensor) -> torch.Tensor:
        """The encoding vector: the encoder's final hidden state a⟨T_x⟩ of the top layer, (batch, hidden)."""
        _, (h, _) = self.encoder_states(input_seq)
        return h[-1]

    # ------------------------------------------------------------------ decoder

    def _readout(self, states: torch.Tensor, encoded: torch.Tensor):
        """ŷ for decoder states (batch, K, hidden); with attention also α (batch, K, T_x)."""
        if not self.attention:
            return self.head(states), None
        scores = states @ self.W_alpha @ encoded.transpose(1, 2)
        weights = torch.softmax(scores, dim=-1)
        context = weights @ encoded
        return self.head(torch.cat([states, context], dim=-1)), weights

    def forward(self, input_seq: torch.Tensor, target_len: int, mode: str = "parallel",
                target: torch.Tensor | None = None, teacher_forcing: float = 0.0,
                generator: torch.Generator | None = None) -> torch.Tensor:
        """(batch, T_x, input_size) -> (batch, target_len, output_size).

        `teacher_forcing` (autoregressive mode, needs `target`): the probability, per window and step,
        that the decoder is fed the true y⟨k-1⟩ instead of its own ŷ⟨k-1⟩. Parallel mode never feeds
        outputs back, so it ignores it. The attention weights of the call are kept in `last_attention`.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}; got {mode!r}")
        if target_len < 1:
            raise ValueError("target_len must be at least 1")
        encoded, state = self.encoder_states(input_seq)
        first_input = input_seq[:, -1:, : self.output_size]  # x⟨T_x⟩: the last observed value
        # Step 1 is the same call in both modes (same input, same state), so ŷ⟨1⟩ is bit-for-bit identical:
        # one batched pass over all steps can round differently in the last bit than a one-step call.
        output, weight, state = self._step(first_input, state, encoded)
        outputs, weights = [output], [weight]
        if mode == "parallel" and target_len > 1:
            # No input depends on an output: the remaining steps all go through the decoder in one pass.
            states, _ = self.decoder(first_input.expand(-1, target_len - 1, -1), state)
            output, weight = self._readout(states, encoded)
            outputs.append(output)
            weights.append(weight)
        elif mode == "autoregressive":
            if teacher_forcing > 0 and target is None:
                raise ValueError("teacher forcing needs the target sequence")
            if teacher_forcing >= 1.0 and target_len > 1:
                # Always fed the truth: every input is known up front, so the remaining steps take one pass.
                states, _ = self.decoder(target[:, : target_len - 1], state)
                output, weight = self._readout(states, encoded)
                outputs.append(output)
                weights.append(weight)
                target_len = 1  # nothing left for the loop below
            for k in range(1, target_len):
                step_input = output
                if teacher_forcing > 0:
                    teach = torch.rand(output.shape[0], 1, 1, generator=generator) < teacher_forcing
                    step_input = torch.where(teach, target[:, k - 1 : k], output)
                output, weight, state = self._step(step_input, state, encoded)
                outputs.append(output)
                weights.append(weight)
        weights = None if weights[0] is None else torch.cat(weights, dim=1)
        self.last_attention = None if weights is None else weights.detach()
        return torch.cat(outputs, dim=1)

    def _step(self, step_input, state, encoded):
        """One decoder step: s⟨k⟩ from s⟨k-1⟩ and the input, then ŷ⟨k⟩ (and α⟨k,·⟩)."""
        states, state = self.decoder(step_input, state)
        output, weight = self._readout(states, encoded)
        return output, weight, state

    def attend(self, input_seq: torch.Tensor, target_len: int, mode: str = "parallel"):
        """Outputs and attention weights α (batch, target_len, T_x) of a no-gradient call."""
        if not self.attention:
            raise ValueError("this model was built without attention")
        with torch.no_grad():
            outputs = self(input_seq, target_len, mode)
        return outputs, self.last_attention


# ---------------------------------------------------------------------- training


def teacher_forcing_ratio(epoch: int, epochs: int, start: float, schedule: str = "constant") -> float:
    """Scheduled sampling (Bengio et al., 2015): how often the truth is fed back, decaying over training.

    constant: `start` throughout; linear: from `start` down to 0 at the last epoch;
    inverse_sigmoid: start · k / (k + exp(i / k)) with i = epoch, k chosen so it is about start/2 halfway.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}")
    if schedule == "constant" or epochs <= 1:
        return start
    if schedule == "linear":
        return start * (1 - epoch / (epochs - 1))
    k = _inverse_sigmoid_k(epochs)
    return start * k / (k + math.exp(epoch / k))


def _inverse_sigmoid_k(epochs: int) -> float:
    """k with k / (k + exp(epochs / 2k)) = 1/2, i.e. k = exp(epochs / 2k), found by bisection (k >= 1)."""
    low, high = 1.0, max(2.0, float(epochs))
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if middle < math.exp(min(epochs / (2 * middle), 700)) else (low, middle)
    return (low + high) / 2


@dataclass(frozen=True)
class Settings:
    """Everything that changes the trained model (so all of it belongs in the training cache key)."""

    mode: str = "parallel"
    hidden_size: int = 16
    num_layers: int = 1
    dropout: float = 0.0
    attention: bool = False
    epochs: int = 80
    lr: float = 0.01
    batch_size: int = 64
    teacher_forcing: float = 0.5   # scheduled sampling: half the steps taught at first, none at the end
    schedule: str = "linear"
    seed: int = 0

    def key(self) -> tuple:
        fields = self.__dataclass_fields__
        settings = {name: getattr(self, name) for name in fields}
        if self.mode == "parallel":  # feeding back never happens: these settings do not change the model
            settings.pop("teacher_forcing"), settings.pop("schedule")
        return tuple(sorted(settings.items()))


@dataclass
class Trained:
    model: Seq2Seq
    settings: Settings
    losses: list[float]               # training MSE per epoch (teacher-forced where it was used)
    test_mse: list[float]             # test MSE per epoch, decoded in the model's own mode
    seconds: float                    # training time
    prediction: np.ndarray            # (n_test, T_y) scaled
    step_mse: np.ndarray              # (T_y,) test MSE at each horizon step
    step_mse_fed_truth: np.ndarray    # (T_y,) same, when the truth is fed back (= step_mse for parallel)
    inference_seconds: float          # one batch of all test windows, median over repeats
    encodings: np.ndarray             # (n_all, hidden) encoding vectors of every window
    projection: np.ndarray            # (n_all, 2) their first two principal components
    explained: np.ndarray             # (2,) share of the variance on each component
    attention: np.ndarray | None = None   # (n_test, T_y, T_x)
    attention_fed_truth: np.ndarray | None = field(default=None, repr=False)

    @property
    def final_test_mse(self) -> float:
        return float(np.mean(self.step_mse))


MAX_TRAINING_SECONDS = 60.0

# The page opens on the course's sine task where the lecture's contrasts show: a horizon three times the
# history is long enough for an autoregressive decoder's own mistakes to pile up, and pure teacher forcing
# (always fed the truth in training, never its own outputs) leaves it exposed to them at prediction.
# Scheduled sampling, one slider away, is the cure to try. Benchmarked in benchmarks/bench_seq2seq.py.
DEMO_HISTORY, DEMO_HORIZON = 10, 15
DEMO = Settings(epochs=20, teacher_forcing=1.0, schedule="constant")


def estimated_seconds(windows: Windows, settings: Settings) -> float:
    """A deliberately generous guess of the training time on one core, to refuse settings that would take minutes.

    Fitted by eye to timings on a busy 2-core machine (benchmarks/bench_seq2seq.py measures the real thing):
    the LSTM work grows with windows × steps × layers × hidden², and the autoregressive decoder adds
    one small call per output step, layer and batch.
    """
    windows_seen = len(windows.x_train) + len(windows.x_test)  # training plus the test MSE after each epoch
    steps = windows.history + windows.horizon
    work = 2.5e-6 * windows_seen * steps * settings.num_layers * (1 + (settings.hidden_size / 24) ** 2)
    batches = math.ceil(len(windows.x_train) / settings.batch_size)
    feedback = 1e-3 * batches * windows.horizon * settings.num_layers if settings.mode == "autoregressive" else 0.0
    return settings.epochs * (work + feedback + 0.01) * (1.3 if settings.attention else 1.0)


def build_model(settings: Settings) -> Seq2Seq:
    training.seed_everything(settings.seed)
    return Seq2Seq(1, settings.hidden_size, 1, settings.num_layers, settings.dropout, settings.attention)


def train(windows: Windows, settings: Settings, progress=None, validate_every_epoch: bool = True,
          on_epoch=None) -> Trained:
    """Train one decoder mode on the windows (Adam on the MSE, seeded) and measure it on the test windows."""
    if settings.mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if not 0.0 <= settings.teacher_forcing <= 1.0:
        raise ValueError("teacher_forcing must be between 0 and 1")
    model = build_model(settings)
    x, y = windows.x_train, windows.y_train
    horizon = windows.horizon
    generator = torch.Generator().manual_seed(settings.seed)

    def batch_loss(indices, epoch):
        ratio = teacher_forcing_ratio(epoch, settings.epochs, settings.teacher_forcing, settings.schedule)
        target = y[indices]
        output = model(x[indices], horizon, settings.mode, target=target, teacher_forcing=ratio,
                       generator=generator)
        return torch.mean((output - target) ** 2)

    def validate():
        mse = float(torch.mean((model(windows.x_test, horizon, settings.mode) - windows.y_test) ** 2))
        if on_epoch is not None:
            on_epoch(mse)
        return mse

    history = training.fit(model, batch_loss, len(x), settings.epochs, lr=settings.lr,
                           batch_size=settings.batch_size, validate=validate if validate_every_epoch else None,
                           progress=progress, seed=settings.seed)
    return evaluate(model, windows, settings, history)


def evaluate(model: Seq2Seq, windows: Windows, settings: Settings, history: training.History) -> Trained:
    model.eval()
    horizon = windows.horizon
    with torch.no_grad():
        prediction = model(windows.x_test, horizon, settings.mode)
        attention = model.last_attention
        fed_truth = model(windows.x_test, horizon, settings.mode, target=windows.y_test, teacher_forcing=1.0)
        attention_fed_truth = model.last_attention
        inputs, _ = windows.all_inputs()
        encodings = model.encode(inputs).numpy()
    projection, explained = project_2d(encodings)
    as_numpy = lambda t: None if t is None else t.numpy()
    return Trained(
        model=model, settings=settings, losses=list(history.losses), test_mse=list(history.validation),
        seconds=history.seconds, prediction=prediction[..., 0].numpy(),
        step_mse=step_errors(prediction, windows.y_test), step_mse_fed_truth=step_errors(fed_truth, windows.y_test),
        inference_seconds=inference_seconds(model, windows.x_test, horizon, settings.mode),
        encodings=encodings, projection=projection, explained=explained,
        attention=as_numpy(attention), attention_fed_truth=as_numpy(attention_fed_truth),
    )


def step_errors(prediction: torch.Tensor, truth: torch.Tensor) -> np.ndarray:
    """MSE at each horizon step k over all windows: (batch, T_y, 1) pair -> (T_y,)."""
    return torch.mean((prediction - truth) ** 2, dim=(0, 2)).numpy().astype(float)


def inference_seconds(model: Seq2Seq, x: torch.Tensor, target_len: int, mode: str, repeats: int = 15) -> float:
    """Median wall time of one no-gradient call on the batch `x` (after one warm-up call)."""
    model.eval()
    times = []
    with torch.no_grad():
        model(x, target_len, mode)
        for _ in range(repeats):
            start = time.perf_counter()
            model(x, target_len, mode)
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def project_2d(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PCA by SVD: the centred vectors on their first two principal axes, and each axis' share of variance."""
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    total = float(np.sum(singular ** 2))
    points = centred @ axes[:2].T
    explained = singular[:2] ** 2 / total if total > 0 else np.zeros(min(2, len(singular)))
    if points.shape[1] < 2:  # one hidden unit: nothing to show on a second axis
        points = np.pad(points, ((0, 0), (0, 2 - points.shape[1])))
        explained = np.pad(explained, (0, 2 - len(explained)))
    # SVD's sign is arbitrary; fix it so the same model always gives the same picture.
    signs = np.sign(points[np.argmax(np.abs(points), axis=0), [0, 1]])
    signs[signs == 0] = 1
    return points * signs, explained


# ---------------------------------------------------------------------- reading the results


def growth(step_mse: np.ndarray) -> float:
    """How many times larger the error is at the last output step than at the first."""
    return float(step_mse[-1] / step_mse[0]) if step_mse[0] > 0 else float("inf")


def exposure_cost(result: Trained) -> float:
    """Test MSE over steps 2…T_y fed its own outputs ÷ fed the truth: what the decoder's own mistakes cost.

    Step 1 is left out: its input is the observed x⟨T_x⟩ either way.
    """
    own, fed = float(np.sum(result.step_mse[1:])), float(np.sum(result.step_mse_fed_truth[1:]))
    return own / fed if fed > 0 else float("inf")


def feedback_reading(result: Trained) -> str:
    """What feeding back its own outputs did to an autoregressive decoder, in plain words (markdown)."""
    horizon = len(result.step_mse)
    steps = f"steps 2–{horizon}" if horizon > 2 else "step 2"
    cost = exposure_cost(result)
    settings = result.settings
    final_share = teacher_forcing_ratio(settings.epochs - 1, settings.epochs, settings.teacher_forcing,
                                        settings.schedule)
    if cost > 1.2:
        return (f"Fed its **own** outputs, the autoregressive decoder's error over {steps} is **×{cost:.2g}** what "
                "it is when fed the **true** previous values (dotted line): each mistake becomes the next step's "
                "input, and errors **compound**.")
    if cost < 1 / 1.2:
        return (f"Fed the **true** previous values (dotted line) it does *worse*, ×{1 / cost:.2g} over {steps}: "
                f"at the end of training it was fed the truth {final_share:.0%} of the time, so it has learned to "
                "continue from its own predictions, and clean values are what it does not expect.")
    return (f"Feeding it the truth instead of its own outputs hardly changes the error (×{cost:.2g} over {steps}): "
            "its outputs are nearly as good as the truth here, so there is little error to compound. "
            "Add noise, lengthen the horizon or train fewer epochs to see errors grow.")


def growth_reading(mode: str, step_mse: np.ndarray) -> str:
    """How the error of one decoder changes from the first output step to the last, in plain words (markdown)."""
    ratio, horizon = growth(step_mse), len(step_mse)
    trend = ("**grows** along the horizon" if ratio >= GROWS else "**shrinks** along the horizon" if ratio <= 1 / GROWS
             else "stays about the same along the horizon")
    return f"- **{mode}**: the error at step {horizon} is ×{ratio:.2g} its error at step 1: it {trend}."


GROWS = 1.5  # ×1.5 from the first step to the last: a change worth a sentence
SAME = 1.1  # two errors within 10% of each other are "about the same"


def comparison_reading(parallel: Trained, autoregressive: Trained) -> str:
    """Which decoder wins on the test windows, by how much, and where along the horizon (markdown)."""
    p, a = parallel.final_test_mse, autoregressive.final_test_mse
    speed = autoregressive.inference_seconds / parallel.inference_seconds if parallel.inference_seconds > 0 else 1.0
    timing = (f" Inference: {parallel.inference_seconds * 1e3:.2f} ms (parallel) vs "
              f"{autoregressive.inference_seconds * 1e3:.2f} ms (autoregressive) per batch, ×{speed:.2g}.")
    if max(p, a) <= SAME * min(p, a):
        return (f"On this data both decoders are about equally good: test MSE {p:.3g} (parallel) vs {a:.3g} "
                f"(autoregressive), within 10% of each other.{timing}")
    winner, loser = ("parallel", "autoregressive") if p < a else ("autoregressive", "parallel")
    ratio = max(p, a) / min(p, a)
    text = (f"On this data the **{winner}** decoder wins: test MSE {min(p, a):.3g} vs {max(p, a):.3g} "
            f"({loser}), ×{ratio:.2g} lower.")
    better = autoregressive.step_mse < parallel.step_mse
    changes = np.flatnonzero(better[1:] != better[:-1])
    if len(changes) == 1:  # one decoder is better up to a step, the other after it
        switch = int(changes[0]) + 1
        first, second = ("autoregressive", "parallel") if better[0] else ("parallel", "autoregressive")
        steps = "step 1" if switch == 1 else f"steps 1–{switch}"
        text += f" The {first} one is better at {steps}, the {second} one from step {switch + 1} on."
    return text + timing
