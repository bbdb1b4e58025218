"""Words as the course's networks see them: tokens, a vocabulary with <unk>, one-hot vectors.

A sentence becomes tokens x⟨1⟩ … x⟨T_x⟩; each token gets its index in a vocabulary of the most
frequent words of a corpus, and words outside it map to `<unk>`. The one-hot vector of a token has
a 1 at its index and 0 everywhere else, so it has as many entries as the vocabulary has words.
Index 0 is `<unk>`; the known words follow, most frequent first (ties in alphabetical order, so the
same corpus always gives the same vocabulary).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

UNK = "<unk>"
MAX_TEXT_CHARS = 1_000  # a sentence typed into a page; longer input is cut (the page says so)
MAX_TOKENS = 60
TOKEN = re.compile(r"\w+(?:['’\-.]\w+)*|[^\w\s]")  # words (don't, e-mail, U.S), or one punctuation mark


def tokenize(text: str) -> list[str]:
    """'Harry Potter invented a new spell.' -> ['Harry', 'Potter', 'invented', 'a', 'new', 'spell', '.']"""
    return TOKEN.findall(str(text))


def cut(text: str, max_chars: int = MAX_TEXT_CHARS, max_tokens: int = MAX_TOKENS) -> tuple[list[str], str | None]:
    """The tokens of user text, bounded; the second value says what was cut (None when nothing was)."""
    text = str(text)
    notes = []
    if len(text) > max_chars:
        text = text[:max_chars]
        notes.append(f"the first {max_chars:,} characters")
    tokens = tokenize(text)
    if len(tokens) > max_tokens:
        tokens = tokens[:max_tokens]
        notes.append(f"the first {max_tokens} tokens")
    return tokens, (f"The text is long: only {' and '.join(notes)} are used." if notes else None)


class Vocabulary:
    """Index ↔ word for the `size` most frequent words of a corpus, with `<unk>` at index 0."""

    def __init__(self, words: Sequence[str], lowercase: bool = False):
        words = list(words)
        if not words or words[0] != UNK:
            raise ValueError(f"a vocabulary starts with {UNK}")
        if len(set(words)) != len(words):
            raise ValueError("the words of a vocabulary must be distinct")
        self.words = tuple(words)
        self.lowercase = lowercase
        self._index = {word: i for i, word in enumerate(self.words)}

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], size: int | None = None, lowercase: bool = False,
              min_count: int = 1) -> "Vocabulary":
        """The `size` most frequent words (counting `<unk>` as one of them), each seen at least `min_count` times."""
        if size is not None and size < 1:
            raise ValueError("a vocabulary holds at least one word (<unk>)")
        counts = Counter(word.lower() if lowercase else word for sentence in sentences for word in sentence)
        counts.pop(UNK, None)
        ranked = [word for word, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if count >= min_count]
        if size is not None:
            ranked = ranked[:size - 1]
        return cls([UNK] + ranked, lowercase)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return self._key(word) in self._index

    def _key(self, word: str) -> str:
        return word.lower() if self.lowercase else word

    def index(self, word: str) -> int:
        """The word's index; 0 (`<unk>`) for a word outside the vocabulary."""
        return self._index.get(self._key(word), 0)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        return np.array([self.index(token) for token in tokens], dtype=np.int64)

    def one_hot(self, tokens: Sequence[str]) -> np.ndarray:
        """(T, |V|): row t is the one-hot vector of token t."""
        vectors = np.zeros((len(tokens), len(self)), dtype=np.float32)
        vectors[np.arange(len(tokens)), self.encode(tokens)] = 1.0
        return vectors

    def unknown(self, tokens: Sequence[str]) -> list[bool]:
        """For each token: is it outside the vocabulary (shown as <unk>)?"""
        return [token not in self for token in tokens]
