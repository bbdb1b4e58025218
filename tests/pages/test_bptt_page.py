"""The BPTT page under AppTest: defaults, every option, bad input, training with tiny settings."""

import json

import numpy as np

from tests.conftest import assert_no_exception, page_text, plotly_figures, plotly_values, run_page

PAGE = "bptt.py"
TRAIN = "Train the RNN, LSTM and GRU"


def _animated(at) -> dict:
    animated = [spec for spec in plotly_figures(at) if spec.get("frames")]
    assert len(animated) == 1
    return animated[0]


def _flow(at) -> dict:
    """The untrained gradient-flow figure: the one with the bound."""
    return next(spec for spec in plotly_figures(at) if any(d.get("name", "").startswith("bound") for d in spec["data"]))


def _tiny(at):
    """Settings that train all three cells at every gap in about a second."""
    at.slider(key="bptt_gap").set_value(2).run()
    at.number_input(key="bptt_epochs").set_value(1).run()
    at.sidebar.number_input(key="bptt_hidden").set_value(2).run()
    return at


def test_defaults_show_the_pass_the_check_and_the_flow_without_training():
    at = run_page(PAGE)
    assert_no_exception(at)
    spec = _animated(at)
    assert len(spec["frames"]) == 2 * 7  # "backprop": T = 7, forward then backward
    table = at.dataframe[0].value
    assert table["largest |by hand − autograd|"].max() < 1e-10
    assert list(table.index) == ["W_ax", "W_aa", "W_ya", "b_a", "b_y"]
    assert r"\delta^{\langle T+1\rangle} = 0" in at.latex[0].value and r"\quada" not in at.latex[0].value
    assert r"\sigma_{\max}(W_{aa})^{T-t}" in at.latex[1].value  # the bound drawn in the flow figure
    text = page_text(at)
    assert "up to float64 rounding" in text
    assert "**vanishes**" in text and "under the bound" in text
    assert "**Untrained LSTM and GRU** (keep-gate bias 3)" in text
    assert [b.label for b in at.button] == [TRAIN]  # nothing trains on a plain rerun
    assert "Press “Train the RNN, LSTM and GRU”" in text
    names = [trace["name"] for trace in _flow(at)["data"]]
    assert names[:2] == ["bound ‖∂J/∂a⟨T⟩‖·σ<sub>max</sub><sup>T−t</sup>", "vanilla RNN"]
    assert {"LSTM", "GRU"} <= set(names)


def test_the_worked_example_follows_the_text_and_the_units():
    at = run_page(PAGE)
    at.text_input(key="bptt_text").set_value("hello").run()
    at.number_input(key="bptt_units").set_value(5).run()
    at.number_input(key="bptt_weights").set_value(7).run()
    assert_no_exception(at)
    spec = _animated(at)
    assert len(spec["frames"]) == 8
    first = json.dumps(spec["frames"][0]["data"], ensure_ascii=False)
    assert first.count("[") >= 2 and "x⟨1⟩ = one-hot(h)" in first
    at.select_slider(key="bptt_speed").set_value(4).run()
    assert _animated(at)["layout"]["updatemenus"][0]["buttons"][0]["args"][1]["frame"]["duration"] == 250


def test_bad_text_gets_a_message_and_the_rest_of_the_page_works():
    at = run_page(PAGE)
    at.text_input(key="bptt_text").set_value("a").run()
    assert_no_exception(at)
    assert any("at least 2 characters" in w.value for w in at.warning)
    assert not [spec for spec in plotly_figures(at) if spec.get("frames")]
    assert _flow(at)  # the gradient-flow section still draws
    at.text_input(key="bptt_text").set_value("<b>" + "x" * 30).run()
    assert_no_exception(at)
    assert "Only the first 13 characters" in page_text(at)
    first = json.dumps(_animated(at)["frames"][0]["data"], ensure_ascii=False)
    assert "x⟨1⟩ = one-hot(⟨)" in first  # the user's "<" is shown as text, never read as markup


def test_every_gradient_flow_option():
    at = run_page(PAGE)
    for init in ("pytorch", "identity", "orthogonal"):
        at.selectbox(key="bptt_init").set_value(init).run()
        assert_no_exception(at)
    at.slider(key="bptt_scale").set_value(0.5).run()
    assert "σ_max < 1" in page_text(at) or "σ_max ≥ 1" in page_text(at)
    at.slider(key="bptt_scale").set_value(1.5).run()
    at.radio(key="bptt_activation").set_value("relu").run()
    assert_no_exception(at)
    assert "relu" in page_text(at)
    at.slider(key="bptt_steps").set_value(20).run()
    at.select_slider(key="bptt_k").set_value(5).run()
    assert_no_exception(at)
    assert "**Truncated BPTT, k = 5:**" in page_text(at)
    measured = plotly_values(next(d for d in _flow(at)["data"] if d["name"] == "vanilla RNN")["y"])
    assert all(v is None for v in list(measured)[:15])
    for clip in (0.01, 100.0):
        at.select_slider(key="bptt_clip").set_value(clip).run()
        assert_no_exception(at)
    assert "leaves it alone" in page_text(at) or "clipping scales every gradient" in page_text(at)
    at.sidebar.select_slider(key="bptt_keep_bias").set_value(0.0).run()
    assert "(keep-gate bias 0)" in page_text(at) and "half open" in page_text(at)
    at.sidebar.number_input(key="bptt_seed").set_value(3).run()
    assert_no_exception(at)


def test_training_shows_accuracy_against_gap_the_trained_flow_and_the_heatmaps():
    at = _tiny(run_page(PAGE, timeout=120))
    [button] = [b for b in at.button if b.label == TRAIN]
    button.click()
    at.run()
    assert_no_exception(at)
    text = page_text(at)
    assert any(phrase in text for phrase in ("fails first", "fail first", "fail from the same gap", "even the vanilla"))
    assert "what is left when it reaches a⟨2⟩" in text
    labels = [m.label for m in at.metric]
    assert labels == ["vanilla RNN: training time", "LSTM: training time", "GRU: training time"]
    specs = plotly_figures(at)
    accuracy = next(s for s in specs if s["layout"]["yaxis"].get("tickformat") == ".0%")
    assert sorted(d["name"] for d in accuracy["data"]) == ["GRU", "LSTM", "vanilla RNN"]
    assert all(list(plotly_values(d["x"])) == [1, 2] for d in accuracy["data"])
    heatmaps = [d for s in specs for d in s["data"] if d["type"] == "heatmap"]
    assert len(heatmaps) == 3 and np.array(heatmaps[0]["z"], dtype=object).shape == (5, 5)
    at.run()  # from the cache: no button, the same results
    assert_no_exception(at)
    assert not [b for b in at.button if b.label == TRAIN]


def test_truncated_training_option():
    at = _tiny(run_page(PAGE, timeout=120))
    at.select_slider(key="bptt_train_k").set_value(2).run()
    [button] = [b for b in at.button if b.label == TRAIN]
    button.click()
    at.run()
    assert_no_exception(at)
    assert at.metric
    assert "At the verb (last row)" in page_text(at)
    assert "With k = 2, the noun is outside the last k steps at gaps 1, 2" in page_text(at)
