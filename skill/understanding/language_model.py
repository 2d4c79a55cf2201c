"""A language model of the guide's own sentences, for the offline recogniser's open pass.

PocketSphinx's bundled English model knows nothing of hemifacial spasm: it hears
"hemifacial spasm" as "him of facial spas him". This builds, at start-up and from
the content only (every phrase the interaction model understands, never a file
edited by hand), a trigram model of the guide's sentences with interpolated
Kneser-Ney discounting, whose single words are mixed with the commonest words of
the bundled model: the guide's wording is likely, other English stays possible,
so speech the guide does not cover can come out as other words and be told so.
Written as ARPA text, which PocketSphinx loads like any language model.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

ORDER = 3
DISCOUNT = 0.75  # Kneser-Ney's usual absolute discount
START, END = "<s>", "</s>"
Gram = tuple[str, ...]


def ngram_counts(sentences: Iterable[str], order: int = ORDER) -> list[Counter[Gram]]:
    """How often each n-gram (1 to ``order`` words) occurs, sentences marked at both ends;
    ``counts[n]`` holds the n-grams."""
    counts: list[Counter[Gram]] = [Counter() for _ in range(order + 1)]
    for sentence in sentences:
        words = (START, *sentence.split(), END)
        for n in range(1, order + 1):
            counts[n].update(words[i:i + n] for i in range(len(words) - n + 1))
    return counts


def continuation_counts(counts: list[Counter[Gram]]) -> list[Counter[Gram]]:
    """Kneser-Ney's counts for the lower orders: in how many contexts an n-gram follows
    another word, so "spasm" (always after "hemifacial") is no likely word on its own.
    N-grams that start a sentence have no word before them and keep their own counts."""
    order = len(counts) - 1
    kept: list[Counter[Gram]] = [Counter() for _ in range(order + 1)]
    kept[order] = counts[order]
    for n in range(order - 1, 0, -1):
        kept[n].update(gram[1:] for gram in counts[n + 1])
        kept[n].update({gram: count for gram, count in counts[n].items() if gram[0] == START})
    return kept


class Model:
    """Probabilities and back-off weights of an ARPA model, order by order."""

    def __init__(self, order: int) -> None:
        self.probs: list[dict[Gram, float]] = [{} for _ in range(order + 1)]
        self.backoffs: list[dict[Gram, float]] = [{} for _ in range(order + 1)]

    def prob(self, gram: Gram) -> float:
        """P(last word | the ones before), backing off to shorter histories."""
        n = len(gram)
        if gram in self.probs[n]:
            return self.probs[n][gram]
        if n == 1:
            return 0.0
        return self.backoffs[n - 1].get(gram[:-1], 1.0) * self.prob(gram[1:])

    def arpa(self) -> str:
        """The model as ARPA text (log10 probabilities and back-off weights)."""
        order = len(self.probs) - 1
        lines = ["\\data\\", *(f"ngram {n}={len(self.probs[n])}" for n in range(1, order + 1))]
        for n in range(1, order + 1):
            lines += ["", f"\\{n}-grams:"]
            for gram, prob in self.probs[n].items():
                line = f"{math.log10(prob) if prob > 0 else -99.0:.6f}\t{' '.join(gram)}"
                backoff = self.backoffs[n].get(gram)
                if backoff:
                    line += f"\t{math.log10(backoff):.6f}"
                lines.append(line)
        return "\n".join([*lines, "", "\\end\\", ""])


def build(sentences: Iterable[str], general: Mapping[str, float] | None = None,
          general_share: float = 0.0, order: int = ORDER) -> Model:
    """A Kneser-Ney model of ``sentences``; with ``general`` (word -> probability), each
    single word's probability is (1 - share) of the sentences' own and ``general_share``
    of the general list's, which adds its words to the vocabulary."""
    counts = continuation_counts(ngram_counts(sentences, order))
    model = Model(order)
    model.probs[1] = {(word,): p for word, p in _unigrams(counts[1], general, general_share).items()}
    model.probs[1][(START,)] = 0.0  # never predicted; only a history
    for n in range(2, order + 1):
        totals: dict[Gram, int] = defaultdict(int)
        followers: dict[Gram, list[Gram]] = defaultdict(list)
        for gram, count in counts[n].items():
            totals[gram[:-1]] += count
            followers[gram[:-1]].append(gram)
        for history, grams in followers.items():
            left = DISCOUNT * len(grams) / totals[history]  # mass kept for lower orders
            for gram in grams:
                model.probs[n][gram] = (max(counts[n][gram] - DISCOUNT, 0) / totals[history]
                                        + left * model.prob(gram[1:]))
            seen = sum(model.probs[n][gram] for gram in grams)
            seen_lower = sum(model.prob(gram[1:]) for gram in grams)
            model.backoffs[n - 1][history] = (1 - seen) / max(1 - seen_lower, 1e-12)
    return model


def _unigrams(counts: Counter[Gram], general: Mapping[str, float] | None,
              share: float) -> dict[str, float]:
    total = sum(count for gram, count in counts.items() if gram != (START,))
    own = {gram[0]: count / total for gram, count in counts.items() if gram != (START,)}
    if not general or share <= 0:
        return own
    general_total = sum(general.values())
    return {word: (1 - share) * own.get(word, 0.0) + share * general.get(word, 0.0) / general_total
            for word in own.keys() | general.keys()}
