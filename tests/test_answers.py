"""Answers, not pages: the first reply to a question carries what it asked for, and what
the guide does not cover is said plainly."""

from __future__ import annotations

import pytest

from content import guide
from skill.engine.conversation import Conversation
from skill.understanding.own_words import (
    ANSWER,
    CONFIRM,
    NOT_COVERED,
    Candidate,
    Tuning,
    Understanding,
    understander,
)
from skill.understanding.resolver import Resolution
from tests.helpers import FACTS, Fact, message

SCOPE = guide().scope


@pytest.mark.parametrize("fact", FACTS, ids=lambda fact: fact.id)
def test_every_fact_is_in_the_first_reply_to_its_question(launched: Conversation,
                                                          fact: Fact) -> None:
    assert fact.found_in(launched.say(fact.question).text), fact.statement


def test_how_is_it_treated_names_every_treatment_at_once(launched: Conversation) -> None:
    text = launched.say("how is hemifacial spasm treated").text
    for treatment in ("anticonvulsants", "botulinum toxin", "Botox", "microvascular decompression"):
        assert treatment in text
    assert "for a while" in text and "stop the spasms" in text


def test_what_causes_it_says_the_nerve_and_the_vessel_first(launched: Conversation) -> None:
    first_sentences = launched.say("what causes it").text.split(". ")[:2]
    assert "facial nerve" in first_sentences[0]
    assert "blood vessel" in " ".join(first_sentences) or "blood vessel" in launched.say(
        "repeat").text.split(". ")[3]


@pytest.mark.parametrize("said", ["is it contagious", "can I still drive with this",
                                  "how much does the surgery cost", "is it genetic",
                                  "what are the side effects of botox"])
def test_a_question_the_guide_does_not_cover_is_told_plainly(launched: Conversation,
                                                             said: str) -> None:
    turn = launched.say(said)
    assert turn.text.startswith(SCOPE.not_covered_reply)
    assert turn.reprompt.startswith("You could ask:")
    assert not turn.ended


def test_a_question_not_covered_moves_nothing(launched: Conversation) -> None:
    launched.say("how is it treated")
    launched.say("is it contagious")
    assert launched.say("where am I").text.startswith("You're in section 4")


@pytest.mark.parametrize("said", ["what's the weather", "set a timer for ten minutes",
                                  "play some music"])
def test_an_off_topic_request_gets_one_line_and_a_next_step(launched: Conversation,
                                                            said: str) -> None:
    turn = launched.say(said)
    assert turn.text.startswith(SCOPE.off_topic_reply)
    assert turn.reprompt.startswith("You could ask:")


@pytest.mark.parametrize("said", ["is this a stroke?", "my face is drooping",
                                  "I suddenly can't speak properly", "my face went numb"])
def test_stroke_signs_get_the_safety_line(launched: Conversation, said: str) -> None:
    turn = launched.say(said)
    assert turn.text.startswith(SCOPE.safety_reply)
    assert "emergency number" in turn.text
    assert not turn.ended


class _Unsure:
    """Stands in for the resolver: everything said is a close guess at the treatments."""

    def understand(self, text: str) -> Understanding:
        return Understanding(CONFIRM, Resolution("ReadTreatmentIntent"), score=0.6)


@pytest.fixture
def unsure(launched: Conversation) -> Conversation:
    launched.understand = _Unsure()  # type: ignore[assignment]
    return launched


def test_a_close_guess_is_asked_back(unsure: Conversation) -> None:
    assert unsure.say("anything").text == message("did_you_mean", question="how is it treated")


def test_did_you_mean_then_yes_answers_the_question(unsure: Conversation) -> None:
    unsure.say("anything")
    unsure.understand = understander()
    assert unsure.say("yes").text.startswith(guide().section("treatment").pages[0])


def test_did_you_mean_then_no_offers_the_choices(unsure: Conversation) -> None:
    unsure.say("anything")
    unsure.understand = understander()
    turn = unsure.say("no")
    assert guide().section("treatment").pages[0] not in turn.text
    assert message("first_options") in turn.reprompt


@pytest.mark.parametrize(("said", "band"), [
    ("how is hemifacial spasm treated", ANSWER),
    ("waht causes it", ANSWER),
    ("what are the symptoms of hemifacial spasm", ANSWER),
    ("qwzx vlorp", NOT_COVERED),
])
def test_the_resolver_bands(said: str, band: str) -> None:
    assert understander().understand(said).band == band


def _ranked(*scores: tuple[str, float]) -> list[Candidate]:
    return [Candidate(outcome, score, Resolution("X")) for outcome, score in scores]


BANDS = Tuning(confident=0.6, close=0.5)


@pytest.mark.parametrize(("ranked", "band"), [
    (_ranked(("treatment", 0.61), ("botox", 0.3)), ANSWER),
    (_ranked(("SlowerIntent", 0.61), ("botox", 0.3)), ANSWER),
    (_ranked(("treatment", 0.55), ("botox", 0.4)), CONFIRM),
    (_ranked(("SlowerIntent", 0.55), ("botox", 0.4)), NOT_COVERED),
    (_ranked(("treatment", 0.49), ("botox", 0.1)), NOT_COVERED),
])
def test_the_bands_follow_likelihood(ranked: list[Candidate], band: str) -> None:
    """Likely enough: act. Less likely, one of the guide's questions: ask back (a
    command is never asked back: "did you mean slower?" helps nobody). Low: a miss."""
    assert understander().decide(ranked, tuning=BANDS).band == band


def test_a_miss_carries_the_closest_questions() -> None:
    understood = understander().understand("knife")
    assert understood.band == NOT_COVERED
    assert len(understood.near) == 3
    assert set(understood.near) <= understander().topic_ids


def test_a_half_heard_question_is_asked_back_with_its_answer_first() -> None:
    understood = understander().understand("zxqv surgeon")
    assert understood.band == CONFIRM
    assert understood.near[0] == "surgery"


@pytest.mark.parametrize("said", ["ok that's enough for today thank you", "that's all for today"])
def test_a_goodbye_in_many_words_ends_the_session(launched: Conversation, said: str) -> None:
    assert launched.say(said).ended


def test_help_is_one_short_menu(launched: Conversation) -> None:
    turn = launched.say("help")
    assert len(turn.text.split()) <= 35


@pytest.mark.parametrize("said", ["hi", "hello", "um, hi"])
def test_a_greeting_alone_gets_the_short_menu(launched: Conversation, said: str) -> None:
    assert launched.say(said).text.startswith(message("help_general"))
