"""Backpropagation through time for the vanilla RNN, written out by hand in numpy (no autograd).

The course's cell, with column vectors:

    z⟨t⟩ = W_aa a⟨t−1⟩ + W_ax x⟨t⟩ + b_a      a⟨t⟩ = g(z⟨t⟩)      (g = tanh, or relu)
    ŷ⟨t⟩ = softmax(W_ya a⟨t⟩ + b_y)           J⟨t⟩ = −log ŷ⟨t⟩[y⟨t⟩]      J = Σ_t J⟨t⟩

and the backward pass, from t = T down to 1 (δ⟨T+1⟩ = 0):

    ∂J/∂o⟨t⟩ = ŷ⟨t⟩ − onehot(y⟨t⟩)                      (o⟨t⟩ = W_ya a⟨t⟩ + b_y, the logits)
    ∂J/∂a⟨t⟩ = W_yaᵀ (ŷ⟨t⟩ − y⟨t⟩) + W_aaᵀ δ⟨t+1⟩       (from ŷ⟨t⟩, and from step t+1)
    δ⟨t⟩     = ∂J/∂z⟨t⟩ = ∂J/∂a⟨t⟩ ⊙ g'(z⟨t⟩)            (tanh: g' = 1 − a⟨t⟩²)
    ∂J/∂W_aa += δ⟨t⟩ a⟨t−1⟩ᵀ    ∂J/∂W_ax += δ⟨t⟩ x⟨t⟩ᵀ    ∂J/∂b_a += δ⟨t⟩
    ∂J/∂W_ya += (ŷ⟨t⟩ − y⟨t⟩) a⟨t⟩ᵀ                      ∂J/∂b_y += ŷ⟨t⟩ − y⟨t⟩

The shared weights get one contribution per step: that sum is what "through time" means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PARAMETERS = ("Wax", "Waa", "Wya", "ba", "by")
ACTIVATIONS = ("tanh", "relu")
MAX_STEPS = 1_000  # a hand-written loop in Python: longer sequences belong to a framework
MAX_UNITS = 512


class BPTTError(ValueError):
    """The parameters or the sequence do not fit together; the message says what to change."""


# --------------------------------------------------------------------------- checking the inputs


def _shapes(params: dict, xs, ys, a0):
    missing = [name for name in PARAMETERS if name not in params]
    if missing:
        raise BPTTError(f"params needs {', '.join(PARAMETERS)}; missing {', '.join(missing)}.")
    p = {name: np.asarray(params[name], dtype=float) for name in PARAMETERS}
    Wax, Waa, Wya = p["Wax"], p["Waa"], p["Wya"]
    if Wax.ndim != 2 or Waa.ndim != 2 or Wya.ndim != 2:
        raise BPTTError("Wax, Waa and Wya must be matrices (2-D arrays).")
    n_a, n_x = Wax.shape
    n_y = Wya.shape[0]
    if Waa.shape != (n_a, n_a) or Wya.shape[1] != n_a:
        raise BPTTError(f"With Wax of shape {Wax.shape}, Waa must be ({n_a}, {n_a}) and Wya (n_y, {n_a}); "
                        f"got Waa {Waa.shape}, Wya {Wya.shape}.")
    if p["ba"].size != n_a or p["by"].size != n_y:
        raise BPTTError(f"ba must have {n_a} entries and by {n_y}; got {p['ba'].size} and {p['by'].size}.")
    p["ba"], p["by"] = p["ba"].reshape(n_a), p["by"].reshape(n_y)
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 2 or xs.shape[1] != n_x:
        raise BPTTError(f"xs must be a (T, {n_x}) array; got shape {xs.shape}.")
    T = xs.shape[0]
    if not 1 <= T <= MAX_STEPS:
        raise BPTTError(f"The sequence must have between 1 and {MAX_STEPS} steps; it has {T}.")
    if n_a > MAX_UNITS:
        raise BPTTError(f"At most {MAX_UNITS} hidden units; Wax has {n_a} rows.")
    ys = np.asarray(ys)
    if ys.shape != (T,):
        raise BPTTError(f"ys must hold {T} class indices (one per step); got shape {ys.shape}.")
    if not np.issubdtype(ys.dtype, np.number) or not np.all(np.mod(ys, 1) == 0):
        raise BPTTError("ys must hold whole numbers: the index of the right class at each step.")
    ys = ys.astype(int)
    if ys.min() < 0 or ys.max() >= n_y:
        raise BPTTError(f"Every class index in ys must be between 0 and {n_y - 1}.")
    a0 = np.zeros(n_a) if a0 is None else np.asarray(a0, dtype=float).reshape(-1)
    if a0.shape != (n_a,):
        raise BPTTError(f"a0 must have {n_a} entries; got {a0.size}.")
    if not all(np.isfinite(v).all() for v in (*p.values(), xs, a0)):
        raise BPTTError("The parameters, inputs and a0 must be finite numbers (no NaN or infinity).")
    return p, xs, ys, a0


# --------------------------------------------------------------------------- forward


@dataclass
class Forward:
    """Everything the forward pass computed, one row per step (rows are t = 1 … T)."""

    params: dict  # the parameters as float arrays (biases as vectors)
    activation: str
    xs: np.ndarray  # (T, n_x)
    ys: np.ndarray  # (T,)
    a0: np.ndarray  # (n_a,)
    z: np.ndarray  # (T, n_a) pre-activations
    a: np.ndarray  # (T, n_a)
    probs: np.ndarray  # (T, n_y) ŷ⟨t⟩
    losses: np.ndarray  # (T,) J⟨t⟩

    @property
    def loss(self) -> float:
        return float(self.losses.sum())

    @property
    def previous(self) -> np.ndarray:
        """a⟨t−1⟩ for every step: a0, a⟨1⟩, …, a⟨T−1⟩."""
        return np.vstack([self.a0, self.a[:-1]])

    def slope(self) -> np.ndarray:
        """g'(z⟨t⟩) for every step: 1 − a⟨t⟩² for tanh, 1 where z⟨t⟩ > 0 for relu."""
        return 1 - self.a ** 2 if self.activation == "tanh" else (self.z > 0).astype(float)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def forward(params: dict, xs, ys, a0=None, activation: str = "tanh") -> Forward:
    if activation not in ACTIVATIONS:
        raise BPTTError(f"activation must be one of {', '.join(ACTIVATIONS)}.")
    p, xs, ys, a0 = _shapes(params, xs, ys, a0)
    g = np.tanh if activation == "tanh" else (lambda v: np.maximum(v, 0.0))
    T, n_a = len(xs), len(a0)
    z, a = np.empty((T, n_a)), np.empty((T, n_a))
    previous = a0
    with np.errstate(over="ignore", invalid="ignore"):  # an exploding relu RNN is a result, not an error
        for t in range(T):
            z[t] = p["Waa"] @ previous + p["Wax"] @ xs[t] + p["ba"]
            a[t] = previous = g(z[t])
        logits = a @ p["Wya"].T + p["by"]
        probs = _softmax(logits)
        # log-softmax written out: J⟨t⟩ = log Σ exp(o) − o[y], stable for large logits
        top = logits.max(axis=1)
        losses = top + np.log(np.exp(logits - top[:, None]).sum(axis=1)) - logits[np.arange(T), ys]
    return Forward(p, activation, xs, ys, a0, z, a, probs, losses)


# --------------------------------------------------------------------------- backward


@dataclass
class Backward:
    """Every quantity of the backward pass, one row per step (rows are t = 1 … T; computed from T down)."""

    output_error: np.ndarray  # (T, n_y) ŷ⟨t⟩ − onehot(y⟨t⟩), zero where J⟨t⟩ is not in the loss
    from_output: np.ndarray  # (T, n_a) W_yaᵀ (ŷ⟨t⟩ − y⟨t⟩)
    from_next: np.ndarray  # (T, n_a) W_aaᵀ δ⟨t+1⟩ (zero at t = T, and where the pass was truncated)
    da: np.ndarray  # (T, n_a) ∂J/∂a⟨t⟩ = from_output + from_next
    slope: np.ndarray  # (T, n_a) g'(z⟨t⟩)
    delta: np.ndarray  # (T, n_a) δ⟨t⟩ = ∂J/∂z⟨t⟩
    gradients: dict  # ∂J/∂(each parameter), the sum of every step's contribution

    def contributions(self, name: str, fwd: Forward) -> np.ndarray:
        """Step t's term in the gradient of `name` (shape (T, *parameter shape)): what the page accumulates."""
        terms = {
            "Waa": lambda: np.einsum("ti,tj->tij", self.delta, fwd.previous),
            "Wax": lambda: np.einsum("ti,tj->tij", self.delta, fwd.xs),
            "ba": lambda: self.delta,
            "Wya": lambda: np.einsum("ti,tj->tij", self.output_error, fwd.a),
            "by": lambda: self.output_error,
        }
        return terms[name]()


def backward(fwd: Forward, steps=None, truncate: int | None = None) -> Backward:
    """The backward pass of J = Σ_{t in steps} J⟨t⟩ (every step by default), by the equations above.

    `truncate=k`: truncated BPTT, as when the first T − k steps run without gradient (the state
    handed to step T − k + 1 is treated as a constant): nothing flows to a⟨t⟩ for t ≤ T − k.
    """
    p, T = fwd.params, len(fwd.xs)
    counted = np.zeros(T, dtype=bool)
    counted[np.arange(T) if steps is None else np.asarray(steps, dtype=int)] = True
    first = 0 if truncate is None else max(0, T - int(truncate))
    if truncate is not None and int(truncate) < 1:
        raise BPTTError("truncate (k) must be at least 1 step.")
    onehot = np.eye(p["Wya"].shape[0])[fwd.ys]
    output_error = np.where(counted[:, None], fwd.probs - onehot, 0.0)
    output_error[:first] = 0.0
    slope = fwd.slope()
    from_output = output_error @ p["Wya"]  # row t: W_yaᵀ (ŷ⟨t⟩ − y⟨t⟩)
    from_next, da, delta = (np.zeros_like(fwd.a) for _ in range(3))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T - 1, first - 1, -1):
            if t + 1 < T:
                from_next[t] = p["Waa"].T @ delta[t + 1]
            da[t] = from_output[t] + from_next[t]
            delta[t] = da[t] * slope[t]
        result = Backward(output_error, from_output, from_next, da, slope, delta, {})
        result.gradients = {name: result.contributions(name, fwd).sum(axis=0) for name in PARAMETERS}
    return result


def manual_gradients(params: dict, xs, ys, a0=None, activation: str = "tanh") -> dict:
    """∂J/∂(Wax, Waa, Wya, ba, by) of J = Σ_t cross-entropy(softmax(Wya a⟨t⟩ + by), ys[t]), by hand.

    Each gradient has the shape of the parameter as it was given (a (n, 1) bias stays (n, 1)).
    """
    fwd = forward(params, xs, ys, a0, activation)
    grads = backward(fwd).gradients
    return {name: grads[name].reshape(np.shape(params[name])) for name in PARAMETERS}


def total_norm(gradients: dict) -> float:
    """‖∂J/∂θ‖: the norm of all the gradients together, as one long vector."""
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in gradients.values())))


def clip_by_norm(gradients: dict, threshold: float) -> dict:
    """Gradient clipping as torch.nn.utils.clip_grad_norm_ does it: if the norm of all gradients together
    exceeds `threshold`, every one is scaled by threshold / norm, so the direction is kept."""
    if not threshold > 0:
        raise BPTTError("The clipping threshold must be a positive number.")
    scale = min(1.0, threshold / (total_norm(gradients) + 1e-6))
    return {name: g * scale for name, g in gradients.items()}


# --------------------------------------------------------------------------- the page's worked example

TEXT_LENGTH = (2, 13)  # characters: the RNN reads characters 1 … T and predicts 2 … T + 1
HIDDEN_SIZE = (1, 5, 3)  # (min, max, default): a⟨t⟩ is written out in full in the equations
DEFAULT_TEXT = "backprop"


@dataclass
class CharProblem:
    """Predict the next character: x⟨t⟩ = one-hot(text[t]), y⟨t⟩ = text[t + 1], random (seeded) weights."""

    text: str
    vocabulary: list[str]
    params: dict
    xs: np.ndarray
    ys: np.ndarray
    note: str = ""  # what was changed in the text, if anything

    @property
    def inputs(self) -> list[str]:
        return list(self.text[:-1])

    @property
    def targets(self) -> list[str]:
        return list(self.text[1:])


def char_problem(text: str, hidden_size: int = HIDDEN_SIZE[2], seed: int = 0) -> CharProblem:
    """The worked example of the page. Weights drawn as torch.nn.RNN and nn.Linear draw them:
    uniform in ±1/√n_a (b_a is the sum of PyTorch's two biases, b_ih + b_hh)."""
    low, high = TEXT_LENGTH
    text, note = str(text).replace("\n", " ").strip(), ""
    if len(text) > high:
        text, note = text[:high], f"Only the first {high} characters are used (T = {high - 1} steps)."
    if len(text) < low:
        raise BPTTError(f"Type at least {low} characters: the RNN reads each one and predicts the next.")
    low, high, _ = HIDDEN_SIZE
    if not low <= int(hidden_size) <= high:
        raise BPTTError(f"The number of hidden units must be between {low} and {high}.")
    vocabulary = sorted(set(text))
    index = {char: i for i, char in enumerate(vocabulary)}
    n_a, n_v = int(hidden_size), len(vocabulary)
    rng = np.random.default_rng(int(seed))
    bound = 1 / np.sqrt(n_a)

    def uniform(*shape):
        return rng.uniform(-bound, bound, size=shape)

    params = {"Wax": uniform(n_a, n_v), "Waa": uniform(n_a, n_a), "ba": uniform(n_a) + uniform(n_a),
              "Wya": uniform(n_v, n_a), "by": uniform(n_v)}
    ids = np.array([index[char] for char in text])
    return CharProblem(text, vocabulary, params, np.eye(n_v)[ids[:-1]], ids[1:], note)


def autograd_gradients(params: dict, xs, ys, a0=None, activation: str = "tanh") -> dict:
    """The same gradients from PyTorch (float64): torch.nn.RNN and nn.functional.cross_entropy, autograd.

    An independent reference: PyTorch's own RNN kernel and loss, none of the equations above."""
    import torch

    p, xs, ys, a0 = _shapes(params, xs, ys, a0)
    n_a, n_x = p["Wax"].shape
    rnn = torch.nn.RNN(n_x, n_a, nonlinearity=activation, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(p["Wax"]))
        rnn.weight_hh_l0.copy_(torch.from_numpy(p["Waa"]))
        rnn.bias_ih_l0.copy_(torch.from_numpy(p["ba"]))
        rnn.bias_hh_l0.zero_()
    Wya = torch.tensor(p["Wya"], requires_grad=True)
    by = torch.tensor(p["by"], requires_grad=True)
    hidden, _ = rnn(torch.from_numpy(xs), torch.from_numpy(a0).reshape(1, n_a))
    loss = torch.nn.functional.cross_entropy(hidden @ Wya.T + by, torch.from_numpy(ys), reduction="sum")
    loss.backward()
    grads = {"Wax": rnn.weight_ih_l0.grad, "Waa": rnn.weight_hh_l0.grad, "ba": rnn.bias_ih_l0.grad,
             "Wya": Wya.grad, "by": by.grad}
    return {name: grads[name].numpy().reshape(np.shape(params[name])) for name in PARAMETERS}


def autograd_check(params: dict, xs, ys, a0=None, activation: str = "tanh") -> list[dict]:
    """Per parameter: its shape, the size of its gradient and the largest |by hand − autograd|."""
    mine = manual_gradients(params, xs, ys, a0, activation)
    theirs = autograd_gradients(params, xs, ys, a0, activation)
    return [{"parameter": name, "shape": " × ".join(map(str, np.shape(params[name]))),
             "‖gradient‖": float(np.linalg.norm(mine[name])),
             "largest |by hand − autograd|": float(np.max(np.abs(mine[name] - theirs[name])))}
            for name in PARAMETERS]
