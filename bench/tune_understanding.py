"""Choose the tolerant resolver's thresholds with one writer held out at a time.

`python bench/tune_understanding.py` fits the classifier on the samples and on every
writer of content/asked/ but one, measures on that one (words the classifier never saw,
in a style it never saw), and does so for each writer in turn; then it tries every
combination of thresholds on the pooled results and prints the best few, judged as a
listener would: an answer in the first reply counts for, a wrong answer three times
against. The pooled figures are the honest estimate for a new writer. Copy the chosen
figures into skill/understanding/own_words.py's Tuning by hand; the held-out set
(tests/eval/phrasings.yaml, never a writer here) then measures them (`make eval`).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace

from understanding import PART_OF, Phrasing, Tally, heard_first, score

from content.asked import asked
from skill.understanding.own_words import (
    ANSWER,
    TUNING,
    Candidate,
    Tuning,
    Understander,
    Understanding,
    understander,
)
from skill.understanding.resolver import Resolution

RIDGE = (0.5, 1.0, 2.0)
TEMPERATURE = (6.0, 8.0, 10.0, 12.0)
CONFIDENT = (0.4, 0.5, 0.6, 0.7)
CLOSE_BELOW = (0.1, 0.2)  # "did you mean" this far below confident
WRONG_COST = 3
# The writer of the first samples wrote the first 61 phrasings from them: never held out.
ALWAYS_TRAINED = {"writer-1"}


def target(resolution: Resolution) -> str:
    """The evaluation sets' name for what a content label asks for."""
    found = {t for t in heard_first(resolution) if not t.startswith("section:")}
    wider = found & set(PART_OF.values())
    return min(wider or found)


def held_out_rankings(tolerant: Understander, ridge: float) -> tuple[list[Phrasing], dict]:
    """Each writer's phrasings ranked by a classifier that never saw that writer."""
    writers = asked()
    phrasings, rankings = [], {}
    for held in writers:
        if held.writer in ALWAYS_TRAINED:
            continue
        classifier = tolerant.fit(tuple(w for w in writers if w is not held), ridge)
        for said, label in held.phrasings:
            phrasings.append(Phrasing(said, target(tolerant.resolution_of[label])))
            first = tolerant.understand(said)
            if first.score == 1.0 and first.band == ANSWER:  # matched before any scoring
                rankings[said] = first
            elif prepared := tolerant.prepare(said):
                rankings[said] = tolerant.rank(prepared, replace(TUNING, temperature=1.0),
                                               classifier)
    return phrasings, rankings


def tally_for(tolerant: Understander, phrasings: list[Phrasing], rankings: dict,
              tuning: Tuning) -> Tally:
    def understand(said: str) -> Understanding:
        ranked = rankings.get(said)
        if ranked is None:
            return tolerant.understand(said)
        if isinstance(ranked, Understanding):
            return ranked
        return tolerant.decide(_sharpened(ranked, tuning.temperature), tuning=tuning)

    return score(phrasings, understand)


def _sharpened(ranked: list[Candidate], temperature: float) -> list[Candidate]:
    """Likelihoods at temperature 1 raised to another temperature, renormalised."""
    powered = [c.score ** temperature for c in ranked]
    total = sum(powered)
    return [Candidate(c.outcome, p / total, c.resolution) for c, p in zip(ranked, powered, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--best", type=int, default=12, help="how many combinations to print")
    args = parser.parse_args(argv)
    tolerant = understander()
    results = []
    for ridge in RIDGE:
        phrasings, rankings = held_out_rankings(tolerant, ridge)
        for temperature, confident, below in itertools.product(TEMPERATURE, CONFIDENT, CLOSE_BELOW):
            tuning = Tuning(temperature, confident, confident - below, ridge)
            figures = tally_for(tolerant, phrasings, rankings, tuning).figures()
            value = (figures["in_scope_answered"] + 0.5 * figures["out_of_scope_told_plainly"]
                     - WRONG_COST * figures["wrong_answers"])
            results.append((value, tuning, figures))
    results.sort(key=lambda item: -item[0])
    print(f"{len(phrasings)} phrasings, each measured with its writer held out")
    print("ridge temperature confident close | in scope answered, out of scope told, wrong, "
          "did you mean")
    for _, t, f in results[: args.best]:
        print(f"{t.ridge:5} {t.temperature:11} {t.confident:9} {t.close:5.2f} | "
              f"{f['in_scope_answered']:.1%} {f['out_of_scope_told_plainly']:.1%} "
              f"{f['wrong_answers']:.1%} {f['did_you_mean']:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
