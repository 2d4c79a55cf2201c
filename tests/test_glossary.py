"""'What does <word> mean': plain meanings, honest answers for unknown words, and no
way for a heard word to break the reply."""

from __future__ import annotations

import re

import pytest

from content import guide
from handlers import lists, narration
from skill.engine.conversation import Conversation
from skill.engine.reply import Reply
from tests.helpers import asks_for_an_answer, check_reply, message, parse_ssml, send_intent

# The words an unknown-word reply offers: the first few of the glossary.
EXAMPLES = narration.spoken_list([entry.term for entry in guide().glossary[:3]])


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


@pytest.mark.parametrize("said", ["what does that mean", "what does it mean",
                                  "what does this mean", "what does that word mean"])
def test_a_pronoun_is_not_read_back_as_a_word(launched: Conversation, said: str) -> None:
    assert launched.say(said).text == message("term_unknown", examples=EXAMPLES)


def test_that_after_an_answer_names_the_words_just_heard(launched: Conversation) -> None:
    """At most three, in the order the answer says them (this one has five)."""
    launched.say("which artery causes it")
    turn = launched.say("what does that mean")
    assert turn.text == message("term_on_page",
                                examples=narration.spoken_list(["blood vessel", "nerve", "artery"]))


def test_that_in_a_section_names_the_words_on_the_page(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("next")
    turn = launched.say("what does that mean")
    assert turn.text == message("term_on_page", examples=narration.spoken_list(
        ["brainstem", "blood vessel", "nerve"]))


def test_that_in_brief_names_the_words_of_the_summary(launched: Conversation) -> None:
    launched.say("brief")
    launched.say("section two")
    turn = launched.say("what does it mean")
    assert turn.text == message("term_on_page", examples=narration.spoken_list(
        ["blood vessel", "facial nerve", "nerve"]))


def test_that_after_words_without_glossary_words_gets_the_usual_examples(
        launched: Conversation) -> None:
    launched.say("where does it start")  # its answer has no glossary word
    assert launched.say("what does that mean").text == message("term_unknown", examples=EXAMPLES)


def test_an_unknown_word_in_a_section_still_gets_the_usual_examples(launched: Conversation) -> None:
    launched.say("which artery causes it")
    turn = launched.say("what does florp mean")
    assert turn.text == message("term_unknown_heard", heard="florp", examples=EXAMPLES)


def test_after_an_unknown_word_next_carries_on_reading(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("what does florp mean")
    assert launched.say("next").text.startswith(guide().section("causes").pages[1])


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


@pytest.mark.parametrize(("said", "section_id"), [
    ("define hemifacial spasm", "overview"),
    ("what are the treatments", "treatment"),
    ("what are the causes", "causes"),
])
def test_a_section_asked_for_as_a_word_is_answered(launched: Conversation, said: str,
                                                  section_id: str) -> None:
    section = guide().section(section_id)
    assert launched.say(said).text.startswith(section.pages[0])


def test_after_a_section_asked_for_as_a_word_next_reads_on_in_it(launched: Conversation) -> None:
    launched.say("what are the treatments")
    assert launched.say("next").text.startswith(guide().section("treatment").pages[1])


def test_after_a_meaning_next_carries_on_reading(launched: Conversation) -> None:
    launched.say("what causes it")
    launched.say("what does brainstem mean")
    assert launched.say("next").text.startswith(guide().section("causes").pages[1])


# --- "What words can you explain": a few words a reply, then more on request ---------------

TERMS = [entry.term for entry in guide().glossary]
CHUNK = lists.LIST_CHUNK
# The lead-ins of the first reply and of the ones after it, as templates.
LEADS = ("glossary_list", "list_more")


def words_named(text: str) -> list[str]:
    """The words a glossary reply names, read back from its spoken list 'a, b, and c.'"""
    for key in LEADS:
        before, after = guide().messages[key].split("{items}")
        if text.startswith(before):
            listed = text[len(before):].split(after + " ", 1)[0]
            return [w for w in re.split(r",\s*(?:and\s+)?|\s+and\s+", listed) if w]
    raise AssertionError(f"not a glossary list: {text!r}")


def hear_every_word(conversation: Conversation) -> list[Reply]:
    """Ask for the word list, then say more until it says that was all (or clearly loops)."""
    turns = [conversation.say("what words can you explain")]
    while turns[-1].reprompt != message("glossary_prompt") and len(turns) <= len(TERMS):
        turns.append(conversation.say("more"))
    return turns


@pytest.fixture
def listing(launched: Conversation) -> Conversation:
    """A listener who has just heard the first words of the glossary list."""
    launched.say("what words can you explain")
    return launched


def test_the_glossary_has_more_words_than_one_reply_names() -> None:
    assert len(TERMS) > CHUNK  # otherwise the tests below prove nothing about chunks


def test_the_first_reply_names_exactly_the_first_words(launched: Conversation) -> None:
    turn = launched.say("what words can you explain")
    assert words_named(turn.text) == TERMS[:CHUNK]


def test_the_first_reply_offers_the_next_words(launched: Conversation) -> None:
    turn = launched.say("glossary")
    assert turn.reprompt == message("glossary_more")
    assert asks_for_an_answer(turn.reprompt)


@pytest.mark.parametrize("said", ["more", "next", "yes"])
def test_more_next_or_yes_names_the_next_words(listing: Conversation, said: str) -> None:
    turn = listing.say(said)
    assert words_named(turn.text) == TERMS[CHUNK:2 * CHUNK]


def test_every_word_is_named_once_in_order_across_the_replies(launched: Conversation) -> None:
    named = [word for turn in hear_every_word(launched) for word in words_named(turn.text)]
    assert named == TERMS


def test_no_reply_names_more_than_five_words(launched: Conversation) -> None:
    assert all(len(words_named(turn.text)) <= CHUNK for turn in hear_every_word(launched))


def test_the_last_reply_says_that_was_all_and_offers_a_next_step(launched: Conversation) -> None:
    last = hear_every_word(launched)[-1]
    assert last.reprompt == message("glossary_prompt")
    assert last.text.endswith(message("glossary_prompt"))
    assert asks_for_an_answer(last.reprompt)
    assert not last.ended


def test_every_reply_before_the_last_offers_more(launched: Conversation) -> None:
    turns = hear_every_word(launched)
    assert [turn.reprompt for turn in turns[:-1]] == [message("glossary_more")] * (len(turns) - 1)


def test_repeat_says_the_same_words_again(listing: Conversation) -> None:
    heard = listing.say("more")
    again = listing.say("repeat")
    assert (again.text, again.reprompt) == (heard.text, heard.reprompt)


def test_after_repeat_more_goes_on_from_the_same_place(listing: Conversation) -> None:
    listing.say("repeat")
    assert words_named(listing.say("more").text) == TERMS[CHUNK:2 * CHUNK]


def test_a_meaning_asked_in_the_middle_keeps_the_place(listing: Conversation) -> None:
    listing.say("what does brainstem mean")
    assert words_named(listing.say("next").text) == TERMS[CHUNK:2 * CHUNK]


def test_a_meaning_asked_in_the_middle_offers_the_next_words(listing: Conversation) -> None:
    assert listing.say("what does brainstem mean").reprompt == message("glossary_more")


def test_a_misheard_word_in_the_middle_offers_the_next_words_again(listing: Conversation) -> None:
    assert listing.say("banana bread").reprompt == message("glossary_more")
    assert words_named(listing.say("more").text) == TERMS[CHUNK:2 * CHUNK]


def test_a_section_asked_for_as_a_word_leaves_the_list(listing: Conversation) -> None:
    listing.say("what are the causes")
    assert listing.say("next").text.startswith(guide().section("causes").pages[1])


@pytest.mark.parametrize("aside", ["help", "where am I", "section two"])
def test_anything_else_leaves_the_list_so_next_reads_the_guide(listing: Conversation,
                                                               aside: str) -> None:
    listing.say(aside)
    more_words = guide().messages["list_more"].split("{items}")[0]  # "Then: "
    assert not listing.say("next").text.startswith(more_words)


def test_a_new_speed_in_the_middle_names_the_same_words_again(listing: Conversation) -> None:
    listing.say("more")
    turn = listing.say("slower")
    lead = "Okay, a bit slower. That's slower than normal."
    assert turn.text.startswith(lead)
    assert words_named(turn.text.removeprefix(lead).lstrip()) == TERMS[CHUNK:2 * CHUNK]


def test_after_a_new_speed_more_goes_on_from_the_same_place(listing: Conversation) -> None:
    listing.say("slower")
    assert words_named(listing.say("more").text) == TERMS[CHUNK:2 * CHUNK]


def test_asking_for_the_list_again_starts_from_the_first_words(listing: Conversation) -> None:
    listing.say("more")
    assert words_named(listing.say("glossary").text) == TERMS[:CHUNK]


def test_after_the_last_words_next_reads_the_guide(launched: Conversation) -> None:
    hear_every_word(launched)
    assert launched.say("next").text.startswith(
        message("section_heading", title=guide().sections[0].title))


def test_after_the_last_words_next_carries_on_where_the_listener_was(
        launched: Conversation) -> None:
    launched.say("what causes it")
    hear_every_word(launched)
    assert launched.say("next").text.startswith(guide().section("causes").pages[1])


def test_after_no_next_reads_the_guide_not_more_words(listing: Conversation) -> None:
    listing.say("no")
    assert listing.say("next").text.startswith(
        message("section_heading", title=guide().sections[0].title))
