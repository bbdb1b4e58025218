"""The NER taggers: one-hot inputs and bidirectional states checked against torch's own modules, training, pairs."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from playground import ner, ner_data
from playground.ner import (
    MODELS, Settings, TaggerNet, case_features, parameter_count, reverse_within, train_tagger, trainable_parameters,
)

TINY = dict(epochs=2, hidden_size=8, embedding_size=8, vocabulary_size=500)


@pytest.fixture(scope="module")
def small_corpus():
    corpus = ner_data.load_corpus("train")
    return corpus.sentences[:300], corpus.tags[:300]


def _batch(vocabulary_size=20, lengths=(5, 3, 1)):
    generator = torch.Generator().manual_seed(0)
    steps = max(lengths)
    indices = torch.randint(0, vocabulary_size, (len(lengths), steps), generator=generator)
    case = (torch.rand(len(lengths), steps, len(ner.CASE_FEATURES), generator=generator) > 0.5).float()
    return indices, case, torch.tensor(lengths)


def test_case_features():
    assert case_features(["Harry", "NASA", "spell", "1990s", "A"]).tolist() == [
        [1, 0, 0], [1, 1, 0], [0, 0, 0], [0, 0, 1], [1, 0, 0]]
    assert case_features([]).shape == (0, 3)


def test_reverse_within_keeps_padding_in_place():
    assert reverse_within(torch.tensor([3, 1]), 4).tolist() == [[2, 1, 0, 3], [0, 1, 2, 3]]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_one_hot_input_is_an_rnn_fed_real_one_hot_vectors(cell):
    """The lookup + frozen identity equals torch's cell with input size |V| + 3 fed one-hot vectors and case features."""
    torch.manual_seed(0)
    settings = Settings(model=cell, input="one_hot", hidden_size=5)
    net = TaggerNet(settings, vocabulary_size=20, n_labels=9)
    indices, case, lengths = _batch()
    reference = ner.CELLS[cell](20 + 3, 5, batch_first=True)
    with torch.no_grad():
        reference.weight_ih_l0.copy_(torch.cat([net.words.weight.T, net.case.weight], dim=1))
        reference.weight_hh_l0.copy_(net.forward_rnn.weight_hh_l0)
        reference.bias_ih_l0.copy_(net.forward_rnn.bias_ih_l0)
        reference.bias_hh_l0.copy_(net.forward_rnn.bias_hh_l0)
        one_hot = torch.nn.functional.one_hot(indices, 20).float()
        expected = reference(torch.cat([one_hot, case], dim=-1))[0]
        ours = net.states(indices, case, lengths)
    for b, length in enumerate(lengths.tolist()):
        torch.testing.assert_close(ours[b, :length], expected[b, :length])
    assert not net.forward_rnn.weight_ih_l0.requires_grad


@pytest.mark.parametrize("model", ["bilstm", "bigru"])
@pytest.mark.parametrize("input_kind", ["embedding", "one_hot"])
def test_bidirectional_states_equal_torchs_bidirectional_cell_on_packed_sentences(model, input_kind):
    torch.manual_seed(1)
    settings = Settings(model=model, input=input_kind, hidden_size=6, embedding_size=7)
    net = TaggerNet(settings, vocabulary_size=20, n_labels=9)
    indices, case, lengths = _batch()
    inputs = net.inputs(indices, case)
    reference = ner.CELLS[settings.cell](inputs[0].shape[-1], 6, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(reference, f"{name}_l0").copy_(getattr(net.forward_rnn, f"{name}_l0"))
            getattr(reference, f"{name}_l0_reverse").copy_(getattr(net.backward_rnn, f"{name}_l0"))
        ours = net.states(indices, case, lengths)
        for direction, x in enumerate(inputs):  # one-hot: each direction has its own W_ax columns
            packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            expected = pad_packed_sequence(reference(packed)[0], batch_first=True)[0]
            half = slice(direction * 6, (direction + 1) * 6)
            for b, length in enumerate(lengths.tolist()):
                torch.testing.assert_close(ours[b, :length, half], expected[b, :length, half])


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("input_kind", ["one_hot", "embedding"])
@pytest.mark.parametrize("case", ["features", "as_written"])
def test_parameter_counts_from_the_formulas_match_torch(model, input_kind, case):
    settings = Settings(model=model, input=input_kind, case=case, hidden_size=6, embedding_size=5)
    parts = parameter_count(settings, vocabulary_size=30, n_labels=9)
    assert sum(parts.values()) == trainable_parameters(TaggerNet(settings, 30, 9))


def test_one_hot_lstm_parameters_by_hand():
    # Bidirectional LSTM, |V| = 1000, n_a = 10, 3 case features, 9 tags:
    # W_ax 2·4·10·(1000 + 3), W_aa 2·4·10·10, biases 2·2·4·10, W_ya 9·20 + b_y 9.
    parts = parameter_count(Settings(model="bilstm", input="one_hot", hidden_size=10), 1000, 9)
    assert sum(parts.values()) == 80 * 1003 + 800 + 160 + 189


def test_settings_are_checked():
    with pytest.raises(ValueError, match="model"):
        Settings(model="transformer")
    with pytest.raises(ValueError, match="hidden size"):
        Settings(hidden_size=100_000)
    with pytest.raises(ValueError):
        train_tagger([["a"]], [], model="lstm")
    with pytest.raises(ValueError):
        train_tagger([["a", "b"]], [["O"]], model="lstm")


def test_a_tiny_tagger_predicts_tags_and_probabilities(small_corpus):
    sentences, tags = small_corpus
    tagger = train_tagger(sentences, tags, model="gru", seed=3, **TINY)
    tokens = ["Harry", "Potter", "visited", "<script>", "."]
    predicted = tagger.predict(tokens)
    probabilities = tagger.predict_proba(tokens)
    assert len(predicted) == 5 and set(predicted) <= set(ner_data.BIO_TAGS)
    assert probabilities.shape == (5, 9)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert predicted == [tagger.labels[i] for i in probabilities.argmax(axis=1)]
    assert tagger.predict([]) == [] and tagger.predict_proba([]).shape == (0, 9)
    assert len(tagger.history.losses) == 2 and tagger.history.losses[-1] < tagger.history.losses[0]
    # seeded: the same call gives the same tagger
    again = train_tagger(sentences, tags, model="gru", seed=3, **TINY)
    np.testing.assert_array_equal(again.predict_proba(tokens), probabilities)
    # the vocabulary: lowercased, <unk> at 0, at most the chosen size
    assert len(tagger.vocabulary) <= 500 and tagger.vocabulary.index("THE") == tagger.vocabulary.index("the") > 0
    assert tagger.vocabulary.index("Hermione") == 0


def test_binary_taggers_predict_the_courses_labels(small_corpus):
    sentences, tags = small_corpus
    tagger = train_tagger(sentences, tags, model="rnn", scheme="binary", input="one_hot", **TINY)
    assert tagger.labels == ("0", "1")
    assert set(tagger.predict(["Harry", "Potter", "invented", "a", "spell"])) <= {"0", "1"}
    evaluation = ner.evaluate(tagger, ner_data.load_corpus("test"), "test")
    assert set(evaluation.scores) <= {"NAME", "all"} and evaluation.confusion.shape == (2, 2)
    assert evaluation.confusion.sum() == ner_data.load_corpus("test").n_tokens()


def test_a_unidirectional_tagger_cannot_see_the_right_context(small_corpus):
    """Causality: up to the ambiguous token both sentences of a pair are the same, so a→⟨t⟩ is too."""
    sentences, tags = small_corpus
    uni = train_tagger(sentences, tags, model="lstm", **TINY)
    bi = train_tagger(sentences, tags, model="bilstm", **TINY)
    for pair in ner_data.RIGHT_CONTEXT_PAIRS:
        t = pair.position
        first, second = list(pair.first[0]), list(pair.second[0])
        np.testing.assert_allclose(uni.predict_proba(first)[t], uni.predict_proba(second)[t], atol=1e-6)
        forward_1, backward_1 = bi.hidden_states(first)
        forward_2, backward_2 = bi.hidden_states(second)
        np.testing.assert_allclose(forward_1[t], forward_2[t], atol=1e-6)
        assert np.abs(backward_1[t] - backward_2[t]).max() > 1e-3
    assert uni.hidden_states(first)[1] is None
    assert ner.right_context_accuracy(uni) == 0.5  # the same answer for both sentences: right on exactly one


def test_the_bidirectional_tagger_beats_the_unidirectional_one_on_right_context_pairs():
    """Both trained alike on the whole corpus (seeded, small and short so the test takes seconds).

    By construction the unidirectional LSTM gives both sentences of a pair the same P(name) at the
    ambiguous word: right on exactly half of them, and its mean probability of the right answer is
    exactly 0.5. The bidirectional one must move P(name) the right way using the words to the right.
    """
    corpus = ner_data.load_corpus("train")
    settings = dict(epochs=4, hidden_size=16, seed=0)
    uni = train_tagger(corpus.sentences, corpus.tags, model="lstm", **settings)
    bi = train_tagger(corpus.sentences, corpus.tags, model="bilstm", **settings)
    assert ner.right_context_accuracy(uni) == 0.5
    np.testing.assert_allclose(ner.right_context_moves(uni), 0.0, atol=1e-6)
    moved = ner.right_context_moves(bi)
    assert np.mean(moved > 0) >= 0.75, moved  # the right context raises P(name) where the word is a name
    assert np.mean(moved) >= 0.08, moved  # mean P(right answer) = 0.5 + mean(moved) / 2, vs exactly 0.5
    assert ner.right_context_accuracy(bi) >= 0.5


def test_too_many_parameters_are_refused_before_training():
    corpus = ner_data.load_corpus("train")  # 13,811 lowercased words: 13,811 × 4 × 128 × 2 weights in W_ax alone
    with pytest.raises(ValueError, match="parameters"):
        train_tagger(corpus.sentences, corpus.tags, model="bilstm", hidden_size=128, vocabulary_size=16_000)
