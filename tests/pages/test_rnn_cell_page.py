"""The RNN cell page under AppTest: defaults, every option, odd sentences, a series upload, tiny training."""

import json

from playground import rnn_cell as cell
from tests.conftest import assert_no_exception, page_text, plotly_figures, run_page, wavy_monthly_csv

PAGE = "rnn_cell.py"


def _cell_figure(at) -> dict:
    animated = [spec for spec in plotly_figures(at) if spec.get("frames")]
    assert len(animated) == 1, len(animated)
    return animated[0]


def _train(at, epochs=2, hidden=4):
    at.number_input(key="rnn_hidden").set_value(hidden).run()
    kind = at.radio(key="rnn_example").value
    at.number_input(key=f"rnn_epochs_{kind}").set_value(epochs).run()
    [button] = [b for b in at.button if b.label == "Train the cell"]
    button.click()
    return at.run()


def test_defaults_show_the_notation_the_sizes_and_the_untrained_cell():
    at = run_page(PAGE)
    assert_no_exception(at)
    text = page_text(at)
    assert "**T_x = 13** tokens" in text and "`<unk>` (index 0): Harry, Potter" in text
    assert "a⟨0⟩ = 0" in text.replace("**", "")
    assert "dense net 33,158 parameters, RNN 2,622" in text  # 13·150·8 + 8 + 8·13·150 + 13·150; 8·158 + 8 + 150·8 + 150
    assert [b.label for b in at.button] == ["Train the cell"]  # nothing trains on a plain rerun
    spec = _cell_figure(at)
    assert len(spec["frames"]) == 13 and "UNTRAINED" in spec["layout"]["title"]["text"]
    assert spec["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"
    assert "differ by at most" in text and at.latex
    sizes = [df.value for df in at.dataframe][0]
    assert sizes.loc["a 10,000-word vocabulary", "dense net"] == cell.dense_parameter_count(13, 10_000, 8, 13, 10_000)


def test_training_shows_what_changed_and_is_cached():
    at = _train(run_page(PAGE))
    assert_no_exception(at)
    text = page_text(at)
    assert "Target reached" in text or "Target missed" in text
    assert "UNTRAINED" not in _cell_figure(at)["layout"]["title"]["text"]
    assert "Training time" in [m.label for m in at.metric]
    frames = [df.value for df in at.dataframe]
    assert any("trained: top word" in df.columns for df in frames)
    assert any("largest change" in df.columns for df in frames)
    at.toggle(key="rnn_show_trained").set_value(False).run()
    assert "UNTRAINED" in _cell_figure(at)["layout"]["title"]["text"]
    at.run()
    assert not [b for b in at.button if b.label == "Train the cell"]  # from the cache


def test_a_sentence_with_markup_is_text_and_a_long_one_is_cut():
    at = run_page(PAGE)
    at.text_input(key="rnn_sentence").set_value("<img src=x onerror=alert(1)> **bold** [a](http://x.y) $x$").run()
    assert_no_exception(at)
    text = page_text(at)
    assert "<img" not in text and "\\<" in text  # escaped for markdown
    spec = json.dumps(_cell_figure(at), ensure_ascii=False)
    assert "<img" not in spec and "⟨" in spec
    at.text_input(key="rnn_sentence").set_value("the fox ran away " * 400).run()
    assert_no_exception(at)
    assert any("first 20 tokens" in i.value and "1,000 characters" in i.value for i in at.info)
    assert len(_cell_figure(at)["frames"]) == cell.MAX_STEPS
    at.text_input(key="rnn_sentence").set_value("   ").run()
    assert_no_exception(at)
    assert any("no words" in w.value for w in at.warning)


def test_every_option_renders():
    at = run_page(PAGE)
    at.number_input(key="rnn_vocab").set_value(10).run()
    assert_no_exception(at)
    at.number_input(key="rnn_hidden").set_value(32).run()  # above 10 units: blocks without numbers
    assert_no_exception(at)
    at.number_input(key="rnn_seed").set_value(5).run()
    at.select_slider(key="rnn_speed").set_value(4).run()
    assert _cell_figure(at)["layout"]["updatemenus"][0]["buttons"][0]["args"][1]["frame"]["duration"] == 250
    for rnn_type in cell.TYPES:
        at.radio(key="rnn_type").set_value(rnn_type.key).run()
        assert_no_exception(at)
        assert rnn_type.title in page_text(at)
    at.radio(key="rnn_type").set_value("one_to_many").run()
    at.text_input(key="rnn_seed_text").set_value("the lion").run()
    at.number_input(key="rnn_words").set_value(5).run()
    assert_no_exception(at)
    assert "*the \\<unk\\>* →" in page_text(at)  # a vocabulary of 10 words (set above) has no “lion”
    assert "the **untrained** cell" in page_text(at)
    at.radio(key="rnn_type").set_value("bidirectional").run()
    assert "**1 of 13**" in page_text(at) and "**13 of 13**" in page_text(at)



def test_a_sample_series_and_an_uploaded_series_train():
    at = run_page(PAGE)
    at.radio(key="rnn_example").set_value("series").run()
    assert_no_exception(at)
    assert "**T_x = 12** values" in page_text(at)  # the default sample dataset
    at.sidebar.selectbox(key="dataset").set_value("upload").run()
    assert "Choose a dataset or upload" in page_text(at)
    at.file_uploader[0].upload("mine.csv", wavy_monthly_csv(90), "text/csv").run()
    assert_no_exception(at)
    assert "mine\\.csv" in page_text(at)
    at.number_input(key="rnn_length").set_value(6).run()
    assert len(_cell_figure(at)["frames"]) == 6
    at = _train(at, epochs=3)
    assert_no_exception(at)
    assert "naive forecast" in page_text(at)
    at.radio(key="rnn_type").set_value("one_to_many").run()
    assert "Switch the example to a sentence" in page_text(at)


def test_a_too_short_upload_gives_a_message():
    at = run_page(PAGE)
    at.radio(key="rnn_example").set_value("series").run()
    at.sidebar.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader[0].upload("short.csv", wavy_monthly_csv(12), "text/csv").run()
    assert_no_exception(at)
    assert any("too short" in w.value for w in at.warning)
