"""How people have asked, in their own words: phrasings labelled with what the guide
should do first, one file per writer (content/asked/*.yaml).

They teach the text resolver of chat, ask and listen, next to the interaction model's
samples: samples say what a question is; these show how differently people put it
(rambling, misspelt, indirect, misheard). They are not sent to Alexa, whose own
understanding generalises from the samples. One file per writer keeps each writer's
style together, so bench/tune_understanding.py can hold one writer out and measure
the others' help on words it never saw. The held-out evaluation set
(tests/eval/phrasings.yaml) is never one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from content.fields import CONTENT_DIR, ContentError, Fields, _read_yaml

ASKED_DIR = CONTENT_DIR / "asked"


@dataclass(frozen=True)
class Asked:
    """One writer's phrasings: (what was said, what the guide should do first)."""

    path: Path
    phrasings: tuple[tuple[str, str], ...]

    @property
    def writer(self) -> str:
        return self.path.stem


def load_asked(folder: Path = ASKED_DIR) -> tuple[Asked, ...]:
    """Every writer's file, in name order."""
    return tuple(_load_one(path) for path in sorted(folder.glob("*.yaml")))


def _load_one(path: Path) -> Asked:
    fields = Fields(path, _read_yaml(path)).mapping("asked")
    phrasings = []
    for outcome in fields.data:
        if not isinstance(outcome, str) or not outcome.strip():
            raise ContentError(path, "asked", f"{outcome!r} must name an answer, section or intent")
        phrasings.extend((said, outcome) for said in fields.texts(outcome))
    return Asked(path, tuple(phrasings))


@cache
def asked() -> tuple[Asked, ...]:
    return load_asked()


def check_outcomes(writers: tuple[Asked, ...], known: set[str]) -> None:
    """Every label must be something the guide can do: a typo here would teach the
    resolver a class no reply can follow."""
    for writer in writers:
        for _, outcome in writer.phrasings:
            if outcome not in known:
                raise ContentError(writer.path, f"asked.{outcome}",
                                   "is not an answer, section or intent the guide has")
