"""The NER page under AppTest: defaults, training every model and option (on a small corpus), the sentence box."""

import json

import pytest

from playground import ner, ner_data
from tests.conftest import assert_no_exception, page_text, plotly_figures, plotly_values, run_page

PAGE = "ner.py"
TINY = {"_kept_ner_epochs": 1, "_kept_ner_hidden": 4, "_kept_ner_vocab": 500, "_kept_ner_embedding": 8}


@pytest.fixture(autouse=True)
def small_training_corpus(monkeypatch):
    """The page trains on the first 300 training sentences: the same code, a fraction of a second."""
    load = ner_data.load_corpus

    def small(split, *args, **kwargs):
        corpus = load(split, *args, **kwargs)
        if split != "train":
            return corpus
        return ner_data.Corpus(corpus.sentences[:300], corpus.tags[:300], corpus.articles[:300])

    monkeypatch.setattr(ner_data, "load_corpus", small)


def _press(at, label):
    buttons = [b for b in at.button if b.label == label]
    assert buttons, [b.label for b in at.button]
    buttons[0].click()
    return at.run()


def _html(at) -> str:
    return "\n".join(element.proto.body for element in at.get("html"))


def _titled(at, words: str) -> list[dict]:
    return [f for f in plotly_figures(at) if words in (f["layout"].get("title") or {}).get("text", "")]


def _trained(**state):
    at = run_page(PAGE, **{**TINY, **state})
    model = state.get("_kept_ner_model", "bilstm")
    return _press(at, f"Train the {ner.MODELS[model][2]}")


def test_defaults_show_words_and_vocabulary_and_train_nothing():
    at = run_page(PAGE)
    assert_no_exception(at)
    assert [b.label for b in at.button] == ["Train the Bidirectional LSTM"]
    text = page_text(at)
    assert "Press “Train the Bidirectional LSTM”" in text
    body = _html(at)
    assert "Harry" in body and "Hermione" in body and "dotted" in body  # <unk> words are marked
    assert "<mark" not in body.split("</div>")[0]  # no tags before a model exists
    assert "are not in the vocabulary and become ⟨unk⟩" in text
    names = [json.dumps(f["layout"].get("xaxis", {}).get("title", {}), ensure_ascii=False) for f in plotly_figures(at)]
    assert any("index in the vocabulary" in n for n in names)


def test_training_shows_scores_tags_and_probabilities():
    at = _trained()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {"Entity F1 (dev)", "Token accuracy (dev)", "Parameters", "Training time"}
    settings = ner.Settings(input="one_hot", hidden_size=4, vocabulary_size=500, embedding_size=8, epochs=1)
    assert metrics["Parameters"] == f"{sum(ner.parameter_count(settings, 500, 9).values()):,}"
    heatmaps = _titled(at, "probability of each tag")
    assert heatmaps and heatmaps[0]["data"][0]["y"] == list(ner_data.BIO_TAGS)
    text = page_text(at)
    assert "entity F1" in text and "The sentences it gets most wrong" in text
    at.run()  # from the cache: no button, no second training
    assert "Train the Bidirectional LSTM" not in [b.label for b in at.button]


def test_why_bidirectional_compares_the_cell_with_its_one_way_version():
    at = _trained()
    at = _press(at, "Train the LSTM too (same settings)")
    assert_no_exception(at)
    text = page_text(at)
    assert "The **LSTM** gives “Teddy” P(name)" in text and "**Over all 16 pairs**" in text
    figures = plotly_figures(at)
    context = [f for f in figures if any("reads both ways" in a.get("text", "") for a in f["layout"].get("annotations", []))]
    assert context, "the side-by-side figure is missing"
    # the unidirectional model's bar for "Teddy" is the same in both sentences
    bars = [trace for trace in context[0]["data"] if trace["type"] == "bar"]
    assert plotly_values(bars[0]["y"])[0] == plotly_values(bars[1]["y"])[0]
    states = [f for f in figures if "a←⟨1⟩" in json.dumps(f["data"][0].get("y", []), ensure_ascii=False)]
    assert states and "a→ 0.000" in text and "a→ is the same in both" in text
    at.button_group(key="ner_pair").set_value(1).run()
    assert_no_exception(at)
    assert "gives “New” P(name)" in page_text(at)
    at.select_slider(key="ner_token_1").set_value(3).run()
    assert_no_exception(at)
    assert "a→ differs too" in page_text(at)


@pytest.mark.parametrize("state", [
    {"_kept_ner_model": "rnn", "_kept_ner_scheme": "binary"},
    {"_kept_ner_model": "gru", "_kept_ner_input": "embedding"},
    {"_kept_ner_model": "lstm", "_kept_ner_case": "as_written"},
    {"_kept_ner_model": "bigru", "_kept_ner_input": "embedding", "_kept_ner_scheme": "binary"},
    {"_kept_ner_model": "birnn", "_kept_ner_case": "as_written", "_kept_ner_seed": 7},
])
def test_every_model_and_option_trains(state):
    at = _trained(**state)
    assert_no_exception(at)
    assert "Entity F1 (dev)" in [m.label for m in at.metric]
    if state.get("_kept_ner_scheme") == "binary":
        assert "NAME: part of a name" in _html(at)
        heatmaps = _titled(at, "probability of each tag")
        assert heatmaps[0]["data"][0]["y"] == ["0", "1"]
    at.radio(key="ner_split").set_value("test").run()
    assert_no_exception(at)
    assert "on 304 sentences" in page_text(at)


def test_widgets_change_settings_without_training():
    at = run_page(PAGE)
    at.selectbox(key="ner_model").set_value("gru").run()
    at.selectbox(key="ner_input").set_value("embedding").run()
    at.slider(key="ner_vocab").set_value(1000).run()
    assert_no_exception(at)
    assert [b.label for b in at.button] == ["Train the GRU"]
    assert "The vocabulary holds the **999 most frequent words**" in page_text(at)
    at.number_input(key="ner_example").set_value(3).run()
    assert_no_exception(at)


def test_markup_in_the_sentence_is_shown_as_text():
    at = _trained()
    typed = '<script>alert("x")</script> <b>Bold</b> <img src=x onerror=alert(1)> Tom & Jerry'
    at.text_input(key="ner_text").set_value(typed).run()
    assert_no_exception(at)
    body = _html(at)
    assert "<script" not in body and "<b>" not in body and "<img" not in body
    assert "&lt;" in body and "&amp;" in body and "Jerry" in body
    spec = json.dumps(plotly_figures(at), ensure_ascii=False)
    assert "<script" not in spec and "<b>" not in spec and "<img" not in spec


def test_very_long_and_empty_text_get_messages():
    at = run_page(PAGE)
    at.text_input(key="ner_text").set_value("Paris " * 600).run()
    assert_no_exception(at)
    assert "The text is long: only the first 1,000 characters and the first 60 tokens are used." in page_text(at)
    assert at.get("html")[0].proto.body.count("title=") == 60  # one per token shown
    at.text_input(key="ner_text").set_value("   ").run()
    assert_no_exception(at)
    assert "Type a sentence above" in page_text(at)


def test_settings_too_large_for_the_server_are_refused_with_a_message(monkeypatch):
    monkeypatch.setattr(ner, "MAX_PARAMETERS", 1_000_000)  # the small corpus has too few words to reach 4 million
    at = run_page(PAGE, _kept_ner_hidden=128, _kept_ner_vocab=16_000)
    assert_no_exception(at)
    assert not [b for b in at.button if b.label.startswith("Train")]
    assert "more than the 1,000,000 this playground trains" in page_text(at)
