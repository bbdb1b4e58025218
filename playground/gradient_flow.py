"""How far back the gradient reaches: ‖∂J⟨T⟩/∂a⟨t⟩‖ against t, for a vanilla RNN, an LSTM and a GRU.

For the vanilla RNN a⟨t⟩ = g(W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a), one step back multiplies the gradient by

    (∂a⟨t⟩/∂a⟨t−1⟩)ᵀ = W_aaᵀ diag(g'(z⟨t⟩)),   so   ‖∂a⟨t⟩/∂a⟨t−1⟩‖₂ ≤ σ_max(W_aa) · max|g'| ≤ σ_max(W_aa)

(|tanh'| ≤ 1, relu' ∈ {0, 1}), and after T − t steps

    ‖∂J⟨T⟩/∂a⟨t⟩‖ ≤ ‖∂J⟨T⟩/∂a⟨T⟩‖ · σ_max(W_aa)^(T−t).

Below 1 the bound forces the gradient to vanish geometrically; above 1 it only allows it to explode
(saturated tanh units, g' ≈ 0, can still shrink it). The RNN's backward pass is the hand-written one of
`playground.bptt`; the LSTM's and GRU's come from PyTorch's autograd, stepping the module one step at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from playground import bptt, long_range

INITS = {  # how W_aa is drawn before it is scaled
    "orthogonal": "orthogonal × ρ (σ_max = ρ)",
    "pytorch": "PyTorch's default, rescaled to ρ",
    "identity": "identity × ρ (IRNN, Le et al. 2015)",
}
DEFAULT_INIT = "orthogonal"
LIMITS = {  # (min, max, default); the cells' size, seed and keep-gate bias are long_range's
    "steps": (5, 100, 40),  # T: the sentence "the noun <T − 3 fillers> ___"
    "scale": (0.1, 2.0, 0.9),  # spectral radius of W_aa
    "clip": (0.01, 100.0, 1.0),
    "truncate": (1, 100, 10),
}
SCALES = np.round(np.arange(0.1, 2.0001, 0.05), 2)  # the sweep behind the clipping figure


class FlowError(ValueError):
    """A setting is out of bounds; the message says which."""


NAMES = {"steps": "The sequence length T", "scale": "The spectral radius ρ of W_aa",
         "clip": "The clipping threshold", "truncate": "k (truncated BPTT)"}


def _check(name: str, value):
    low, high, _ = LIMITS[name]
    if not low <= value <= high:
        raise FlowError(f"{NAMES[name]} must be between {low} and {high}; got {value}.")
    return value


# --------------------------------------------------------------------------- the recurrent matrix


def recurrent_matrix(base: np.ndarray, init: str, scale: float, seed: int = 0) -> np.ndarray:
    """W_aa of the chosen kind. `pytorch`: the module's own W_hh rescaled to spectral radius `scale`;
    `orthogonal`: a random orthogonal matrix times `scale` (spectral radius = σ_max = scale);
    `identity`: scale · I."""
    n = base.shape[0]
    if init == "pytorch":
        return base * (scale / spectral_radius(base))
    if init == "orthogonal":
        q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
        return scale * q * np.sign(np.diag(r))
    if init == "identity":
        return scale * np.eye(n)
    raise FlowError(f"init must be one of {', '.join(INITS)}.")


def spectral_radius(matrix: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def largest_singular_value(matrix: np.ndarray) -> float:
    return float(np.linalg.norm(matrix, 2))


def rnn_parameters(model: long_range.AgreementModel, init: str, scale: float, seed: int = 0) -> dict:
    """The course's parameters of a torch RNN model (b_a = b_ih + b_hh), with W_aa replaced as asked."""
    rnn = model.rnn
    weights = {name: value.detach().double().numpy() for name, value in rnn.named_parameters()}
    return {
        "Wax": weights["weight_ih_l0"],
        "Waa": recurrent_matrix(weights["weight_hh_l0"], init, scale, seed),
        "ba": weights["bias_ih_l0"] + weights["bias_hh_l0"],
        "Wya": model.head.weight.detach().double().numpy(),
        "by": model.head.bias.detach().double().numpy(),
    }


# --------------------------------------------------------------------------- the vanilla RNN, by hand


@dataclass
class RNNFlow:
    norms: np.ndarray  # (T,) ‖∂J⟨T⟩/∂a⟨t⟩‖, t = 1 … T (0 where truncation cut the flow)
    bound: np.ndarray  # (T,) ‖∂J⟨T⟩/∂a⟨T⟩‖ · σ_max^(T−t)
    spectral_radius: float
    sigma_max: float
    gradients: dict  # ∂J⟨T⟩/∂θ for the five parameters
    slope: np.ndarray  # (T, n_a) g'(z⟨t⟩)
    final_state: float  # ‖a⟨T⟩‖, to tell an exploded forward pass
    truncate: int | None

    @property
    def steps(self) -> int:
        return len(self.norms)

    @property
    def gradient_norm(self) -> float:
        return bptt.total_norm(self.gradients)

    @property
    def reached(self) -> int:
        """The earliest step (0-based) the gradient reaches: 0, or T − k when truncated."""
        return 0 if self.truncate is None else max(0, self.steps - self.truncate)

    def ratio(self) -> float:
        """‖∂J⟨T⟩/∂a⟨earliest reached⟩‖ / ‖∂J⟨T⟩/∂a⟨T⟩‖: how much of the gradient is left back there."""
        return _ratio(self.norms[self.reached], self.norms[-1])

    def under_bound(self) -> bool:
        return bool(np.all(self.norms <= self.bound * (1 + 1e-9) + 1e-300))


def _ratio(early: float, late: float) -> float:
    return float(early / late) if late > 0 and np.isfinite(late) else float("nan")


def rnn_flow(params: dict, xs: np.ndarray, verb: int, activation: str = "tanh",
             truncate: int | None = None) -> RNNFlow:
    """∂J⟨T⟩/∂a⟨t⟩ at every step, from the hand-written backward pass with only the last loss counted."""
    steps = len(xs)
    if truncate is not None:
        truncate = int(_check("truncate", truncate))
    fwd = bptt.forward(params, xs, np.full(steps, int(verb)), activation=activation)
    back = bptt.backward(fwd, steps=[steps - 1], truncate=truncate)
    norms = np.linalg.norm(back.da, axis=1)
    sigma = largest_singular_value(fwd.params["Waa"])
    with np.errstate(over="ignore", invalid="ignore"):
        bound = norms[-1] * sigma ** np.arange(steps - 1, -1, -1, dtype=float)
    return RNNFlow(norms, bound, spectral_radius(fwd.params["Waa"]), sigma, back.gradients, back.slope,
                   float(np.linalg.norm(fwd.a[-1])), truncate)


def clipping_sweep(model: long_range.AgreementModel, xs: np.ndarray, verb: int, init: str, activation: str,
                   threshold: float, seed: int = 0, scales=SCALES) -> tuple[np.ndarray, np.ndarray]:
    """‖∂J⟨T⟩/∂θ‖ before and after clipping at `threshold`, for every spectral radius of W_aa in `scales`."""
    threshold = _check("clip", threshold)
    before, after = [], []
    for scale in scales:
        gradients = rnn_flow(rnn_parameters(model, init, float(scale), seed), xs, verb, activation).gradients
        before.append(bptt.total_norm(gradients))
        after.append(bptt.total_norm(bptt.clip_by_norm(gradients, threshold)))
    return np.array(before), np.array(after)


def _times(ratio: float) -> str:
    return f"{ratio:.1e}".replace("e-0", "e−").replace("e+0", "e+").replace("e-", "e−")


def _superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _size_word(ratio: float) -> str:
    if not np.isfinite(ratio):
        return "cannot be compared"
    if ratio < 1e-2:
        return "**vanishes**"
    if ratio > 1e2:
        return "**explodes**"
    return "roughly **keeps its size**"


def flow_story(rnn: RNNFlow, gated: dict, activation: str, keep_bias: float) -> list[str]:
    """What the gradient-flow figure shows, in sentences computed from its numbers."""
    steps, first = rnn.steps, rnn.reached + 1
    if not (rnn.norms[-1] > 0 and np.isfinite(rnn.norms[-1])):
        return [f"Here ∂J⟨T⟩/∂a⟨T⟩ is exactly 0 (or not a number): the forward pass blew up (‖a⟨T⟩‖ = "
                f"{rnn.final_state:.3g}) and ŷ⟨T⟩ is saturated, so J⟨T⟩ sends no gradient back at all. "
                "A smaller ρ, tanh, or a shorter sequence gives a curve to look at."]
    ratio = rnn.ratio()
    lines = [f"**Vanilla RNN** (ρ = {rnn.spectral_radius:.2f}, σ_max = {rnn.sigma_max:.2f}, {activation}): from "
             f"a⟨{steps}⟩ back to a⟨{first}⟩ the gradient is multiplied by {_times(ratio)}: it {_size_word(ratio)}."]
    bound_end = rnn.bound[rnn.reached] / rnn.norms[-1]
    mean_slope = float(np.mean(rnn.slope[rnn.reached:]))
    check = ("The measured curve stays under the bound at every step." if rnn.under_bound() else
             "The measured curve goes above the bound somewhere, which the theory rules out: please report it.")
    if rnn.sigma_max < 1:
        why = (f"σ_max < 1 (and |{activation}′| ≤ 1), so the bound alone forces it down: by at least "
               f"σ_max{_superscript(steps - first)} = {_times(bound_end)} over these steps.")
    elif ratio < 1e-2:
        why = (f"σ_max ≥ 1 allows growth but does not force it: every step also multiplies by {activation}′, "
               f"on average {mean_slope:.2f} here (" + ("less than 1, and near 0 where a unit saturates"
                                                        if activation == "tanh" else "0 wherever a unit is off")
               + f"), and the gradient shrinks anyway, far under the bound ({_times(bound_end)}).")
    else:
        why = f"σ_max ≥ 1: the bound allows a factor up to {_times(bound_end)}."
    if rnn.spectral_radius < 0.995 and rnn.sigma_max >= 1:
        why += (" (ρ < 1 but σ_max ≥ 1: the eigenvalues are small while some direction is still stretched, and the "
                "bound has to use σ_max.)")
    lines.append(f"{check} {why}")
    parts = []
    for kind, norms in gated.items():
        r = _ratio(norms["hidden"][rnn.reached], norms["hidden"][-1])
        if np.isfinite(r):
            parts.append(f"the {kind}'s by {_times(r)} ({'more' if r > ratio else 'less'} than the RNN's)")
    if parts:
        lines.append(f"**Untrained LSTM and GRU** (keep-gate bias {keep_bias:g}), over the same steps: "
                     + " and ".join(parts) + ". "
                     + ("With the keep gates half open (bias 0) the gated cells forget too, and so does their gradient."
                        if keep_bias == 0 else
                        "A gate that starts out keeping its memory also lets the gradient through; training can "
                        "open it further (section below)."))
    if rnn.truncate is not None:
        noun = steps - 2  # the noun is x⟨2⟩; J⟨T⟩ is T − 2 steps later
        if rnn.truncate < noun + 1:
            lines.append(f"**Truncated BPTT, k = {rnn.truncate}:** the gradient of J⟨T⟩ stops at a⟨{first}⟩. The noun "
                         f"is x⟨2⟩, {noun} steps before the verb: no gradient connects them, so training with this k "
                         "cannot learn that the verb depends on it (a dependency longer than k steps is invisible).")
        else:
            lines.append(f"**Truncated BPTT, k = {rnn.truncate}:** k reaches back to the noun at step 2, so this "
                         "dependency is still inside the window.")
    return lines


def clipping_story(rnn: RNNFlow, threshold: float) -> str:
    norm = rnn.gradient_norm
    clipped = bptt.total_norm(bptt.clip_by_norm(rnn.gradients, threshold))
    if norm > threshold:
        return (f"At ρ = {rnn.spectral_radius:.2f}, ‖∂J⟨T⟩/∂θ‖ = {norm:.3g} > {threshold:g}: clipping scales every "
                f"gradient by {threshold / norm:.3g}, to a norm of {clipped:.3g}. The direction is kept, so the early "
                "steps' share of it stays just as small: clipping tames exploding gradients, not vanishing ones.")
    return (f"At ρ = {rnn.spectral_radius:.2f}, ‖∂J⟨T⟩/∂θ‖ = {norm:.3g} ≤ {threshold:g}: clipping leaves it alone. "
            "It only acts when the norm exceeds the threshold, and then keeps the direction: it tames exploding "
            "gradients, it cannot bring back vanished ones.")


# --------------------------------------------------------------------------- the page's experiment


def sentence(steps: int, seed: int = 0) -> tuple[long_range.Sentences, np.ndarray, int]:
    """One sentence of T = `steps` words (“the <noun> <T − 3 fillers> ___”): the sentences, x⟨t⟩ as float64, verb."""
    _check("steps", int(steps))
    one = long_range.sentences(int(steps) - 3, 1, seed)
    return one, one.inputs[0].double().numpy(), int(one.verbs[0])


def untrained(steps: int, hidden_size: int, seed: int, keep_bias: float, init: str, scale: float,
              activation: str = "tanh", truncate: int | None = None) -> tuple[RNNFlow, dict, list[str]]:
    """The gradient-flow experiment on one sentence: the vanilla RNN by hand (W_aa as chosen), the LSTM and
    GRU by autograd, all three with the long-range task's initial weights. Returns (RNN flow, {kind: flows}, words)."""
    _check("scale", float(scale))
    one, xs, verb = sentence(steps, seed)
    rnn = rnn_flow(rnn_parameters(long_range.build("RNN", hidden_size, seed), init, scale, seed), xs, verb,
                   activation, truncate)
    gated = {kind: state_gradients(long_range.build(kind, hidden_size, seed, keep_bias), one.inputs, one.verbs,
                                   truncate) for kind in ("LSTM", "GRU")}
    return rnn, gated, one.words[0]


def clipping_on(steps: int, hidden_size: int, seed: int, init: str, activation: str,
                threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """`clipping_sweep` on the experiment's sentence and RNN."""
    _, xs, verb = sentence(steps, seed)
    return clipping_sweep(long_range.build("RNN", hidden_size, seed), xs, verb, init, activation, threshold, seed)


# --------------------------------------------------------------------------- any torch model, by autograd


def state_gradients(model: long_range.AgreementModel, inputs: torch.Tensor, verbs: torch.Tensor,
                    truncate: int | None = None) -> dict[str, np.ndarray]:
    """Mean over the sentences of ‖∂J⟨T⟩/∂a⟨t⟩‖ (and, for the LSTM, ‖∂J⟨T⟩/∂c⟨t⟩‖), t = 1 … T, by autograd.

    The module is stepped one step at a time so that every state is a tensor autograd can report on.
    J⟨T⟩ is summed over the sentences: each sentence's gradient is its own (they do not interact).
    The model's own .grad is left alone (it may be a cached model that other sessions read)."""
    rnn, steps = model.rnn, inputs.shape[1]
    first = 0 if truncate is None else max(0, steps - int(truncate))
    states, state = [], None
    inputs = inputs.to(next(model.parameters()).dtype)
    for t in range(steps):
        if t == first and state is not None:  # truncated BPTT: the state handed on is a constant
            state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        _, state = rnn(inputs[:, t:t + 1], state)
        states.append(state if isinstance(state, tuple) else (state,))
    loss = torch.nn.functional.cross_entropy(model.head(states[-1][0][0]), verbs, reduction="sum")
    tensors = [tensor for state in states for tensor in state]
    grads = torch.autograd.grad(loss, tensors, allow_unused=True)
    per_state = len(states[0])

    def norms(index):
        rows = [grads[t * per_state + index] for t in range(steps)]
        return np.array([np.zeros(len(verbs)) if g is None or t < first else g[0].norm(dim=-1).double().numpy()
                         for t, g in enumerate(rows)]).mean(axis=1)

    result = {"hidden": norms(0)}
    if per_state == 2:
        result["cell"] = norms(1)
    return result


def input_sensitivity(model: long_range.AgreementModel, inputs: torch.Tensor, verbs: torch.Tensor) -> np.ndarray:
    """(T, T) matrix: row t, column s is the mean over sentences of ‖∂J⟨t⟩/∂x⟨s⟩‖, where J⟨t⟩ is the
    cross-entropy of ŷ⟨t⟩ against the sentence's verb (the loss had the verb been asked at step t).
    Zero above the diagonal: the loss at t cannot depend on later inputs.

    One backward pass for all rows: the batch is repeated T times and copy t counts only its loss at step t."""
    n, steps = inputs.shape[:2]
    x = inputs.repeat(steps, 1, 1).requires_grad_(True)  # copy t is rows t·n … (t+1)·n − 1
    at = torch.arange(steps).repeat_interleave(n)
    logits = model(x)[torch.arange(steps * n), at]
    loss = torch.nn.functional.cross_entropy(logits, verbs.repeat(steps), reduction="sum")
    (grad,) = torch.autograd.grad(loss, x)
    return grad.norm(dim=-1).reshape(steps, n, steps).mean(dim=1).double().numpy()


# --------------------------------------------------------------------------- the trained cells

N_ANALYSED = 32  # test sentences averaged in the trained cells' figures


@dataclass
class TrainedAnalysis:
    gap: int
    words: list[str]  # one sentence of that gap, for the axis labels
    flows: dict  # kind -> state_gradients(...)
    sensitivity: dict  # kind -> (T, T) input_sensitivity(...)
    story: str  # trained_story
    listening: str  # listening_story


def trained_analysis(curves: dict, seed: int = 0) -> TrainedAnalysis:
    """Gradient flow and input sensitivity of every cell trained at the longest gap, on new test sentences."""
    kinds = list(curves)
    gap = curves[kinds[0]].longest.gap
    test = long_range.sentences(gap, N_ANALYSED, long_range.analysis_seed(seed, gap))
    models = {kind: curves[kind].longest.model for kind in kinds}
    flows = {kind: state_gradients(model, test.inputs, test.verbs) for kind, model in models.items()}
    sensitivity = {kind: input_sensitivity(model, test.inputs, test.verbs) for kind, model in models.items()}
    return TrainedAnalysis(gap, test.words[0], flows, sensitivity, trained_story(curves, flows),
                           listening_story(sensitivity))


def listening_story(sensitivity: dict) -> str:
    """In the last row of each heatmap (the verb's loss): the noun's input against the latest input."""
    parts = []
    for kind, matrix in sensitivity.items():
        noun, latest = matrix[-1, 1], matrix[-1, -1]
        parts.append(f"{kind} {_times(_ratio(noun, latest))}" if latest > 0 else f"{kind}: no gradient at all")
    return ("At the verb (last row), how strongly the loss depends on the noun x⟨2⟩ compared with the latest "
            "input x⟨T⟩: " + ", ".join(parts) + ".")


def trained_story(curves: dict, flows: dict) -> str:
    """How much of J⟨T⟩'s gradient reaches the noun (step 2) in each trained cell, and whether that lines up with
    which cells learned the task at the longest gap."""
    left = {kind: _ratio(f["hidden"][1], f["hidden"][-1]) for kind, f in flows.items()}
    learned = {kind: curves[kind].above_chance()[-1] for kind in flows}
    parts = [f"{kind} {_times(r)}" if np.isfinite(r) else f"{kind}: no gradient at a⟨T⟩ (its loss is 0)"
             for kind, r in left.items()]
    text = ("Of the gradient that J⟨T⟩ sends into a⟨T⟩, what is left when it reaches a⟨2⟩, the noun's step: "
            + ", ".join(parts) + ".")
    cell = flows.get("LSTM", {}).get("cell")
    if cell is not None and np.isfinite(left.get("LSTM", np.nan)):
        through_cell = _ratio(cell[1], flows["LSTM"]["hidden"][-1])
        text += f" In the LSTM, ‖∂J⟨T⟩/∂c⟨2⟩‖ is {_times(through_cell)} of it" + (
            ": more reaches the cell c⟨t⟩, kept by Γ_f, than the activation a⟨t⟩." if through_cell > left["LSTM"]
            else ".")
    good = [left[k] for k in left if learned[k] and np.isfinite(left[k])]
    bad = [left[k] for k in left if not learned[k] and np.isfinite(left[k])]
    names_good = [k for k in left if learned[k]]
    names_bad = [k for k in left if not learned[k]]
    if good and bad and min(good) > max(bad):
        text += (f" The cells that learned the task at this gap ({', '.join(names_good)}) keep more of the gradient "
                 f"than the ones that did not ({', '.join(names_bad)}): the verb's loss reaches the noun in the "
                 "first, and hardly at all in the second.")
    elif good and bad:
        text += (" Here the size of the gradient that reaches the noun does not simply line up with who learned the "
                 "task.")
    elif not bad:
        text += " Every cell learned the task at this gap."
    else:
        text += " No cell learned the task at this gap."
    return text
