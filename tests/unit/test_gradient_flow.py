"""playground.gradient_flow: ‖∂J⟨T⟩/∂a⟨t⟩‖ against theory (the σ_max bound) and against autograd.

The vanishing / exploding tests use W_aa = ρ · Q with Q orthogonal, so that the spectral radius and the
largest singular value are both ρ, on the sentences of the long-range task (one-hot words, inputs of size
1) with the cells' PyTorch initialisation: there, for tanh and for relu, ρ = 0.5 makes the gradient fall
and ρ = 1.5 makes it grow (the tanh units are far from saturation on these inputs).
"""

import numpy as np
import pytest
import torch

from playground import bptt
from playground import gradient_flow as flow
from playground import long_range as task


def _sentence(steps=40, seed=0):
    return flow.sentence(steps, seed)


def _rnn_flow(init, scale, activation="tanh", steps=40, seed=0, hidden=16, truncate=None):
    _, xs, verb = _sentence(steps, seed)
    model = task.build("RNN", hidden, seed)
    return flow.rnn_flow(flow.rnn_parameters(model, init, scale, seed), xs, verb, activation, truncate)


@pytest.mark.parametrize("init", list(flow.INITS))
@pytest.mark.parametrize("scale", [0.3, 0.9, 1.0, 1.7])
def test_recurrent_matrix_has_the_asked_spectral_radius(init, scale):
    base = task.build("RNN", 12, 3).rnn.weight_hh_l0.detach().double().numpy()
    matrix = flow.recurrent_matrix(base, init, scale, seed=3)
    assert flow.spectral_radius(matrix) == pytest.approx(scale, rel=1e-9)
    if init != "pytorch":  # orthogonal and identity: every singular value is the scale
        np.testing.assert_allclose(np.linalg.svd(matrix, compute_uv=False), scale, rtol=1e-9)
    else:
        assert flow.largest_singular_value(matrix) >= scale - 1e-12  # σ_max ≥ ρ always


def _always_on(steps, seed, scale):
    """An IRNN (W_aa = ρ·I, relu) whose units are always on: W_ax ≥ 0 and b_a > 0, so relu′ = 1 everywhere."""
    sentence, xs, verb = _sentence(steps, seed)
    params = flow.rnn_parameters(task.build("RNN", 16, seed), "identity", scale, seed)
    return dict(params, Wax=np.abs(params["Wax"]), ba=np.full_like(params["ba"], 0.1)), xs, verb


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("scale", [0.5, 1.5])
def test_relu_irnn_with_every_unit_on_attains_the_bound(seed, scale):
    """Then ∂J⟨T⟩/∂a⟨t⟩ = (ρI)^(T−t) ∂J⟨T⟩/∂a⟨T⟩ exactly: falls as 0.5^(T−t), grows as 1.5^(T−t)."""
    params, xs, verb = _always_on(12, seed, scale)
    result = flow.rnn_flow(params, xs, verb, "relu")
    np.testing.assert_allclose(result.norms, result.bound, rtol=1e-9)
    assert result.ratio() == pytest.approx(scale ** 11, rel=1e-9)
    assert (result.ratio() < 1e-3) if scale < 1 else (result.ratio() > 80)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_relu_gradient_vanishes_below_radius_one(seed):
    small = _rnn_flow("orthogonal", 0.5, "relu", seed=seed)
    assert small.ratio() < 1e-6  # at most 0.5^39 ≈ 2e−12
    assert np.mean(small.norms[:-1] <= small.norms[1:]) > 0.9  # step by step, each earlier step gets less


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_tanh_gradient_falls_and_grows_where_tanh_is_nearly_linear(seed):
    """Small inputs (W_ax × 0.01) and b_a = 0 keep |a⟨t⟩| small, so tanh′ ≈ 1 and only ρ decides.
    (With the page's larger inputs a tanh RNN at ρ = 1.5 often saturates and its gradient shrinks anyway.)"""
    _, xs, verb = _sentence(12, seed)
    params = flow.rnn_parameters(task.build("RNN", 16, seed), "orthogonal", 1.0, seed)
    params = dict(params, Wax=params["Wax"] * 0.01, ba=np.zeros_like(params["ba"]))
    for scale, check in ((0.5, lambda r: r < 0.5 ** 11 * 1.01), (1.5, lambda r: r > 1.5 ** 11 * 0.9)):
        result = flow.rnn_flow(dict(params, Waa=params["Waa"] * scale), xs, verb, "tanh")
        assert check(result.ratio()), (scale, result.ratio())
        assert result.under_bound()


@pytest.mark.parametrize("init", list(flow.INITS))
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("scale", [0.25, 0.75, 1.0, 1.25, 2.0])
def test_measured_curve_stays_under_the_bound(init, activation, scale):
    for seed in (0, 1):
        result = _rnn_flow(init, scale, activation, seed=seed)
        finite = np.isfinite(result.bound)
        assert np.all(result.norms[finite] <= result.bound[finite] * (1 + 1e-9) + 1e-300)
        assert result.under_bound()
        np.testing.assert_allclose(result.bound[-1], result.norms[-1])


def test_rnn_flow_by_hand_equals_autograd_through_torch_rnn():
    sentence, xs, verb = _sentence(30, seed=4)
    model = task.build("RNN", 10, 4)
    own = flow.spectral_radius(model.rnn.weight_hh_l0.detach().double().numpy())
    by_hand = flow.rnn_flow(flow.rnn_parameters(model, "pytorch", own), xs, verb)
    autograd = flow.state_gradients(model, sentence.inputs, sentence.verbs)["hidden"]
    np.testing.assert_allclose(by_hand.norms, autograd, rtol=2e-5)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_state_gradients_equal_autograd_from_each_state(kind):
    """Independent route: run the module's whole remaining sequence from a leaf state (h, c) at step t."""
    sentence = task.sentences(9, 3, seed=2)
    model = task.build(kind, 6, 2)
    result = flow.state_gradients(model, sentence.inputs, sentence.verbs)
    x = sentence.inputs
    for t in (0, 4, 10):
        with torch.no_grad():
            _, state = model.rnn(x[:, :t + 1])
        leaves = tuple(s.clone().requires_grad_(True) for s in (state if isinstance(state, tuple) else (state,)))
        rest = x[:, t + 1:]
        if rest.shape[1]:
            hidden, _ = model.rnn(rest, leaves if kind == "LSTM" else leaves[0])
            last = hidden[:, -1]
        else:
            last = leaves[0][0]
        torch.nn.functional.cross_entropy(model.head(last), sentence.verbs, reduction="sum").backward()
        expected = leaves[0].grad[0].norm(dim=-1).mean().item()
        assert result["hidden"][t] == pytest.approx(expected, rel=1e-5, abs=1e-12)
        if kind == "LSTM" and rest.shape[1]:
            assert result["cell"][t] == pytest.approx(leaves[1].grad[0].norm(dim=-1).mean().item(), rel=1e-5)


def test_truncated_state_gradients_stop_k_steps_back():
    sentence = task.sentences(17, 2, seed=1)
    model = task.build("LSTM", 5, 1)
    full = flow.state_gradients(model, sentence.inputs, sentence.verbs)["hidden"]
    cut = flow.state_gradients(model, sentence.inputs, sentence.verbs, truncate=6)["hidden"]
    assert np.all(cut[:-6] == 0)
    np.testing.assert_allclose(cut[-6:], full[-6:], rtol=1e-6)


def test_rnn_truncation_matches_the_gated_truncation_convention():
    result = _rnn_flow("pytorch", 1.0, truncate=7)
    assert result.reached == 33 and np.all(result.norms[:33] == 0) and np.all(result.norms[33:] > 0)


def test_clipping_caps_the_norm_and_leaves_small_gradients_alone():
    _, xs, verb = _sentence(40, 0)
    model = task.build("RNN", 16, 0)
    before, after = flow.clipping_sweep(model, xs, verb, "orthogonal", "tanh", threshold=5.0)
    assert before.max() > 50 and before.min() < 5  # the sweep spans both sides of the threshold
    assert np.all(after <= 5.0 + 1e-9)
    small = before < 5.0
    np.testing.assert_allclose(after[small], before[small])
    np.testing.assert_allclose(after[~small], 5.0, rtol=1e-5)


def test_input_sensitivity_is_causal_and_its_last_row_is_the_gradient_of_the_last_loss():
    sentence = task.sentences(6, 4, seed=3)
    model = task.build("GRU", 5, 3)
    matrix = flow.input_sensitivity(model, sentence.inputs, sentence.verbs)
    assert matrix.shape == (9, 9)
    assert np.all(matrix[np.triu_indices(9, k=1)] < 1e-12)  # the loss at t cannot depend on later inputs
    x = sentence.inputs.clone().requires_grad_(True)
    logits = model(x)
    for t in (0, 4, 8):  # one loss at a time, one backward pass each
        loss = torch.nn.functional.cross_entropy(logits[:, t], sentence.verbs, reduction="sum")
        (grad,) = torch.autograd.grad(loss, x, retain_graph=True)
        np.testing.assert_allclose(matrix[t], grad.norm(dim=-1).mean(0).numpy(), rtol=1e-5, atol=1e-12)


def test_stories_follow_the_numbers():
    vanishing = flow.flow_story(_rnn_flow("orthogonal", 0.5), {}, "tanh", 3.0)
    assert "**vanishes**" in vanishing[0] and "σ_max < 1" in vanishing[1] and "under the bound" in vanishing[1]
    params, xs, verb = _always_on(16, 0, 1.5)
    exploding = flow.flow_story(flow.rnn_flow(params, xs, verb, "relu"), {}, "relu", 3.0)
    assert "**explodes**" in exploding[0] and "allows a factor up to" in exploding[1]
    saturating = _rnn_flow("identity", 1.5, "tanh")
    if saturating.ratio() < 1e-2:  # saturated tanh: σ_max > 1 and still vanishing
        assert "does not force it" in flow.flow_story(saturating, {}, "tanh", 3.0)[1]
    truncated = flow.flow_story(_rnn_flow("pytorch", 1.0, truncate=5), {}, "tanh", 3.0)
    assert any("cannot learn" in line for line in truncated)
    reaching = flow.flow_story(_rnn_flow("pytorch", 1.0, steps=10, truncate=9), {}, "tanh", 3.0)
    assert any("still inside the window" in line for line in reaching)


def test_story_of_an_exploded_forward_pass():
    exploded = _rnn_flow("identity", 2.0, "relu", steps=100)
    lines = flow.flow_story(exploded, {}, "relu", 3.0)
    if exploded.norms[-1] == 0:
        assert "sends no gradient back" in lines[0]
    else:
        assert "explodes" in lines[0] or "vanishes" in lines[0] or "keeps" in lines[0]


def test_clipping_story():
    result = _rnn_flow("orthogonal", 1.5)
    assert result.gradient_norm > 1
    assert "clipping scales every gradient" in flow.clipping_story(result, 1.0)
    assert "leaves it alone" in flow.clipping_story(result, 100.0)
    np.testing.assert_allclose(bptt.total_norm(bptt.clip_by_norm(result.gradients, 1.0)), 1.0, rtol=1e-5)


def test_the_page_experiment_is_bounded_and_uses_the_same_sentence():
    rnn, gated, words = flow.untrained(20, 8, 0, 3.0, "orthogonal", 0.9)
    assert rnn.steps == 20 and len(words) == 20 and set(gated) == {"LSTM", "GRU"}
    assert all(len(g["hidden"]) == 20 for g in gated.values())
    with pytest.raises(flow.FlowError, match="sequence length T must be between 5 and 100"):
        flow.untrained(200, 8, 0, 3.0, "orthogonal", 0.9)
    with pytest.raises(flow.FlowError, match="spectral radius"):
        flow.untrained(20, 8, 0, 3.0, "orthogonal", 5.0)
    before, after = flow.clipping_on(20, 8, 0, "orthogonal", "tanh", 1.0)
    assert len(before) == len(flow.SCALES) and np.all(after <= 1.0 + 1e-9)
