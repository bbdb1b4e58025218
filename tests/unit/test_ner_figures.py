"""The NER figures: the displaCy-style sentence is escaped text with fixed styles; plotly gets plain text."""

import json

import numpy as np

from playground import ner_data
from playground.figures import ner as figures

NASTY = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "Tom", "&", "Jerry", "<b>x</b>"]


def test_entity_html_escapes_every_token_and_tooltip():
    tags = ["O", "B-PER", "B-PER", "O", "B-ORG", "I-ORG"]
    probabilities = np.full((6, 9), 1 / 9)
    html = figures.entity_html(NASTY, tags, [True] * 6, probabilities, ner_data.BIO_TAGS)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&quot;&gt;&lt;img" in html and "&amp;" in html
    # the only tags are the fixed ones this module writes
    assert set(__import__("re").findall(r"<(\w+)", html)) <= {"div", "span", "mark"}
    assert html.count("<mark") == 3 and ">PER</span>" in html and ">ORG</span>" in html


def test_entity_html_without_a_model_shows_words_and_unknowns_only():
    html = figures.entity_html(["Harry", "ran"], None, [True, False])
    assert "<mark" not in html and html.count("dotted") == 1
    assert "not in the vocabulary" in html


def test_plotly_figures_take_user_text_as_plain_text():
    tokens = NASTY
    probability = figures.probability_figure(tokens, np.full((6, 2), 0.5), ("0", "1"), [False] * 6)
    one_hot = figures.one_hot_figure(tokens, np.array([0, 1, 2, 3, 4, 5]), 10)
    for fig in (probability, one_hot):
        text = json.dumps(json.loads(fig.to_json()), ensure_ascii=False)
        assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert list(probability.data[0].y) == ["0", "1"]


def test_context_figure_draws_both_sentences_for_each_model():
    pair = ner_data.RIGHT_CONTEXT_PAIRS[0]
    p = {"uni": (np.full(6, 0.7), np.full(6, 0.7)), "bi": (np.full(6, 0.2), np.full(6, 0.9))}
    fig = figures.context_figure(pair, p, current=0)
    assert len(fig.data) == 4
    assert [a.text for a in fig.layout.annotations][:2] == ["uni", "bi"]
    assert list(fig.data[0].marker.line.width)[:2] == [4, 0]  # the current token is outlined
