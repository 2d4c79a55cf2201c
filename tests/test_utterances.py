"""Typed or recognised text reaches the intent a listener means: everyday phrasings too,
not only the words of the prompts."""

from __future__ import annotations

import pytest

from skill.utterances import resolver


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
])
def test_an_everyday_phrasing_reaches_its_intent(said: str, intent: str) -> None:
    assert resolver().resolve(said).intent == intent
