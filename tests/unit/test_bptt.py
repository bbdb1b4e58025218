"""playground.bptt: the hand-written backward pass must equal PyTorch's autograd (float64) and finite differences.

References: autograd through a loop written here with torch operations, autograd through torch.nn.RNN and
nn.functional.cross_entropy (PyTorch's own kernels), central finite differences of the numpy forward pass,
and torch.nn.utils.clip_grad_norm_ for clipping.
"""

import numpy as np
import pytest
import torch

from playground import bptt

SHAPES = [(1, 1, 2, 1), (1, 3, 4, 5), (4, 2, 3, 2), (7, 5, 8, 6), (30, 4, 16, 3)]  # (T, n_x, n_a, n_y)


def _problem(T, n_x, n_a, n_y, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    params = {"Wax": scale * rng.standard_normal((n_a, n_x)),
              "Waa": scale * rng.standard_normal((n_a, n_a)) / np.sqrt(n_a),
              "Wya": rng.standard_normal((n_y, n_a)), "ba": 0.5 * rng.standard_normal(n_a),
              "by": 0.5 * rng.standard_normal(n_y)}
    return params, rng.standard_normal((T, n_x)), rng.integers(0, n_y, T), rng.standard_normal(n_a)


def _torch_loop(params, xs, ys, a0, activation="tanh"):
    """The course's equations as a plain torch loop; autograd does the backward pass."""
    p = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True) for name, value in params.items()}
    g = torch.tanh if activation == "tanh" else torch.relu
    a = torch.zeros(p["Waa"].shape[0], dtype=torch.float64) if a0 is None else torch.tensor(a0)
    loss = 0
    for x, y in zip(torch.tensor(xs), torch.tensor(ys)):
        a = g(p["Waa"] @ a + p["Wax"] @ x + p["ba"])
        logits = p["Wya"] @ a + p["by"]
        loss = loss + torch.nn.functional.cross_entropy(logits[None], y[None])
    loss.backward()
    return float(loss.detach()), {name: value.grad.numpy() for name, value in p.items()}


@pytest.mark.parametrize("T, n_x, n_a, n_y", SHAPES)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("with_a0", [False, True])
def test_manual_gradients_equal_autograd(T, n_x, n_a, n_y, seed, with_a0):
    params, xs, ys, a0 = _problem(T, n_x, n_a, n_y, seed)
    a0 = a0 if with_a0 else None
    mine = bptt.manual_gradients(params, xs, ys, a0)
    loss, theirs = _torch_loop(params, xs, ys, a0)
    assert set(mine) == set(bptt.PARAMETERS)
    for name in bptt.PARAMETERS:
        assert mine[name].shape == params[name].shape
        np.testing.assert_allclose(mine[name], theirs[name], rtol=0, atol=1e-8, err_msg=name)
    assert bptt.forward(params, xs, ys, a0).loss == pytest.approx(loss, abs=1e-10)


@pytest.mark.parametrize("T, n_x, n_a, n_y", SHAPES)
def test_manual_gradients_equal_torch_nn_rnn(T, n_x, n_a, n_y):
    """The page's reference: torch.nn.RNN's own kernel and cross_entropy, float64."""
    params, xs, ys, a0 = _problem(T, n_x, n_a, n_y, seed=5)
    mine = bptt.manual_gradients(params, xs, ys, a0)
    theirs = bptt.autograd_gradients(params, xs, ys, a0)
    for name in bptt.PARAMETERS:
        np.testing.assert_allclose(mine[name], theirs[name], rtol=0, atol=1e-8, err_msg=name)
    assert all(row["largest |by hand − autograd|"] < 1e-10 for row in bptt.autograd_check(params, xs, ys, a0))


def test_relu_gradients_equal_autograd():
    params, xs, ys, a0 = _problem(9, 3, 6, 4, seed=3)
    mine = bptt.manual_gradients(params, xs, ys, a0, activation="relu")
    _, theirs = _torch_loop(params, xs, ys, a0, "relu")
    for name in bptt.PARAMETERS:
        np.testing.assert_allclose(mine[name], theirs[name], rtol=0, atol=1e-8, err_msg=name)
    nn_rnn = bptt.autograd_gradients(params, xs, ys, a0, activation="relu")
    np.testing.assert_allclose(mine["Waa"], nn_rnn["Waa"], rtol=0, atol=1e-8)


def test_manual_gradients_equal_finite_differences():
    params, xs, ys, a0 = _problem(5, 2, 3, 3, seed=11)
    mine = bptt.manual_gradients(params, xs, ys, a0)
    eps = 1e-6
    for name in bptt.PARAMETERS:
        numeric = np.zeros_like(params[name])
        for index in np.ndindex(params[name].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][index] += eps
            minus[name][index] -= eps
            numeric[index] = (bptt.forward(plus, xs, ys, a0).loss - bptt.forward(minus, xs, ys, a0).loss) / (2 * eps)
        np.testing.assert_allclose(mine[name], numeric, rtol=1e-6, atol=1e-7, err_msg=name)


def test_column_vector_biases_keep_their_shape():
    params, xs, ys, _ = _problem(4, 2, 3, 2, seed=0)
    column = dict(params, ba=params["ba"].reshape(-1, 1), by=params["by"].reshape(-1, 1))
    grads = bptt.manual_gradients(column, xs, ys)
    assert grads["ba"].shape == (3, 1) and grads["by"].shape == (2, 1)
    np.testing.assert_allclose(grads["ba"].ravel(), bptt.manual_gradients(params, xs, ys)["ba"], atol=1e-14)


def test_step_terms_sum_to_the_gradient_and_the_recursion_holds():
    params, xs, ys, a0 = _problem(6, 3, 4, 3, seed=4)
    fwd = bptt.forward(params, xs, ys, a0)
    back = bptt.backward(fwd)
    for name in bptt.PARAMETERS:
        np.testing.assert_allclose(back.contributions(name, fwd).sum(axis=0), back.gradients[name], atol=1e-14)
    np.testing.assert_allclose(back.from_next[-1], 0)  # nothing arrives from step T + 1
    np.testing.assert_allclose(back.from_next[2], params["Waa"].T @ back.delta[3], atol=1e-14)
    np.testing.assert_allclose(back.slope, 1 - fwd.a ** 2, atol=1e-14)
    np.testing.assert_allclose(back.delta, back.da * back.slope, atol=1e-14)


def test_only_the_last_loss_matches_autograd_on_the_states():
    """backward(steps=[T−1]) gives ∂J⟨T⟩/∂a⟨t⟩; autograd on retained states gives the same."""
    params, xs, ys, _ = _problem(8, 2, 5, 3, seed=6)
    back = bptt.backward(bptt.forward(params, xs, ys), steps=[7])
    p = {k: torch.tensor(v) for k, v in params.items()}
    a, states = torch.zeros(5, dtype=torch.float64, requires_grad=True), []
    for x in torch.tensor(xs):
        a = torch.tanh(p["Waa"] @ a + p["Wax"] @ x + p["ba"])
        a.retain_grad()
        states.append(a)
    loss = torch.nn.functional.cross_entropy((p["Wya"] @ a + p["by"])[None], torch.tensor([ys[7]]))
    loss.backward()
    np.testing.assert_allclose(back.da, np.stack([s.grad.numpy() for s in states]), atol=1e-12)


def test_truncation_stops_the_gradient_k_steps_back():
    params, xs, ys, _ = _problem(10, 2, 4, 3, seed=7)
    k = 3
    back = bptt.backward(bptt.forward(params, xs, ys), steps=[9], truncate=k)
    assert np.all(back.da[:10 - k] == 0) and np.all(np.abs(back.da[10 - k:]).sum(axis=1) > 0)
    # torch: the first T − k steps without gradient, then the last k steps
    p = {k_: torch.tensor(v, requires_grad=True) for k_, v in params.items()}
    a = torch.zeros(4, dtype=torch.float64)
    for t, x in enumerate(torch.tensor(xs)):
        if t == 10 - k:
            a = a.detach()
        a = torch.tanh(p["Waa"] @ a + p["Wax"] @ x + p["ba"])
    torch.nn.functional.cross_entropy((p["Wya"] @ a + p["by"])[None], torch.tensor([ys[9]])).backward()
    for name in bptt.PARAMETERS:
        np.testing.assert_allclose(back.gradients[name], p[name].grad.numpy(), atol=1e-12, err_msg=name)


def test_clipping_matches_torch_and_caps_the_norm():
    params, xs, ys, _ = _problem(12, 3, 6, 4, seed=8, scale=3.0)
    grads = bptt.manual_gradients(params, xs, ys)
    for threshold in (0.1, 1.0, 1e6):
        clipped = bptt.clip_by_norm(grads, threshold)
        tensors = [torch.tensor(grads[name], requires_grad=True) for name in bptt.PARAMETERS]
        for tensor in tensors:
            tensor.grad = tensor.detach().clone()
        norm = torch.nn.utils.clip_grad_norm_(tensors, threshold)
        assert bptt.total_norm(grads) == pytest.approx(float(norm), rel=1e-12)
        for name, tensor in zip(bptt.PARAMETERS, tensors):
            np.testing.assert_allclose(clipped[name], tensor.grad.numpy(), rtol=1e-12, atol=1e-15)
        assert bptt.total_norm(clipped) <= threshold + 1e-9
    with pytest.raises(bptt.BPTTError):
        bptt.clip_by_norm(grads, 0)


@pytest.mark.parametrize("change, message", [
    (lambda p, xs, ys: (dict(p, Waa=p["Waa"][:2]), xs, ys), "Waa must be"),
    (lambda p, xs, ys: (dict(p, ba=p["ba"][:1]), xs, ys), "ba must have"),
    (lambda p, xs, ys: ({k: v for k, v in p.items() if k != "by"}, xs, ys), "missing by"),
    (lambda p, xs, ys: (p, xs[:, :1], ys), "xs must be"),
    (lambda p, xs, ys: (p, xs[:0], ys[:0]), "between 1 and"),
    (lambda p, xs, ys: (p, xs, ys[:-1]), "ys must hold"),
    (lambda p, xs, ys: (p, xs, ys + 10), "between 0 and"),
    (lambda p, xs, ys: (p, xs, ys + 0.5), "whole numbers"),
    (lambda p, xs, ys: (dict(p, Wax=p["Wax"] * np.nan), xs, ys), "finite"),
])
def test_bad_inputs_get_clear_messages(change, message):
    params, xs, ys, _ = _problem(4, 2, 3, 2, seed=0)
    with pytest.raises(bptt.BPTTError, match=message):
        bptt.manual_gradients(*change(params, xs, ys))


def test_char_problem_reads_the_text():
    problem = bptt.char_problem("hello", hidden_size=2, seed=0)
    assert problem.vocabulary == ["e", "h", "l", "o"]
    assert problem.inputs == list("hell") and problem.targets == list("ello")
    np.testing.assert_array_equal(problem.xs.argmax(1), [1, 0, 2, 2])
    np.testing.assert_array_equal(problem.ys, [0, 2, 2, 3])
    assert problem.params["Wax"].shape == (2, 4) and problem.params["Wya"].shape == (4, 2)
    assert np.all(np.abs(problem.params["Waa"]) <= 1 / np.sqrt(2))  # nn.RNN's uniform(±1/√n_a)
    long = bptt.char_problem("x" * 40)
    assert len(long.text) == bptt.TEXT_LENGTH[1] and "first 13 characters" in long.note
    with pytest.raises(bptt.BPTTError, match="at least 2"):
        bptt.char_problem(" a ")
    with pytest.raises(bptt.BPTTError, match="hidden units"):
        bptt.char_problem("hello", hidden_size=6)
