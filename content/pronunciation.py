"""How the guide's hard words are said: content/pronunciation.yaml applied to text, in one place.

Alexa's replies (handlers/ssml.py wraps each word in ``<sub alias="...">``), the offline
voice and the audio build (audio/engines, audio/plan.py put the alias in the text) all
substitute through :func:`pronounce`, so a word is found the same way wherever it is
spoken.

A table word is found whole and case-sensitively: not when a letter, digit or
underscore touches it ("PICAS", "TOPICAL", "mvd" and "PICA_2" stay as they are), but
beside punctuation, hyphens included ("non-Botox" says "non-bo tox"). Looking around
for word characters rather than using ``\\b`` also finds a table word that begins or
ends with punctuation ("Dr.").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping


def _alias(word: str, alias: str) -> str:
    """Plain text: the word is replaced by how to say it."""
    return alias


@functools.lru_cache(maxsize=16)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so a longer entry wins over a shorter one it contains.
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def pronounce(text: str, table: Mapping[str, str],
              say: Callable[[str, str], str] = _alias) -> str:
    """``text`` with every whole table word replaced by ``say(word, alias)``.

    ``say`` defaults to the alias itself (for speech engines); SSML passes one that
    keeps the word and adds the alias as markup.
    """
    if not table:
        return text
    return _pattern(tuple(table)).sub(lambda found: say(found[0], table[found[0]]), text)
