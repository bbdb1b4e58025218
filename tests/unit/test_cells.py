"""playground.cells: traces recomputed from a module's weights must match torch.nn's own outputs.

References: torch.nn.LSTM / GRU / RNN outputs (independent C++ kernels), hand-computed single steps
(formulas in the PyTorch docs for nn.LSTM and nn.GRU), and the parameter-count formulas.
"""

import math

import pytest
import torch

from playground import cells

SIZES = [(1, 1, 3), (3, 4, 12), (5, 8, 30), (7, 32, 50)]  # (input_size, hidden_size, T)
SEEDS = [0, 1, 7]


def _module(kind, n_x, n_a, seed, **kwargs):
    torch.manual_seed(seed)
    return getattr(torch.nn, kind)(n_x, n_a, **kwargs)


def _x(T, n_x, seed, scale=2.0):
    return scale * torch.randn(T, n_x, generator=torch.Generator().manual_seed(100 + seed))


@pytest.mark.parametrize("n_x, n_a, T", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_lstm_hidden_and_cell_equal_torch(n_x, n_a, T, seed):
    module, x = _module("LSTM", n_x, n_a, seed), _x(T, n_x, seed)
    with torch.no_grad():
        output, (h_n, c_n) = module(x)
    trace = cells.lstm_trace(module, x)
    assert set(trace) == set(cells.LSTM_KEYS)
    assert all(value.shape == (T, n_a) for value in trace.values())
    torch.testing.assert_close(trace["hidden"], output, atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["cell"][-1], c_n[0], atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["hidden"][-1], h_n[0], atol=1e-6, rtol=0)


@pytest.mark.parametrize("n_x, n_a, T", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_gru_hidden_equals_torch(n_x, n_a, T, seed):
    module, x = _module("GRU", n_x, n_a, seed), _x(T, n_x, seed)
    with torch.no_grad():
        output, h_n = module(x)
    trace = cells.gru_trace(module, x)
    assert set(trace) == set(cells.GRU_KEYS)
    torch.testing.assert_close(trace["hidden"], output, atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["hidden"][-1], h_n[0], atol=1e-6, rtol=0)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("seed", SEEDS)
def test_gates_lie_strictly_between_0_and_1(kind, seed):
    module, x = _module(kind, 4, 16, seed), _x(40, 4, seed, scale=3.0)
    trace = (cells.lstm_trace if kind == "LSTM" else cells.gru_trace)(module, x)
    gates = ["forget", "update", "output"] if kind == "LSTM" else ["update", "relevance"]
    for gate in gates:
        assert (trace[gate] > 0).all() and (trace[gate] < 1).all(), gate
    assert (trace["candidate"].abs() < 1).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_gru_update_is_the_course_convention(seed):
    """From torch's own outputs: h<t> − h<t−1> = Γ_u * (c̃<t> − h<t−1>) with Γ_u = 1 − z (course), not z."""
    module, x = _module("GRU", 3, 6, seed), _x(20, 3, seed)
    with torch.no_grad():
        output, _ = module(x)
    previous = torch.cat([torch.zeros(1, 6), output[:-1]])
    trace = cells.gru_trace(module, x)
    torch.testing.assert_close(trace["update"] * (trace["candidate"] - previous), output - previous,
                               atol=2e-6, rtol=0)
    z = 1 - trace["update"]  # PyTorch's z, weight of the old state
    torch.testing.assert_close(z * previous + (1 - z) * trace["candidate"], output, atol=2e-6, rtol=0)


def test_gru_reset_gate_acts_after_the_hidden_product():
    """One step by hand, n_x = n_a = 1, with h0 ≠ 0 so that the placement of r matters.

    PyTorch (nn.GRU docs): n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); with r applied before the
    product instead the result would be tanh(W_in x + b_in + W_hn (r h) + b_hn), which differs here.
    """
    module = torch.nn.GRU(1, 1)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor([[0.5], [-1.0], [0.2]]))  # r, z, n
        module.weight_hh_l0.copy_(torch.tensor([[1.5], [0.3], [-0.7]]))
        module.bias_ih_l0.copy_(torch.tensor([0.1, 0.2, -0.3]))
        module.bias_hh_l0.copy_(torch.tensor([-0.2, 0.4, 0.9]))
    x, h = 0.8, 0.6
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    r = sig(0.5 * x + 0.1 + 1.5 * h - 0.2)
    z = sig(-1.0 * x + 0.2 + 0.3 * h + 0.4)
    n = math.tanh(0.2 * x - 0.3 + r * (-0.7 * h + 0.9))
    n_reset_before = math.tanh(0.2 * x - 0.3 + (-0.7 * r * h) + 0.9)
    assert abs(n - n_reset_before) > 0.1  # the two conventions really differ at this point
    trace = cells.gru_trace(module, torch.tensor([[x]]), a0=torch.tensor([h]))
    assert trace["relevance"].item() == pytest.approx(r, abs=1e-6)
    assert trace["update"].item() == pytest.approx(1 - z, abs=1e-6)
    assert trace["candidate"].item() == pytest.approx(n, abs=1e-6)
    assert trace["hidden"].item() == pytest.approx((1 - z) * n + z * h, abs=1e-6)
    with torch.no_grad():
        output, _ = module(torch.tensor([[x]]), torch.tensor([[h]]))
    assert output.item() == pytest.approx((1 - z) * n + z * h, abs=1e-6)


def test_lstm_one_step_by_hand_and_block_order():
    """PyTorch stacks the LSTM blocks as i, f, g, o = Γ_u, Γ_f, c̃, Γ_o (nn.LSTM docs)."""
    module = torch.nn.LSTM(1, 1)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor([[0.3], [-0.6], [1.2], [0.9]]))
        module.weight_hh_l0.copy_(torch.tensor([[0.2], [0.5], [-0.4], [0.1]]))
        module.bias_ih_l0.copy_(torch.tensor([0.1, 1.0, 0.0, -0.5]))
        module.bias_hh_l0.copy_(torch.tensor([0.0, 0.5, 0.2, 0.0]))
    x, a, c = 0.7, -0.3, 0.8
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    update = sig(0.3 * x + 0.2 * a + 0.1)
    forget = sig(-0.6 * x + 0.5 * a + 1.5)
    candidate = math.tanh(1.2 * x - 0.4 * a + 0.2)
    output = sig(0.9 * x + 0.1 * a - 0.5)
    cell = forget * c + update * candidate
    hidden = output * math.tanh(cell)
    trace = cells.lstm_trace(module, torch.tensor([[x]]), a0=torch.tensor([a]), c0=torch.tensor([c]),
                             preactivations=True)
    for key, expected in [("update", update), ("forget", forget), ("candidate", candidate), ("output", output),
                          ("cell", cell), ("hidden", hidden)]:
        assert trace[key].item() == pytest.approx(expected, abs=1e-6), key
    assert trace["forget_pre"].item() == pytest.approx(-0.6 * x + 0.5 * a + 1.5, abs=1e-6)
    with torch.no_grad():
        out, (h_n, c_n) = module(torch.tensor([[x]]), (torch.tensor([[a]]), torch.tensor([[c]])))
    assert out.item() == pytest.approx(hidden, abs=1e-6)
    assert c_n.item() == pytest.approx(cell, abs=1e-6)


def test_saturated_biases_make_the_gates_do_what_their_names_say():
    """Forget bias +10, update bias −10: the LSTM keeps c<t−1> untouched. GRU z bias +10: Γ_u ≈ 0, keeps a<t−1>."""
    lstm = torch.nn.LSTM(2, 3)
    with torch.no_grad():
        lstm.weight_ih_l0.zero_(), lstm.weight_hh_l0.zero_(), lstm.bias_hh_l0.zero_()
        lstm.bias_ih_l0.copy_(torch.tensor([-10.0] * 3 + [10.0] * 3 + [0.0] * 3 + [10.0] * 3))
    c0 = torch.tensor([0.5, -0.2, 0.9])
    trace = cells.lstm_trace(lstm, torch.randn(5, 2), a0=torch.zeros(3), c0=c0)
    assert (trace["forget"] > 0.9999).all() and (trace["update"] < 1e-4).all()
    torch.testing.assert_close(trace["cell"][-1], c0, atol=1e-3, rtol=0)

    gru = torch.nn.GRU(2, 3)
    with torch.no_grad():
        gru.weight_ih_l0.zero_(), gru.weight_hh_l0.zero_(), gru.bias_hh_l0.zero_()
        gru.bias_ih_l0.copy_(torch.tensor([0.0] * 3 + [10.0] * 3 + [0.0] * 3))
    a0 = torch.tensor([0.3, -0.7, 0.1])
    trace = cells.gru_trace(gru, torch.randn(5, 2), a0=a0)
    assert (trace["update"] < 1e-4).all()
    torch.testing.assert_close(trace["hidden"][-1], a0, atol=1e-3, rtol=0)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("layers", [2, 3])
def test_stacked_trace_equals_a_deep_module(kind, layers):
    module, x = _module(kind, 3, 5, layers, num_layers=layers), _x(15, 3, layers)
    with torch.no_grad():
        output, _ = module(x)
    traced = cells.stacked_trace(module, x, preactivations=True)
    assert len(traced) == layers
    torch.testing.assert_close(traced[-1]["hidden"], output, atol=1e-6, rtol=0)
    # Layer k+1 is fed layer k's hidden sequence: tracing it alone on that input gives the same thing.
    if kind != "RNN":
        trace = cells.lstm_trace if kind == "LSTM" else cells.gru_trace
        again = trace(module, traced[0]["hidden"], layer=1)
        torch.testing.assert_close(again["hidden"], traced[1]["hidden"], atol=0, rtol=0)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_initial_state_batch_first_no_bias_and_float64(kind):
    module = _module(kind, 2, 4, 3, batch_first=True, bias=False).double()
    x = _x(9, 2, 3).double()
    h0 = torch.randn(1, 4, dtype=torch.float64)
    with torch.no_grad():
        if kind == "LSTM":
            c0 = torch.randn(1, 4, dtype=torch.float64)
            output, _ = module(x, (h0, c0))
            trace = cells.lstm_trace(module, x, a0=h0, c0=c0)
        else:
            output, _ = module(x, h0)
            trace = cells.gru_trace(module, x, a0=h0)
    assert trace["hidden"].dtype == torch.float64
    torch.testing.assert_close(trace["hidden"], output, atol=1e-12, rtol=0)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_trace_equals_torch(nonlinearity):
    module, x = _module("RNN", 3, 7, 0, nonlinearity=nonlinearity), _x(25, 3, 0)
    with torch.no_grad():
        output, _ = module(x)
    torch.testing.assert_close(cells.rnn_trace(module, x)["hidden"], output, atol=1e-6, rtol=0)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="bidirectional"):
        cells.lstm_trace(torch.nn.LSTM(2, 3, bidirectional=True), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="proj_size"):
        cells.lstm_trace(torch.nn.LSTM(2, 3, proj_size=2), torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        cells.gru_trace(torch.nn.GRU(2, 3), torch.zeros(4, 5))
    with pytest.raises(ValueError, match="layer"):
        cells.gru_trace(torch.nn.GRU(2, 3), torch.zeros(4, 2), layer=1)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("n_x, n_a, layers", [(1, 1, 1), (3, 4, 1), (5, 16, 2), (2, 8, 3)])
def test_parameter_counts(kind, n_x, n_a, layers):
    module = getattr(torch.nn, kind)(n_x, n_a, num_layers=layers)
    assert cells.pytorch_parameter_count(kind, n_x, n_a, layers) == cells.counted_parameters(module)
    blocks = cells.GATE_BLOCKS[kind]
    assert cells.course_parameter_count(kind, n_x, n_a, layers) == (
        cells.counted_parameters(module) - blocks * n_a * layers)  # one bias per block instead of two


def test_parameter_counts_by_hand():
    # LSTM, n_x = 3, n_a = 4: 4 * (4 * (4 + 3) + 4) = 128 (course), + 4 * 4 second biases = 144 (PyTorch).
    assert cells.course_parameter_count("LSTM", 3, 4) == 128
    assert cells.pytorch_parameter_count("LSTM", 3, 4) == 144
    # GRU, same sizes: 3 * 32 = 96 and 3 * 36 = 108.
    assert cells.course_parameter_count("GRU", 3, 4) == 96
    assert cells.pytorch_parameter_count("GRU", 3, 4) == 108


def test_seconds_per_step_is_positive_and_small():
    for kind in ("LSTM", "GRU"):
        seconds = cells.seconds_per_step(getattr(torch.nn, kind)(2, 8, batch_first=True), steps=20, repeats=3)
        assert 0 < seconds < 0.05  # generous: the machine may be busy


# --------------------------------------------------------------------------- the vanilla RNN cell of the RNN cell page

RNN_SIZES = [(1, 1, 1), (2, 3, 7), (10, 8, 12), (40, 16, 20), (5, 32, 60)]  # (n_x, n_a, T)


@pytest.mark.parametrize("n_x, n_a, T", RNN_SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_rnn_trace_with_readout_equals_torch_rnn_and_linear(n_x, n_a, T, seed):
    module, x = _module("RNN", n_x, n_a, seed), _x(T, n_x, seed)
    readout = torch.nn.Linear(n_a, 6)
    with torch.no_grad():
        output, h_n = module(x)
        logits = readout(output)
    trace = cells.rnn_trace(module, x, readout=readout)
    torch.testing.assert_close(trace["hidden"], output, atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["hidden"][-1], h_n[0], atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["logits"], logits, atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["output"], torch.softmax(logits, -1), atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["output"].sum(-1), torch.ones(T), atol=1e-6, rtol=0)
    torch.testing.assert_close(torch.tanh(trace["preactivation"]), trace["hidden"], atol=1e-6, rtol=0)
    linear = cells.rnn_trace(module, x, readout=readout, softmax=False)
    torch.testing.assert_close(linear["output"], logits, atol=1e-6, rtol=0)


@pytest.mark.parametrize("layers", [2, 3])
@pytest.mark.parametrize("seed", SEEDS)
def test_stacked_rnn_trace_equals_torch(layers, seed):
    module, x = _module("RNN", 4, 6, seed, num_layers=layers), _x(18, 4, seed)
    with torch.no_grad():
        output, h_n = module(x)
    traced = cells.stacked_trace(module, x)
    torch.testing.assert_close(traced[-1]["hidden"], output, atol=1e-6, rtol=0)
    for layer in range(layers):
        torch.testing.assert_close(traced[layer]["hidden"][-1], h_n[layer], atol=1e-6, rtol=0)


def test_rnn_one_step_by_hand():
    """n_x = 2, n_a = 1: a<1> = tanh(W_ax x + W_aa a<0> + b_ih + b_hh), worked by hand, from a<0> = 0.3."""
    module = torch.nn.RNN(2, 1)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor([[0.5, -1.0]]))
        module.weight_hh_l0.copy_(torch.tensor([[0.8]]))
        module.bias_ih_l0.copy_(torch.tensor([0.1]))
        module.bias_hh_l0.copy_(torch.tensor([-0.3]))
    readout = torch.nn.Linear(1, 2)
    with torch.no_grad():
        readout.weight.copy_(torch.tensor([[2.0], [-1.0]]))
        readout.bias.copy_(torch.tensor([0.0, 0.5]))
    a = math.tanh(0.5 * 1.0 - 1.0 * 0.0 + 0.8 * 0.3 + 0.1 - 0.3)  # tanh(0.54) = 0.49298
    assert a == pytest.approx(0.492988, abs=1e-6)
    p0 = math.exp(2 * a) / (math.exp(2 * a) + math.exp(-a + 0.5))
    trace = cells.rnn_trace(module, torch.tensor([[1.0, 0.0]]), a0=torch.tensor([0.3]), readout=readout)
    assert trace["hidden"].item() == pytest.approx(a, abs=1e-6)
    assert trace["output"][0, 0].item() == pytest.approx(p0, abs=1e-6)


@pytest.mark.parametrize("n_x, n_a, T", RNN_SIZES)
def test_compact_form_gives_the_same_numbers(n_x, n_a, T):
    """W_a [a<t−1>, x<t>] + b_a with W_a = [W_aa | W_ax] equals W_aa a<t−1> + W_ax x<t> + b_a."""
    module, x = _module("RNN", n_x, n_a, 3), _x(T, n_x, 3)
    w_a, b_a = cells.compact_weights(module)
    assert w_a.shape == (n_a, n_a + n_x)
    torch.testing.assert_close(w_a[:, :n_a], module.weight_hh_l0.detach(), atol=0, rtol=0)
    torch.testing.assert_close(w_a[:, n_a:], module.weight_ih_l0.detach(), atol=0, rtol=0)

    def compact(module, x):
        w_a, b_a = cells.compact_weights(module)
        trace = cells.rnn_trace(module, x)
        previous = torch.cat([torch.zeros(1, n_a, dtype=x.dtype), trace["hidden"][:-1]])
        stacked = torch.cat([previous, x], dim=1)  # [a<t−1>, x<t>] for every t
        return stacked @ w_a.T + b_a, trace

    z, trace = compact(module.double(), x.double())  # the same sums in another order: equal to float64 rounding
    torch.testing.assert_close(z, trace["preactivation"], atol=1e-12, rtol=0)
    z, _ = compact(module.float(), x)
    with torch.no_grad():
        output, _ = module(x)
    torch.testing.assert_close(torch.tanh(z), output, atol=1e-6, rtol=0)


def test_rnn_without_bias_and_float64():
    module = _module("RNN", 3, 5, 2, bias=False).double()
    x = _x(11, 3, 2).double()
    with torch.no_grad():
        output, _ = module(x)
    torch.testing.assert_close(cells.rnn_trace(module, x)["hidden"], output, atol=1e-12, rtol=0)


@pytest.mark.parametrize("n_x, n_a, T", [(1, 1, 2), (3, 4, 9), (12, 8, 15)])
@pytest.mark.parametrize("seed", SEEDS)
def test_bidirectional_trace_equals_torch(n_x, n_a, T, seed):
    module, x = _module("RNN", n_x, n_a, seed, bidirectional=True), _x(T, n_x, seed)
    readout = torch.nn.Linear(2 * n_a, 5)
    with torch.no_grad():
        output, h_n = module(x)
    trace = cells.bidirectional_trace(module, x, readout=readout)
    torch.testing.assert_close(trace["hidden"], output, atol=1e-6, rtol=0)
    torch.testing.assert_close(trace["forward"][-1], h_n[0], atol=1e-6, rtol=0)  # forward ends at t = T_x
    torch.testing.assert_close(trace["backward"][0], h_n[1], atol=1e-6, rtol=0)  # backward ends at t = 1
    with torch.no_grad():
        torch.testing.assert_close(trace["output"], torch.softmax(readout(output), -1), atol=1e-6, rtol=0)


def test_bidirectional_first_output_depends_on_the_last_input():
    """Why a bidirectional RNN needs the whole sequence first: ŷ<1> changes when x<T_x> does."""
    torch.manual_seed(0)
    module, readout = torch.nn.RNN(3, 4, bidirectional=True), torch.nn.Linear(8, 2)
    x = _x(6, 3, 0)
    changed = x.clone()
    changed[-1] += 1.0
    before, after = (cells.bidirectional_trace(module, v, readout=readout)["output"] for v in (x, changed))
    assert (before[0] - after[0]).abs().max() > 1e-6  # small (five tanh steps away), but not zero
    forward = torch.nn.RNN(3, 4)  # one direction: a<t> reads x<1> … x<t> only, so only the last step moves
    before, after = (cells.rnn_trace(forward, v)["hidden"] for v in (x, changed))
    torch.testing.assert_close(before[:-1], after[:-1], atol=0, rtol=0)
    assert (before[-1] - after[-1]).abs().max() > 1e-4


def test_rnn_bad_inputs():
    with pytest.raises(ValueError, match="bidirectional_trace"):
        cells.rnn_trace(torch.nn.RNN(2, 3, bidirectional=True), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="one-layer"):
        cells.bidirectional_trace(torch.nn.RNN(2, 3), torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        cells.rnn_trace(torch.nn.RNN(2, 3), torch.zeros(4, 3))


# --------------------------------------------------------------------------- the course's simplified GRU


def _simple_gru_by_hand(w_ih, w_hh, b, x, c):
    """One step of the course's formulas, scalars (n_x = n_a = 1): Γ_u = σ(W_u[c, x] + b_u),
    c̃ = tanh(W_c[c, x] + b_c), c' = Γ_u c̃ + (1 − Γ_u) c. Rows: update, candidate."""
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    update = sig(w_hh[0] * c + w_ih[0] * x + b[0])
    candidate = math.tanh(w_hh[1] * c + w_ih[1] * x + b[1])
    return update, candidate, update * candidate + (1 - update) * c


def test_simple_gru_two_steps_by_hand():
    """Hand-computed values for two steps with c⟨0⟩ ≠ 0; the candidate reads the whole c⟨t−1⟩ (no Γ_r)."""
    module = cells.SimpleGRU(1, 1)
    w_ih, w_hh, b = [0.9, -1.4], [0.6, 1.1], [-0.2, 0.3]
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.tensor([[w_ih[0]], [w_ih[1]]]))
        module.weight_hh_l0.copy_(torch.tensor([[w_hh[0]], [w_hh[1]]]))
        module.bias_l0.copy_(torch.tensor(b))
    xs, c = [0.5, -1.2], 0.4
    expected = []
    for x in xs:
        update, candidate, c = _simple_gru_by_hand(w_ih, w_hh, b, x, c)
        expected.append((update, candidate, c))
    # the first step written out: Γ_u = σ(0.6·0.4 + 0.9·0.5 − 0.2) = σ(0.49), c̃ = tanh(1.1·0.4 − 1.4·0.5 + 0.3)
    assert expected[0][0] == pytest.approx(1 / (1 + math.exp(-0.49)), abs=1e-12)
    assert expected[0][1] == pytest.approx(math.tanh(0.04), abs=1e-12)
    trace = cells.simple_gru_trace(module, torch.tensor([[x] for x in xs]), a0=torch.tensor([0.4]),
                                   preactivations=True)
    assert set(trace) == set(cells.SIMPLE_GRU_KEYS) | {"update_pre", "candidate_pre"}
    for t, (update, candidate, cell) in enumerate(expected):
        assert trace["update"][t].item() == pytest.approx(update, abs=1e-6)
        assert trace["candidate"][t].item() == pytest.approx(candidate, abs=1e-6)
        assert trace["hidden"][t].item() == pytest.approx(cell, abs=1e-6)
    assert trace["update_pre"][0].item() == pytest.approx(0.49, abs=1e-6)
    with torch.no_grad():
        output, h_n = module(torch.tensor([[[x]] for x in xs]), torch.tensor([[[0.4]]]))
    assert output[:, 0, 0].tolist() == pytest.approx([e[2] for e in expected], abs=1e-6)
    assert h_n.item() == pytest.approx(expected[-1][2], abs=1e-6)


@pytest.mark.parametrize("n_x, n_a, T", SIZES)
@pytest.mark.parametrize("layers", [1, 2])
def test_simple_gru_trace_equals_its_own_forward(n_x, n_a, T, layers):
    """The trace (concatenated [c, x], course formulas) against the module's batched forward pass."""
    torch.manual_seed(n_a + layers)
    module = cells.SimpleGRU(n_x, n_a, num_layers=layers, batch_first=True)
    x = _x(T, n_x, layers)
    with torch.no_grad():
        output, h_n = module(x.unsqueeze(0))
        unbatched, _ = module(x)
    traced = cells.stacked_trace(module, x, preactivations=True)
    torch.testing.assert_close(traced[-1]["hidden"], output[0], atol=1e-6, rtol=0)
    torch.testing.assert_close(unbatched, output[0], atol=0, rtol=0)
    torch.testing.assert_close(h_n[:, 0], torch.stack([layer["hidden"][-1] for layer in traced]), atol=1e-6, rtol=0)
    assert ((traced[0]["update"] > 0) & (traced[0]["update"] < 1)).all()


def test_simple_gru_learns_by_autograd_and_counts_like_the_course():
    """Its gradients flow (it trains like the others), and its size is the course's 2 [n_a(n_a + n_x) + n_a]."""
    torch.manual_seed(0)
    module = cells.SimpleGRU(3, 5, batch_first=True)
    assert cells.counted_parameters(module) == cells.course_parameter_count("SimpleGRU", 3, 5) == 2 * (5 * 8 + 5)
    output, _ = module(torch.randn(4, 6, 3))
    output.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in module.parameters())


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleGRU"])
def test_traces_of_many_sequences_at_once_equal_one_at_a_time(kind):
    """(T, batch, n_x) in, (T, batch, n_a) out: the same numbers as tracing each sequence alone."""
    torch.manual_seed(2)
    module = cells.SimpleGRU(3, 4, num_layers=2) if kind == "SimpleGRU" else _module(kind, 3, 4, 2, num_layers=2)
    x = torch.randn(9, 5, 3)
    together = cells.stacked_trace(module, x, preactivations=True)
    for b in range(5):
        alone = cells.stacked_trace(module, x[:, b], preactivations=True)
        for layer_together, layer_alone in zip(together, alone):
            for key, value in layer_alone.items():
                torch.testing.assert_close(layer_together[key][:, b], value, atol=1e-6, rtol=0)
