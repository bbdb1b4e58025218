"""playground.gate_reading: the unit the page shows and the sentences it writes, checked against independent
computations (each held-out sequence traced alone, np.corrcoef) and against models whose gates are set by hand."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from playground import cells, gate_reading
from playground import gate_tasks as tasks


def _one_by_one(run, key):
    """(sequences, T, units): each held-out sequence traced alone, by the public lstm_trace."""
    return np.stack([cells.lstm_trace(run.model.rnn, run.data.inputs[row])[key].numpy() for row in run.test_rows])


def _steps(run):
    inputs = run.data.inputs[run.test_rows].numpy()
    t = np.arange(inputs.shape[1])[None, :]
    store, recall = inputs[:, :, 1].argmax(1)[:, None], inputs[:, :, 2].argmax(1)[:, None]
    return inputs, t, store, recall


def _check(reading, claim):
    [check] = [c for c in reading.checks if c.text.startswith(f"**{claim}**")]
    return check


def test_the_unit_shown_is_the_one_whose_cell_holds_the_stored_value(remember_lstm):
    run = remember_lstm
    reading = gate_reading.read(run)
    cell = _one_by_one(run, "cell")
    inputs, t, store, recall = _steps(run)
    waiting = (t >= store) & (t < recall)
    value = np.broadcast_to(inputs[np.arange(len(inputs)), store[:, 0], 0][:, None], waiting.shape)
    r = np.array([np.corrcoef(cell[:, :, u][waiting], value[waiting])[0, 1] for u in range(cell.shape[2])])
    np.testing.assert_allclose(reading.correlations, r, atol=1e-5)
    assert reading.unit == int(np.argmax(np.abs(r)))
    assert abs(reading.r) >= gate_reading.TRACKS  # a trained model holds the value in one unit's cell
    tracking = reading.checks[0]
    assert tracking.holds and f"unit {reading.unit + 1}'s c⟨t⟩ has r = " in tracking.text
    assert f"{abs(reading.r):.2f}" in tracking.text and "103 held-out sequences" in tracking.text


def test_the_output_gate_sentence_is_what_the_trained_model_does(remember_lstm):
    """“Γ_o opens at the recall step” is said only if the shown unit's Γ_o does; otherwise the page says
    which units' Γ_o open there instead (on the default model: not the memory unit)."""
    run = remember_lstm
    reading = gate_reading.read(run)
    output = _one_by_one(run, "output")
    inputs, t, store, recall = _steps(run)
    at_recall = np.broadcast_to(t == recall, output.shape[:2])
    waiting = np.broadcast_to((t > store) & (t < recall), output.shape[:2])
    here, there = output[:, :, reading.unit][at_recall].mean(), output[:, :, reading.unit][waiting].mean()
    check = _check(reading, "Γ_o opens at the recall step")
    assert check.holds == (here - there >= gate_reading.OPENS)
    assert f"{here:.2f}" in check.text and f"{there:.2f}" in check.text
    if not check.holds:
        assert f"not in unit {reading.unit + 1}" in check.text
        opening = [u for u in range(output.shape[2])
                   if output[:, :, u][at_recall].mean() - output[:, :, u][waiting].mean() >= gate_reading.OPENS]
        for u in opening:
            assert f"unit {u + 1} (" in check.text.split("instead")[0].split("opens there in")[1]


def _output_gate_rows(module):
    n = module.hidden_size
    return slice(3 * n, 4 * n)  # PyTorch's LSTM blocks: i, f, g, o


def test_a_model_whose_output_gates_are_shut_gets_the_other_sentence(remember_lstm):
    run = copy.deepcopy(remember_lstm)
    with torch.no_grad():
        run.model.rnn.bias_ih_l0[_output_gate_rows(run.model.rnn)] = -30.0  # Γ_o ≈ 0 at every step
    check = _check(gate_reading.read(run), "Γ_o opens at the recall step")
    assert check.holds is False and "No unit's Γ_o opens there." in check.text


def test_a_model_whose_output_gates_open_only_at_recall_gets_the_textbook_sentence(remember_lstm):
    run = copy.deepcopy(remember_lstm)
    rnn, rows = run.model.rnn, _output_gate_rows(run.model.rnn)
    with torch.no_grad():
        rnn.weight_ih_l0[rows] = torch.tensor([0.0, 0.0, 30.0])  # only the recall flag moves Γ_o
        rnn.weight_hh_l0[rows] = 0.0
        rnn.bias_ih_l0[rows], rnn.bias_hh_l0[rows] = -15.0, 0.0  # σ(−15) ≈ 0 elsewhere, σ(15) ≈ 1 at recall
    check = _check(gate_reading.read(run), "Γ_o opens at the recall step")
    assert check.holds is True and check.text.startswith("**Γ_o opens at the recall step**: 1.00 there, 0.00")


def test_a_leaky_keep_gate_is_said_to_keep_only_partly(remember_lstm):
    run = copy.deepcopy(remember_lstm)
    n = run.model.rnn.hidden_size
    with torch.no_grad():
        run.model.rnn.weight_ih_l0[n:2 * n] = 0.0
        run.model.rnn.weight_hh_l0[n:2 * n] = 0.0
        run.model.rnn.bias_ih_l0[n:2 * n], run.model.rnn.bias_hh_l0[n:2 * n] = 0.0, 0.0  # Γ_f = σ(0) = 0.5
    check = _check(gate_reading.read(run), "Γ_f keeps c⟨t⟩ while it waits")
    assert check.holds is False and "only partly; Γ_f is 0.50 on average" in check.text


def test_correlations_and_the_joint_fit():
    rng = np.random.default_rng(0)
    quantity = rng.normal(size=(30, 5))
    cell = np.stack([2 * quantity + 1, -quantity, np.ones_like(quantity), rng.normal(size=quantity.shape)], axis=-1)
    mask = np.ones_like(quantity, dtype=bool)
    r, r2 = gate_reading.correlations(cell, quantity, mask)
    np.testing.assert_allclose(r[:3], [1.0, -1.0, 0.0], atol=1e-12)  # a unit that never moves gets r = 0
    assert abs(r[3]) < 0.3 and r2 == pytest.approx(1.0, abs=1e-9)
    mask[:, 0] = False
    r_masked, _ = gate_reading.correlations(cell, quantity, mask)
    expected = np.corrcoef(cell[:, 1:, 3].ravel(), quantity[:, 1:].ravel())[0, 1]
    assert r_masked[3] == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(40))
def test_the_joint_fit_finds_a_copied_quantity_whatever_the_rounding(seed):
    """Two units copy the quantity (collinear) and one never moves: a rank-deficient fit. A QR solve with
    the default cut-off kept a rounding-error pivot on about one seed in five (R² ≈ 0.1 on a CI machine)."""
    rng = np.random.default_rng(seed)
    quantity = rng.normal(size=(30, 5))
    cell = np.stack([2 * quantity + 1, -quantity, np.ones_like(quantity), rng.normal(size=quantity.shape)], axis=-1)
    assert gate_reading.correlations(cell, quantity, np.ones_like(quantity, dtype=bool))[1] == pytest.approx(1.0, abs=1e-9)


def test_the_joint_fit_is_ordinary_least_squares_with_an_intercept():
    rng = np.random.default_rng(1)
    cell, quantity = rng.normal(size=(50, 4, 6)), rng.normal(size=(50, 4))
    _, r2 = gate_reading.correlations(cell, quantity, np.ones_like(quantity, dtype=bool))
    design = np.c_[cell.reshape(-1, 6), np.ones(200)]
    residual = quantity.ravel() - design @ np.linalg.lstsq(design, quantity.ravel(), rcond=None)[0]
    assert r2 == pytest.approx(1 - (residual ** 2).sum() / ((quantity - quantity.mean()) ** 2).sum(), rel=1e-9)


def _series(n=200):
    return pd.Series(np.sin(np.arange(n) / 4.0) * 5 + 20, index=pd.date_range("2001-01-01", periods=n, freq="D"))


@pytest.mark.parametrize("kind", tasks.KINDS)
@pytest.mark.parametrize("task", list(tasks.TASKS))
def test_every_cell_and_task_is_read(kind, task):
    """Untrained builds (fast): the reading runs, starts with the memory check, and only the series task
    (which has no textbook solution to check) reports plain measurements."""
    run = tasks.build(task, kind, 3, 1, tasks.TASKS[task].length[0], series=_series() if task == "series" else None)
    reading = gate_reading.read(run)
    assert 0 <= reading.unit < 3 and reading.correlations.shape == (3,)
    assert reading.checks and reading.memory in reading.checks[0].text
    assert all(check.holds is None for check in reading.checks) == (task == "series")
    text = " ".join(check.text for check in reading.checks)
    assert ("Γ_f" in text or "Γ_o" in text) == (kind == "LSTM")  # sentences name only the cell's own gates
    assert "Γ_r" not in text or kind == "GRU"
