"""playground.long_range: the sentences, the models' start, truncated BPTT, training, and the chance verdict."""

import numpy as np
import pytest
import torch
from scipy.stats import binom

from playground import cells, gate_tasks
from playground import long_range as task
from playground.training import History


def test_sentences_come_from_the_agreement_task():
    data = task.sentences(gap=6, n=40, seed=3)
    assert data.inputs.shape == (40, 9, len(gate_tasks.VOCABULARY)) and data.gap == 6
    for words, verb in zip(data.words, data.verbs.tolist()):
        assert words[0] == "the" and words[-1] == "___" and len(words) == 9
        assert (words[1] in gate_tasks.PLURAL) == (verb == 1)
    assert set(data.verbs.tolist()) == {0, 1}


def test_gaps_are_fractions_of_the_longest():
    assert task.gaps_for(60) == [8, 15, 30, 45, 60]
    assert task.gaps_for(2) == [1, 2]
    with pytest.raises(task.LongRangeError, match="between 2 and 80"):
        task.gaps_for(81)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("bias", task.KEEP_BIASES)
def test_gated_cells_start_with_the_keep_gate_bias(kind, bias):
    """Zero input and zero state: the LSTM's Γ_f = σ(b) and Γ_u = σ(−b); the GRU's Γ_u = σ(−b) (PyTorch's z = σ(b))."""
    model = task.build(kind, 5, seed=1, keep_bias=bias)
    x = torch.zeros(1, task.N_X)
    trace = (cells.lstm_trace if kind == "LSTM" else cells.gru_trace)(model.rnn, x)
    keeps, writes = torch.sigmoid(torch.tensor(bias)).item(), torch.sigmoid(torch.tensor(-bias)).item()
    torch.testing.assert_close(trace["update"], torch.full((1, 5), writes), atol=1e-6, rtol=0)
    if kind == "LSTM":
        torch.testing.assert_close(trace["forget"], torch.full((1, 5), keeps), atol=1e-6, rtol=0)
    if bias == 0:  # PyTorch's own start: only the biases of those gates were touched, and they are 0
        torch.manual_seed(1)
        reference = getattr(torch.nn, kind)(task.N_X, 5, batch_first=True)
        torch.testing.assert_close(model.rnn.weight_hh_l0, reference.weight_hh_l0)


def test_rnn_is_pytorchs_default_and_settings_are_bounded():
    model = task.build("RNN", 8, seed=0)
    torch.manual_seed(0)
    reference = torch.nn.RNN(task.N_X, 8, batch_first=True)
    torch.testing.assert_close(model.rnn.weight_hh_l0, reference.weight_hh_l0)
    with pytest.raises(task.LongRangeError, match="hidden units"):
        task.build("RNN", 64)
    with pytest.raises(task.LongRangeError, match="keep-gate bias"):
        task.build("LSTM", 8, keep_bias=5)
    with pytest.raises(task.LongRangeError, match="kind"):
        task.AgreementModel("Transformer", 8)


@pytest.mark.parametrize("kind", task.KINDS)
def test_truncated_forward_gives_the_same_logits_and_no_gradient_beyond_k(kind):
    data = task.sentences(10, 6, seed=2)
    model = task.build(kind, 6, seed=2)
    full = model.final_logits(data.inputs)
    torch.testing.assert_close(model(data.inputs)[:, -1], full)
    x = data.inputs.clone().requires_grad_(True)
    cut = model.final_logits(x, truncate=4)
    torch.testing.assert_close(cut, full, atol=1e-6, rtol=0)
    cut.sum().backward()
    assert torch.all(x.grad[:, :-4] == 0) and torch.any(x.grad[:, -4:] != 0)


def _curve(kind, accuracies, n=200):
    results = []
    for gap, accuracy in enumerate(accuracies, start=1):
        correct = int(round(accuracy * n))
        p_value = float(binom.sf(correct - 1, n, 0.5))
        results.append(task.GapResult(gap, correct / n, correct, n, p_value, History(), None))
    return task.Curve(kind, results)


def test_chance_gap_is_where_the_curve_stays_at_guessing():
    assert _curve("RNN", [1.0, 1.0, 0.5, 0.49, 0.52]).chance_gap() == 3
    assert _curve("RNN", [1.0, 0.5, 0.95, 0.5, 0.5]).chance_gap() == 4  # a blip back above chance counts
    assert _curve("LSTM", [1.0, 1.0, 1.0, 1.0, 0.9]).chance_gap() is None
    assert _curve("GRU", [0.5, 0.5, 0.5]).chance_gap() == 1


def test_better_than_chance_verdict_is_calibrated():
    """A model that guesses at every gap is called "better than chance" at some gap at most ALPHA of the time."""
    rng = np.random.default_rng(0)
    gaps, n, runs = 5, task.N_TEST, 4000
    correct = rng.binomial(n, 0.5, size=(runs, gaps))
    level = task.ALPHA / gaps
    p_values = binom.sf(correct - 1, n, 0.5)
    false_alarms = np.mean((p_values < level).any(axis=1))
    assert false_alarms <= task.ALPHA + 0.01
    # and the verdict has power: 65 % right out of 200 is seen every time
    assert binom.sf(int(0.65 * n) - 1, n, 0.5) < level


def test_verdict_names_who_fails_first():
    curves = {"RNN": _curve("RNN", [1.0, 0.5, 0.5]), "LSTM": _curve("LSTM", [1.0, 1.0, 1.0]),
              "GRU": _curve("GRU", [1.0, 1.0, 0.5])}
    text = task.verdict(curves)
    assert text.startswith("The **RNN** fails first.")
    assert "the **LSTM** is better than guessing at every gap up to 3" in text
    assert "**GRU** is no better than guessing from a gap of **3 words** on" in text
    blip = {"RNN": _curve("RNN", [1.0, 0.5, 0.5]), "LSTM": _curve("LSTM", [1.0, 0.5, 1.0])}
    assert "the **LSTM** is better than guessing at the longest gap (3), though not at 2" in task.verdict(blip)
    everyone = {k: _curve(k, [1.0, 1.0]) for k in task.KINDS}
    assert "even the vanilla RNN learned it" in task.verdict(everyone)
    tied = {"RNN": _curve("RNN", [1.0, 0.5]), "LSTM": _curve("LSTM", [1.0, 0.5]), "GRU": _curve("GRU", [1.0, 1.0])}
    assert task.verdict(tied).startswith("**RNN** and **LSTM** fail first")
    nobody = {k: _curve(k, [0.5, 0.5]) for k in task.KINDS}
    assert task.verdict(nobody).startswith("All 3 fail") and "gap of **1 word** on" in task.verdict(nobody)


def test_an_lstm_learns_a_short_gap():
    result = task.train_at("LSTM", 4, hidden_size=8, epochs=8, seed=0)
    assert result.accuracy > 0.95 and result.p_value < 1e-10
    assert result.n_test == task.N_TEST and len(result.history.losses) == 8


def test_train_curves_reports_progress_and_keeps_every_model():
    seen = []
    curves = task.train_curves(2, hidden_size=2, epochs=1, seed=1, progress=lambda f, text: seen.append((f, text)))
    assert list(curves) == list(task.KINDS)
    assert all(curve.gaps == [1, 2] for curve in curves.values())
    assert all(0 <= r.accuracy <= 1 and r.model is not None for c in curves.values() for r in c.results)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert any(text.startswith("GRU, gap 2") for _, text in seen)
    with pytest.raises(task.LongRangeError, match="number of epochs"):
        task.train_curves(10, 8, epochs=0)
    with pytest.raises(task.LongRangeError, match="truncated BPTT"):
        task.train_curves(10, 8, epochs=1, truncate=1)


def test_estimate_grows_with_the_work():
    assert task.estimated_seconds(60, 8, 20) > task.estimated_seconds(30, 8, 20) > task.estimated_seconds(30, 8, 5)


def test_truncation_note_says_where_the_noun_is_out_of_reach():
    note = task.truncation_note(10, [8, 15, 30])
    assert "outside the last k steps at gaps 15, 30:" in note
    assert "inside the last k steps at every gap" in task.truncation_note(20, [8, 15])
