"""The NER corpus, BIO tags → entities (malformed sequences too), and CoNLL entity scores vs seqeval."""

import numpy as np
import pytest

from playground import ner_data
from playground.ner_data import (
    BIO_TAGS, binary_labels, confusion, entities, entity_errors, entity_scores, labels_for, load_corpus, read_conll,
    token_accuracy, worst_sentences,
)

HARRY = ["Harry", "Potter", "and", "Hermione", "Granger", "invented", "a", "new", "spell", "."]
HARRY_TAGS = ["B-PER", "I-PER", "O", "B-PER", "I-PER", "O", "O", "O", "O", "O"]


def test_the_shipped_corpus_matches_its_source_notes():
    # Counts from sample_data/ner/SOURCE.md ("Statistics").
    expected = {"train": (4_002, 101_014), "dev": (502, 12_434), "test": (304, 7_337)}
    for split, (sentences, tokens) in expected.items():
        corpus = load_corpus(split)
        assert (len(corpus), corpus.n_tokens()) == (sentences, tokens)
        assert len(corpus.articles) == sentences
        assert {tag for tags in corpus.tags for tag in tags} <= set(BIO_TAGS)
    train = load_corpus("train")
    counts = {kind: sum(tag == f"B-{kind}" for tags in train.tags for tag in tags) for kind in ner_data.TYPES}
    assert counts == {"PER": 2_295, "LOC": 4_029, "ORG": 1_895, "MISC": 2_106}
    assert train.sentences[0][:5] == ["Wilfried", '"', "Willi", '"', "Schneider"]
    assert train.articles[0] == "Willi Schneider (skeleton racer)"


def test_read_conll_splits_on_blank_lines_and_refuses_junk():
    sentences, tags = read_conll("Harry\tB-PER\nran\tO\n\n\nParis\tB-LOC\n")
    assert sentences == [["Harry", "ran"], ["Paris"]] and tags == [["B-PER", "O"], ["B-LOC"]]
    with pytest.raises(ValueError, match="line 1"):
        read_conll("no tab here\n")
    with pytest.raises(ValueError):
        load_corpus("validation")


def test_the_course_example_as_binary_labels():
    # The course: "Harry Potter and Hermione Granger invented a new spell." -> y = 1 1 0 1 1 0 0 0 0 (and the ".")
    assert binary_labels(HARRY_TAGS) == list("1101100000")
    assert labels_for(HARRY_TAGS, "bio") == HARRY_TAGS
    with pytest.raises(ValueError):
        labels_for(HARRY_TAGS, "iobes")


def test_entities_of_well_formed_tags():
    assert entities(HARRY_TAGS) == [("PER", 0, 2), ("PER", 3, 5)]
    assert entities(["B-LOC", "B-LOC", "I-LOC"]) == [("LOC", 0, 1), ("LOC", 1, 3)]  # B- always starts a new one
    assert entities(["O", "O"]) == [] and entities([]) == []
    assert entities(["B-MISC"]) == [("MISC", 0, 1)]


def test_entities_of_malformed_tags_follow_conlleval():
    # A stray I-X starts an entity (conlleval, seqeval's default mode); a type change ends one.
    assert entities(["I-PER", "I-PER", "O"]) == [("PER", 0, 2)]
    assert entities(["O", "I-LOC", "B-LOC", "I-LOC"]) == [("LOC", 1, 2), ("LOC", 2, 4)]
    assert entities(["B-PER", "I-LOC", "I-LOC"]) == [("PER", 0, 1), ("LOC", 1, 3)]
    assert entities(["B-ORG", "O", "I-ORG"]) == [("ORG", 0, 1), ("ORG", 2, 3)]
    with pytest.raises(ValueError):
        entities(["X-PER"])


def test_binary_labels_give_runs_of_names():
    assert entities(list("0110111")) == [("NAME", 1, 3), ("NAME", 4, 7)]


def test_entity_scores_by_hand():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "I-ORG", "O"]]
    predicted = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O", "O"]]
    table = entity_scores(gold, predicted)
    # gold: PER(0,2) LOC(3,4) | ORG(0,2); predicted: PER(0,2) ORG(3,4) | ORG(0,1). Only PER matches exactly.
    assert (table["PER"].precision, table["PER"].recall, table["PER"].f1) == (1.0, 1.0, 1.0)
    assert (table["LOC"].precision, table["LOC"].recall, table["LOC"].support) == (0.0, 0.0, 1)
    assert (table["ORG"].correct, table["ORG"].predicted, table["ORG"].support) == (0, 2, 1)
    everything = table["all"]
    assert (everything.correct, everything.predicted, everything.support) == (1, 3, 3)
    assert everything.precision == pytest.approx(1 / 3) and everything.f1 == pytest.approx(1 / 3)
    assert list(table) == ["PER", "LOC", "ORG", "all"]
    # a wrong boundary is both a miss and a false alarm
    assert entity_errors(gold[1], predicted[1]) == 2
    assert token_accuracy(gold, predicted) == pytest.approx(5 / 7)
    with pytest.raises(ValueError):
        entity_scores(gold, predicted[:1])


def _random_tags(rng, n_sentences=300):
    """Tag sequences with every kind of malformation a tagger's argmax can produce."""
    return [[BIO_TAGS[i] for i in rng.integers(0, len(BIO_TAGS), rng.integers(1, 15))] for _ in range(n_sentences)]


def test_entities_and_scores_agree_with_seqeval():
    from seqeval.metrics import classification_report
    from seqeval.metrics.sequence_labeling import get_entities

    rng = np.random.default_rng(0)
    gold = _random_tags(rng)
    # predictions: the gold tags with a third of the tokens replaced at random, so some entities match
    predicted = [[tag if rng.random() < 0.67 else BIO_TAGS[rng.integers(0, len(BIO_TAGS))] for tag in tags]
                 for tags in gold]
    for tags in gold[:100]:
        assert entities(tags) == [(kind, start, end + 1) for kind, start, end in get_entities(tags)]
    ours = entity_scores(gold, predicted)
    reference = classification_report(gold, predicted, output_dict=True, zero_division=0)
    for kind in ner_data.TYPES:
        assert ours[kind].precision == pytest.approx(reference[kind]["precision"])
        assert ours[kind].recall == pytest.approx(reference[kind]["recall"])
        assert ours[kind].f1 == pytest.approx(reference[kind]["f1-score"])
        assert ours[kind].support == reference[kind]["support"]
    assert ours["all"].f1 == pytest.approx(reference["micro avg"]["f1-score"])
    assert ours["all"].precision == pytest.approx(reference["micro avg"]["precision"])
    assert 0.1 < ours["all"].f1 < 0.9  # a test that could fail in both directions


def test_confusion_counts_tokens_and_worst_sentences_rank_errors():
    gold = [["B-PER", "O"], ["B-LOC", "I-LOC", "O"], ["O"]]
    predicted = [["B-PER", "O"], ["B-ORG", "I-LOC", "B-PER"], ["B-MISC"]]
    labels = ["O", "B-PER", "B-LOC", "I-LOC", "B-ORG", "B-MISC"]
    matrix = confusion(gold, predicted, labels)
    assert matrix.sum() == 6 and np.trace(matrix) == 3
    assert matrix[labels.index("B-LOC"), labels.index("B-ORG")] == 1
    assert matrix[labels.index("O"), labels.index("B-PER")] == 1
    # sentence 1: LOC missed, ORG(0,1) + LOC(1,2) + PER(2,3) spurious = 4 errors; sentence 2: 1; sentence 0: none
    assert worst_sentences(gold, predicted, n=5) == [1, 2]


def test_confused_words_count_type_mix_ups_in_both_directions():
    sentences = [["German", "troops", "in", "Berlin"], ["the", "French", "army"]]
    gold = [["B-LOC", "O", "O", "B-LOC"], ["O", "B-MISC", "O"]]
    predicted = [["B-MISC", "O", "O", "B-LOC"], ["O", "B-LOC", "B-ORG"]]
    assert ner_data.confused_words(sentences, gold, predicted, ("LOC", "MISC")) == {"German": 1, "French": 1}


def test_right_context_pairs_share_the_left_context_and_differ_at_the_word():
    pairs = ner_data.RIGHT_CONTEXT_PAIRS
    assert pairs[0].title == "Teddy bears / Teddy Roosevelt" and pairs[0].word == "Teddy"
    for pair in pairs:
        (tokens_1, tags_1), (tokens_2, tags_2) = pair.first, pair.second
        assert tokens_1[:pair.position + 1] == tokens_2[:pair.position + 1]
        assert (tags_1[pair.position] == "O") != (tags_2[pair.position] == "O")
        assert len(tokens_1) == len(tags_1) and len(tokens_2) == len(tags_2)
    with pytest.raises(ValueError):
        ner_data._pair("Paris/B-LOC is big .", "Paris/B-LOC was big .")
