"""RNN, LSTM and GRU cells in the course notation, recomputed step by step from a torch module's weights.

The traces are the reference the gates page draws: every gate, candidate and state at every
time step, computed by hand from `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}`
with the same formulas PyTorch uses, so `hidden` equals what the module itself outputs.

The course's GRU is the simplified one, without a relevance gate in the candidate:
      Γ_u = σ(W_u [c<t−1>, x<t>] + b_u),  c̃<t> = tanh(W_c [c<t−1>, x<t>] + b_c),
      c<t> = Γ_u * c̃<t> + (1 − Γ_u) * c<t−1> = a<t>.
PyTorch has no module for it: `SimpleGRU` below is one (trainable), traced by `simple_gru_trace`.

Every trace takes one sequence x (T, input_size), or many at once as (T, batch, input_size);
the returned tensors are then (T, batch, hidden_size).

Name mapping (PyTorch -> course):
  LSTM rows of weight_ih are stacked i, f, g, o  ->  Γ_u (update), Γ_f (forget), c̃ (candidate), Γ_o (output).
  GRU rows are stacked r, z, n                    ->  Γ_r (relevance/reset), 1 − Γ_u, c̃ (candidate).
  PyTorch's GRU keeps z as the weight of the OLD state: h' = (1 − z)·n + z·h, so Γ_u = 1 − z.
  PyTorch's GRU applies the reset gate after the hidden matrix product:
      n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
  where the course writes c̃ = tanh(W_c [Γ_r ⊙ c<t−1>, x<t>] + b_c) (reset before the product).
"""

from __future__ import annotations

import time

import torch

LSTM_KEYS = ("forget", "update", "output", "candidate", "cell", "hidden")
GRU_KEYS = ("update", "relevance", "candidate", "hidden")
SIMPLE_GRU_KEYS = ("update", "candidate", "hidden")


# --------------------------------------------------------------------------- weights of one layer


def _layer_weights(module: torch.nn.RNNBase, layer: int, blocks: int):
    """(W_ih, W_hh, b_ih, b_hh) of `layer`, each split into `blocks` row blocks (zeros when bias=False)."""
    if getattr(module, "bidirectional", False):
        raise ValueError("bidirectional modules are not traced: trace each direction as its own module")
    if getattr(module, "proj_size", 0):
        raise ValueError("LSTM with proj_size is not traced")
    if not 0 <= layer < module.num_layers:
        raise ValueError(f"layer must be between 0 and {module.num_layers - 1}")
    w_ih = getattr(module, f"weight_ih_l{layer}").detach()
    w_hh = getattr(module, f"weight_hh_l{layer}").detach()
    if module.bias:
        b_ih = getattr(module, f"bias_ih_l{layer}").detach()
        b_hh = getattr(module, f"bias_hh_l{layer}").detach()
    else:
        b_ih = torch.zeros(w_ih.shape[0], dtype=w_ih.dtype)
        b_hh = torch.zeros_like(b_ih)
    return w_ih.chunk(blocks), w_hh.chunk(blocks), b_ih.chunk(blocks), b_hh.chunk(blocks)


def _as_sequence(x: torch.Tensor, module: torch.nn.Module, layer: int) -> torch.Tensor:
    """x as (T, input_size) or (T, batch, input_size), in the module's dtype."""
    x = torch.as_tensor(x).detach()
    expected = module.input_size if layer == 0 else module.hidden_size
    if x.dim() not in (2, 3) or x.shape[-1] != expected:
        raise ValueError(f"x must be a (T, {expected}) tensor for layer {layer} (or (T, batch, {expected})), "
                         f"got {tuple(x.shape)}")
    return x.to(getattr(module, f"weight_ih_l{layer}").dtype)


def _initial(state, hidden_size: int, x: torch.Tensor) -> torch.Tensor:
    """The initial state for sequence(s) x: zeros, or the given one, as (hidden_size,) or (batch, hidden_size)."""
    shape = (*x.shape[1:-1], hidden_size)
    if state is None:
        return torch.zeros(shape, dtype=x.dtype)
    state = torch.as_tensor(state, dtype=x.dtype).reshape(-1, hidden_size)  # one state, or one per sequence
    return (state[0] if len(shape) == 1 else state.expand(shape)).clone()


# --------------------------------------------------------------------------- vanilla RNN


def rnn_trace(module: torch.nn.RNN, x: torch.Tensor, a0=None, layer: int = 0, readout: torch.nn.Linear | None = None,
              softmax: bool = True) -> dict[str, torch.Tensor]:
    """a<t> = g(W_ax x<t> + W_aa a<t−1> + b_a) with b_a = b_ih + b_hh, g = tanh or relu (the module's).

    Keys: preactivation (the argument of g), hidden a<t>. With a `readout` Linear (W_ya = its weight,
    b_y = its bias) also logits W_ya a<t> + b_y and output ŷ<t>: their softmax, or the logits
    themselves with `softmax=False` (a number to predict, not a class).
    """
    if module.bidirectional:
        raise ValueError("bidirectional modules are traced by bidirectional_trace")
    w_ax, w_aa, b_a = rnn_weights(module, layer)
    x = _as_sequence(x, module, layer)
    a = _initial(a0, module.hidden_size, x)
    trace = _rnn_steps(x, w_ax, w_aa, b_a, a, module.nonlinearity)
    if readout is not None:
        trace.update(_read_out(trace["hidden"], readout.weight.detach(), readout.bias.detach(), softmax))
    return trace


def rnn_weights(module: torch.nn.RNN, layer: int = 0, reverse: bool = False):
    """(W_ax, W_aa, b_a) of one layer (and direction) of a torch.nn.RNN, in the course's names:
    W_ax = weight_ih, W_aa = weight_hh, b_a = bias_ih + bias_hh (PyTorch keeps two biases, the course one)."""
    if not 0 <= layer < module.num_layers:
        raise ValueError(f"layer must be between 0 and {module.num_layers - 1}")
    suffix = f"l{layer}" + ("_reverse" if reverse else "")
    w_ax = getattr(module, f"weight_ih_{suffix}").detach()
    w_aa = getattr(module, f"weight_hh_{suffix}").detach()
    if module.bias:
        b_a = getattr(module, f"bias_ih_{suffix}").detach() + getattr(module, f"bias_hh_{suffix}").detach()
    else:
        b_a = torch.zeros(w_ax.shape[0], dtype=w_ax.dtype)
    return w_ax, w_aa, b_a


def compact_weights(module: torch.nn.RNN, layer: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The course's compact form a<t> = g(W_a [a<t−1>, x<t>] + b_a): W_a = [W_aa | W_ax] side by side."""
    w_ax, w_aa, b_a = rnn_weights(module, layer)
    return torch.cat([w_aa, w_ax], dim=1), b_a


def _rnn_steps(x, w_ax, w_aa, b_a, a, nonlinearity: str) -> dict[str, torch.Tensor]:
    g = torch.tanh if nonlinearity == "tanh" else torch.relu
    pre, hidden = [], []
    with torch.no_grad():
        for x_t in x:
            z = x_t @ w_ax.T + a @ w_aa.T + b_a
            a = g(z)
            pre.append(z)
            hidden.append(a)
    empty = torch.zeros(0, w_aa.shape[0], dtype=x.dtype)
    return {"preactivation": torch.stack(pre) if pre else empty, "hidden": torch.stack(hidden) if hidden else empty}


def _read_out(hidden, w_ya, b_y, softmax: bool) -> dict[str, torch.Tensor]:
    with torch.no_grad():
        logits = hidden @ w_ya.T + b_y
        return {"logits": logits, "output": torch.softmax(logits, dim=-1) if softmax else logits}


def bidirectional_trace(module: torch.nn.RNN, x: torch.Tensor, readout: torch.nn.Linear | None = None,
                        softmax: bool = True) -> dict[str, torch.Tensor]:
    """A one-layer bidirectional RNN: the forward states a→<t> read x<1> … x<t>, the backward states
    a←<t> read x<T_x> … x<t> (each direction has its own weights and starts from 0), and
    ŷ<t> = softmax(W_ya [a→<t>, a←<t>] + b_y) (the readout reads 2 n_a numbers).

    Keys: forward, backward (T, n_a); hidden = both side by side, as torch.nn.RNN outputs them; with
    a readout also logits and output.
    """
    if not getattr(module, "bidirectional", False) or module.num_layers != 1:
        raise ValueError("bidirectional_trace takes a one-layer torch.nn.RNN(bidirectional=True)")
    x = _as_sequence(x, module, 0)
    start = torch.zeros(module.hidden_size, dtype=x.dtype)
    forward = _rnn_steps(x, *rnn_weights(module, 0), start, module.nonlinearity)["hidden"]
    backward = _rnn_steps(x.flip(0), *rnn_weights(module, 0, reverse=True), start,
                          module.nonlinearity)["hidden"].flip(0)
    trace = {"forward": forward, "backward": backward, "hidden": torch.cat([forward, backward], dim=1)}
    if readout is not None:
        trace.update(_read_out(trace["hidden"], readout.weight.detach(), readout.bias.detach(), softmax))
    return trace


# --------------------------------------------------------------------------- LSTM


def lstm_trace(module: torch.nn.LSTM, x: torch.Tensor, a0=None, c0=None, layer: int = 0,
               preactivations: bool = False) -> dict[str, torch.Tensor]:
    """Every LSTM gate and state of `layer` for the sequence `x` (T, input_size), as (T, hidden_size) tensors.

    Keys: forget Γ_f, update Γ_u, output Γ_o, candidate c̃<t>, cell c<t>, hidden a<t>.
    With `preactivations=True` also the arguments of σ/tanh (`forget_pre`, `update_pre`,
    `output_pre`, `candidate_pre`), which the page writes into the equations.
    """
    w_ih, w_hh, b_ih, b_hh = _layer_weights(module, layer, 4)
    x = _as_sequence(x, module, layer)
    a = _initial(a0, module.hidden_size, x)
    c = _initial(c0, module.hidden_size, x)
    rows = {key: [] for key in LSTM_KEYS + ("forget_pre", "update_pre", "output_pre", "candidate_pre")}
    with torch.no_grad():
        for x_t in x:
            # PyTorch's block order is i, f, g, o: update, forget, candidate, output.
            z_u, z_f, z_c, z_o = (x_t @ w_ih[k].T + b_ih[k] + a @ w_hh[k].T + b_hh[k] for k in range(4))
            gamma_u, gamma_f, gamma_o = torch.sigmoid(z_u), torch.sigmoid(z_f), torch.sigmoid(z_o)
            c_tilde = torch.tanh(z_c)
            c = gamma_f * c + gamma_u * c_tilde
            a = gamma_o * torch.tanh(c)
            for key, value in (("forget", gamma_f), ("update", gamma_u), ("output", gamma_o),
                               ("candidate", c_tilde), ("cell", c), ("hidden", a), ("forget_pre", z_f),
                               ("update_pre", z_u), ("output_pre", z_o), ("candidate_pre", z_c)):
                rows[key].append(value)
    keys = rows if preactivations else LSTM_KEYS
    return {key: torch.stack(rows[key]) for key in keys}


# --------------------------------------------------------------------------- GRU


def gru_trace(module: torch.nn.GRU, x: torch.Tensor, a0=None, layer: int = 0,
              preactivations: bool = False) -> dict[str, torch.Tensor]:
    """Every GRU gate and state of `layer` for `x` (T, input_size), as (T, hidden_size) tensors.

    Keys: update Γ_u (course convention, = 1 − PyTorch's z), relevance Γ_r (PyTorch's r),
    candidate c̃<t> (PyTorch's n), hidden c<t> = a<t>. With `preactivations=True` also
    `update_pre`, `relevance_pre` (arguments of σ), `candidate_input` (W_cx x + b_cx) and
    `candidate_hidden` (W_cc c<t−1> + b_cc, the product the reset gate multiplies).
    """
    w_ih, w_hh, b_ih, b_hh = _layer_weights(module, layer, 3)
    x = _as_sequence(x, module, layer)
    h = _initial(a0, module.hidden_size, x)
    rows = {key: [] for key in GRU_KEYS + ("update_pre", "relevance_pre", "candidate_input", "candidate_hidden")}
    with torch.no_grad():
        for x_t in x:
            z_r = x_t @ w_ih[0].T + b_ih[0] + h @ w_hh[0].T + b_hh[0]
            z_z = x_t @ w_ih[1].T + b_ih[1] + h @ w_hh[1].T + b_hh[1]
            r, z = torch.sigmoid(z_r), torch.sigmoid(z_z)
            from_input = x_t @ w_ih[2].T + b_ih[2]
            from_hidden = h @ w_hh[2].T + b_hh[2]
            n = torch.tanh(from_input + r * from_hidden)  # reset applied AFTER the hidden product
            h = (1 - z) * n + z * h
            for key, value in (("update", 1 - z), ("relevance", r), ("candidate", n), ("hidden", h),
                               ("update_pre", -z_z), ("relevance_pre", z_r), ("candidate_input", from_input),
                               ("candidate_hidden", from_hidden)):
                rows[key].append(value)
    keys = rows if preactivations else GRU_KEYS
    return {key: torch.stack(rows[key]) for key in keys}


# --------------------------------------------------------------------------- the course's simplified GRU


class SimpleGRU(torch.nn.Module):
    """The course's simplified GRU as a trainable module with nn.GRU's interface (input, h0) -> (output, h_n).

    Per layer k, in the course convention (update gate first, one bias per block):
      weight_ih_l{k} = [W_ux; W_cx] (2 n_a × n_in), weight_hh_l{k} = [W_uc; W_cc] (2 n_a × n_a),
      bias_l{k} = [b_u; b_c], so that W_u = [W_uc | W_ux] acts on [c<t−1>, x<t>].
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, batch_first: bool = False):
        super().__init__()
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.batch_first, self.bias, self.bidirectional, self.proj_size = batch_first, True, False, 0
        bound = hidden_size ** -0.5  # nn.GRU's initialisation: uniform(−1/√n_a, 1/√n_a)
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size
            for name, shape in ((f"weight_ih_l{layer}", (2 * hidden_size, n_in)),
                                (f"weight_hh_l{layer}", (2 * hidden_size, hidden_size)),
                                (f"bias_l{layer}", (2 * hidden_size,))):
                self.register_parameter(name, torch.nn.Parameter(torch.empty(shape).uniform_(-bound, bound)))

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """x (batch, T, n_x) if batch_first else (T, batch, n_x), or one unbatched (T, n_x) sequence;
        h0 (num_layers, batch, n_a) or None. Returns (output, h_n) shaped as nn.GRU's."""
        unbatched = x.dim() == 2
        if unbatched:
            x, h0 = x.unsqueeze(1 if not self.batch_first else 0), None if h0 is None else h0.unsqueeze(1)
        sequence = x.transpose(0, 1) if self.batch_first else x  # time first
        finals = []
        for layer in range(self.num_layers):
            w_ih, w_hh = getattr(self, f"weight_ih_l{layer}"), getattr(self, f"weight_hh_l{layer}")
            from_input = sequence @ w_ih.T + getattr(self, f"bias_l{layer}")  # every step at once
            c = sequence.new_zeros(sequence.shape[1], self.hidden_size) if h0 is None else h0[layer]
            outputs = []
            for step in from_input:
                z = step + c @ w_hh.T
                gamma_u = torch.sigmoid(z[:, :self.hidden_size])
                c = c + gamma_u * (torch.tanh(z[:, self.hidden_size:]) - c)  # = Γ_u c̃ + (1 − Γ_u) c
                outputs.append(c)
            sequence = torch.stack(outputs)
            finals.append(c)
        output, final = (sequence.transpose(0, 1) if self.batch_first else sequence), torch.stack(finals)
        if unbatched:
            return output.squeeze(0 if self.batch_first else 1), final.squeeze(1)
        return output, final


def simple_gru_trace(module: SimpleGRU, x: torch.Tensor, a0=None, layer: int = 0,
                     preactivations: bool = False) -> dict[str, torch.Tensor]:
    """Every gate and state of the course's simplified GRU, written as the course writes it.

    Keys: update Γ_u, candidate c̃<t>, hidden c<t> = a<t>; with `preactivations=True` also
    `update_pre` and `candidate_pre` (the arguments of σ and tanh).
    """
    if not 0 <= layer < module.num_layers:
        raise ValueError(f"layer must be between 0 and {module.num_layers - 1}")
    x = _as_sequence(x, module, layer)
    n_a = module.hidden_size
    w_ih, w_hh = getattr(module, f"weight_ih_l{layer}").detach(), getattr(module, f"weight_hh_l{layer}").detach()
    b = getattr(module, f"bias_l{layer}").detach()
    w_u, w_c = torch.cat([w_hh[:n_a], w_ih[:n_a]], 1), torch.cat([w_hh[n_a:], w_ih[n_a:]], 1)  # act on [c, x]
    b_u, b_c = b[:n_a], b[n_a:]
    c = _initial(a0, n_a, x)
    rows = {key: [] for key in SIMPLE_GRU_KEYS + ("update_pre", "candidate_pre")}
    with torch.no_grad():
        for x_t in x:
            joined = torch.cat([c, x_t], -1)  # [c<t−1>, x<t>]
            z_u, z_c = joined @ w_u.T + b_u, joined @ w_c.T + b_c
            gamma_u, c_tilde = torch.sigmoid(z_u), torch.tanh(z_c)
            c = gamma_u * c_tilde + (1 - gamma_u) * c
            for key, value in (("update", gamma_u), ("candidate", c_tilde), ("hidden", c),
                               ("update_pre", z_u), ("candidate_pre", z_c)):
                rows[key].append(value)
    keys = rows if preactivations else SIMPLE_GRU_KEYS
    return {key: torch.stack(rows[key]) for key in keys}


# --------------------------------------------------------------------------- stacked (deep) cells


def stacked_trace(module: torch.nn.Module, x: torch.Tensor, preactivations: bool = False) -> list[dict]:
    """One trace per layer: layer k+1 reads layer k's hidden sequence, as in `torch.nn.LSTM(num_layers=L)`.

    (In training mode with dropout > 0 PyTorch also drops between layers; traces are for eval mode.)
    """
    trace = {"LSTM": lstm_trace, "GRU": gru_trace, "RNN": rnn_trace,
             "SimpleGRU": simple_gru_trace}[type(module).__name__]
    kwargs = {} if trace is rnn_trace else {"preactivations": preactivations}
    layers, inputs = [], torch.as_tensor(x)
    for layer in range(module.num_layers):
        layers.append(trace(module, inputs, layer=layer, **kwargs))
        inputs = layers[-1]["hidden"]
    return layers


# --------------------------------------------------------------------------- size and speed

GATE_BLOCKS = {"RNN": 1, "SimpleGRU": 2, "GRU": 3, "LSTM": 4}


def course_parameter_count(kind: str, n_x: int, n_a: int, num_layers: int = 1) -> int:
    """The course's count: each block has W (n_a × (n_a + n_x)) and ONE bias b (n_a)."""
    blocks = GATE_BLOCKS[kind]
    return sum(blocks * (n_a * (n_a + (n_x if layer == 0 else n_a)) + n_a) for layer in range(num_layers))


def pytorch_parameter_count(kind: str, n_x: int, n_a: int, num_layers: int = 1) -> int:
    """PyTorch's count: each block has W_ih, W_hh and TWO biases b_ih, b_hh (their sum is the course's b)."""
    blocks = GATE_BLOCKS[kind]
    return sum(blocks * (n_a * (n_a + (n_x if layer == 0 else n_a)) + 2 * n_a) for layer in range(num_layers))


def counted_parameters(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def seconds_per_step(module: torch.nn.RNNBase, steps: int = 100, repeats: int = 20) -> float:
    """Median wall time of one time step of the module's own (C++) forward pass, batch of one, one thread
    (as the app runs: see playground.training; several threads only add waiting on a busy machine)."""
    x = torch.randn(1, steps, module.input_size, generator=torch.Generator().manual_seed(0))
    x = x if module.batch_first else x.transpose(0, 1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    timings = []
    try:
        with torch.no_grad():
            module(x)  # warm-up
            for _ in range(repeats):
                start = time.perf_counter()
                module(x)
                timings.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    timings.sort()
    return timings[len(timings) // 2] / steps
