"""The one text normaliser: how typed, heard and written words are compared everywhere.

Content lookups (a section or glossary word by name), the interaction model's checks
and the resolvers for people's own words all compare text in this form, so a phrase
that matches in one place matches in the others.
"""

from __future__ import annotations

import re

NOT_A_WORD = re.compile(r"[^\w' ]+")
ARTICLES = frozenset({"the", "a", "an"})


def normalise(text: str) -> str:
    """Lower case, no punctuation but apostrophes (typographic ones made plain), single spaces."""
    return " ".join(NOT_A_WORD.sub(" ", text.lower().replace("\u2019", "'")).split())


def name_key(text: str) -> str:
    """A name as it is looked up: normalised, without a leading article ("the causes")."""
    words = normalise(text).split()
    if words[:1] and words[0] in ARTICLES:
        words = words[1:]
    return " ".join(words)
