"""Listening preferences: short summaries or full text, and the speaking speed,
which is kept for the next conversation."""

from __future__ import annotations

import pytest

from content import guide
from skill.engine.conversation import Conversation
from skill.engine.reply import Reply
from tests.helpers import message, parse_ssml

CAUSES = guide().section("causes")
SYMPTOMS = guide().section("symptoms")


def rate(turn: Reply) -> str:
    """The speaking rate of a reply, from its SSML: '100%' when none is set. The reply
    gives the same rate to front-ends that speak it themselves."""
    root = parse_ssml(turn.ssml)
    prosody = [element for element in root.iter("prosody") if "rate" in element.attrib]
    assert len(prosody) <= 1
    said = prosody[0].attrib["rate"] if prosody else "100%"
    assert turn.rate == said
    return said


# --- brief and more detail -------------------------------------------------------------------


def test_brief_in_a_section_reads_its_summary(launched: Conversation) -> None:
    launched.say("what causes it")
    turn = launched.say("brief")
    assert turn.text.startswith(f"{message('brief_on')} {CAUSES.title}. {CAUSES.summary}")
    assert CAUSES.pages[0] not in turn.text


def test_brief_before_starting_applies_to_the_first_section(launched: Conversation) -> None:
    turn = launched.say("brief")
    assert turn.text.startswith(message("brief_on"))
    overview = guide().sections[0]
    assert launched.say("next").text.startswith(f"{overview.title}. {overview.summary}")


@pytest.mark.parametrize(("said", "start"), [
    pytest.param("next", f"{SYMPTOMS.title}. {SYMPTOMS.summary}", id="brief_moves_section_by_section"),
    pytest.param("where am I", message("where_brief", number=2, title=CAUSES.title),
                 id="where_am_i_in_brief_mode"),
    pytest.param("more detail", f"{message('detail_on')} {CAUSES.title}. {CAUSES.pages[0]}",
                 id="more_detail_reads_the_full_page_again"),
])
def test_after_brief_in_a_section(launched: Conversation, said: str, start: str) -> None:
    launched.say("what causes it")
    launched.say("brief")
    assert launched.say(said).text.startswith(start)


def test_more_detail_in_the_middle_of_a_section_keeps_the_page(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    assert CAUSES.pages[1] in launched.say("more detail").text


def test_more_detail_after_brief_goes_back_to_the_page_the_listener_was_on(
        launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    launched.say("brief")
    assert launched.say("more detail").text.startswith(f"{message('detail_on')} {CAUSES.pages[1]}")


def test_brief_on_a_later_page_reads_the_summary_with_its_title(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    turn = launched.say("brief")
    assert turn.text.startswith(f"{message('brief_on')} {CAUSES.title}. {CAUSES.summary}")


def test_back_in_brief_from_a_later_page_goes_to_the_section_before(
        launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    launched.say("brief")
    overview = guide().sections[0]
    assert launched.say("back").text.startswith(f"{overview.title}. {overview.summary}")


def test_the_full_text_page_kept_in_brief_is_remembered_in_a_new_session(
        launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    launched.say("brief")
    launched.end()
    launched.launch()
    assert CAUSES.pages[1] in launched.say("more detail").text


# --- speed --------------------------------------------------------------------------------------


def test_normal_speed_has_no_rate(launched: Conversation) -> None:
    assert rate(launched.say("what causes it")) == "100%"


@pytest.mark.parametrize(
    ("before", "said", "reply", "new_rate"),
    [
        pytest.param([], "slower", "Okay, a bit slower. That's slower than normal.", "85%",
                     id="slower_sets_a_slower_rate"),
        pytest.param(["slower"] * 2, "faster",
                     "Okay, a bit faster. That's still slower than normal.", "85%",
                     id="faster_from_the_slowest_says_it_is_still_slower_than_normal"),
        pytest.param(["slower"] * 2, "slower", message("speed_limit", speed="slow"), "70%",
                     id="slower_stops_at_the_slowest"),
        pytest.param(["faster"] * 2, "faster", message("speed_limit", speed="fast"), "130%",
                     id="faster_stops_at_the_fastest"),
        pytest.param(["faster"], "normal speed", message("speed_normal"), "100%",
                     id="normal_speed_resets_the_rate"),
    ],
)
def test_changing_speed(launched: Conversation, before: list[str], said: str, reply: str,
                        new_rate: str) -> None:
    for utterance in before:
        launched.say(utterance)
    turn = launched.say(said)
    assert turn.text.startswith(reply)
    assert rate(turn) == new_rate


def test_the_rate_applies_to_later_replies(launched: Conversation) -> None:
    launched.say("slower")
    assert rate(launched.say("what causes it")) == "85%"


def test_changing_speed_in_a_section_offers_to_go_on(launched: Conversation) -> None:
    launched.say("what causes it")
    assert launched.say("slower").reprompt == message("more_pages")


def test_changing_speed_in_a_section_reads_the_page_again_at_the_new_speed(
        launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    turn = launched.say("slower")
    slower = "Okay, a bit slower. That's slower than normal."
    assert turn.text.startswith(f"{slower} {CAUSES.pages[1]}")
    assert rate(turn) == "85%"


def test_repeat_after_a_speed_change_says_the_page_again(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("faster")
    assert CAUSES.pages[0] in launched.say("repeat").text


def test_changing_speed_before_a_section_offers_the_choices(launched: Conversation) -> None:
    turn = launched.say("slower")
    assert message("first_options") in turn.reprompt


def test_speed_is_remembered_in_a_new_session(launched: Conversation) -> None:
    launched.say("slower")
    launched.end()
    assert rate(launched.launch()) == "85%"


def test_brief_is_remembered_in_a_new_session(launched: Conversation) -> None:
    launched.say("brief")
    launched.end()
    launched.launch()
    overview = guide().sections[0]
    assert launched.say("next").text.startswith(f"{overview.title}. {overview.summary}")
