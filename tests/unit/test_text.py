"""Tokens, the vocabulary with <unk>, and one-hot vectors, checked on hand-worked examples."""

import numpy as np
import pytest

from playground.text import MAX_TOKENS, UNK, Vocabulary, cut, tokenize

HARRY = "Harry Potter and Hermione Granger invented a new spell."


def test_the_course_sentence_has_nine_tokens():
    # The course's example: T_x = 9, y = [1 1 0 1 1 0 0 0 0] (the full stop is a token too).
    assert tokenize(HARRY) == ["Harry", "Potter", "and", "Hermione", "Granger", "invented", "a", "new", "spell", "."]
    assert tokenize("Don't e-mail the U.S. office!") == ["Don't", "e-mail", "the", "U.S", ".", "office", "!"]
    assert tokenize("") == [] and tokenize("   ") == []


def test_vocabulary_ranks_by_frequency_then_alphabet_with_unk_first():
    corpus = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat"]]
    vocab = Vocabulary.build(corpus)
    # counts: the 2, cat 2, sat 2, dog 1, a 1 -> ties alphabetical
    assert vocab.words == (UNK, "cat", "sat", "the", "a", "dog")
    assert vocab.index("cat") == 1 and vocab.index("dog") == 5
    assert vocab.index("zebra") == 0 and "zebra" not in vocab and "cat" in vocab
    small = Vocabulary.build(corpus, size=3)  # <unk> counts as one of the three
    assert small.words == (UNK, "cat", "sat")
    assert small.encode(["the", "cat", "sat", "dog"]).tolist() == [0, 1, 2, 0]
    assert small.unknown(["the", "cat"]) == [True, False]


def test_min_count_and_lowercase():
    corpus = [["The", "cat"], ["the", "Cat"], ["the", "dog"]]
    assert Vocabulary.build(corpus, lowercase=True).words == (UNK, "the", "cat", "dog")
    assert Vocabulary.build(corpus, lowercase=True, min_count=2).words == (UNK, "the", "cat")
    cased = Vocabulary.build(corpus)
    assert cased.index("The") != cased.index("the") and cased.index("CAT") == 0
    assert Vocabulary.build(corpus, lowercase=True).index("CAT") == 2


def test_one_hot_rows_have_a_single_one_at_the_index():
    vocab = Vocabulary.build([tokenize(HARRY)])
    tokens = tokenize("Harry invented a wand .")
    vectors = vocab.one_hot(tokens)
    assert vectors.shape == (5, len(vocab)) == (5, 11)
    assert np.array_equal(vectors.sum(axis=1), np.ones(5))
    assert np.array_equal(vectors.argmax(axis=1), vocab.encode(tokens))
    assert vectors[3, 0] == 1.0  # "wand" is not in the vocabulary: <unk>
    assert vocab.one_hot([]).shape == (0, 11)


def test_a_corpus_that_contains_the_unk_token_does_not_duplicate_it():
    vocab = Vocabulary.build([[UNK, UNK, "a"]])
    assert vocab.words == (UNK, "a")


def test_bad_vocabularies_are_refused():
    with pytest.raises(ValueError):
        Vocabulary(["a", "b"])
    with pytest.raises(ValueError):
        Vocabulary([UNK, "a", "a"])
    with pytest.raises(ValueError):
        Vocabulary.build([["a"]], size=0)


def test_long_user_text_is_cut_with_a_message():
    tokens, message = cut(HARRY)
    assert message is None and len(tokens) == 10
    tokens, message = cut("word " * 500)
    assert len(tokens) == MAX_TOKENS and "first" in message
    tokens, message = cut("x" * 5000, max_chars=100)
    assert tokens == ["x" * 100] and "100 characters" in message
    tokens, _ = cut("<script>alert(1)</script>")
    assert tokens == ["<", "script", ">", "alert", "(", "1", ")", "<", "/", "script", ">"]  # text, never markup
