"""content/pronunciation.py: the one substitution Alexa's SSML, the offline voice and the
audio build all say hard words through, and where a word starts and ends."""

from __future__ import annotations

import re

import pytest

from audio.engines.base import spoken_text
from content.pronunciation import pronounce
from handlers import ssml

TABLE = {"PICA": "pie ka", "MVD": "M V D", "Dr.": "Doctor"}
TRICKY = "PICA, PICAS, TOPICAL, PICA_2, PICA2, mvd; non-PICA and MVD-like (MVD)."


@pytest.mark.parametrize(("text", "said"), [
    ("the PICA.", "the pie ka."),
    ("PICAS TOPICAL PICA_2 PICA2 pica", "PICAS TOPICAL PICA_2 PICA2 pica"),  # letters, digits, _
    ("non-PICA and MVD-like (MVD)", "non-pie ka and M V D-like (M V D)"),  # hyphens: a boundary
    ("Dr. Who, XDr. Who", "Doctor Who, XDr. Who"),  # an entry that ends in punctuation
    ("«PICA»", "«pie ka»"),
])
def test_a_table_word_is_found_whole(text: str, said: str) -> None:
    assert pronounce(text, TABLE) == said


def test_the_longest_entry_wins() -> None:
    table = {"MVD": "M V D", "MVD scan": "the scan"}
    assert pronounce("an MVD scan after MVD", table) == "an the scan after M V D"


def test_no_table_leaves_text_alone() -> None:
    assert pronounce("the PICA", {}) == "the PICA"


def test_ssml_and_the_voices_replace_the_same_words() -> None:
    """One boundary for both: every word SSML wraps is a word the engines replace."""
    wrapped = re.findall(r'<sub alias="([^"]+)">([^<]+)</sub>', ssml.spoken(TRICKY))
    assert wrapped == [("pie ka", "PICA"), ("pie ka", "PICA"), ("M V D", "MVD"),
                       ("M V D", "MVD")]
    assert spoken_text(TRICKY) == (
        "pie ka, PICAS, TOPICAL, PICA_2, PICA2, mvd; non-pie ka and M V D-like (M V D).")


def test_ssml_keeps_the_word_and_escapes_the_alias() -> None:
    assert pronounce("the PICA", {"PICA": "a & b"}, ssml._sub) == (
        'the <sub alias="a &amp; b">PICA</sub>')
