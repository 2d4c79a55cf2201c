"""Reading the guide: a section by question or by name, page by page, or all of it."""

from __future__ import annotations

import pytest

from content import guide
from handlers import narration
from handlers.state import PENDING_NEXT, ListenerState
from skill.engine.conversation import Conversation
from skill.engine.reply import Reply
from tests.helpers import check_reply, message, send_intent

OVERVIEW, CAUSES, SYMPTOMS, TREATMENT = (guide().section(i) for i in (
    "overview", "causes", "symptoms", "treatment"))
LAST = guide().sections[-1]
ALL_PAGES = [page for section in guide().sections for page in section.pages]


def test_a_question_gets_its_answer_first_then_one_offer(launched: Conversation) -> None:
    turn = launched.say("what causes it")
    assert turn.text == f"{CAUSES.pages[0]} {CAUSES.offer}"


def test_a_specific_question_gets_its_own_answer(launched: Conversation) -> None:
    dangerous = guide().topic("dangerous").answer
    assert launched.say("can it kill me").text == f"{dangerous.text} {dangerous.offer}"


def test_yes_to_the_offer_reads_the_page_it_offered(launched: Conversation) -> None:
    launched.say("which nerve is it")
    assert launched.say("yes").text.startswith(CAUSES.pages[1])


def test_yes_to_an_offer_of_another_section_reads_its_answer(launched: Conversation) -> None:
    launched.say("is it dangerous")  # offers how it is treated
    assert launched.say("yes").text.startswith(f"{TREATMENT.title}. {TREATMENT.pages[0]}")


def test_no_to_the_offer_moves_nothing_and_gives_the_choices(launched: Conversation) -> None:
    launched.say("which nerve is it")
    turn = launched.say("no")
    assert message("first_options") in turn.reprompt
    assert launched.say("where am I").text.startswith(f"You're in section 2, {CAUSES.title}, page 1")


def test_an_answer_sets_the_place_at_its_section(launched: Conversation) -> None:
    launched.say("does it get worse")
    assert launched.say("where am I").text.startswith(
        f"You're in section 3, {SYMPTOMS.title}, page 1")


def test_next_after_an_answer_reads_the_section_on(launched: Conversation) -> None:
    launched.say("what causes it")
    assert launched.say("next").text.startswith(CAUSES.pages[1])


def test_in_brief_mode_a_question_still_hears_its_answer(launched: Conversation) -> None:
    launched.say("brief")
    dangerous = guide().topic("dangerous").answer
    assert dangerous.text in launched.say("is it dangerous").text


def test_a_section_name_in_a_slot_reads_that_section(launched: Conversation) -> None:
    turn = launched.say("tell me about symptoms")
    assert turn.text.startswith(f"{SYMPTOMS.title}. {SYMPTOMS.pages[0]}")


def test_a_section_name_as_alexa_resolves_it(launched: Conversation) -> None:
    turn = send_intent(launched, "ReadSectionIntent", section="Symptoms")
    assert turn.text.startswith(f"{SYMPTOMS.title}.")


def test_an_unknown_section_name_is_not_read(launched: Conversation) -> None:
    turn = send_intent(launched, "ReadSectionIntent", section="the moon")
    assert turn.text.startswith(guide().scope.not_covered_reply)
    assert turn.reprompt.startswith("You could ask:")


def test_an_empty_section_slot_is_not_read(launched: Conversation) -> None:
    turn = send_intent(launched, "ReadSectionIntent")
    assert turn.text.startswith(guide().scope.not_covered_reply)


def test_next_reads_the_following_page(launched: Conversation) -> None:
    launched.say("what is it")
    assert launched.say("next").text == f"{OVERVIEW.pages[1]} " + message(
        "section_end", title=OVERVIEW.title, next=CAUSES.title)


def test_tell_me_more_reads_the_following_page(launched: Conversation) -> None:
    """Not the detail setting, which would read the same page again."""
    launched.say("how is it treated")
    assert launched.say("tell me more").text == f"{TREATMENT.pages[1]} " + message(
        "section_end", title=TREATMENT.title, next=guide().sections[4].title)


def test_next_at_the_end_of_a_section_names_what_comes_next(launched: Conversation) -> None:
    launched.say("what causes it")
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


def _to_last_page(conversation: Conversation) -> Reply:
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


# --- what a page offers next ------------------------------------------------------------


def test_the_next_step_changes_nothing_until_it_is_offered() -> None:
    """Building a prompt is only words; the handler that says it records what Yes means."""
    state = ListenerState()
    state.go_to(len(guide().sections) - 1, len(LAST.pages) - 1)
    before = ListenerState(**vars(state))
    end = narration.next_step(state)
    assert state == before
    assert (state.offer(end), state.pending, state.finished) == (message("guide_end"), "", True)
    state.go_to(0)
    state.pending = "resume"
    assert state.offer(narration.next_step(state)) == message("more_pages")
    assert (state.pending, state.finished) == (PENDING_NEXT, False)


def test_the_first_choices_offer_nothing_to_say_yes_to() -> None:
    state = ListenerState(pending=PENDING_NEXT)
    assert state.offer(narration.first_choices()).startswith(message("first_options"))
    assert state.pending == ""


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


def test_read_everything_reads_one_page_then_checks(launched: Conversation) -> None:
    """A short check between pages, so 'where am I', 'slower' and 'back' act on the page
    just heard."""
    turn = launched.say("read everything")
    assert [page for page in ALL_PAGES if page in turn.text] == [OVERVIEW.pages[0]]
    assert turn.reprompt == message("continue_reading")
    check_reply(turn)


def test_where_am_i_while_reading_everything_names_the_page_just_heard(
        launched: Conversation) -> None:
    launched.say("read everything")
    launched.say("yes")
    assert launched.say("where am I").text.startswith(
        f"You're in section 1, {OVERVIEW.title}, page 2")


def test_read_everything_with_yes_reaches_the_end_hearing_each_page_once(
        launched: Conversation) -> None:
    turns = [launched.say("read everything")]
    while message("guide_end") not in turns[-1].text:
        assert len(turns) <= len(ALL_PAGES), "never reached the end"
        assert turns[-1].reprompt == message("continue_reading")
        turns.append(launched.say("yes"))
    heard = " ".join(turn.text for turn in turns)
    assert [heard.count(page) for page in ALL_PAGES] == [1] * len(ALL_PAGES)
    positions = [heard.index(page) for page in ALL_PAGES]
    assert positions == sorted(positions)


def test_no_to_go_on_stops_reading(launched: Conversation) -> None:
    launched.say("read everything")
    turn = launched.say("no")
    assert not any(page in turn.text for page in ALL_PAGES)
    assert not turn.ended


@pytest.mark.parametrize("word", ["stop", "pause"])
def test_stopping_while_reading_everything_keeps_the_page_just_heard(
        launched: Conversation, word: str) -> None:
    launched.say("read everything")
    heard = launched.say("yes")
    launched.say(word)
    launched.end()
    launched.launch()
    assert launched.say("yes").text.startswith(next(p for p in ALL_PAGES if p in heard.text))


def test_stopping_at_the_very_end_of_read_everything_still_offers_to_carry_on(
        launched: Conversation) -> None:
    launched.say("the last section")
    launched.say("next")
    launched.say("read everything")
    launched.say("stop")
    launched.end()
    assert launched.launch().reprompt.startswith("Last time you were in section")
