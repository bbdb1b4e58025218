"""The LSTM & GRU gates page, run with AppTest: default render, training, the three cells, the measured
reading, stacked layers, the user's series and its messages."""

import json

from playground import gate_reading
from playground import gate_tasks as tasks
from tests.conftest import assert_no_exception, page_text, run_page, wavy_monthly_csv

PAGE = "gates.py"


def _tiny(at, task="remember", length=8, epochs=3, hidden=2):
    """A configuration that trains in well under a second."""
    at.number_input(key="gates_hidden").set_value(hidden).run()
    at.number_input(key=f"gates_length_{task}").set_value(length).run()
    at.number_input(key=f"gates_epochs_{task}").set_value(epochs).run()
    return at


def _training_buttons(at) -> list[str]:
    return [b.label for b in at.button if b.label.startswith("Train")]


def _button(at, label):
    buttons = [b for b in at.button if b.label == label]
    assert buttons, [b.label for b in at.button]
    return buttons[0]


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _cell_figure(at) -> dict:
    animated = [spec for spec in _figures(at) if spec.get("frames")]
    assert len(animated) == 1, [len(s.get("frames", [])) for s in _figures(at)]
    return animated[0]


def _units_figure(at) -> dict:
    [units] = [spec for spec in _figures(at) if "over the whole sequence" in spec["layout"]["title"]["text"]]
    return units


def _reading_text(at) -> str:
    [text] = [m.value for m in at.markdown if m.value.startswith("**What this ")]
    return text


def test_default_render_explains_and_shows_an_untrained_model():
    at = run_page(PAGE)
    assert_no_exception(at)
    text = page_text(at)
    assert "Untrained" in text
    assert _training_buttons(at) == ["Train the LSTM"]  # nothing trains on a plain rerun
    spec = _cell_figure(at)
    assert "UNTRAINED" in spec["layout"]["title"]["text"]
    assert len(spec["frames"]) == 16  # the default sequence length of the remember task
    assert not at.slider and not at.select_slider  # the figure's own player is the only step control
    assert "Γ_f" in at.markdown[0].value and "Γ_o" in at.markdown[0].value  # the lead follows the LSTM
    # the notation table: course names next to PyTorch's, and the forget gate credited to Gers et al.
    assert "input gate **i**" in text and "forget gate **f**" in text and "cell gate **g**" in text
    assert "Gers, Schmidhuber & Cummins (2000)" in text
    assert _units_figure(at)["data"]


def test_pressing_train_trains_and_shows_the_trained_model_and_what_it_does():
    at = _tiny(run_page(PAGE))
    _button(at, "Train the LSTM").click()
    at.run()
    assert_no_exception(at)
    spec = _cell_figure(at)
    assert "UNTRAINED" not in spec["layout"]["title"]["text"]
    assert len(spec["frames"]) == 8
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶"
    labels = [m.label for m in at.metric]
    assert "Test error (MAE)" in labels and "Training time" in labels
    reading = _reading_text(at)
    assert reading.startswith("**What this trained LSTM does**") and reading.count("\n- ") >= 4
    # the next rerun comes from the cache: no button, the same trained model
    at.run()
    assert_no_exception(at)
    assert not [b for b in at.button if b.label == "Train the LSTM"]
    assert "UNTRAINED" not in _cell_figure(at)["layout"]["title"]["text"]


def test_the_unit_shown_is_chosen_from_the_measured_reading_and_can_be_overridden():
    at = run_page(PAGE)
    run = tasks.build("remember", "LSTM", 4, 1, 16)
    chosen = gate_reading.read(run).unit
    assert at.selectbox(key="gates_unit").value == "auto"
    assert f"unit {chosen + 1} of 4" in _cell_figure(at)["layout"]["title"]["text"]
    assert f"unit {chosen + 1} outlined" in _units_figure(at)["layout"]["title"]["text"]
    other = (chosen + 1) % 4
    at.selectbox(key="gates_unit").set_value(other).run()
    assert_no_exception(at)
    assert f"unit {other + 1} of 4" in _cell_figure(at)["layout"]["title"]["text"]
    at.number_input(key="gates_example_remember").set_value(3).run()
    assert_no_exception(at)
    assert f"unit {other + 1} of 4" in _cell_figure(at)["layout"]["title"]["text"]


def test_text_follows_the_cell():
    """Issue 12: with GRU selected the introduction still explained Γ_f and Γ_o."""
    at = run_page(PAGE)
    texts = {}
    for kind in tasks.KINDS:
        at.radio(key="gates_kind").set_value(kind).run()
        assert_no_exception(at)
        lead, story, reading = at.markdown[0].value, at.markdown[1].value, _reading_text(at)
        texts[kind] = lead + story + reading
        assert _training_buttons(at) == [f"Train the {kind}"]
        notation = at.tabs[0]
        texts[kind + " notation"] = "\n".join(m.value for m in notation.markdown)
    for kind in ("GRU", "simplified GRU"):
        assert "Γ_f" not in texts[kind] and "Γ_o" not in texts[kind] and "forget" not in texts[kind]
        assert "Γ_f" not in texts[kind + " notation"]
    assert "Γ_r" in texts["GRU"] and "Γ_r" not in texts["simplified GRU"]
    assert "full GRU" in texts["GRU"] and "simplified GRU" in texts["simplified GRU"]
    assert "**z = 1 − Γ_u**" in texts["GRU notation"] and "SimpleGRU" in texts["simplified GRU notation"]
    assert "The course's GRU is the *simplified* one" in texts["GRU notation"]


def test_the_simplified_gru_trains_and_is_drawn_without_a_relevance_gate():
    at = run_page(PAGE)
    at.radio(key="gates_kind").set_value("simplified GRU").run()
    _tiny(at)
    _button(at, "Train the simplified GRU").click()
    at.run()
    assert_no_exception(at)
    spec = json.dumps(_cell_figure(at), ensure_ascii=False)
    assert "simplified GRU" in _cell_figure(at)["layout"]["title"]["text"]
    assert "Γ<sub>r</sub> = σ" not in spec and "σ<br>Γ<sub>u</sub>" in spec
    assert r"\tilde c^{\langle t\rangle} &= \tanh(W_c[c^{\langle t-1\rangle}" in at.tabs[0].latex[0].value


def test_switching_to_gru_shows_the_gru_gates_and_trains():
    at = run_page(PAGE)
    at.radio(key="gates_kind").set_value("GRU").run()
    assert_no_exception(at)
    _tiny(at)
    _button(at, "Train the GRU").click()
    at.run()
    assert_no_exception(at)
    spec = _cell_figure(at)
    assert spec["layout"]["title"]["text"].startswith("GRU")
    text = json.dumps(spec, ensure_ascii=False)
    assert "relevance" not in text  # course names on screen, not internal keys
    assert "Γ<sub>r</sub>" in text and "(1 − Γ<sub>u</sub>)" in text


def test_stacked_lstm_lets_the_user_pick_the_layer():
    at = run_page(PAGE)
    at.number_input(key="gates_layers").set_value(2).run()
    _tiny(at)
    _button(at, "Train the LSTM").click()
    at.run()
    assert_no_exception(at)
    at.number_input(key="gates_layer").set_value(1).run()
    assert_no_exception(at)
    assert "layer 1" in _cell_figure(at)["layout"]["title"]["text"]
    assert "(layer 1)" in _reading_text(at)


def test_comparison_trains_the_other_cells_on_the_same_input():
    at = _tiny(run_page(PAGE))
    _button(at, "Train the LSTM").click()
    at.run()
    _button(at, "Train the GRU on the same task").click()
    at.run()
    assert_no_exception(at)
    titles = json.dumps([s["layout"].get("annotations", []) for s in _figures(at)], ensure_ascii=False)
    assert "keep gate 1 − Γ<sub>u</sub>" in titles and "keep gate Γ<sub>f</sub>" in titles
    [table] = [m.value for m in at.tabs[1].markdown if m.value.startswith("| cell |")]
    assert "counted in the module" in table and "| simplified GRU | 24 | — | 24 |" in table  # 2 × (2 × 5 + 2)
    assert any("GRU" in str(df.value.columns.tolist()) for df in at.dataframe)  # the scores side by side
    _button(at, "Time the three cells on this machine").click()
    at.run()
    assert any("module forward (µs per step)" in str(df.value.columns.tolist()) for df in at.dataframe)


def test_a_long_configuration_warns_before_training():
    at = run_page(PAGE)
    at.number_input(key="gates_hidden").set_value(32).run()
    at.number_input(key="gates_layers").set_value(3).run()
    at.number_input(key="gates_epochs_remember").set_value(400).run()
    assert_no_exception(at)
    assert "may take" in page_text(at)
    assert _training_buttons(at) == ["Train the LSTM"]  # still only on the button


def test_switching_tasks_works():
    at = run_page(PAGE)
    for task in ("count", "agreement"):
        at.selectbox(key="gates_task").set_value(task).run()
        assert_no_exception(at)
        assert _cell_figure(at)["frames"]
        assert tasks.TASKS[task].about in page_text(at)
    assert "was" in page_text(at) and "were" in page_text(at)



def test_users_uploaded_series_trains():
    at = run_page(PAGE)
    at.selectbox(key="gates_task").set_value("series").run()
    assert_no_exception(at)
    at.sidebar.selectbox(key="dataset").set_value("upload").run()
    assert "Choose a dataset or upload a CSV" in page_text(at)
    at.file_uploader[0].upload("my_series.csv", wavy_monthly_csv(120), "text/csv").run()
    assert_no_exception(at)
    _tiny(at, task="series", length=12, epochs=3)
    _button(at, "Train the LSTM").click()
    at.run()
    assert_no_exception(at)
    spec = _cell_figure(at)
    assert "UNTRAINED" not in spec["layout"]["title"]["text"] and len(spec["frames"]) == 12
    assert "follows the level x⟨t⟩ most closely" in _reading_text(at)


def test_too_short_uploads_get_a_message_that_can_be_followed():
    """Issue 8: “Choose a shorter sequence length (at most 0)” when the minimum is 8."""
    at = run_page(PAGE)
    at.selectbox(key="gates_task").set_value("series").run()
    at.sidebar.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader[0].upload("short.csv", wavy_monthly_csv(15), "text/csv").run()
    assert_no_exception(at)
    [warning] = [w.value for w in at.warning]
    assert "too short for this task, which needs at least 18" in warning and "at most" not in warning
    assert at.tabs  # the notation and comparison tabs still work
    at.file_uploader[0].upload("shortish.csv", wavy_monthly_csv(30), "text/csv").run()
    assert_no_exception(at)
    [warning] = [w.value for w in at.warning]
    assert "at most 20" in warning and "Model and training" in warning
