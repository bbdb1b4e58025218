"""playground.gate_tasks and playground.figures.gates: the toy tasks, training, traces and the animated figure."""

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import torch

from playground import cells, data
from playground import gate_tasks as tasks
from playground.figures import gates as figures


# --------------------------------------------------------------------------- the tasks' data


def test_remember_task_marks_one_store_and_one_later_recall():
    d = tasks.make_task("remember", 16, seed=3)
    store, recall = d.inputs[:, :, 1], d.inputs[:, :, 2]
    assert (store.sum(1) == 1).all() and (recall.sum(1) == 1).all()
    s, r = store.argmax(1), recall.argmax(1)
    assert (r >= s + 2).all() and (r <= 15).all()
    rows = torch.arange(len(s))
    torch.testing.assert_close(d.targets[rows, r, 0], d.inputs[rows, s, 0])  # say the stored value
    assert (d.targets[:, :, 0][~d.mask] == 0).all() and d.quiet  # and nothing elsewhere
    assert (d.mask.sum(1) == 1).all() and d.mask[rows, r].all()
    assert d.labels[0][int(s[0])] == "store" and d.labels[0][int(r[0])] == "recall"


def test_count_task_target_is_the_running_count():
    d = tasks.make_task("count", 12, seed=1)
    bits = d.inputs[:, :, 0]
    assert set(bits.unique().tolist()) <= {0.0, 1.0}
    expected = np.cumsum(bits.numpy(), axis=1)
    np.testing.assert_array_equal(d.targets[:, :, 0].numpy(), expected)


def test_agreement_task_verb_follows_the_noun_number():
    d = tasks.make_task("agreement", 9, seed=2)
    for words, target in zip(d.labels[:50], d.targets[:50, -1, 0].tolist()):
        assert len(words) == 9 and words[0] == "the" and words[-1] == "___"
        assert (words[1] in tasks.PLURAL) == (target == 1.0)
        assert all(w in tasks.FILLERS for w in words[2:-1])
    assert d.classify and d.mask[:, -1].all() and d.mask.sum() == len(d.inputs)
    # one-hot words: exactly one 1 per step
    assert (d.inputs.sum(-1) == 1).all()


def test_series_task_targets_are_the_next_standardised_value():
    values = np.sin(np.arange(300) / 5.0) * 10 + 50
    series = pd.Series(values, index=pd.date_range("2000-01-01", periods=300, freq="D"))
    d = tasks.make_task("series", 20, series=series)
    mean, std = d.scale
    train = values[: int(300 * 0.8)]
    assert mean == pytest.approx(train.mean()) and std == pytest.approx(train.std())
    torch.testing.assert_close(d.targets[:, :-1, 0], d.inputs[:, 1:, 0])  # next value, step by step
    last = (values[-21:] - mean) / std  # the most recent window is always kept
    np.testing.assert_allclose(d.inputs[-1, :, 0].numpy(), last[:-1], atol=1e-5)
    np.testing.assert_allclose(d.targets[-1, :, 0].numpy(), last[1:], atol=1e-5)
    assert d.labels[-1][-1] == series.index[-2].strftime("%Y-%m-%d")  # the last input; its target is the last value


@pytest.mark.parametrize("values, message", [
    (np.arange(21.0), "Choose a sequence length T of at most 11"),
    (np.arange(15.0), "has 15 points: too short for this task, which needs at least 18"),
    (np.ones(100), "constant"),
    (np.r_[np.ones(80), np.arange(20.0)], "first 80 %"),
    (np.r_[np.arange(50.0), np.nan, np.arange(50.0)], "missing"),
    (np.r_[np.arange(50.0), np.inf, np.arange(50.0)], "infinite values .at 50."),
])
def test_series_task_refuses_unusable_series(values, message):
    with pytest.raises(tasks.GateTaskError, match=message):
        tasks.make_task("series", 12, series=pd.Series(values))


def test_a_value_too_large_to_compute_with_is_named_not_called_constant():
    """Issue 8: one value of 1e300 in 60 points made std = inf, and the page said the series was constant."""
    values = np.sin(np.arange(60.0))
    values[17] = 1e300
    series = pd.Series(values, index=pd.date_range("2000-01-01", periods=60, freq="MS"))
    with pytest.raises(tasks.GateTaskError) as error:
        tasks.make_task("series", 12, series=series)
    message = str(error.value)
    assert "too large" in message and "1e+300" in message and "2001-06-01" in message
    assert "constant" not in message


def test_a_short_series_is_never_asked_for_a_length_below_the_minimum():
    """Issue 8: “Choose a shorter sequence length (at most 0)” when the minimum is 8."""
    for n in range(1, 30):
        try:
            tasks.make_task("series", 24 if n > 20 else 8, series=pd.Series(np.sin(np.arange(float(n)))))
        except tasks.GateTaskError as error:
            numbers = [int(word) for word in str(error).replace(",", " ").replace(")", " ").split() if word.isdigit()]
            assert "at most" not in str(error) or numbers[-1] >= tasks.TASKS["series"].length[0], str(error)


def test_bounds_are_enforced_with_clear_messages():
    with pytest.raises(tasks.GateTaskError, match="between 8 and 40"):
        tasks.make_task("remember", 41)
    with pytest.raises(tasks.GateTaskError, match="sidebar"):
        tasks.make_task("series", 20)
    with pytest.raises(tasks.GateTaskError, match="hidden units"):
        tasks.build("count", "LSTM", 33, 1, 10)
    with pytest.raises(tasks.GateTaskError, match="layers"):
        tasks.build("count", "GRU", 4, 4, 10)
    with pytest.raises(tasks.GateTaskError, match="epochs"):
        tasks.train("count", "GRU", 4, 1, 10, epochs=401)
    with pytest.raises(tasks.GateTaskError, match="Unknown task"):
        tasks.make_task("nope", 10)


# --------------------------------------------------------------------------- training and traces


def test_training_is_seeded_and_reproducible():
    first = tasks.train("count", "GRU", 3, 1, 10, epochs=3, seed=5)
    second = tasks.train("count", "GRU", 3, 1, 10, epochs=3, seed=5)
    other = tasks.train("count", "GRU", 3, 1, 10, epochs=3, seed=6)
    for p, q in zip(first.model.parameters(), second.model.parameters()):
        torch.testing.assert_close(p, q, atol=0, rtol=0)
    assert first.history.losses == second.history.losses
    assert first.history.losses != other.history.losses
    assert first.trained and len(first.history.validation) == 3


def test_progress_is_reported():
    seen = []
    tasks.train("agreement", "LSTM", 2, 1, 6, epochs=4, progress=lambda f, text: seen.append((f, text)))
    assert seen[-1][0] == 1.0 and "epoch 4/4" in seen[-1][1]


def test_default_remember_lstm_learns_and_its_gates_mean_what_the_page_says(remember_lstm):
    """The default configuration (as on the page): the stored value comes back at the recall step and, on
    average over the units, Γ_u opens at the store step, Γ_o at the recall step, and Γ_f drops at the store
    step (clearing). Which unit does what is gate_reading's job (test_gate_reading)."""
    run = remember_lstm
    assert run.test_score["mae"] < 0.1  # values are uniform on (−1, 1): guessing 0 gives MAE 0.5
    data_ = run.data
    rows = run.test_rows
    store, recall = data_.inputs[rows, :, 1].bool(), data_.inputs[rows, :, 2].bool()
    gates = {key: [] for key in ("update", "output", "forget")}
    for row in rows:
        trace = cells.lstm_trace(run.model.rnn, data_.inputs[row])
        for key in gates:
            gates[key].append(trace[key].mean(1))
    update, output, forget = (torch.stack(gates[k]) for k in ("update", "output", "forget"))
    assert update[store].mean() > update[~store & ~recall].mean() + 0.15
    assert output[recall].mean() > output[~recall].mean() + 0.1
    assert forget[store].mean() < forget[~store].mean() - 0.1


def test_gru_learns_agreement_across_the_gap():
    run = tasks.train("agreement", "GRU", 4, 1, 12)
    assert run.test_score["accuracy"] >= 0.95  # chance is 0.5


def test_untrained_build_is_marked_untrained():
    run = tasks.build("remember", "GRU", 4, 1, 16)
    assert not run.trained and run.history.losses == []
    assert len(run.test_rows) == 512 - int(512 * 0.8)  # the last 20 % are held out


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("layers", [1, 2])
def test_trace_example_matches_the_model_itself(kind, layers):
    run = tasks.train("count", kind, 3, layers, 10, epochs=2)
    example = tasks.trace_example(run, 4)
    row = int(run.test_rows[4])
    with torch.no_grad():
        hidden, _ = run.model.rnn(run.data.inputs[row:row + 1])
        output = run.model(run.data.inputs[row:row + 1])[0, :, 0]
    np.testing.assert_allclose(example.layers[-1]["hidden"], hidden[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(example.prediction, output.numpy(), atol=1e-6)
    assert len(example.layers) == layers and len(example.labels) == 10
    np.testing.assert_array_equal(example.target, run.data.targets[row, :, 0].numpy())


def test_agreement_prediction_is_the_probability_of_were():
    run = tasks.build("agreement", "LSTM", 3, 1, 7)
    example = tasks.trace_example(run, 0)
    assert ((example.prediction > 0) & (example.prediction < 1)).all()
    assert np.isnan(example.target[:-1]).all() and example.target[-1] in (0.0, 1.0)
    assert example.input_values is None


def test_user_series_from_a_csv_trains():
    """The user's-series task with a LoadedSeries, as the sidebar upload gives it."""
    csv = "date,value\n" + "\n".join(f"2020-{1 + i // 28:02d}-{1 + i % 28:02d},{10 + np.sin(i / 3):.4f}"
                                     for i in range(28 * 6))
    loaded = data.load_series(csv.encode())
    run = tasks.train("series", "LSTM", 4, 1, 16, epochs=20, series=loaded.series)
    assert run.trained and np.isfinite(run.test_score["mae"])
    assert run.test_score["mae"] < np.abs(np.diff(loaded.series.to_numpy())).mean() * 3
    example = tasks.trace_example(run, tasks.default_example(run))
    assert example.labels[0].startswith("2020-")


def test_parameter_and_speed_tables():
    rows = {row["cell"]: row for row in tasks.parameter_table(3, 4, 1)}
    assert rows["LSTM"]["counted in the module"] == rows["LSTM"]["PyTorch (b_ih and b_hh)"] == 144
    assert rows["GRU"]["course (one bias per gate)"] == 96
    # the simplified GRU: 2 × (4 × (4 + 3) + 4) = 64, one bias per block as the course; no PyTorch module
    assert rows["simplified GRU"]["counted in the module"] == rows["simplified GRU"]["course (one bias per gate)"] == 64
    assert rows["simplified GRU"]["PyTorch (b_ih and b_hh)"] is None
    assert rows["LSTM"]["read-out W_ya, b_y"] == 5
    speed = tasks.speed_table(3, 4, 1, steps=10)
    assert [row["cell"] for row in speed] == list(tasks.KINDS)
    # 4 blocks × 4 units × (4 + 3) inputs = 112 multiply-adds for the LSTM, 3/4 of that for the GRU, 1/2 simplified
    assert [row["multiply-adds per step"] for row in speed] == [112, 84, 56]
    assert tasks.multiply_adds("LSTM", 3, 4, 2) == 112 + 4 * 4 * 8
    assert all(row["module forward (µs per step)"] > 0 and row["step-by-step trace (µs per step)"] > 0
               for row in speed)


def test_training_time_estimate_grows_with_the_work():
    small = tasks.estimated_seconds("remember", 4, 1, 16, 80)
    assert 0.5 < small < 5  # the default trains in a few seconds (bench_gates)
    assert tasks.estimated_seconds("remember", 32, 3, 40, 400) > 30 * small
    assert tasks.estimated_seconds("remember", 8, 1, 16, 80) > small


def test_busiest_unit_is_the_one_whose_cell_moves_most():
    run = tasks.build("count", "LSTM", 5, 1, 12)
    example = tasks.trace_example(run, 0)
    unit = tasks.busiest_unit(example)
    ranges = np.ptp(example.layers[0]["cell"], axis=0)
    assert ranges[unit] == ranges.max()


def test_the_animation_opens_where_the_task_happens():
    run = tasks.build("remember", "LSTM", 2, 1, 16)
    row = int(run.test_rows[5])
    assert tasks.key_step(run, 5) == int(run.data.inputs[row, :, 1].argmax())  # the store step
    assert tasks.key_step(tasks.build("agreement", "GRU", 2, 1, 8), 0) == 1  # the noun
    assert tasks.key_step(tasks.build("count", "GRU", 2, 1, 8), 0) == 0


@pytest.mark.parametrize("kind", tasks.KINDS)
def test_every_cell_trains_and_its_trace_is_the_model(kind):
    run = tasks.train("count", kind, 3, 2, 10, epochs=2)
    example = tasks.trace_example(run, 1)
    row = int(run.test_rows[1])
    with torch.no_grad():
        output = run.model(run.data.inputs[row:row + 1])[0, :, 0]
    np.testing.assert_allclose(example.prediction, output.numpy(), atol=1e-6)
    assert set(example.layers[0]) >= set(figures.GATES[kind]) | {"candidate", "hidden"}


# --------------------------------------------------------------------------- the animated cell figure


@pytest.fixture(scope="module")
def lstm_example():
    return tasks.trace_example(tasks.build("remember", "LSTM", 4, 1, 16), 3)


@pytest.mark.parametrize("kind, layers", [("LSTM", 1), ("GRU", 1), ("simplified GRU", 1), ("LSTM", 2)])
def test_cell_figure_is_valid_plotly_with_one_frame_per_step(kind, layers):
    example = tasks.trace_example(tasks.build("remember", kind, 4, layers, 12), 0)
    fig = figures.cell_figure(example, layer=layers - 1, unit=1, start=5)
    spec = fig.to_dict()
    checked = go.Figure(spec)  # plotly validates everything here, frames included (the builder skipped it)
    assert len(checked.frames) == len(fig.frames) == 12
    assert [f.name for f in checked.frames] == [str(t) for t in range(12)]
    for frame in spec["frames"]:
        assert len(frame["traces"]) == len(frame["data"])
        for index, update in zip(frame["traces"], frame["data"]):
            assert spec["data"][index]["type"] == update["type"]
    play, fast, pause = spec["layout"]["updatemenus"][0]["buttons"]
    assert (play["label"], play["args"][1]["frame"]["duration"]) == ("▶", figures.PLAY_MS)
    assert fast["args"][1]["frame"]["duration"] < play["args"][1]["frame"]["duration"] and pause["label"] == "❚❚"
    assert spec["layout"]["sliders"][0]["active"] == 5 and len(spec["layout"]["sliders"][0]["steps"]) == 12
    text = json.dumps(spec, ensure_ascii=False)
    assert ("σ<br>Γ<sub>r</sub>" in text) == (kind == "GRU") and ("Γ<sub>f</sub>" in text) == (kind == "LSTM")
    assert ("Γ<sub>r</sub> = σ" in text) == (kind == "GRU")  # the simplified GRU only says it has no Γ_r
    assert f"unit 2 of 4" in spec["layout"]["title"]["text"]


def test_cell_figure_panels_do_not_overlap_and_fit_a_projector(lstm_example):
    """The pixel plan: player above the plot area, then the step line, the diagram beside the bars, the
    equations underneath; nothing shares space, and it all fits in 560 px (1280×720 with the browser's bars)."""
    layout = figures.cell_figure(lstm_example).to_dict()["layout"]
    assert layout["height"] <= 560
    header, diagram, equations = (layout[f"yaxis{n}"]["domain"] for n in ("", "2", "5"))
    gates, states = layout["yaxis3"]["domain"], layout["yaxis4"]["domain"]
    assert equations[1] < diagram[0] < diagram[1] < header[0]
    assert states[1] < gates[0] and diagram[0] <= states[0] and gates[1] <= diagram[1]
    assert layout["xaxis2"]["domain"][1] < layout["xaxis3"]["domain"][0]  # the diagram and the bars side by side
    assert layout["updatemenus"][0]["y"] > 1 and layout["sliders"][0]["y"] > 1  # the player above everything
    assert layout["sliders"][0]["x"] > 0.3  # room for the three buttons at 535 px (1024 px with the sidebar)
    lines = (equations[1] - equations[0]) * (layout["height"] - layout["margin"]["t"]) / figures.EQUATION_LINE
    assert lines >= 6  # the LSTM's six equations


def test_frame_numbers_are_the_traced_values(lstm_example):
    t, unit = 6, 2
    fig = figures.cell_figure(lstm_example, unit=unit, start=0)
    frame = fig.to_dict()["frames"][t]
    v = figures.step_values(lstm_example, 0, t, unit)
    texts = [d["text"] for d in frame["data"] if d["type"] == "scatter" and "text" in d]
    equations = [text for text in texts if text[0].startswith("Γ<sub>f</sub> = σ(")][0]
    fills = [d["fillcolor"] for d in frame["data"] if "fillcolor" in d]
    assert fills[0] == figures._gate_color(v["forget"])  # the Γ_f box is shaded by its value
    assert equations[0].endswith(f"= {v['forget']:.3f}") and equations[3].endswith(f"= {v['output']:.3f}")
    assert f"σ({figures._f(v['forget_pre'])})" in equations[0]
    bars = [d for d in frame["data"] if d["type"] == "bar"]
    np.testing.assert_allclose(bars[0]["y"], np.round(lstm_example.layers[0]["forget"][t], 3))
    np.testing.assert_allclose(bars[4]["y"], np.round(lstm_example.layers[0]["cell"][t], 3))
    assert texts[0][0].startswith(f"t = {t + 1} of 16 · x⟨t⟩ = ")
    # the numbers obey the cell equation c<t> = Γ_u c̃ + Γ_f c<t−1>, and the line says so
    assert v["cell"] == pytest.approx(v["update"] * v["candidate"] + v["forget"] * v["cell_prev"], abs=1e-6)
    assert equations[4].endswith(f"= {figures._f(v['cell'])}")


def test_simplified_gru_equations_by_hand():
    example = tasks.trace_example(tasks.build("count", "simplified GRU", 2, 1, 8), 0)
    v = figures.step_values(example, 0, 3, 1)
    lines = figures.equations("simplified GRU", v)
    assert len(lines) == 3 and not any("Γ<sub>r</sub>" in line for line in lines)
    assert v["update"] == pytest.approx(1 / (1 + np.exp(-v["update_pre"])), abs=1e-6)
    assert v["candidate"] == pytest.approx(np.tanh(v["candidate_pre"]), abs=1e-6)
    assert v["cell"] == pytest.approx(v["update"] * v["candidate"] + (1 - v["update"]) * v["cell_prev"], abs=1e-6)
    assert lines[2].endswith(f"= {figures._f(v['cell'])}")


def test_gru_equations_show_the_reset_after_the_product():
    example = tasks.trace_example(tasks.build("remember", "GRU", 3, 1, 10), 0)
    g = figures.step_values(example, 0, 2, 1)
    lines = figures.equations("GRU", g)
    assert "Γ<sub>r</sub>*(W<sub>cc</sub>c⟨t−1⟩ + b<sub>cc</sub>)" in lines[2]
    assert figures._m(g["candidate_hidden"]) in lines[3] and "(1 − Γ<sub>u</sub>)" in lines[4]
    assert g["update"] == pytest.approx(1 - 1 / (1 + np.exp(-(-g["update_pre"]))), abs=1e-6)


def test_units_figure_outlines_the_unit_shown(lstm_example):
    fig = figures.units_figure(lstm_example, unit=2)
    spec = fig.to_dict()
    go.Figure(spec)  # valid
    heatmaps = [trace for trace in spec["data"] if trace["type"] == "heatmap"]
    assert len(heatmaps) == len(figures.HEATMAPS["LSTM"])
    assert all((shape["y0"], shape["y1"]) == (2.5, 3.5) for shape in spec["layout"]["shapes"])
    assert "unit 3 outlined" in spec["layout"]["title"]["text"]


def test_payload_stays_small():
    example = tasks.trace_example(tasks.build("remember", "LSTM", 32, 1, 40), 0)
    fig = figures.cell_figure(example, untrained=True)
    assert "UNTRAINED" in fig.layout.title.text
    payload = len(fig.to_json())
    assert payload < 250_000, payload  # loads in about a second even on a slow connection
    assert '"frames"' in fig.to_json()


def test_user_labels_cannot_inject_markup():
    example = tasks.trace_example(tasks.build("count", "GRU", 2, 1, 8), 0)
    example.labels[0] = "<b onmouseover=x>&"
    text = json.dumps(figures.cell_figure(example).to_dict()["frames"][0]["data"], ensure_ascii=False)
    assert "<b onmouseover" not in text and "⟨b onmouseover=x⟩&amp;" in text
    units = json.dumps(figures.units_figure(example).to_dict()["layout"], ensure_ascii=False)
    assert "<b onmouseover" not in units


def test_numbers_in_the_equations_never_show_minus_zero():
    assert figures._f(-0.003) == "+0.00" and figures._f(-0.2) == "−0.20"
    assert figures._m(-0.003) == "0.00" and figures._m(-0.2) == "(−0.20)" and figures._m(0.2) == "0.20"


def test_gate_colour_scale_ends():
    assert figures._gate_color(0) == "rgb(244,244,244)" and figures._gate_color(1) == "rgb(31,59,115)"
    assert figures._gate_color(2) == figures._gate_color(1)


def test_comparison_and_loss_figures():
    runs = {kind: tasks.train("count", kind, 3, 1, 10, epochs=2) for kind in tasks.KINDS}
    examples = {kind: tasks.trace_example(run, 0) for kind, run in runs.items()}
    fig = figures.comparison_figure(examples)
    keep = [trace for trace in fig.data if trace.type == "heatmap"]
    assert len(keep) == 3
    np.testing.assert_allclose(np.array(keep[1].z), np.round(1 - examples["GRU"].layers[0]["update"].T, 3))
    np.testing.assert_allclose(np.array(keep[0].z), np.round(examples["LSTM"].layers[0]["forget"].T, 3))
    loss = figures.loss_figure(runs["LSTM"].history)
    assert len(loss.data) == 2 and loss.layout.yaxis.type == "log"
