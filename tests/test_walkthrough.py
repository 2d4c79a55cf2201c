"""A listener opens the guide and says "next" until it ends: everything is heard, in
order, and every reply follows the rules of a good voice reply."""

from __future__ import annotations

from typing import Any

import pytest

from content import guide
from skill.engine.builder import build_skill
from skill.engine.conversation import Conversation
from skill.engine.reply import Reply
from skill.engine.storage import SQLiteAdapter
from tests.helpers import FACTS, Fact, check_reply

MAX_TURNS = 60


def walk_through(conversation: Conversation) -> list[Reply]:
    """Launch, then 'next' until the guide says it has ended."""
    end_of_guide = guide().message("guide_end")
    turns = [conversation.launch()]
    while end_of_guide not in turns[-1].text:
        assert len(turns) < MAX_TURNS, "the guide never ended"
        turns.append(conversation.say("next"))
    return turns


@pytest.fixture(scope="module")
def walk(tmp_path_factory: pytest.TempPathFactory) -> list[Reply]:
    """One whole walk through the guide by a new listener, shared by the checks below."""
    storage = SQLiteAdapter(tmp_path_factory.mktemp("walk") / "state.sqlite3")
    return walk_through(Conversation(build_skill(storage), user_id="walker"))


def test_every_page_is_heard_once_in_order(walk: list[Reply]) -> None:
    pages = [page for section in guide().sections for page in section.pages]
    pages_heard = walk[1:]
    assert len(pages_heard) == len(pages)
    for turn, page in zip(pages_heard, pages, strict=True):
        assert page in turn.text


def test_each_section_starts_with_its_title(walk: list[Reply]) -> None:
    first_pages = []
    index = 1
    for section in guide().sections:
        first_pages.append(walk[index])
        index += len(section.pages)
    for turn, section in zip(first_pages, guide().sections, strict=True):
        assert turn.text.startswith(f"{section.title}.")


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.id)
def test_every_fact_is_heard(walk: list[Reply], fact: Fact) -> None:
    assert any(fact.found_in(turn.text) for turn in walk), fact.statement


def test_the_session_stays_open_to_the_end(walk: list[Reply]) -> None:
    assert not any(turn.ended for turn in walk)
    assert "start over" in walk[-1].reprompt.lower()


def test_notice_on_first_launch_only(conversation: Conversation) -> None:
    first = conversation.launch()
    conversation.end()
    second = conversation.launch()
    assert first.text.count(guide().notice) == 1
    assert guide().notice not in second.text
    assert guide().welcome_back in second.text


def test_every_reply_keeps_the_rules(walk: list[Reply]) -> None:
    for turn in walk:
        check_reply(turn)


def test_every_card_shows_what_was_said(walk: list[Reply]) -> None:
    for turn in walk:
        assert turn.card_text == turn.text


# Everything else a listener might say, in a session, checked against the same rules.
TOUR = [
    "help", "list the sections", "what causes it", "where am I", "repeat", "previous",
    "section three", "section nine", "the last section", "the next section",
    "the previous section", "brief", "next", "more detail", "slower", "faster", "normal speed",
    "what does PICA mean", "what does flibbertigibbet mean", "glossary", "is this medical advice",
    "read everything", "no", "banana bread recipe", "the weather tomorrow", "start over",
    "main menu", "resume", "yes", "tell me about the moon", "stop",
]


def test_a_tour_of_every_request_keeps_the_rules(conversation: Conversation) -> None:
    turns = [conversation.launch(), *(conversation.say(text) for text in TOUR)]
    assert turns[-1].ended
    for turn in turns:
        check_reply(turn)
        assert turn.card_text == turn.text


@pytest.fixture
def chatting(conversation: Conversation) -> Conversation:
    """A listener who has opened the guide and heard the welcome."""
    conversation.launch()
    return conversation


@pytest.mark.parametrize("section", guide().sections, ids=lambda s: s.id)
@pytest.mark.parametrize("how", ["name", "title", "tell me about"])
def test_a_section_can_be_read_by_typing_its_name(chatting: Conversation, section: Any,
                                                  how: str) -> None:
    """Read from its title, or, where the name is also its question ("when to get help"),
    answered: both begin with its first page."""
    typed = {"name": section.name, "title": section.title,
             "tell me about": f"tell me about {section.name}"}[how]
    turn = chatting.say(typed)
    assert turn.text.startswith((f"{section.title}. {section.pages[0]}", section.pages[0]))


@pytest.mark.parametrize("section", guide().sections, ids=lambda s: s.id)
def test_every_synonym_of_a_section_reads_it(chatting: Conversation, section: Any) -> None:
    for synonym in section.synonyms:
        turn = chatting.say(synonym)
        assert turn.text.startswith(f"{section.title}."), synonym
