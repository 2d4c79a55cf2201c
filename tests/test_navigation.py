"""Finding the way: the list of sections, sections by number, next and previous
section, where am I, and the main menu."""

from __future__ import annotations

import pytest

from content import guide
from handlers import lists
from skill.engine.conversation import Conversation
from tests.helpers import message, send_intent

SECTIONS = guide().sections
COUNT = len(SECTIONS)


def titles_in(text: str) -> list[str]:
    return [section.title for section in SECTIONS if section.title in text]


# --- list of sections -------------------------------------------------------------------


def test_list_names_every_section_with_its_number(launched: Conversation) -> None:
    turn = launched.say("list the sections")
    for number, section in enumerate(SECTIONS, start=1):
        assert f"{number}, {section.title}" in turn.text
    assert turn.reprompt == message("pick_section")


def test_after_the_list_next_carries_on_where_the_listener_was(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("list the sections")
    assert launched.say("next").text.startswith(SECTIONS[1].pages[1])


def test_a_list_reply_names_at_most_five_sections(launched: Conversation) -> None:
    assert lists.LIST_CHUNK <= 5
    assert len(titles_in(launched.say("list the sections").text)) <= 5


@pytest.fixture
def chunks_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists come two at a time, as a guide with more than five sections would."""
    monkeypatch.setattr(lists, "LIST_CHUNK", 2)


@pytest.mark.usefixtures("chunks_of_two")
def test_a_long_list_comes_in_parts(launched: Conversation) -> None:
    turns = [launched.say(said) for said in ("list the sections", "more", "more")]
    assert [titles_in(turn.text) for turn in turns] == [
        [s.title for s in SECTIONS[0:2]], [s.title for s in SECTIONS[2:4]],
        [s.title for s in SECTIONS[4:5]]]
    assert turns[1].text.startswith("Then: 3, ")


@pytest.mark.usefixtures("chunks_of_two")
def test_a_part_before_the_last_offers_the_rest(launched: Conversation) -> None:
    assert launched.say("list the sections").reprompt == message("sections_more")


@pytest.mark.usefixtures("chunks_of_two")
def test_the_last_part_says_how_to_pick_a_section(launched: Conversation) -> None:
    launched.say("list the sections")
    launched.say("yes")
    assert launched.say("next").reprompt == message("pick_section")


@pytest.mark.usefixtures("chunks_of_two")
def test_asking_for_the_list_again_starts_from_the_first_section(launched: Conversation) -> None:
    first = launched.say("list the sections").text
    launched.say("more")
    assert launched.say("list the sections again").text == first


@pytest.mark.usefixtures("chunks_of_two")
def test_the_section_list_keeps_its_place_across_a_word_meaning(launched: Conversation) -> None:
    launched.say("list the sections")
    launched.say("what does brainstem mean")
    assert titles_in(launched.say("more").text) == [s.title for s in SECTIONS[2:4]]


@pytest.mark.usefixtures("chunks_of_two")
def test_a_long_list_starts_again_after_something_else(launched: Conversation) -> None:
    first = launched.say("list the sections").text
    launched.say("help")
    assert launched.say("list the sections").text == first


# --- sections by number and position ------------------------------------------------------


@pytest.mark.parametrize(("before", "said", "start"), [
    pytest.param([], "section three", f"{SECTIONS[2].title}. {SECTIONS[2].pages[0]}",
                 id="section_by_number_reads_it"),
    pytest.param([], "section 2", f"{SECTIONS[1].title}.", id="section_by_digit_reads_it"),
    pytest.param([], "section three please", f"{SECTIONS[2].title}.",
                 id="section_by_number_said_politely"),
    pytest.param([], "first section", f"{SECTIONS[0].title}.", id="section_by_ordinal"),
    pytest.param([], "the second section", f"{SECTIONS[1].title}.",
                 id="the_section_by_ordinal"),
    pytest.param([], "the last section", f"{SECTIONS[-1].title}. {SECTIONS[-1].pages[0]}",
                 id="the_last_section"),
    pytest.param(["what causes it"], "last topic", f"{SECTIONS[-1].title}.",
                 id="last_topic_is_the_last_section_not_the_previous_one"),
    pytest.param(["what causes it"], "the next section", f"{SECTIONS[2].title}.",
                 id="the_next_section_skips_the_rest_of_this_one"),
    pytest.param([], "the next section", f"{SECTIONS[0].title}.",
                 id="the_next_section_before_starting_is_the_first"),
    pytest.param(["symptoms", "next"], "the previous section", f"{SECTIONS[1].title}.",
                 id="the_previous_section"),
    pytest.param(["start over"], "the previous section",
                 f"{message('first_section')} {SECTIONS[0].title}. {SECTIONS[0].pages[0]}",
                 id="the_previous_section_from_the_first_says_so_and_reads_it"),
])
def test_going_to_a_section_reads_it(launched: Conversation, before: list[str], said: str,
                                     start: str) -> None:
    for utterance in before:
        launched.say(utterance)
    assert launched.say(said).text.startswith(start)


def test_a_section_number_that_does_not_exist_says_which_do(launched: Conversation) -> None:
    turn = launched.say("section nine")
    assert turn.text.startswith(message("no_such_section", number=9, count=COUNT))
    assert turn.reprompt == message("pick_section")


def test_section_zero_does_not_exist(launched: Conversation) -> None:
    turn = send_intent(launched, "SectionNumberIntent", number="0")
    assert turn.text.startswith(message("no_such_section", number=0, count=COUNT))


def test_section_zero_said_in_words_does_not_exist(launched: Conversation) -> None:
    turn = launched.say("section zero")
    assert turn.text.startswith(message("no_such_section", number=0, count=COUNT))


def test_an_ordinal_in_digits_reads_that_section(launched: Conversation) -> None:
    assert launched.say("the 2nd section").text.startswith(f"{SECTIONS[1].title}. ")


def test_a_section_number_that_is_not_a_number(launched: Conversation) -> None:
    turn = send_intent(launched, "SectionNumberIntent", number="?")
    assert turn.text.startswith(message("no_such_section", number="like that", count=COUNT))


def test_the_next_section_from_the_last_says_so_and_offers_the_rest(
        launched: Conversation) -> None:
    launched.say("the last section")
    turn = launched.say("the next section")
    assert turn.text == f"{message('last_section')} {message('more_pages')}"


def test_the_next_section_from_the_last_keeps_the_place(launched: Conversation) -> None:
    launched.say("the last section")
    launched.say("the next section")
    assert launched.say("next").text.startswith(SECTIONS[-1].pages[1])


def test_the_next_section_on_the_last_page_says_the_guide_ends(launched: Conversation) -> None:
    launched.say("the last section")
    for _ in SECTIONS[-1].pages[1:]:
        launched.say("next")
    assert launched.say("the next section").reprompt == message("guide_end")


# --- where am I ----------------------------------------------------------------------------


def test_where_am_i_before_starting(launched: Conversation) -> None:
    turn = launched.say("where am I")
    assert turn.text.startswith(message("where_not_started"))
    assert message("first_options") in turn.reprompt


def test_where_am_i_in_the_middle(launched: Conversation) -> None:
    launched.say("what causes it")
    turn = launched.say("where am I")
    here = message("where_am_i", number=2, title=SECTIONS[1].title, page=1,
                   pages=len(SECTIONS[1].pages))
    assert turn.text.startswith(f"{here} {message('where_next_page', page=2)}")


def test_where_am_i_at_the_end_of_a_section_names_the_next_one_once(
        launched: Conversation) -> None:
    launched.say("section two")
    for _ in SECTIONS[1].pages[1:]:
        launched.say("next")
    turn = launched.say("where am I")
    assert turn.text.count(SECTIONS[2].title) == 1
    assert SECTIONS[2].title in turn.reprompt


def test_where_am_i_names_the_next_section_when_the_prompt_does_not(
        launched: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(guide().messages, "section_end", "That's the end of {title}. Say next.")
    launched.say("section two")
    launched.say("brief")
    turn = launched.say("where am I")
    assert message("where_next_section", next=SECTIONS[2].title) in turn.text


def test_where_am_i_in_brief_mode_names_the_next_section_once(launched: Conversation) -> None:
    launched.say("section two")
    launched.say("brief")
    turn = launched.say("where am I")
    assert turn.text.count(SECTIONS[2].title) == 1


def test_where_am_i_on_the_last_page(launched: Conversation) -> None:
    launched.say("the last section")
    for _ in SECTIONS[-1].pages[1:]:
        launched.say("next")
    turn = launched.say("where am I")
    assert turn.text.startswith(f"You're in section {COUNT}")
    assert turn.reprompt == message("guide_end")
    assert turn.text.count(message("guide_end")) == 1


def test_where_am_i_does_not_move(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("where am I")
    assert launched.say("next").text.startswith(SECTIONS[1].pages[1])


# --- main menu -------------------------------------------------------------------------------


def test_main_menu_gives_the_first_choices(launched: Conversation) -> None:
    launched.say("symptoms")
    turn = launched.say("main menu")
    assert turn.text.startswith(message("home"))
    assert turn.reprompt.startswith(message("first_options"))


def test_main_menu_keeps_the_place(launched: Conversation) -> None:
    launched.say("symptoms")
    launched.say("main menu")
    assert launched.say("where am I").text.startswith(f"You're in section 3, {SECTIONS[2].title}")
