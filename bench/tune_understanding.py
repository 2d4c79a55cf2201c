"""Choose the tolerant resolver's weights and thresholds on the development sets only.

`python bench/tune_understanding.py` ranks every development phrasing
(tests/eval/dev.yaml and dev2.yaml, never the held-out phrasings.yaml) once per
weight, then tries every combination of thresholds and prints the best few, judged as
a listener would: an answer in the first reply counts for, a wrong answer three times
against. Copy the chosen figures into skill/understanding/own_words.py's Tuning by hand; the
held-out set then measures them (`make eval`).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.understanding import load, score  # noqa: E402
from skill.understanding.own_words import ANSWER, Tuning, Understanding, understander  # noqa: E402

DEV_SETS = tuple(ROOT / "tests" / "eval" / f"{name}.yaml" for name in ("dev", "dev2", "dev3"))
WEIGHTS = (0.5, 0.6)
RECALL = (0.5,)
CONFIDENT = (0.5, 0.55, 0.6, 0.65, 0.7)
SURE = (0.8, 0.9)
CLOSE = (0.4, 0.45, 0.5, 0.55)
MARGINS = (0.02, 0.04, 0.06, 0.08)
CLAUSES = (0.95,)
WRONG_COST = 3


def main() -> int:
    tolerant = understander()
    phrasings = [p for path in DEV_SETS for p in load(path)]
    settled: dict[str, Understanding] = {}
    prepared: dict[str, str] = {}
    for phrasing in phrasings:
        outcome = tolerant.understand(phrasing.said)
        said = tolerant.prepare(phrasing.said)
        if outcome.score == 1.0 and outcome.band == ANSWER:  # matched before any scoring
            settled[phrasing.said] = outcome
        else:
            prepared[phrasing.said] = said
    print(f"{len(phrasings)} development phrasings; {len(settled)} settled before scoring")
    results = []
    for weight, recall, clause in itertools.product(WEIGHTS, RECALL, CLAUSES):
        ranking = Tuning(meaning_weight=weight, recall_weight=recall, clause_weight=clause)
        ranks = {said: tolerant.rank_all(said, ranking) for said, text in prepared.items() if text}
        for confident, sure, close, margin in itertools.product(CONFIDENT, SURE, CLOSE, MARGINS):
            if not close <= confident <= sure:
                continue
            tuning = Tuning(weight, recall, confident, sure, close, margin, clause)

            def understand(said: str, tuning: Tuning = tuning,
                           ranks: dict = ranks) -> Understanding:
                if said in settled:
                    return settled[said]
                if said not in ranks:
                    return Understanding("not_covered", tolerant.exact.resolve(""))
                return tolerant.decide(ranks[said], tuning=tuning)

            tally = score(phrasings, understand)
            figures = tally.figures()
            value = (figures["in_scope_answered"] + 0.5 * figures["out_of_scope_told_plainly"]
                     - WRONG_COST * figures["wrong_answers"])
            results.append((value, tuning, figures))
    results.sort(key=lambda item: -item[0])
    print("weight recall confident sure close margin clause | in scope answered, out of scope "
          "told, wrong, did you mean")
    for _, t, f in results[:12]:
        print(f"{t.meaning_weight:6} {t.recall_weight:6} {t.confident:9} {t.sure:4} {t.close:5} "
              f"{t.margin:6} {t.clause_weight:6} | "
              f"{f['in_scope_answered']:.1%} {f['out_of_scope_told_plainly']:.1%} "
              f"{f['wrong_answers']:.1%} {f['did_you_mean']:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
