"""playground.figures.bptt: the animated pass carries the right numbers; the other figures draw what they say."""

import json

import numpy as np
import plotly.graph_objects as go

from playground import bptt
from playground import gradient_flow as flow
from playground import long_range as task
from playground.figures import bptt as figures
from tests.unit.test_long_range import _curve


def _pass(text="backprop", hidden=3, seed=0):
    problem = bptt.char_problem(text, hidden, seed)
    fwd = bptt.forward(problem.params, problem.xs, problem.ys)
    return problem, fwd, bptt.backward(fwd)


def test_animation_has_a_frame_per_step_each_way_and_validates():
    problem, fwd, back = _pass()
    fig = figures.backward_figure(problem, fwd, back)
    spec = fig.to_dict()
    steps = len(problem.xs)
    assert len(spec["frames"]) == 2 * steps
    assert [s["label"] for s in spec["layout"]["sliders"][0]["steps"]] == (
        [f"→{t}" for t in range(1, steps + 1)] + [f"←{t}" for t in range(steps, 0, -1)])
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"
    go.Figure(spec)  # plotly validates the whole figure here, frames included (the builder skipped it)
    assert len(json.dumps(spec)) < 120_000  # small enough to send at once


def test_the_last_frame_shows_the_full_gradients_and_the_loss():
    problem, fwd, back = _pass()
    spec = figures.backward_figure(problem, fwd, back).to_dict()
    last = spec["frames"][-1]["data"]
    bars = next(d for d in last if d["type"] == "bar")["y"]
    grads = bptt.manual_gradients(problem.params, problem.xs, problem.ys)
    np.testing.assert_allclose(bars, [np.linalg.norm(grads[name]) for name in bptt.PARAMETERS], atol=1e-4)
    texts = json.dumps(last, ensure_ascii=False)
    assert f"{fwd.loss:.3f}" in texts
    assert "Backward, step t = 1" in texts and figures._vector(back.delta[0]) in texts
    first = json.dumps(spec["frames"][0]["data"], ensure_ascii=False)
    assert "Forward, step t = 1" in first and figures._vector(fwd.a[0]) in first
    assert "<" not in figures._char("<") and figures._char(" ") == "␣"


def test_accumulated_norms_grow_from_the_last_step_to_the_gradient():
    problem, fwd, back = _pass("hello world", 4, 2)
    norms = figures.accumulated_norms(fwd, back)
    for name in bptt.PARAMETERS:  # row t: the steps T … t added up
        np.testing.assert_allclose(norms[name][0], np.linalg.norm(back.gradients[name]), rtol=1e-12)
        np.testing.assert_allclose(norms[name][-1], np.linalg.norm(back.contributions(name, fwd)[-1]), rtol=1e-12)


def test_flow_figure_is_logarithmic_and_skips_zeros():
    sentence = task.sentences(17, 1, 0)
    xs, verb = sentence.inputs[0].double().numpy(), int(sentence.verbs[0])
    rnn = flow.rnn_flow(flow.rnn_parameters(task.build("RNN", 8, 0), "pytorch", 1.0), xs, verb, truncate=5)
    gated = {"LSTM": flow.state_gradients(task.build("LSTM", 8, 0), sentence.inputs, sentence.verbs)}
    spec = figures.flow_figure(rnn, gated).to_dict()
    assert spec["layout"]["yaxis"]["type"] == "log"
    measured = next(d for d in spec["data"] if d["name"] == "vanilla RNN")["y"]
    assert measured[:15] == [None] * 15 and all(v > 0 for v in measured[15:])
    assert "truncated" in json.dumps(spec["layout"]["annotations"])


def test_accuracy_figure_marks_guessing_hollow():
    curves = {"RNN": _curve("RNN", [1.0, 0.5]), "LSTM": _curve("LSTM", [1.0, 1.0])}
    spec = figures.accuracy_figure(curves).to_dict()
    rnn = next(d for d in spec["data"] if d["name"] == "vanilla RNN")
    assert rnn["marker"]["symbol"] == ["circle", "circle-open"]
    lstm = next(d for d in spec["data"] if d["name"] == "LSTM")
    assert lstm["marker"]["symbol"] == ["square", "square"]


def test_sensitivity_heatmap_is_relative_to_each_row_and_blank_above_the_diagonal():
    matrices = {"RNN": np.tril(np.full((4, 4), 0.1)), "GRU": np.tril(np.array([[1.0] * 4, [0.01, 1, 0, 0],
                                                                              [1e-12, 0.1, 1, 0], [1, 1, 1, 1.0]]))}
    spec = figures.sensitivity_figure(matrices, ["the", "cat", "sat", "___"]).to_dict()
    z_rnn, z_gru = spec["data"][0]["z"], spec["data"][1]["z"]
    assert z_rnn[0][1] is None and z_rnn[1][0] == 0.0  # every entry is its row's largest
    assert z_gru[1][0] == -2.0 and z_gru[2][0] == figures.SENSITIVITY_FLOOR and z_gru[2][1] == -1.0
    assert spec["data"][1]["zmin"] == figures.SENSITIVITY_FLOOR and spec["data"][1]["zmax"] == 0
    assert spec["layout"]["xaxis"]["ticktext"] == ["noun", "verb"] and spec["layout"]["xaxis"]["tickvals"] == [2, 4]
    ticks = figures._word_ticks(["w"] * 63, 10)
    assert ticks["tickvals"] == [2, 10, 20, 30, 40, 50, 63] and ticks["ticktext"][-1] == "verb"


def test_relative_flow_ends_at_one():
    gated = {"RNN": {"hidden": np.array([1e-6, 1e-3, 0.5])}, "LSTM": {"hidden": np.array([0.1, 0.2, 0.4]),
                                                                      "cell": np.array([0.3, 0.3, 0.0])}}
    spec = figures.flow_figure(gated=gated, relative=True).to_dict()
    assert [d["y"][-1] for d in spec["data"] if d["name"] in ("vanilla RNN", "LSTM")] == [1.0, 1.0]
    cell = next(d for d in spec["data"] if "cell" in d["name"])
    assert cell["y"] == [0.75, 0.75]
