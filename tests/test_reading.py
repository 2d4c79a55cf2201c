"""Reading the guide: a section by question or by name, page by page, or all of it."""

from __future__ import annotations

import pytest

from content import guide
from handlers import narration
from skill.conversation import Conversation, Turn
from tests.helpers import MAX_SSML, check_reply, message, send_intent

OVERVIEW, CAUSES, SYMPTOMS = (guide().section(i) for i in ("overview", "causes", "symptoms"))
LAST = guide().sections[-1]
ALL_PAGES = [page for section in guide().sections for page in section.pages]


def test_a_question_reads_its_section_from_the_start(launched: Conversation) -> None:
    turn = launched.say("what causes it")
    assert turn.text == f"{CAUSES.title}. {CAUSES.pages[0]} {message('more_pages')}"


def test_a_question_a_later_page_answers_reads_that_page_after_the_title(
        launched: Conversation) -> None:
    turn = launched.say("can it kill me")
    assert turn.text.startswith(f"{OVERVIEW.title}. {OVERVIEW.pages[3]}")


def test_a_question_a_later_page_answers_sets_the_place_there(launched: Conversation) -> None:
    launched.say("does it get worse")
    assert launched.say("where am I").text.startswith(
        f"You're in section 3, {SYMPTOMS.title}, page 2")


def test_in_brief_mode_such_a_question_still_hears_its_answer(launched: Conversation) -> None:
    launched.say("brief")
    assert OVERVIEW.pages[3] in launched.say("is it dangerous").text


def test_a_section_name_in_a_slot_reads_that_section(launched: Conversation) -> None:
    turn = launched.say("tell me about symptoms")
    assert turn.text.startswith(f"{SYMPTOMS.title}. {SYMPTOMS.pages[0]}")


def test_a_section_name_as_alexa_resolves_it(launched: Conversation) -> None:
    turn = send_intent(launched, "ReadSectionIntent", section="Symptoms")
    assert turn.text.startswith(f"{SYMPTOMS.title}.")


def test_an_unknown_section_name_is_not_read(launched: Conversation) -> None:
    turn = launched.say("tell me about the moon")
    assert turn.text.startswith(message("misunderstood"))
    assert all(section.name in turn.reprompt for section in guide().sections)


def test_an_empty_section_slot_is_not_read(launched: Conversation) -> None:
    turn = send_intent(launched, "ReadSectionIntent")
    assert turn.text.startswith(message("misunderstood"))


def test_next_reads_the_following_page(launched: Conversation) -> None:
    launched.say("what causes it")
    assert launched.say("next").text == f"{CAUSES.pages[1]} {message('more_pages')}"


def test_tell_me_more_reads_the_following_page(launched: Conversation) -> None:
    """Not the detail setting, which would read the same page again."""
    launched.say("what causes it")
    assert launched.say("tell me more").text == f"{CAUSES.pages[1]} {message('more_pages')}"


def test_next_at_the_end_of_a_section_names_what_comes_next(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    turn = launched.say("next")
    assert turn.reprompt == message("section_end", title=CAUSES.title, next=SYMPTOMS.title)


@pytest.mark.parametrize(("before", "said", "start"), [
    pytest.param(["what causes it", *["next"] * len(CAUSES.pages[1:])], "next",
                 f"{SYMPTOMS.title}. {SYMPTOMS.pages[0]}", id="next_crosses_into_the_next_section"),
    pytest.param([], "next", f"{OVERVIEW.title}. {OVERVIEW.pages[0]}",
                 id="next_before_anything_starts_the_guide"),
    pytest.param(["what causes it", "next"], "previous", f"{CAUSES.title}. {CAUSES.pages[0]}",
                 id="previous_goes_back_one_page"),
    pytest.param(["symptoms"], "go back",
                 f"{message('back_to_section', title=CAUSES.title, page=len(CAUSES.pages))} "
                 f"{CAUSES.pages[-1]}",
                 id="previous_into_the_section_before_names_it_and_its_last_page"),
    pytest.param(["what causes it", "next", "next"], "previous", CAUSES.pages[1],
                 id="previous_within_a_section_reads_the_page_alone"),
    pytest.param(["start over"], "previous",
                 f"{message('first_page')} {OVERVIEW.title}. {OVERVIEW.pages[0]}",
                 id="previous_at_the_first_page_says_so"),
])
def test_moving_page_by_page(launched: Conversation, before: list[str], said: str, start: str
                             ) -> None:
    for utterance in before:
        launched.say(utterance)
    assert launched.say(said).text.startswith(start)


def test_repeat_says_the_last_reply_again(launched: Conversation) -> None:
    said = launched.say("what causes it")
    assert launched.say("repeat").text == said.text


def test_repeat_again_after_a_repeat_still_repeats(launched: Conversation) -> None:
    said = launched.say("what causes it")
    launched.say("repeat")
    assert launched.say("say that again").text == said.text


def test_repeat_first_thing_in_a_new_session_reads_the_saved_page(
        conversation: Conversation) -> None:
    conversation.launch()
    conversation.say("what causes it")
    conversation.say("next")
    conversation.end()
    assert conversation.say("repeat").text.startswith(
        f"{message('reading_on_from', title=CAUSES.title, page=2)} {CAUSES.pages[1]}")


def test_repeat_after_a_reply_that_was_only_a_question_asks_it_again(
        launched: Conversation) -> None:
    launched.say("the last section")
    launched.say("next")
    asked = launched.say("next")  # past the end: only "That's the end of the guide..."
    assert launched.say("repeat").text == asked.text


def test_a_one_shot_next_says_where_its_page_is_from(conversation: Conversation) -> None:
    conversation.launch()
    conversation.say("what causes it")
    conversation.end()
    turn = conversation.say("next")  # "Alexa, ask facial spasm guide for the next page"
    assert turn.text.startswith(f"{message('reading_on_from', title=CAUSES.title, page=2)} "
                                f"{CAUSES.pages[1]}")


def test_repeat_before_anything_was_said(conversation: Conversation) -> None:
    turn = conversation.say("repeat")
    assert message("nothing_to_repeat") in turn.text
    assert not turn.ended


def test_start_over_reads_the_first_page(launched: Conversation) -> None:
    launched.say("the last section")
    assert launched.say("start over").text.startswith(f"{OVERVIEW.title}. {OVERVIEW.pages[0]}")


def _to_last_page(conversation: Conversation) -> Turn:
    turn = conversation.say("the last section")
    for _ in LAST.pages[1:]:
        turn = conversation.say("next")
    return turn


def test_the_last_page_says_the_guide_has_ended(launched: Conversation) -> None:
    turn = _to_last_page(launched)
    assert turn.text.endswith(f"{LAST.pages[-1]} {message('guide_end')}")


def test_next_after_the_end_says_so_and_offers_start_over_or_stop(launched: Conversation) -> None:
    _to_last_page(launched)
    turn = launched.say("next")
    assert turn.text == message("guide_end")
    assert "start over" in turn.reprompt and "stop" in turn.reprompt
    assert not turn.ended


def test_resume_reads_the_current_page_again(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    assert launched.say("resume").text.startswith(CAUSES.pages[1])


# --- read everything -------------------------------------------------------------------


def test_read_everything_mid_section_first_says_where_it_reads_from(
        launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    turn = launched.say("read everything")
    assert turn.text.startswith(f"{message('reading_on_from', title=CAUSES.title, page=2)} "
                                f"{CAUSES.pages[1]}")


def test_read_everything_from_a_section_start_begins_with_its_title(
        launched: Conversation) -> None:
    launched.say("what causes it")
    assert launched.say("read everything").text.startswith(f"{CAUSES.title}. {CAUSES.pages[0]}")


def test_read_everything_reads_several_pages_in_one_reply(launched: Conversation) -> None:
    turn = launched.say("read everything")
    heard = [page for page in ALL_PAGES if page in turn.text]
    assert len(heard) >= 3
    assert len(turn.ssml) < MAX_SSML
    check_reply(turn)


def test_read_everything_at_the_slowest_speed_stays_under_alexas_limit(
        launched: Conversation) -> None:
    launched.say("slower")
    launched.say("slower")
    turn = launched.say("read everything")
    assert 'rate="70%"' in turn.ssml
    assert len(turn.ssml) < MAX_SSML


@pytest.fixture
def small_replies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make 'read everything' fill a reply after a few pages, as a longer guide would."""
    monkeypatch.setattr(narration, "READ_ALL_BUDGET", 700)


@pytest.mark.usefixtures("small_replies")
def test_read_everything_asks_to_go_on_when_a_reply_is_full(launched: Conversation) -> None:
    turn = launched.say("read everything")
    assert sum(page in turn.text for page in ALL_PAGES) >= 2
    assert turn.reprompt == message("continue_reading")


@pytest.mark.usefixtures("small_replies")
def test_read_everything_with_yes_reaches_the_end_hearing_each_page_once(
        launched: Conversation) -> None:
    turns = [launched.say("read everything")]
    while message("guide_end") not in turns[-1].text:
        assert len(turns) < len(ALL_PAGES), "never reached the end"
        assert turns[-1].reprompt == message("continue_reading")
        turns.append(launched.say("yes"))
    heard = " ".join(turn.text for turn in turns)
    assert [heard.count(page) for page in ALL_PAGES] == [1] * len(ALL_PAGES)
    positions = [heard.index(page) for page in ALL_PAGES]
    assert positions == sorted(positions)


@pytest.mark.usefixtures("small_replies")
def test_no_to_go_on_stops_reading(launched: Conversation) -> None:
    launched.say("read everything")
    turn = launched.say("no")
    assert not any(page in turn.text for page in ALL_PAGES)
    assert not turn.ended


# --- "Alexa, stop" in the middle of a long reply ------------------------------------------


@pytest.fixture
def second_reply(launched: Conversation) -> Turn:
    """'Read everything' and yes: the second reply of several pages, from causes page 1."""
    launched.say("what causes it")
    launched.say("back")  # the last page of the overview
    launched.say("read everything")
    turn = launched.say("yes")
    assert sum(page in turn.text for page in ALL_PAGES) >= 2  # else these tests prove nothing
    return turn


@pytest.mark.usefixtures("small_replies")
@pytest.mark.parametrize("word", ["stop", "pause"])
def test_stopping_a_long_reply_keeps_the_place_where_it_began(
        launched: Conversation, second_reply: Turn, word: str) -> None:
    first_page = next(page for page in ALL_PAGES if page in second_reply.text)
    launched.say(word)
    launched.end()
    launched.launch()
    assert launched.say("yes").text.startswith(first_page)


@pytest.mark.usefixtures("small_replies")
def test_answering_after_a_long_reply_keeps_the_place_at_its_end(
        launched: Conversation, second_reply: Turn) -> None:
    last_page = [page for page in ALL_PAGES if page in second_reply.text][-1]
    assert launched.say("repeat").text == second_reply.text  # heard it through: carries on
    assert launched.say("where am I").text.startswith("You're in")
    launched.say("stop")
    launched.end()
    launched.launch()
    assert launched.say("yes").text.startswith(last_page)


def test_stopping_at_the_very_end_of_read_everything_still_offers_to_carry_on(
        launched: Conversation) -> None:
    launched.say("the last section")
    launched.say("read everything")  # reads to the end of the guide in one reply
    launched.say("stop")
    launched.end()
    assert launched.launch().reprompt.startswith("Last time you were in section")
