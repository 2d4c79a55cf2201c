"""Typed or recognised text reaches the intent a listener means: everyday phrasings too,
not only the words of the prompts."""

from __future__ import annotations

import pytest

from skill.understanding.resolver import FALLBACK, resolver


@pytest.mark.parametrize(("said", "intent"), [
    ("what was that", "AMAZON.RepeatIntent"),
    ("skip", "AMAZON.NextIntent"),
    ("keep going", "AMAZON.NextIntent"),
    ("I'm done", "AMAZON.StopIntent"),
    ("that's enough", "AMAZON.StopIntent"),
    ("what's a nerve", "DefineTermIntent"),
    ("back to the main menu", "AMAZON.NavigateHomeIntent"),
    ("where was I", "WhereAmIIntent"),
    ("last topic", "LastSectionIntent"),
    ("yep", "AMAZON.YesIntent"),
    ("no thank you", "AMAZON.NoIntent"),
    ("thank you", "AMAZON.StopIntent"),
    ("thanks", "AMAZON.StopIntent"),
    ("start again", "AMAZON.StartOverIntent"),
    ("can you repeat that", "AMAZON.RepeatIntent"),
    ("next one", "AMAZON.NextIntent"),
    ("tell me more", "AMAZON.NextIntent"),
    ("the 2nd section", "SectionNumberIntent"),
    ("section zero", "SectionNumberIntent"),
])
def test_an_everyday_phrasing_reaches_its_intent(said: str, intent: str) -> None:
    assert resolver().resolve(said).intent == intent


@pytest.mark.parametrize(("said", "plain"), [
    ("slower please", "slower"),
    ("please slower", "slower"),
    ("section three please", "section three"),
    ("tell me about the causes please", "tell me about the causes"),
])
def test_please_before_or_after_changes_nothing(said: str, plain: str) -> None:
    assert resolver().resolve(said) == resolver().resolve(plain)


def test_a_polite_phrase_keeps_its_own_meaning() -> None:
    assert resolver().resolve("yes please").intent == "AMAZON.YesIntent"


def test_please_alone_is_not_understood() -> None:
    assert resolver().resolve("please").intent == FALLBACK


@pytest.mark.parametrize(("said", "slot", "value"), [
    ("the 2nd section", "ordinal", "2"),
    ("the 1st section", "ordinal", "1"),
    ("the 3rd section", "ordinal", "3"),
    ("the 4th section", "ordinal", "4"),
])
def test_an_ordinal_typed_in_digits_gives_its_number(said: str, slot: str, value: str) -> None:
    assert resolver().resolve(said).slots[slot].resolved == value


def test_zero_gives_the_number_alexa_would() -> None:
    """So "section zero" is told which sections exist, like "section 0"."""
    assert resolver().resolve("section zero").slots["number"].resolved == "0"
