"""'What does <word> mean': plain meanings, honest answers for unknown words, and no
way for a heard word to break the reply."""

from __future__ import annotations

import pytest

from content import guide
from skill.conversation import Conversation
from tests.helpers import check_reply, message, parse_ssml, send_intent


def meaning(term: str) -> str:
    entry = guide().find_term(term)
    assert entry is not None
    return entry.meaning


def test_a_known_word_gets_its_meaning(launched: Conversation) -> None:
    turn = launched.say("what does brainstem mean")
    assert turn.text == f"{meaning('brainstem')} {message('term_prompt')}"


def test_another_way_of_saying_a_word_gets_its_meaning(launched: Conversation) -> None:
    turn = launched.say("what does PICA mean")
    assert turn.text.startswith(meaning("posterior inferior cerebellar artery"))


def test_a_word_as_alexa_resolves_it(launched: Conversation) -> None:
    turn = send_intent(launched, "DefineTermIntent", term="Botox")
    assert turn.text.startswith(meaning("botulinum toxin"))


def test_an_unknown_word_gets_an_honest_answer_with_examples(launched: Conversation) -> None:
    turn = launched.say("what does flibbertigibbet mean")
    examples = [entry.term for entry in guide().glossary[:3]]
    assert turn.text.startswith("I don't know the word flibbertigibbet yet.")
    assert all(example in turn.text for example in examples)
    assert not turn.ended


def test_no_word_at_all_gets_the_examples(launched: Conversation) -> None:
    turn = send_intent(launched, "DefineTermIntent")
    assert turn.text.startswith("I don't know that word yet.")


def test_a_very_long_word_is_not_read_back(launched: Conversation) -> None:
    turn = send_intent(launched, "DefineTermIntent", term="blah " * 2000)
    assert "blah" not in turn.text
    assert turn.text.startswith("I don't know that word yet.")
    check_reply(turn)


@pytest.mark.parametrize("heard", [
    '<audio src="https://example.com/x.mp3"/>',
    "</speak><speak>hello",
    "stem & <brain>",
    "x\x00y\x1b",
])
def test_markup_in_a_heard_word_is_not_read_back_and_cannot_break_the_reply(
        launched: Conversation, heard: str) -> None:
    turn = send_intent(launched, "DefineTermIntent", term=heard)
    root = parse_ssml(turn.ssml)
    assert {element.tag for element in root.iter()} <= {"speak", "break"}
    assert turn.text.startswith("I don't know that word yet.")


def test_after_a_meaning_next_carries_on_reading(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("what does brainstem mean")
    assert launched.say("next").text.startswith(guide().section("causes").pages[1])


def test_the_glossary_list_names_every_word(launched: Conversation) -> None:
    turn = launched.say("glossary")
    assert all(entry.term in turn.text for entry in guide().glossary)
    assert turn.reprompt == message("glossary_prompt")
