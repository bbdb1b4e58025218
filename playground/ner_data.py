"""Named-entity tags without a model: the corpus, BIO tags → entities, the two labelings, CoNLL scores.

The corpus (sample_data/ner/) has one `token<TAB>tag` per line and a blank line between sentences.
Tags are IOB2 ("BIO"): B-X begins an entity of type X (PER, LOC, ORG, MISC), I-X continues it, O is
outside every entity. The course's simpler labeling, y⟨t⟩ = 1 when token t is part of a name, is
derived from it: 1 for every B-X or I-X, 0 for O.

Entities are read from tags the way CoNLL's `conlleval` script (and `seqeval` in its default mode)
reads them, which matters for the malformed sequences a tagger can output: an I-X that does not
follow a B-X or I-X of the same type *starts* a new entity, as if it were B-X. An entity counts as
correct only if its type and both boundaries match the gold entity exactly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "sample_data" / "ner"
TYPES = ("PER", "LOC", "ORG", "MISC")
TYPE_NAMES = {"PER": "person", "LOC": "location", "ORG": "organisation", "MISC": "other name",
              "NAME": "part of a name"}
BIO_TAGS = ("O",) + tuple(f"{prefix}-{kind}" for kind in TYPES for prefix in "BI")
BINARY_TAGS = ("0", "1")
SCHEMES = {"binary": BINARY_TAGS, "bio": BIO_TAGS}
SPLITS = ("train", "dev", "test")
NAME = "NAME"  # the one entity type of the binary labeling: a run of 1s


@dataclass(frozen=True)
class Corpus:
    sentences: list[list[str]]
    tags: list[list[str]]
    articles: list[str]  # the Wikipedia article each sentence comes from (for attribution)

    def __len__(self) -> int:
        return len(self.sentences)

    def n_tokens(self) -> int:
        return sum(map(len, self.sentences))


def read_conll(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """Sentences and their tags from `token<TAB>tag` lines with blank lines between sentences."""
    sentences, tags, words, labels = [], [], [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if words:
                sentences.append(words)
                tags.append(labels)
                words, labels = [], []
            continue
        token, separator, tag = line.rpartition("\t")
        if not separator or not token:
            raise ValueError(f"line {number}: expected 'token<TAB>tag', got {line[:40]!r}")
        words.append(token)
        labels.append(tag.strip())
    if words:
        sentences.append(words)
        tags.append(labels)
    return sentences, tags


def load_corpus(split: str, directory: Path = DATA_DIR) -> Corpus:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    sentences, tags = read_conll((directory / f"{split}.conll").read_text(encoding="utf-8"))
    id_lines = [line for line in (directory / f"{split}.ids").read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#")]
    articles = [line.split("\t")[1] for line in id_lines]
    if len(articles) != len(sentences):
        raise ValueError(f"{split}.ids has {len(articles)} lines for {len(sentences)} sentences")
    return Corpus(sentences, tags, articles)


# --------------------------------------------------------------------------- labelings


def binary_labels(tags: Sequence[str]) -> list[str]:
    """The course's y⟨t⟩: "1" where the token is part of a name (any B-X or I-X), else "0"."""
    return ["0" if tag == "O" else "1" for tag in tags]


def labels_for(tags: Sequence[str], scheme: str) -> list[str]:
    if scheme == "bio":
        return list(tags)
    if scheme == "binary":
        return binary_labels(tags)
    raise ValueError(f"scheme must be one of {tuple(SCHEMES)}")


def _split_tag(tag: str) -> tuple[str, str]:
    """(prefix, type): "B-PER" -> ("B", "PER"); a binary "1" is an I- of the one type NAME; "0"/"O" -> ("O", "")."""
    if tag in ("O", "0"):
        return "O", ""
    if tag == "1":
        return "I", NAME
    prefix, _, kind = tag.partition("-")
    if prefix not in ("B", "I") or not kind:
        raise ValueError(f"not a BIO tag: {tag!r}")
    return prefix, kind


def entities(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """The entities in a tag sequence as (type, start, end) with `end` exclusive, conlleval's way.

    An entity starts at B-X, or at an I-X whose previous tag is O or of another type (a stray I-X
    starts an entity, it is not dropped); it goes on while I-X of the same type follow. For binary
    labels, each run of 1s is one entity of type NAME.
    """
    found = []
    start, kind = None, ""
    for t, tag in enumerate(list(tags) + ["O"]):
        prefix, tag_kind = _split_tag(tag)
        continues = prefix == "I" and tag_kind == kind and start is not None
        if start is not None and not continues:
            found.append((kind, start, t))
            start, kind = None, ""
        if prefix != "O" and not continues:
            start, kind = t, tag_kind
    return found


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int  # gold entities
    predicted: int
    correct: int


def _scores(correct: int, predicted: int, gold: int) -> Scores:
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, gold, predicted, correct)


def entity_scores(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, Scores]:
    """Precision, recall and F1 of exact entity matches per type, and over all types under "all" (micro)."""
    if len(gold) != len(predicted) or any(len(g) != len(p) for g, p in zip(gold, predicted)):
        raise ValueError("gold and predicted tags must have the same sentences and lengths")
    gold_count, predicted_count, correct_count = Counter(), Counter(), Counter()
    for gold_tags, predicted_tags in zip(gold, predicted):
        gold_set = set(entities(gold_tags))
        predicted_set = set(entities(predicted_tags))
        gold_count.update(kind for kind, _, _ in gold_set)
        predicted_count.update(kind for kind, _, _ in predicted_set)
        correct_count.update(kind for kind, _, _ in gold_set & predicted_set)
    kinds = sorted(set(gold_count) | set(predicted_count), key=lambda k: (TYPES + (NAME,)).index(k)
                   if k in TYPES + (NAME,) else len(TYPES) + 1)
    table = {kind: _scores(correct_count[kind], predicted_count[kind], gold_count[kind]) for kind in kinds}
    table["all"] = _scores(sum(correct_count.values()), sum(predicted_count.values()), sum(gold_count.values()))
    return table


def token_accuracy(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    pairs = [(g, p) for gold_tags, predicted_tags in zip(gold, predicted) for g, p in zip(gold_tags, predicted_tags)]
    return sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0


def confusion(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """Token counts: row = gold tag, column = predicted tag, in the order of `labels`."""
    position = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for gold_tags, predicted_tags in zip(gold, predicted):
        for g, p in zip(gold_tags, predicted_tags):
            matrix[position[g], position[p]] += 1
    return matrix


def entity_errors(gold_tags: Sequence[str], predicted_tags: Sequence[str]) -> int:
    """Gold entities missed plus predicted entities that are not gold (a wrong boundary or type counts twice)."""
    gold_set, predicted_set = set(entities(gold_tags)), set(entities(predicted_tags))
    return len(gold_set ^ predicted_set)


def worst_sentences(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]], n: int = 5) -> list[int]:
    """Indices of the `n` sentences with the most entity errors (then most wrong tokens, then the shortest first)."""
    def badness(i: int):
        wrong_tokens = sum(g != p for g, p in zip(gold[i], predicted[i]))
        return -entity_errors(gold[i], predicted[i]), -wrong_tokens, len(gold[i]), i

    ranked = sorted(range(len(gold)), key=badness)
    return [i for i in ranked[:n] if entity_errors(gold[i], predicted[i]) or gold[i] != predicted[i]]


# --------------------------------------------------------------------------- right-context pairs


@dataclass(frozen=True)
class ContextPair:
    """Two sentences that agree up to and including token `position`, whose tag there differs.

    A left-to-right tagger has read exactly the same words when it tags that token in either
    sentence, so it must give both the same probabilities: it can be right on at most one of them.
    Only the words to the right decide.
    """

    title: str
    first: tuple[tuple[str, ...], tuple[str, ...]]  # (tokens, tags)
    second: tuple[tuple[str, ...], tuple[str, ...]]
    position: int

    @property
    def word(self) -> str:
        return self.first[0][self.position]


def _tagged(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """'Teddy/B-PER Roosevelt/I-PER was' -> tokens and tags (a token without /TAG is O)."""
    pieces = [piece.rpartition("/") if "/" in piece[1:] else ("", "", piece) for piece in text.split()]
    return tuple(token or tag for token, _, tag in pieces), tuple(tag if token else "O" for token, _, tag in pieces)


def _pair(first: str, second: str, position: int = 0) -> ContextPair:
    a, b = _tagged(first), _tagged(second)
    if a[0][:position + 1] != b[0][:position + 1] or (a[1][position] == "O") == (b[1][position] == "O"):
        raise ValueError(f"not a right-context pair: {first!r} / {second!r}")
    return ContextPair(f"{a[0][position]} {a[0][position + 1]} / {b[0][position]} {b[0][position + 1]}",
                       a, b, position)


# The course's example first; in each pair the same first word is part of a name in one sentence only.
RIGHT_CONTEXT_PAIRS = [
    _pair("Teddy bears are on sale .", "Teddy/B-PER Roosevelt/I-PER was a president ."),
    _pair("New ideas spread quickly .", "New/B-LOC York/I-LOC is a large city ."),
    _pair("North winds are cold in winter .", "North/B-LOC Korea/I-LOC is a country in Asia ."),
    _pair("Central heating is expensive .", "Central/B-LOC Park/I-LOC is in Manhattan/B-LOC ."),
    _pair("Great ideas take time .", "Great/B-LOC Britain/I-LOC is an island ."),
    _pair("General rules apply to everyone .", "General/B-ORG Motors/I-ORG builds cars in Detroit/B-LOC ."),
    _pair("Long days are tiring .", "Long/B-LOC Island/I-LOC is in New/B-LOC York/I-LOC ."),
    _pair("Royal weddings attract large crowds .", "Royal/B-ORG Navy/I-ORG ships sailed to Malta/B-LOC ."),
    _pair("United we stand .", "United/B-ORG Airlines/I-ORG flies to Chicago/B-LOC ."),
    _pair("South winds brought rain .", "South/B-LOC Africa/I-LOC won the match ."),
    _pair("Old habits die hard .", "Old/B-LOC Trafford/I-LOC is a football stadium ."),
    _pair("Little children play outside .", "Little/B-LOC Rock/I-LOC is the capital of Arkansas/B-LOC ."),
    _pair("Golden leaves fall in autumn .", "Golden/B-LOC Gate/I-LOC Park/I-LOC is in San/B-LOC Francisco/I-LOC ."),
    _pair("Red wine is popular .", "Red/B-ORG Cross/I-ORG volunteers helped the victims ."),
    _pair("Western films were popular .", "Western/B-LOC Australia/I-LOC is a large state ."),
    _pair("Apple pie is a dessert .", "Apple/B-ORG Records/I-ORG released the album ."),
]


def confused_words(sentences: Sequence[Sequence[str]], gold: Sequence[Sequence[str]],
                   predicted: Sequence[Sequence[str]], kinds: tuple[str, str]) -> Counter:
    """How often each word was tagged with one of two types where the gold tags give it the other."""
    first, second = kinds
    words = Counter()
    for tokens, gold_tags, predicted_tags in zip(sentences, gold, predicted):
        for token, g, p in zip(tokens, gold_tags, predicted_tags):
            if {_split_tag(g)[1], _split_tag(p)[1]} == {first, second}:
                words[token] += 1
    return words
