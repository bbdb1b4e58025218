"""Taggers for named entities: one-hot (or embedded) words into a uni- or bidirectional RNN, one ŷ⟨t⟩ per word.

The many-to-many case with T_x = T_y: every token x⟨t⟩ gets its own prediction
ŷ⟨t⟩ = softmax(W_ya a⟨t⟩ + b_y). A unidirectional RNN's a⟨t⟩ has read x⟨1⟩ … x⟨t⟩ only; a
bidirectional one runs a second RNN from the end of the sentence backwards and reads out from both,
ŷ⟨t⟩ = softmax(W_ya [a→⟨t⟩; a←⟨t⟩] + b_y), so the words to the right of x⟨t⟩ count as well.

Words enter as one-hot vectors over a vocabulary (`playground.text.Vocabulary`, `<unk>` at 0) or
through a learned embedding. Multiplying W_ax by a one-hot vector picks one column of W_ax, so the
one-hot input is computed as that lookup (same numbers, |V| times fewer multiplications), with the
cell's own input matrix fixed to the identity: the trainable parameters are exactly those of an RNN
fed |V|-long one-hot vectors (checked in the tests against nn.LSTM fed real one-hot vectors).

Case: one-hot words as written would make "Apple" and "apple" unrelated words and every unknown
word the same `<unk>`, whether it is "zebra" or "Zelensky". By default words are lowercased and
x⟨t⟩ gets three more numbers: starts with a capital, all capitals, has a digit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pad_sequence

from playground import ner_data, training
from playground.text import Vocabulary

MODELS = {  # key: (cell, bidirectional, title)
    "rnn": ("rnn", False, "RNN"),
    "lstm": ("lstm", False, "LSTM"),
    "gru": ("gru", False, "GRU"),
    "birnn": ("rnn", True, "Bidirectional RNN"),
    "bilstm": ("lstm", True, "Bidirectional LSTM"),
    "bigru": ("gru", True, "Bidirectional GRU"),
}
# The same cell reading one way or both ways: the "Why bidirectional" comparison pairs them.
COUNTERPART = {"rnn": "birnn", "lstm": "bilstm", "gru": "bigru", "birnn": "rnn", "bilstm": "lstm", "bigru": "gru"}
GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # blocks of n_a rows in PyTorch's input and hidden matrices
CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
INPUTS = ("one_hot", "embedding")
CASES = ("features", "as_written")
CASE_FEATURES = ("Starts with a capital", "ALL CAPITALS", "Has a digit")
LIMITS = {  # (min, max, default)
    "vocabulary_size": (100, 16_000, 4_000),
    "embedding_size": (4, 128, 50),
    "hidden_size": (4, 128, 32),
    "epochs": (1, 30, 6),
    "seed": (0, 9999, 0),
}
MAX_PARAMETERS = 4_000_000  # a trained tagger is kept in memory for every session: 16 MB at the most
MAX_TRAIN_TOKENS = 60  # longer training sentences are cut (60 of 4,002 are longer); prediction takes any length
BATCH_SIZE = 64


def case_features(tokens: list[str]) -> np.ndarray:
    """(T, 3): starts with a capital, all capitals (two letters or more), contains a digit."""
    rows = [(token[:1].isupper(), token.isupper() and sum(c.isalpha() for c in token) > 1,
             any(c.isdigit() for c in token)) for token in tokens]
    return np.array(rows, dtype=np.float32).reshape(len(tokens), len(CASE_FEATURES))


@dataclass(frozen=True)
class Settings:
    model: str = "bilstm"
    scheme: str = "bio"
    input: str = "one_hot"
    vocabulary_size: int = LIMITS["vocabulary_size"][2]
    embedding_size: int = LIMITS["embedding_size"][2]
    hidden_size: int = LIMITS["hidden_size"][2]
    case: str = "features"
    epochs: int = LIMITS["epochs"][2]
    seed: int = 0
    lr: float = 1e-2

    def __post_init__(self):
        for name, allowed in (("model", MODELS), ("scheme", ner_data.SCHEMES), ("input", INPUTS), ("case", CASES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {tuple(allowed)}")
        for name, (low, high, _) in LIMITS.items():
            if not low <= getattr(self, name) <= high:
                raise ValueError(f"{name.replace('_', ' ')} must be between {low} and {high}")

    @property
    def cell(self) -> str:
        return MODELS[self.model][0]

    @property
    def bidirectional(self) -> bool:
        return MODELS[self.model][1]

    @property
    def n_case(self) -> int:
        return len(CASE_FEATURES) if self.case == "features" else 0

    def key(self) -> tuple:
        return tuple(sorted(self.__dict__.items()))


def reverse_within(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    """(B, steps) positions that reverse each sequence within its own length and leave the padding in place."""
    t = torch.arange(steps).unsqueeze(0)
    length = lengths.unsqueeze(1)
    return torch.where(t < length, length - 1 - t, t)


def _gather_steps(values: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    return torch.gather(values, 1, positions.unsqueeze(-1).expand(-1, -1, values.shape[-1]))


class TaggerNet(nn.Module):
    """Indices (B, T) and case features (B, T, k) -> scores (B, T, n_y) through an RNN over the tokens.

    A bidirectional tagger has two cells: `forward_rnn` reads x⟨1⟩ … x⟨T⟩ and gives a→⟨t⟩,
    `backward_rnn` reads x⟨T⟩ … x⟨1⟩ of each sentence (its own length T, so padding never enters
    it) and gives a←⟨t⟩. Padding sits after each sentence, where a left-to-right cell reaches it
    only after every real token: no packing needed.
    """

    def __init__(self, settings: Settings, vocabulary_size: int, n_labels: int):
        super().__init__()
        s = settings
        self.directions = 2 if s.bidirectional else 1
        self.one_hot = s.input == "one_hot"
        self.n_case = s.n_case
        rows = GATES[s.cell] * s.hidden_size
        if self.one_hot:
            # One column of W_ax per word and direction, looked up; the cell's own input matrix is the
            # identity (frozen), so W_ax x⟨t⟩ reaches the gates unchanged.
            self.words = nn.Embedding(vocabulary_size, rows * self.directions)
            self.case = nn.Linear(s.n_case, rows * self.directions, bias=False) if s.n_case else None
            width = rows
        else:
            self.words = nn.Embedding(vocabulary_size, s.embedding_size)
            self.case = None
            width = s.embedding_size + s.n_case
        self.forward_rnn = CELLS[s.cell](width, s.hidden_size, batch_first=True)
        self.backward_rnn = CELLS[s.cell](width, s.hidden_size, batch_first=True) if s.bidirectional else None
        if self.one_hot:
            for rnn in self.cells():
                with torch.no_grad():
                    rnn.weight_ih_l0.copy_(torch.eye(rows))
                rnn.weight_ih_l0.requires_grad_(False)
        self.head = nn.Linear(s.hidden_size * self.directions, n_labels)  # W_ya, b_y

    def cells(self) -> list[nn.Module]:
        return [self.forward_rnn] + ([self.backward_rnn] if self.backward_rnn is not None else [])

    def inputs(self, indices: torch.Tensor, case: torch.Tensor) -> list[torch.Tensor]:
        """What each direction's cell reads at every step."""
        words = self.words(indices)
        if not self.one_hot:
            x = torch.cat([words, case], dim=-1) if self.n_case else words
            return [x] * self.directions
        if self.case is not None:
            words = words + self.case(case)
        return list(words.chunk(self.directions, dim=-1))

    def states(self, indices: torch.Tensor, case: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Hidden states (B, T, n_a · directions): a⟨t⟩, or [a→⟨t⟩; a←⟨t⟩] for a bidirectional tagger."""
        inputs = self.inputs(indices, case)
        states = [self.forward_rnn(inputs[0])[0]]
        if self.backward_rnn is not None:
            positions = reverse_within(lengths, indices.shape[1])
            backward = self.backward_rnn(_gather_steps(inputs[1], positions))[0]
            states.append(_gather_steps(backward, positions))
        return torch.cat(states, dim=-1)

    def forward(self, indices: torch.Tensor, case: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(self.states(indices, case, lengths))


def trainable_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def parameter_count(settings: Settings, vocabulary_size: int, n_labels: int) -> dict[str, int]:
    """The parameters these settings imply, by part, from the formulas (the tests check them against torch)."""
    s = settings
    directions = 2 if s.bidirectional else 1
    rows = GATES[s.cell] * s.hidden_size * directions  # rows of W_ax and W_aa: all gates, both directions
    if s.input == "one_hot":
        parts = {"W_ax: one column per word": vocabulary_size * rows}
        if s.n_case:
            parts["W_ax: case features"] = s.n_case * rows
    else:
        parts = {"embedding E: |V| × d": vocabulary_size * s.embedding_size,
                 "W_ax": (s.embedding_size + s.n_case) * rows}
    parts["W_aa"] = rows * s.hidden_size
    parts["b_a (PyTorch keeps two: b_ih + b_hh)"] = 2 * rows
    parts["W_ya, b_y"] = n_labels * (s.hidden_size * directions + 1)
    return parts


@dataclass
class Tagger:
    """A trained tagger: the vocabulary it reads with, the network, and the labels it writes."""

    settings: Settings
    vocabulary: Vocabulary
    labels: tuple[str, ...]
    network: TaggerNet
    history: training.History = field(default_factory=training.History)

    def _batch(self, sentences: list[list[str]]):
        lengths = torch.tensor([max(len(tokens), 1) for tokens in sentences])
        indices = pad_sequence([torch.from_numpy(self.vocabulary.encode(tokens or [""])) for tokens in sentences],
                               batch_first=True)
        case = pad_sequence([torch.from_numpy(case_features(tokens or [""])) for tokens in sentences], batch_first=True)
        return indices, case, lengths

    def proba_batch(self, sentences: list[list[str]]) -> list[np.ndarray]:
        """For each sentence a (T, n_labels) array of tag probabilities, columns in the order of `labels`."""
        self.network.eval()
        with torch.no_grad():
            probabilities = torch.softmax(self.network(*self._batch(sentences)), dim=-1).numpy()
        return [probabilities[i, :len(tokens)] for i, tokens in enumerate(sentences)]

    def predict_proba(self, tokens: list[str]) -> np.ndarray:
        return self.proba_batch([list(tokens)])[0]

    def predict(self, tokens: list[str]) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(tokens).argmax(axis=1)]

    def predict_batch(self, sentences: list[list[str]]) -> list[list[str]]:
        return [[self.labels[i] for i in p.argmax(axis=1)] for p in self.proba_batch(sentences)]

    def hidden_states(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """a→⟨t⟩ (T, n_a) and, for a bidirectional tagger, a←⟨t⟩ (T, n_a); None for a unidirectional one."""
        self.network.eval()
        with torch.no_grad():
            states = self.network.states(*self._batch([list(tokens)]))[0, :len(tokens)].numpy()
        n_a = self.settings.hidden_size
        return states[:, :n_a], (states[:, n_a:] if self.settings.bidirectional else None)


def _length_batches(tagger: Tagger, sentences, tags, seed: int) -> list[tuple[torch.Tensor, ...]]:
    """Padded (indices, case, lengths, targets) mini-batches of BATCH_SIZE sentences of similar length.

    Sentences longer than MAX_TRAIN_TOKENS are cut; padded targets are -1 (ignored by the loss).
    """
    position = {label: i for i, label in enumerate(tagger.labels)}
    kept = [i for i, tokens in enumerate(sentences) if tokens]
    tiebreak = np.random.default_rng(seed).random(len(sentences))
    kept.sort(key=lambda i: (min(len(sentences[i]), MAX_TRAIN_TOKENS), tiebreak[i]))
    batches = []
    for first in range(0, len(kept), BATCH_SIZE):
        chosen = [sentences[i][:MAX_TRAIN_TOKENS] for i in kept[first:first + BATCH_SIZE]]
        labels = [ner_data.labels_for(tags[i], tagger.settings.scheme)[:MAX_TRAIN_TOKENS]
                  for i in kept[first:first + BATCH_SIZE]]
        indices, case, lengths = tagger._batch(chosen)
        target = pad_sequence([torch.tensor([position[label] for label in row]) for row in labels], batch_first=True,
                              padding_value=-1)
        batches.append((indices, case, lengths, target))
    return batches


def train_tagger(sentences: list[list[str]], tags: list[list[str]], model: str = "bilstm",
                 epochs: int = LIMITS["epochs"][2], seed: int = 0, progress: training.Progress | None = None,
                 **options) -> Tagger:
    """A tagger trained on `sentences` with their BIO `tags` (cross-entropy per token, Adam, mini-batches).

    `options` are the other fields of `Settings` (scheme, input, vocabulary_size, ...). With
    scheme="binary" the tagger learns and predicts the course's 0/1 "part of a name" labels.
    """
    settings = Settings(model=model, epochs=epochs, seed=seed, **options)
    if len(sentences) != len(tags) or not sentences or any(len(s) != len(t) for s, t in zip(sentences, tags)):
        raise ValueError("give one tag per token, for at least one sentence")
    labels = ner_data.SCHEMES[settings.scheme]
    training.seed_everything(seed)
    vocabulary = Vocabulary.build(sentences, size=settings.vocabulary_size, lowercase=settings.case == "features")
    size = sum(parameter_count(settings, len(vocabulary), len(labels)).values())
    if size > MAX_PARAMETERS:
        raise ValueError(f"These settings make {size:,} parameters, more than the {MAX_PARAMETERS:,} this playground "
                         "trains: choose a smaller vocabulary, fewer hidden units or a learned embedding.")
    tagger = Tagger(settings, vocabulary, labels, TaggerNet(settings, len(vocabulary), len(labels)))

    batches = _length_batches(tagger, sentences, tags, seed)
    loss_function = nn.CrossEntropyLoss(ignore_index=-1)

    def batch_loss(numbers: torch.Tensor, epoch: int) -> torch.Tensor:
        indices, case, lengths, target = batches[int(numbers[0])]
        scores = tagger.network(indices, case, lengths)
        return loss_function(scores.reshape(-1, len(labels)), target.reshape(-1))

    # Each "sample" of the loop is one mini-batch of sentences of about the same length (little padding);
    # the loop shuffles their order every epoch.
    tagger.history = training.fit(tagger.network, batch_loss, len(batches), epochs, lr=settings.lr, batch_size=1,
                                  progress=progress, seed=seed)
    return tagger


# --------------------------------------------------------------------------- what the page reads from a tagger


def name_probability(tagger: Tagger, tokens: list[str]) -> np.ndarray:
    """P(token t is part of a name) for every token: P(1) for binary labels, 1 − P(O) for BIO tags."""
    probabilities = tagger.predict_proba(tokens)
    outside = tagger.labels.index("0" if tagger.settings.scheme == "binary" else "O")
    return 1.0 - probabilities[:, outside]


@dataclass
class Evaluation:
    split: str
    gold: list[list[str]]
    predicted: list[list[str]]
    accuracy: float
    scores: dict[str, ner_data.Scores]
    confusion: np.ndarray
    labels: tuple[str, ...]
    worst: list[int]


def evaluate(tagger: Tagger, corpus: ner_data.Corpus, split: str = "dev", n_worst: int = 5) -> Evaluation:
    """The tagger on a held-out corpus, in its own labeling: token accuracy, CoNLL entity scores, confusion, worst."""
    gold = [ner_data.labels_for(tags, tagger.settings.scheme) for tags in corpus.tags]
    predicted = tagger.predict_batch(corpus.sentences)
    return Evaluation(split, gold, predicted, ner_data.token_accuracy(gold, predicted),
                      ner_data.entity_scores(gold, predicted), ner_data.confusion(gold, predicted, tagger.labels),
                      tagger.labels, ner_data.worst_sentences(gold, predicted, n_worst))


def pair_probabilities(tagger: Tagger, pairs=ner_data.RIGHT_CONTEXT_PAIRS) -> np.ndarray:
    """(n_pairs, 2): P(part of a name) at each pair's ambiguous token, in its first and its second sentence."""
    return np.array([[name_probability(tagger, list(tokens))[pair.position] for tokens, _ in (pair.first, pair.second)]
                     for pair in pairs])


def _is_name(pairs) -> np.ndarray:
    return np.array([[tags[pair.position] != "O" for _, tags in (pair.first, pair.second)] for pair in pairs])


def right_context_accuracy(tagger: Tagger, pairs=ner_data.RIGHT_CONTEXT_PAIRS) -> float:
    """The share of the pairs' ambiguous tokens (two per pair) where the tagger says name / not a name correctly."""
    return float(np.mean((pair_probabilities(tagger, pairs) > 0.5) == _is_name(pairs)))


def right_context_moves(tagger: Tagger, pairs=ner_data.RIGHT_CONTEXT_PAIRS) -> np.ndarray:
    """Per pair: P(name) where the word is part of a name minus P(name) where it is not (0 when blind to the right)."""
    probabilities, names = pair_probabilities(tagger, pairs), _is_name(pairs)
    return np.where(names[:, 0], probabilities[:, 0] - probabilities[:, 1], probabilities[:, 1] - probabilities[:, 0])


def context_reading(pair: ner_data.ContextPair, uni: tuple[float, float], bi: tuple[float, float], uni_title: str,
                    bi_title: str) -> str:
    """What the two taggers did with one pair, in words, from their P(name) at the ambiguous token."""
    word = pair.word
    names = [tags[pair.position] != "O" for _, tags in (pair.first, pair.second)]
    name_index = names.index(True)
    right = [(p > 0.5) == n for p, n in zip(bi, names)]
    lines = [f"The **{uni_title}** gives “{word}” P(name) = {uni[0]:.2f} in the first sentence and {uni[1]:.2f} in "
             f"the second: it has read the same words so far, so it cannot tell them apart and is right in at most one."]
    moved = bi[name_index] - bi[1 - name_index]
    if moved > 0.05:
        verdict = ("and it tags both correctly." if all(right) else
                   "but not across the 0.5 line in both, so one of them is still tagged wrongly.")
        lines.append(f"The **{bi_title}** gives {bi[0]:.2f} and {bi[1]:.2f}: the words to the right raised P(name) where "
                     f"“{word}” starts a name, {verdict}")
    elif moved < -0.05:
        lines.append(f"The **{bi_title}** gives {bi[0]:.2f} and {bi[1]:.2f}: it does read the words to the right, but "
                     f"here they pushed it the wrong way.")
    else:
        lines.append(f"The **{bi_title}** gives {bi[0]:.2f} and {bi[1]:.2f}: it could read the words to the right, but "
                     f"they barely changed its answer here.")
    return " ".join(lines)


def unknown_share(train_sentences, held_out_sentences, sizes, lowercase: bool) -> np.ndarray:
    """For each vocabulary size, the share of held-out tokens outside the `size` most frequent training words."""
    full = Vocabulary.build(train_sentences, lowercase=lowercase)
    ranks = np.array([full.index(token) for sentence in held_out_sentences for token in sentence])
    ranks = np.where(ranks == 0, np.iinfo(np.int64).max, ranks)  # not in the training corpus at all
    return np.array([np.mean(ranks >= size) for size in sizes])
