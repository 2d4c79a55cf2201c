"""Opening, resuming, closing and recovering: launch, yes/no, help, the notice, stop,
fallback, errors and storage trouble. One behaviour per test, through the chat engine."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.skill import CustomSkill

from content import guide
from handlers import navigation
from skill import engine
from skill.engine.builder import build_skill
from skill.engine.conversation import Conversation
from tests.helpers import check_reply, envelope, message, resume_offer, send_intent

CAUSES = guide().section("causes")


@pytest.fixture
def returning(conversation: Conversation) -> Conversation:
    """A listener who read the first two pages of 'causes' last time, then walked away."""
    conversation.launch()
    conversation.say("what causes it")
    conversation.say("next")
    conversation.end()
    return conversation


# --- launch and resume -----------------------------------------------------------------


def test_first_launch_welcomes_gives_the_notice_and_choices(conversation: Conversation) -> None:
    turn = conversation.launch()
    assert turn.text.startswith(guide().welcome)
    assert guide().notice in turn.text
    assert message("first_options") in turn.reprompt
    assert not turn.ended


def test_returning_listener_is_offered_to_resume(returning: Conversation) -> None:
    turn = returning.launch()
    assert turn.text.startswith(guide().welcome_back)
    assert turn.reprompt == resume_offer(CAUSES.id)
    assert guide().notice not in turn.text


def test_a_misheard_answer_to_the_offer_asks_again(returning: Conversation) -> None:
    returning.launch()
    assert returning.say("vlorp qwzx").reprompt == resume_offer(CAUSES.id)


def test_a_second_misheard_answer_names_the_answers(returning: Conversation) -> None:
    returning.launch()
    returning.say("vlorp qwzx")
    assert returning.say("zxqv blorp").reprompt == message("resume_yes_no")


@pytest.mark.parametrize("aside", ["what does brainstem mean", "section six", "help"])
def test_no_after_another_question_does_not_wipe_the_place(returning: Conversation,
                                                           aside: str) -> None:
    returning.launch()
    returning.say(aside)
    returning.say("no")
    assert returning.say("where am I").text.startswith(f"You're in section 2, {CAUSES.title}")


def test_yes_resumes_at_the_same_section_and_page(returning: Conversation) -> None:
    returning.launch()
    turn = returning.say("yes")
    assert turn.text.startswith(CAUSES.pages[1])


def test_no_starts_fresh(returning: Conversation) -> None:
    returning.launch()
    declined = returning.say("no")
    assert declined.text.startswith(message("resume_declined"))
    assert returning.say("where am I").text.startswith(message("where_not_started"))


def test_a_listener_who_finished_is_not_offered_to_resume(launched: Conversation) -> None:
    launched.say("the last section")
    launched.say("next")
    launched.end()
    turn = launched.launch()
    assert "Last time" not in turn.text
    assert message("first_options") in turn.text


def test_returning_without_a_place_hears_the_choices(launched: Conversation) -> None:
    launched.end()
    turn = launched.launch()
    assert turn.text == f"{guide().welcome_back} {launched_options()}"


def launched_options() -> str:
    return f"{message('first_options')} {message('question')}"


def test_yes_with_nothing_asked_starts_the_guide(launched: Conversation) -> None:
    turn = launched.say("yes")
    assert turn.text.startswith(f"{guide().sections[0].title}. {guide().sections[0].pages[0]}")


# --- help and the notice --------------------------------------------------------------


def test_notice_on_request(launched: Conversation) -> None:
    turn = launched.say("is this medical advice")
    assert turn.text.startswith(guide().notice)


def test_notice_on_request_inside_a_section_offers_to_go_on(launched: Conversation) -> None:
    launched.say("what causes it")
    turn = launched.say("is this medical advice")
    assert turn.reprompt == message("more_pages")


@pytest.mark.parametrize(("before", "start"), [
    pytest.param([], message("help_general"), id="outside_a_section_explains_the_guide"),
    pytest.param(["what causes it"], message("help_in_section", title=CAUSES.title),
                 id="inside_a_section_names_it"),
])
def test_help(launched: Conversation, before: list[str], start: str) -> None:
    for utterance in before:
        launched.say(utterance)
    turn = launched.say("help")
    assert turn.text.startswith(start)


@pytest.mark.parametrize(("before", "reprompt"), [
    pytest.param([], message("help_prompt"), id="outside_a_section_a_question_or_the_list"),
    pytest.param(["what causes it"], message("more_pages"), id="inside_a_section_go_on"),
])
def test_help_reprompts_with_a_next_step(launched: Conversation, before: list[str],
                                         reprompt: str) -> None:
    for utterance in before:
        launched.say(utterance)
    assert launched.say("help").reprompt == reprompt


# --- stop, cancel, pause, session end ---------------------------------------------------


@pytest.mark.parametrize("word", ["stop", "cancel", "pause", "thank you"])
def test_stopping_ends_the_session_and_keeps_the_place(launched: Conversation, word: str) -> None:
    launched.say("what causes it")
    launched.say("next")
    turn = launched.say(word)
    assert turn.ended
    assert turn.reprompt == ""
    assert launched.launch().reprompt == resume_offer(CAUSES.id)


def test_stop_before_reading_just_says_goodbye(launched: Conversation) -> None:
    turn = launched.say("stop")
    assert turn.ended
    assert turn.text == guide().goodbye


def test_paused_names_the_section_by_number_and_title(launched: Conversation) -> None:
    launched.say("what causes it")
    assert launched.say("pause").text == message("paused", number=2, title=CAUSES.title)


@pytest.mark.parametrize("word", ["wait", "hold on"])
def test_wait_keeps_the_session_open(launched: Conversation, word: str) -> None:
    turn = launched.say(word)
    assert not turn.ended
    assert turn.reprompt == message("waiting_prompt")


def test_wait_in_a_section_moves_nothing(launched: Conversation) -> None:
    launched.say("how is it treated")
    launched.say("hold on")
    assert launched.say("where am I").text.startswith("You're in section 4")


def test_pause_after_the_last_page_does_not_promise_to_carry_on(launched: Conversation) -> None:
    launched.say("the last section")
    launched.say("next")
    turn = launched.say("pause")
    assert turn.ended
    assert "carry on" not in turn.text


def test_session_ended_request_gets_no_speech(skill: CustomSkill) -> None:
    answer = engine.handle_payload(
        skill, envelope({"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"}))
    assert "outputSpeech" not in (answer.get("response") or {})


def test_session_ended_request_keeps_the_place(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.end("EXCEEDED_MAX_REPROMPTS")
    assert launched.launch().reprompt == resume_offer(CAUSES.id)


# --- not understood -------------------------------------------------------------------


def test_a_miss_says_plainly_it_is_not_covered_and_suggests_questions(
        launched: Conversation) -> None:
    turn = launched.say("zxqv blorp")
    assert turn.text.startswith(guide().scope.not_covered_reply)
    assert turn.reprompt == "You could ask: what causes it, what are the symptoms, or how is it treated."
    assert not turn.ended


def test_a_miss_in_a_section_suggests_its_own_questions(launched: Conversation) -> None:
    launched.say("what causes it")
    assert launched.say("zxqv blorp").reprompt == (
        "You could ask: what causes it, which nerve is it, or which artery causes it.")


def test_repeat_after_a_miss_repeats_the_page_not_the_miss(launched: Conversation) -> None:
    answer = launched.say("what causes it")
    launched.say("zxqv blorp")
    assert launched.say("repeat").text == answer.text


def test_yes_after_the_end_of_the_guide_starts_it_again(launched: Conversation) -> None:
    launched.say("the last section")
    for _ in guide().sections[-1].pages[1:]:
        launched.say("next")
    first = guide().sections[0]
    assert launched.say("yes").text.startswith(f"{first.title}. {first.pages[0]}")


@pytest.mark.parametrize("intent", ["AMAZON.LoopOnIntent", "AMAZON.ShuffleOnIntent"])
def test_loop_or_shuffle_in_a_conversation_is_understood_and_declined(
        launched: Conversation, intent: str) -> None:
    launched.say("what causes it")
    turn = send_intent(launched, intent)
    assert turn.text.startswith(message("no_loop_or_shuffle"))
    assert turn.reprompt == message("more_pages")


def test_resume_with_nothing_started_says_so(launched: Conversation) -> None:
    turn = send_intent(launched, "AMAZON.ResumeIntent")
    assert turn.text.startswith(message("nothing_to_resume"))
    assert turn.reprompt == launched_options()


def test_second_miss_in_a_row_suggests_the_closest_questions(launched: Conversation) -> None:
    launched.say("zxqv blorp")
    turn = launched.say("blorp surgery blorp blorp blorp")
    assert turn.text.startswith(message("misunderstood_again"))
    assert "is there surgery for it" in turn.reprompt


def test_an_understood_request_resets_the_misses(launched: Conversation) -> None:
    launched.say("zxqv blorp")
    launched.say("help")
    turn = launched.say("zxqv blorp")
    assert turn.text.startswith(guide().scope.not_covered_reply)


def test_unknown_intent_name_is_treated_as_a_miss(launched: Conversation) -> None:
    turn = send_intent(launched, "OrderPizzaIntent")
    assert turn.text.startswith(guide().scope.not_covered_reply)
    assert not turn.ended


# --- errors and storage ----------------------------------------------------------------


@pytest.fixture
def where_am_i_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, handler_input: Any) -> Any:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(navigation.WhereAmIHandler, "handle", broken)


@pytest.mark.usefixtures("where_am_i_breaks")
def test_a_failing_handler_gets_a_useful_answer(launched: Conversation,
                                                caplog: pytest.LogCaptureFixture) -> None:
    launched.say("what causes it")
    with caplog.at_level(logging.ERROR):
        turn = launched.say("where am I")
    assert turn.text == f"{message('error')} {message('error_prompt')}"
    assert not turn.ended
    check_reply(turn)
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failures and failures[0].exc_info is not None
    assert "simulated bug" in str(failures[0].exc_info[1])


@pytest.mark.usefixtures("where_am_i_breaks")
def test_after_an_error_repeat_says_the_last_page_again(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("where am I")
    assert launched.say("repeat").text.startswith(CAUSES.pages[0])


class BrokenStorage(AbstractPersistenceAdapter):
    """A database that cannot be read or written."""

    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        raise PersistenceException("database is unavailable")

    def save_attributes(self, request_envelope: Any, attributes: dict[str, Any]) -> None:
        raise PersistenceException("database is unavailable")

    def delete_attributes(self, request_envelope: Any) -> None:
        raise PersistenceException("database is unavailable")


class ReadOnlyStorage(BrokenStorage):
    """Reads work (nothing saved yet); every write fails."""

    def get_attributes(self, request_envelope: Any) -> dict[str, Any]:
        return {}


@pytest.mark.parametrize("storage_kind", [BrokenStorage, ReadOnlyStorage])
def test_storage_failure_still_answers_and_logs(storage_kind: type,
                                                caplog: pytest.LogCaptureFixture) -> None:
    conversation = Conversation(build_skill(storage_kind()), user_id="unlucky")
    with caplog.at_level(logging.WARNING):
        launch = conversation.launch()
        turn = conversation.say("what causes it")
    assert launch.text.startswith(guide().welcome)
    assert turn.text.startswith(CAUSES.pages[0])
    assert any(r.levelno == logging.WARNING and r.exc_info for r in caplog.records)


def test_storage_failure_keeps_the_place_within_the_session(caplog: pytest.LogCaptureFixture) -> None:
    conversation = Conversation(build_skill(BrokenStorage()), user_id="unlucky")
    conversation.launch()
    conversation.say("what causes it")
    assert conversation.say("next").text.startswith(CAUSES.pages[1])
