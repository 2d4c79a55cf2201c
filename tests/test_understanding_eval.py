"""A floor under how well the guide understands people's own words.

The held-out set (tests/eval/phrasings.yaml) was written by someone who never read the
samples and is never used as samples or for tuning; `make eval` prints its figures.
The floors are the issue's goal (README reports the figures above them), so a content
or resolver change that makes understanding worse than promised fails here rather than
in front of a listener.
"""

from __future__ import annotations

import pytest

from bench.understanding import HELD_OUT, Tally, load, score
from skill.understanding.own_words import understander

FLOOR_IN_SCOPE_ANSWERED = 0.95
FLOOR_OUT_OF_SCOPE_TOLD = 0.90
CEILING_WRONG = 0.02


@pytest.fixture(scope="module")
def held_out() -> dict[str, float]:
    tally: Tally = score(load(HELD_OUT), understander().understand)
    return tally.figures()


def test_held_out_set_is_large_and_mixed() -> None:
    phrasings = load(HELD_OUT)
    assert len(phrasings) >= 300
    assert sum(not p.in_scope for p in phrasings) >= 60


def test_in_scope_questions_are_answered_in_the_first_reply(held_out: dict[str, float]) -> None:
    assert held_out["in_scope_answered"] >= FLOOR_IN_SCOPE_ANSWERED


def test_out_of_scope_questions_are_told_plainly(held_out: dict[str, float]) -> None:
    assert held_out["out_of_scope_told_plainly"] >= FLOOR_OUT_OF_SCOPE_TOLD


def test_wrong_answers_stay_rare(held_out: dict[str, float]) -> None:
    assert held_out["wrong_answers"] <= CEILING_WRONG
