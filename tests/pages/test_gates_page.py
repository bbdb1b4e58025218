"""The LSTM & GRU gates page, run with AppTest: default render, training, GRU, stacked, the user's series."""

import json

import numpy as np

from tests.conftest import assert_no_exception, page_text, run_page

PAGE = "gates.py"


def _tiny(at, task="remember", length=8, epochs=3, hidden=2):
    """A configuration that trains in well under a second."""
    at.number_input(key="gates_hidden").set_value(hidden).run()
    at.number_input(key=f"gates_length_{task}").set_value(length).run()
    at.number_input(key=f"gates_epochs_{task}").set_value(epochs).run()
    return at


def _button(at, label):
    buttons = [b for b in at.button if b.label == label]
    assert buttons, [b.label for b in at.button]
    return buttons[0]


def _main_figure(at) -> dict:
    charts = at.get("plotly_chart")
    specs = [json.loads(chart.proto.spec) for chart in charts]
    animated = [spec for spec in specs if spec.get("frames")]
    assert len(animated) == 1, [len(s.get("frames", [])) for s in specs]
    return animated[0]


def test_default_render_explains_and_shows_an_untrained_model():
    at = run_page(PAGE)
    assert_no_exception(at)
    text = page_text(at)
    assert "Press “Train the LSTM”" in text and "untrained" in text
    assert [b.label for b in at.button] == ["Train the LSTM"]  # nothing trains on a plain rerun
    spec = _main_figure(at)
    assert "UNTRAINED" in spec["layout"]["title"]["text"]
    assert len(spec["frames"]) == 16  # the default sequence length of the remember task
    # the notation table: course names next to PyTorch's, and the GRU convention spelled out
    assert "input gate **i**" in text and "forget gate **f**" in text and "cell gate **g**" in text
    assert "**z = 1 − Γ_u**" in text and "**after** the hidden matrix" in text
    assert at.latex  # the equations with numbers


def test_pressing_train_trains_and_shows_the_animated_trained_model():
    at = _tiny(run_page(PAGE))
    _button(at, "Train the LSTM").click()
    at.run()
    assert_no_exception(at)
    spec = _main_figure(at)
    assert "UNTRAINED" not in spec["layout"]["title"]["text"]
    assert len(spec["frames"]) == 8
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"
    labels = [m.label for m in at.metric]
    assert "Test error (MAE)" in labels and "Training time" in labels
    # the next rerun comes from the cache: no button, the same trained model
    at.run()
    assert_no_exception(at)
    assert not [b for b in at.button if b.label == "Train the LSTM"]
    assert "UNTRAINED" not in _main_figure(at)["layout"]["title"]["text"]


def test_step_and_unit_controls_change_the_equations():
    at = run_page(PAGE)
    before = at.latex[0].value
    at.slider(key="gates_step_16").set_value(5).run()
    assert_no_exception(at)
    assert at.latex[0].value != before
    assert _main_figure(at)["layout"]["sliders"][0]["active"] == 4
    at.select_slider(key="gates_speed").set_value(4).run()
    assert _main_figure(at)["layout"]["updatemenus"][0]["buttons"][0]["args"][1]["frame"]["duration"] == 250


def test_switching_to_gru_shows_the_gru_gates_and_trains():
    at = run_page(PAGE)
    at.radio(key="gates_kind").set_value("GRU").run()
    assert_no_exception(at)
    text = page_text(at)
    assert "Press “Train the GRU”" in text
    assert r"(1 - \Gamma_u)" in at.latex[0].value and r"\Gamma_r" in at.latex[0].value
    _tiny(at)
    _button(at, "Train the GRU").click()
    at.run()
    assert_no_exception(at)
    spec = _main_figure(at)
    assert spec["layout"]["title"]["text"].startswith("GRU")
    assert "relevance" not in json.dumps(spec)  # course names on screen, not internal keys
    assert "Γ<sub>r</sub>" in json.dumps(spec, ensure_ascii=False)


def test_stacked_lstm_lets_the_user_pick_the_layer():
    at = run_page(PAGE)
    at.number_input(key="gates_layers").set_value(2).run()
    _tiny(at)
    _button(at, "Train the LSTM").click()
    at.run()
    assert_no_exception(at)
    at.number_input(key="gates_layer_2").set_value(1).run()
    assert_no_exception(at)
    assert "of layer 1" in json.dumps(_main_figure(at), ensure_ascii=False)


def test_comparison_trains_the_other_cell_on_the_same_input():
    at = _tiny(run_page(PAGE))
    _button(at, "Train the LSTM").click()
    at.run()
    _button(at, "Train the GRU on the same task").click()
    at.run()
    assert_no_exception(at)
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    titles = json.dumps([s["layout"].get("annotations", []) for s in specs], ensure_ascii=False)
    assert "GRU: keep gate 1 − Γ<sub>u</sub>" in titles
    frames = [df for df in at.dataframe]
    assert any("counted in torch.nn" in str(df.value.columns.tolist()) for df in frames)


def test_a_long_configuration_warns_before_training():
    at = run_page(PAGE)
    at.number_input(key="gates_hidden").set_value(32).run()
    at.number_input(key="gates_layers").set_value(3).run()
    at.number_input(key="gates_epochs_remember").set_value(400).run()
    assert_no_exception(at)
    assert any("may take" in w.value for w in at.warning)
    assert [b.label for b in at.button] == ["Train the LSTM"]  # still only on the button


def test_switching_tasks_works():
    at = run_page(PAGE)
    for task in ("count", "agreement"):
        at.selectbox(key="gates_task").set_value(task).run()
        assert_no_exception(at)
        assert _main_figure(at)["frames"]
    assert "was" in page_text(at) and "were" in page_text(at)


def _csv(n: int) -> bytes:
    """n months of a wavy series, as a student would upload it."""
    rows = [f"{2000 + i // 12}-{1 + i % 12:02d}-01,{100 + 10 * np.sin(i / 2):.3f}" for i in range(n)]
    return ("month,value\n" + "\n".join(rows)).encode()


def test_users_uploaded_series_trains():
    at = run_page(PAGE)
    at.selectbox(key="gates_task").set_value("series").run()
    assert_no_exception(at)
    at.sidebar.selectbox(key="dataset").set_value("upload").run()
    assert "Choose a dataset or upload a CSV" in page_text(at)
    at.file_uploader[0].upload("my_series.csv", _csv(120), "text/csv").run()
    assert_no_exception(at)
    _tiny(at, task="series", length=12, epochs=3)
    _button(at, "Train the LSTM").click()
    at.run()
    assert_no_exception(at)
    spec = _main_figure(at)
    assert "UNTRAINED" not in spec["layout"]["title"]["text"] and len(spec["frames"]) == 12


def test_too_short_upload_gives_a_message_not_a_traceback():
    at = run_page(PAGE)
    at.selectbox(key="gates_task").set_value("series").run()
    at.sidebar.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader[0].upload("short.csv", _csv(20), "text/csv").run()
    assert_no_exception(at)
    assert any("too short" in w.value for w in at.warning)
    assert at.tabs  # the notation and comparison tabs still work
