"""Which outcome a phrase asks for: a linear classifier over what it means and which
words it uses, fitted when the resolver loads.

Nearest-sample matching (the first design) understood about four in five questions from
writers it had not seen; a classifier fitted on the samples and on how people have asked
(content/asked/) learns which words matter for which answer, and understood about
nineteen in twenty of them with fewer wrong answers (bench/tune_understanding.py, one
writer held out at a time). Ridge regression has a closed form: one linear solve, about
a second, no training loop, no dependency beyond numpy, and the same result every run.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Callable, Sequence

import numpy as np

# Word and word-pair features are hashed into this many columns: room enough that the
# guide's vocabulary (about 2,000 stems and pairs) rarely shares one.
HASHED_COLUMNS = 2048


def stem(word: str) -> str:
    """A crude English stem, enough that 'spreads', 'spreading' and 'spread' meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def word_features(texts: Sequence[str]) -> np.ndarray:
    """Which stems and neighbouring pairs each text uses, as unit-length rows."""
    rows = np.zeros((len(texts), HASHED_COLUMNS), dtype=np.float32)
    for row, text in enumerate(texts):
        stems = [stem(word) for word in text.split()]
        for feature in (*stems, *(f"{a}_{b}" for a, b in itertools.pairwise(stems))):
            rows[row, zlib.crc32(feature.encode()) % HASHED_COLUMNS] = 1.0
    used = rows.sum(axis=1, keepdims=True)  # every entry is 0 or 1: the norm is its root
    return rows / np.sqrt(np.where(used == 0, 1, used))


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1, norms)


class OutcomeClassifier:
    """One score per outcome for a phrase; higher is more likely what was meant."""

    def __init__(self, embed: Callable[[Sequence[str]], np.ndarray], texts: Sequence[str],
                 outcomes: Sequence[str], ridge: float = 1.0) -> None:
        self.embed = embed
        self.outcomes = tuple(dict.fromkeys(outcomes))
        index = {outcome: i for i, outcome in enumerate(self.outcomes)}
        features = self.features(texts)
        # Targets +1 for the phrase's outcome, -1 for every other.
        targets = -np.ones((len(texts), len(self.outcomes)), dtype=np.float32)
        targets[np.arange(len(texts)), [index[o] for o in outcomes]] = 1.0
        gram = features.T @ features + ridge * np.eye(features.shape[1], dtype=np.float32)
        self.weights = np.linalg.solve(gram, features.T @ targets)

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Meaning (unit word-embedding average), words, and a constant column."""
        meaning = _unit_rows(np.asarray(self.embed(list(texts)), dtype=np.float32))
        return np.hstack([meaning, word_features(texts), np.ones((len(texts), 1), np.float32)])

    def scores(self, text: str) -> np.ndarray:
        return (self.features([text]) @ self.weights)[0]
