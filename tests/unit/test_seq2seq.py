"""Seq2Seq: shapes, the two decoding modes against hand-written references, attention, training, windows."""

from __future__ import annotations


from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from playground.seq2seq import (
    Seq2Seq, Settings, inference_seconds, project_2d, step_errors, teacher_forcing_ratio, train,
)
from playground.seq2seq_data import WindowError, series_windows, sine_windows

MODES = ("parallel", "autoregressive")
VARIANTS = [(1, False), (2, False), (1, True), (2, True)]  # (num_layers, attention)


def make(num_layers=1, attention=False, hidden=8, input_size=1, output_size=1, seed=0):
    torch.manual_seed(seed)
    model = Seq2Seq(input_size, hidden, output_size, num_layers=num_layers, attention=attention)
    if attention:  # away from the identity start, so the test checks the general formula
        with torch.no_grad():
            model.W_alpha.copy_(torch.randn(hidden, hidden) * 0.5)
    return model.eval()


def batch(n=6, T=7, features=1, seed=1):
    return torch.randn(n, T, features, generator=torch.Generator().manual_seed(seed))


# ---------------------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("num_layers, attention", VARIANTS)
def test_output_shape_in_both_modes(mode, num_layers, attention):
    model = make(num_layers, attention)
    for n, T, K in [(1, 1, 1), (4, 5, 5), (3, 9, 12)]:
        out = model(batch(n, T), K, mode)
        assert out.shape == (n, K, 1)
        if attention:
            assert model.last_attention.shape == (n, K, T)
        else:
            assert model.last_attention is None


def test_several_input_features_and_outputs():
    model = make(input_size=3, output_size=2)
    x = batch(5, 6, features=3)
    for mode in MODES:
        assert model(x, 4, mode).shape == (5, 4, 2)
    assert model.encode(x).shape == (5, 8)
    with pytest.raises(ValueError):
        Seq2Seq(1, 8, 2)  # the first decoder input is the last observed target: needs output_size <= input_size


def test_bad_arguments_are_refused():
    model = make()
    with pytest.raises(ValueError):
        model(batch(), 3, mode="beam")
    with pytest.raises(ValueError):
        model(batch(), 0)
    with pytest.raises(ValueError):
        model(batch(features=2), 3)
    with pytest.raises(ValueError):
        model(batch(), 3, "autoregressive", teacher_forcing=0.5)  # no target to teach with
    for kwargs in [dict(hidden_size=0), dict(num_layers=0), dict(dropout=1.0), dict(dropout=-0.1)]:
        args = dict(input_size=1, hidden_size=8, output_size=1) | kwargs
        with pytest.raises(ValueError):
            Seq2Seq(**args)


# ------------------------------------------------------------------------- the two decoding modes


@pytest.mark.parametrize("num_layers, attention", VARIANTS)
def test_first_output_step_is_identical_in_both_modes(num_layers, attention):
    model = make(num_layers, attention)
    for n in (1, 5, 64):
        x = batch(n, 6, seed=n)
        with torch.no_grad():
            parallel = model(x, 5, "parallel")
            autoregressive = model(x, 5, "autoregressive")
        assert torch.equal(parallel[:, 0], autoregressive[:, 0])
        assert not torch.allclose(parallel[:, 1:], autoregressive[:, 1:])  # the later steps do differ


def reference_lstm_cells(lstm: torch.nn.LSTM) -> list[torch.nn.LSTMCell]:
    """One torch.nn.LSTMCell per layer with the module's weights: an independent step-by-step decoder."""
    cells = []
    for layer in range(lstm.num_layers):
        cell = torch.nn.LSTMCell(lstm.input_size if layer == 0 else lstm.hidden_size, lstm.hidden_size)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).data.copy_(getattr(lstm, f"{name}_l{layer}"))
        cells.append(cell)
    return cells


def reference_decode(model: Seq2Seq, x: torch.Tensor, K: int, feed_back: bool):
    """Decode with LSTMCells and explicit attention: x⟨T_x⟩ every step (parallel) or ŷ⟨k-1⟩ (autoregressive)."""
    encoded, (h, c) = model.encoder(x)
    cells = reference_lstm_cells(model.decoder)
    h, c = list(h), list(c)
    step_input, outputs = x[:, -1, :1], []
    for _ in range(K):
        layer_input = step_input
        for layer, cell in enumerate(cells):
            h[layer], c[layer] = cell(layer_input, (h[layer], c[layer]))
            layer_input = h[layer]
        s = h[-1]
        if model.attention:
            scores = torch.einsum("bi,ij,btj->bt", s, model.W_alpha, encoded)
            alpha = torch.exp(scores) / torch.exp(scores).sum(dim=1, keepdim=True)
            context = (alpha[:, :, None] * encoded).sum(dim=1)
            s = torch.cat([s, context], dim=1)
        y = s @ model.head.weight.T + model.head.bias
        outputs.append(y)
        if feed_back:
            step_input = y
    return torch.stack(outputs, dim=1)


@pytest.mark.parametrize("num_layers, attention", VARIANTS)
def test_both_modes_match_an_independent_step_by_step_decoder(num_layers, attention):
    model = make(num_layers, attention)
    x = batch(5, 6)
    with torch.no_grad():
        for mode, feed_back in (("parallel", False), ("autoregressive", True)):
            torch.testing.assert_close(model(x, 6, mode), reference_decode(model, x, 6, feed_back),
                                       rtol=1e-5, atol=1e-6)


def perturb_output(model: Seq2Seq, step: int, delta: float):
    """A forward hook on the output layer W_ya that adds `delta` to ŷ⟨step⟩, wherever the mode computes it."""
    seen = {"steps": 0}

    def hook(module, inputs, output):
        first = seen["steps"]
        seen["steps"] += output.shape[1]
        if first <= step < seen["steps"]:
            output = output.clone()
            output[:, step - first] += delta
            return output
        return None

    return model.head.register_forward_hook(hook)


@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("step", [0, 2])
def test_autoregressive_mode_really_feeds_its_outputs_back(attention, step):
    model = make(attention=attention)
    x, K = batch(4, 6), 6
    with torch.no_grad():
        for mode in MODES:
            plain = model(x, K, mode)
            handle = perturb_output(model, step, 0.5)
            try:
                perturbed = model(x, K, mode)
            finally:
                handle.remove()
            torch.testing.assert_close(perturbed[:, :step], plain[:, :step], rtol=0, atol=0)  # the past: untouched
            torch.testing.assert_close(perturbed[:, step] - plain[:, step], torch.full_like(plain[:, step], 0.5))
            later = (perturbed[:, step + 1:] - plain[:, step + 1:]).abs()
            if mode == "autoregressive":
                assert bool((later.amax(dim=1) > 1e-4).all()), "a changed ŷ⟨k⟩ must change the later steps"
            else:
                assert torch.equal(perturbed[:, step + 1:], plain[:, step + 1:]), "parallel never feeds back"


def test_full_teacher_forcing_equals_one_pass_over_the_shifted_truth():
    """Fed the truth, the decoder's inputs are x⟨T_x⟩, y⟨1⟩ … y⟨K-1⟩: one nn.LSTM pass over them."""
    model = make(num_layers=2)
    x, K = batch(5, 6), 5
    target = batch(5, K, seed=9)
    with torch.no_grad():
        forced = model(x, K, "autoregressive", target=target, teacher_forcing=1.0)
        _, state = model.encoder(x)
        inputs = torch.cat([x[:, -1:], target[:, :-1]], dim=1)
        expected = model.head(model.decoder(inputs, state)[0])
        free = model(x, K, "autoregressive", target=target, teacher_forcing=0.0)
        plain = model(x, K, "autoregressive")
    torch.testing.assert_close(forced, expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(free, plain, rtol=0, atol=0)


def test_teacher_forcing_is_seeded_and_mixes_truth_and_prediction():
    model = make()
    x, K = batch(200, 6), 4
    target = batch(200, K, seed=3)
    with torch.no_grad():
        a = model(x, K, "autoregressive", target=target, teacher_forcing=0.5,
                  generator=torch.Generator().manual_seed(1))
        b = model(x, K, "autoregressive", target=target, teacher_forcing=0.5,
                  generator=torch.Generator().manual_seed(1))
        forced = model(x, K, "autoregressive", target=target, teacher_forcing=1.0)
        free = model(x, K, "autoregressive")
    assert torch.equal(a, b)
    # Step 2 depends only on the step-2 input: each window took either the truth or its own output.
    as_forced = torch.isclose(a[:, 1], forced[:, 1], atol=1e-6).all(dim=1)
    as_free = torch.isclose(a[:, 1], free[:, 1], atol=1e-6).all(dim=1)
    assert bool((as_forced | as_free).all())
    assert 60 < int(as_forced.sum()) < 140  # about half of 200


def test_encoding_vector_is_the_encoders_last_hidden_state():
    model = make(num_layers=2)
    x = batch(5, 6)
    with torch.no_grad():
        outputs, (h, c) = model.encoder(x)
        encoding = model.encode(x)
    assert encoding.shape == (5, 8)
    torch.testing.assert_close(encoding, outputs[:, -1], rtol=0, atol=0)  # a⟨T_x⟩ of the top layer
    torch.testing.assert_close(encoding, h[-1], rtol=0, atol=0)
    # The decoder really starts from it: a different encoding (other input) gives a different ŷ⟨1⟩
    # even when the last observed value, the decoder's first input, is the same.
    y = x.clone()
    y[:, 0] += 1.0
    with torch.no_grad():
        assert not torch.allclose(model(x, 1), model(y, 1))


def test_attention_weights_are_a_distribution_and_retrievable():
    model = make(attention=True)
    x = batch(3, 7)
    for mode in MODES:
        outputs, alpha = model.attend(x, 4, mode)
        assert outputs.shape == (3, 4, 1) and alpha.shape == (3, 4, 7)
        assert bool((alpha >= 0).all())
        torch.testing.assert_close(alpha.sum(dim=-1), torch.ones(3, 4))
    with torch.no_grad():
        model.W_alpha.zero_()  # every score 0: each α⟨k,t⟩ = 1/T_x
    _, alpha = model.attend(x, 4)
    torch.testing.assert_close(alpha, torch.full((3, 4, 7), 1 / 7))
    with pytest.raises(ValueError):
        make().attend(x, 4)


# -------------------------------------------------------------------------------- training


@pytest.mark.parametrize("mode", MODES)
def test_training_brings_the_sine_task_below_threshold(mode):
    windows = sine_windows()  # the course's task: 5 values in, the next 5 out
    before = float(torch.mean(windows.y_test ** 2))  # predicting 0 everywhere
    result = train(windows, Settings(mode=mode))
    assert result.test_mse[0] > result.test_mse[-1]
    assert result.final_test_mse < 1e-3 < before
    assert result.step_mse.shape == (5,) and result.prediction.shape == (len(windows.x_test), 5)
    # The reported per-step error is the error of the stored predictions (hand-computed here).
    manual = np.mean((result.prediction - windows.y_test[..., 0].numpy()) ** 2, axis=0)
    np.testing.assert_allclose(result.step_mse, manual, rtol=1e-5)
    assert result.inference_seconds > 0
    assert result.encodings.shape == (len(windows.x_train) + len(windows.x_test), Settings().hidden_size)


def test_training_is_seeded():
    windows = sine_windows(history=4, horizon=3)
    settings = Settings(mode="autoregressive", epochs=3, teacher_forcing=0.5, schedule="linear")
    a, b = train(windows, settings), train(windows, settings)
    assert a.losses == b.losses
    np.testing.assert_array_equal(a.prediction, b.prediction)


def test_attention_model_trains_and_reports_its_weights():
    windows = sine_windows(history=6, horizon=4)
    result = train(windows, Settings(mode="parallel", attention=True, epochs=3))
    assert result.attention.shape == (len(windows.x_test), 4, 6)
    np.testing.assert_allclose(result.attention.sum(axis=-1), 1.0, rtol=1e-5)


def test_teacher_forcing_schedules():
    assert teacher_forcing_ratio(7, 10, 0.6, "constant") == 0.6
    assert [round(teacher_forcing_ratio(e, 5, 1.0, "linear"), 6) for e in range(5)] == [1, 0.75, 0.5, 0.25, 0]
    # Inverse sigmoid (Bengio et al. 2015): ε_i = k / (k + exp(i / k)), k chosen to cross 1/2 halfway.
    assert teacher_forcing_ratio(50, 100, 1.0, "inverse_sigmoid") == pytest.approx(0.5, abs=1e-6)
    ratios = [teacher_forcing_ratio(e, 100, 0.8, "inverse_sigmoid") for e in range(100)]
    assert all(a > b for a, b in zip(ratios, ratios[1:])) and ratios[0] < 0.8
    with pytest.raises(ValueError):
        teacher_forcing_ratio(0, 10, 1.0, "cosine")


def test_settings_key_ignores_feedback_settings_for_the_parallel_decoder():
    parallel = Settings(mode="parallel")
    assert parallel.key() == Settings(mode="parallel", teacher_forcing=0.9, schedule="linear").key()
    ar = Settings(mode="autoregressive")
    assert ar.key() != Settings(mode="autoregressive", teacher_forcing=0.9).key()
    assert ar.key() != parallel.key() and Settings(hidden_size=8).key() != parallel.key()


def test_helpers():
    prediction = torch.tensor([[[1.0], [2.0]], [[3.0], [0.0]]])
    truth = torch.zeros(2, 2, 1)
    np.testing.assert_allclose(step_errors(prediction, truth), [(1 + 9) / 2, (4 + 0) / 2])
    assert inference_seconds(make(), batch(), 3, "autoregressive", repeats=3) > 0


def test_projection_is_pca():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, 5)) @ rng.normal(size=(5, 5)) + 3.0
    points, explained = project_2d(vectors)
    covariance = np.cov(vectors, rowvar=False)  # independent route: eigenvectors of the covariance
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1]
    np.testing.assert_allclose(explained, eigenvalues[order[:2]] / eigenvalues.sum(), rtol=1e-8)
    reference = (vectors - vectors.mean(axis=0)) @ eigenvectors[:, order[:2]]
    np.testing.assert_allclose(np.abs(points), np.abs(reference), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(points.var(axis=0, ddof=1), eigenvalues[order[:2]], rtol=1e-8)
    one_unit, share = project_2d(vectors[:, :1])
    assert one_unit.shape == (200, 2) and share[1] == 0


# ---------------------------------------------------------------------------------- windows


def test_sine_windows_follow_the_formula_and_split_in_time():
    w = sine_windows(history=5, horizon=5, frequency=0.05, noise=0.0)
    assert w.x_train.shape[1:] == (5, 1) and w.y_train.shape[1:] == (5, 1)
    start = int(w.test_starts[3])
    t = np.arange(start, start + 10)
    expected = np.sin(2 * np.pi * 0.05 * t)
    np.testing.assert_allclose(w.x_test[3, :, 0].numpy(), expected[:5], atol=1e-6)
    np.testing.assert_allclose(w.y_test[3, :, 0].numpy(), expected[5:], atol=1e-6)
    assert (w.train_starts + 10 <= w.split).all()       # training targets all before the split
    assert (w.test_starts + 5 >= w.split).all()         # every test target at or after it
    assert w.test_starts[0] + 5 == w.split              # the first test window starts predicting at the split
    noisy = sine_windows(noise=0.2)
    assert noisy.fingerprint != w.fingerprint
    assert noisy.fingerprint == sine_windows(noise=0.2).fingerprint  # seeded noise
    phases, label = w.describe(np.array([0, 5]))
    np.testing.assert_allclose(phases, [4 * 18.0, 9 * 18.0])  # 360° · 0.05 per step, at the last input
    for bad in [dict(history=1), dict(horizon=31), dict(frequency=0.5), dict(noise=2.0)]:
        with pytest.raises(WindowError):
            sine_windows(**bad)


def test_series_windows_scale_with_the_training_part_only():
    index = pd.date_range("2000-01", periods=120, freq="MS")
    values = np.arange(120, dtype=float)
    w = series_windows(pd.Series(values, index=index), history=6, horizon=3, test_fraction=0.25)
    train_part = values[:90]
    assert w.split == 90
    assert w.scaling.mean == pytest.approx(train_part.mean()) and w.scaling.std == pytest.approx(train_part.std())
    changed = values.copy()
    changed[100:] *= 10  # the test period does not move the scaling
    w2 = series_windows(pd.Series(changed, index=index), history=6, horizon=3, test_fraction=0.25)
    assert w2.scaling == w.scaling and w2.fingerprint != w.fingerprint
    np.testing.assert_allclose(w.scaling.invert(w.y_test[0, :, 0].numpy()), [90, 91, 92], atol=1e-4)
    assert (w.train_starts + 9 <= 90).all() and (w.test_starts + 6 >= 90).all()


def test_series_windows_refuse_what_cannot_work():
    short = pd.Series(np.arange(12, dtype=float))
    with pytest.raises(WindowError, match="window"):
        series_windows(short, history=6, horizon=3)
    with pytest.raises(WindowError, match="constant"):
        series_windows(pd.Series(np.ones(100)), history=6, horizon=3)
    with pytest.raises(WindowError):
        series_windows(pd.Series(np.r_[np.arange(50.0), np.nan]), history=6, horizon=3)


def test_long_series_are_thinned_to_a_bounded_number_of_windows():
    long = pd.Series(np.sin(np.arange(20_000) / 7.0))
    w = series_windows(long, history=12, horizon=6)
    assert len(w.x_train) <= 500 and len(w.x_test) <= 125
    assert w.train_starts[0] == 0 and w.train_starts[-1] == w.split - 18


def test_windows_picked_for_display_differ():
    w = sine_windows(frequency=0.05)  # 20 steps per cycle
    picks = w.spread(w.test_starts, 4)
    phases = w.phase_of(w.test_starts[picks])
    np.testing.assert_allclose(phases, [0, 90, 180, 270])  # a quarter cycle apart: 5 steps of 18°
    moved = w.phase_of(w.test_starts[w.spread(w.test_starts, 4, shift=2)])
    np.testing.assert_allclose(moved, [36, 126, 216, 306])
    assert w.shift_limit(len(w.test_starts), 4) == 4  # shifting 5 steps gives the same phases again
    index = pd.date_range("2000-01", periods=100, freq="MS")
    s = series_windows(pd.Series(np.sin(np.arange(100.0)), index=index), history=6, horizon=3)
    n = len(s.test_starts)
    assert s.spread(s.test_starts, 4) == [0, n // 4, 2 * (n // 4), 3 * (n // 4)]
    assert s.shift_limit(n, 4) == n // 4 - 1
    assert s.end_label(0) == "2000-06-01" and w.end_label(0) == "t = 4"


def test_feedback_reading_follows_the_numbers():
    from playground.seq2seq import exposure_cost, feedback_reading

    result = train(sine_windows(history=4, horizon=4), Settings(mode="autoregressive", epochs=2))
    result.step_mse = np.array([1.0, 2.0, 3.0, 4.0])
    result.step_mse_fed_truth = np.array([1.0, 1.0, 1.0, 1.0])
    assert exposure_cost(result) == pytest.approx(9 / 3)  # steps 2..4 only: step 1 sees x⟨T_x⟩ either way
    assert "compound" in feedback_reading(result) and "×3" in feedback_reading(result)
    result.step_mse_fed_truth = np.array([1.0, 4.0, 6.0, 8.0])
    assert "worse" in feedback_reading(result)
    result.step_mse_fed_truth = result.step_mse.copy()
    assert "hardly changes" in feedback_reading(result)


def test_training_time_estimate_allows_the_defaults_and_refuses_the_extremes():
    from playground.seq2seq import MAX_TRAINING_SECONDS, estimated_seconds

    sine = sine_windows()
    for mode in MODES:
        assert estimated_seconds(sine, Settings(mode=mode)) < 10
    big = Settings(mode="autoregressive", hidden_size=64, num_layers=3, epochs=400)
    assert estimated_seconds(sine_windows(history=30, horizon=20), big) > MAX_TRAINING_SECONDS
    small = Settings(mode="autoregressive", epochs=10)
    assert estimated_seconds(sine, small) < estimated_seconds(sine, Settings(mode="autoregressive", epochs=20))
    assert estimated_seconds(sine, Settings(mode="parallel")) < estimated_seconds(sine, Settings(mode="autoregressive"))


def test_the_demo_defaults_show_what_the_course_contrasts():
    """On the page's defaults the autoregressive decoder's errors grow and its own outputs cost it (exposure bias),
    the verdicts say so from the measured numbers; with scheduled sampling instead the cost shrinks."""
    from playground.seq2seq import (
        DEMO, DEMO_HISTORY, DEMO_HORIZON, comparison_reading, exposure_cost, feedback_reading, growth_reading,
    )

    windows = sine_windows(DEMO_HISTORY, DEMO_HORIZON)
    parallel = train(windows, replace(DEMO, mode="parallel"), validate_every_epoch=False)
    autoregressive = train(windows, replace(DEMO, mode="autoregressive"), validate_every_epoch=False)
    assert exposure_cost(autoregressive) > 2 and "errors **compound**" in feedback_reading(autoregressive)
    assert "**grows**" in growth_reading("autoregressive", autoregressive.step_mse)
    reading = comparison_reading(parallel, autoregressive)
    winner = "parallel" if parallel.final_test_mse < autoregressive.final_test_mse else "autoregressive"
    assert f"the **{winner}** decoder wins" in reading
    scheduled = train(windows, replace(DEMO, mode="autoregressive", teacher_forcing=0.5, schedule="linear"),
                      validate_every_epoch=False)
    assert exposure_cost(scheduled) < exposure_cost(autoregressive)


def fake_result(step_mse, seconds=1e-3):
    from playground.seq2seq import Trained

    step_mse = np.asarray(step_mse, dtype=float)
    return Trained(model=None, settings=Settings(), losses=[], test_mse=[], seconds=0.0, prediction=np.zeros(1),
                   step_mse=step_mse, step_mse_fed_truth=step_mse, inference_seconds=seconds,
                   encodings=np.zeros((1, 1)), projection=np.zeros((1, 2)), explained=np.zeros(2))


def test_verdicts_follow_the_numbers():
    from playground.seq2seq import comparison_reading, growth_reading

    assert "**grows**" in growth_reading("autoregressive", [1.0, 2.0, 3.0])
    assert "**shrinks**" in growth_reading("parallel", [3.0, 2.0, 1.0])
    assert "about the same" in growth_reading("parallel", [1.0, 1.2, 1.1])
    parallel, autoregressive = fake_result([1.0, 1.0, 1.0, 1.0]), fake_result([0.2, 0.5, 2.0, 5.0], 4e-3)
    reading = comparison_reading(parallel, autoregressive)
    assert "the **parallel** decoder wins" in reading and "×1.9 lower" in reading
    assert "The autoregressive one is better at steps 1–2, the parallel one from step 3 on." in reading
    assert "×4" in reading  # inference time
    reading = comparison_reading(fake_result([1.0, 2.0]), fake_result([1.05, 2.0]))
    assert "about equally good" in reading and "wins" not in reading
    assert "autoregressive** decoder wins" in comparison_reading(fake_result([2.0, 2.0]), fake_result([1.0, 1.0]))


def test_a_value_that_overflows_the_scaling_is_refused():
    values = np.sin(np.arange(60.0))
    values[20] = 1e300
    with pytest.raises(WindowError, match="too large to scale") as info:
        series_windows(pd.Series(values), history=6, horizon=3)
    assert "1e+300" in str(info.value)


@pytest.mark.parametrize("n, history, horizon", [(40, 12, 12), (30, 20, 5), (12, 6, 3), (9, 2, 1)])
def test_window_messages_can_be_followed(n, history, horizon):
    import re

    with pytest.raises(WindowError) as info:
        series_windows(pd.Series(np.sin(np.arange(float(n)))), history=history, horizon=horizon)
    message = str(info.value)
    limits = [int(v) for v in re.findall(r"at most (\d+)", message)]
    assert all(limit >= 3 for limit in limits), message  # never "at most 0": a limit one can choose
    if limits:
        assert limits[0] < history + horizon
    else:
        assert "longer series" in message


def test_an_untrained_decoder_gets_an_empty_panel_that_says_so():
    from playground.figures.seq2seq import predictions_figure

    windows = sine_windows(4, 3)
    only_autoregressive = {"autoregressive": np.zeros((len(windows.x_test), 3))}
    fig = predictions_figure(windows, only_autoregressive, [0, 5])
    note = next(a for a in fig.layout.annotations if a.text == "not trained yet")
    assert note.xref == "x domain"  # the parallel (left) panel
    assert {t.xaxis for t in fig.data if t.name == "ŷ⟨k⟩ autoregressive"} == {"x2", "x4"}
