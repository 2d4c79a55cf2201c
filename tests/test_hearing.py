"""What `spasm-guide listen` acts on: questions the guide answers, heard from files, and
nothing for speech it does not cover; and the spoken evaluation set bench/voice.py uses.

The recordings are espeak-ng's robotic default voice, the harder of the two test voices
for the open pass. One `listen --input` run hears all five, once for the module.
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from content import guide
from skill import cli
from skill.understanding.grammar import other_subjects, phrases
from skill.understanding.own_words import NOT_COVERED, understander
from skill.understanding.recognition import (
    FLOOR_FIT,
    GRAMMAR_PASS,
    OPEN_PASS,
    SHORT_PHRASE,
    SURE_FIT,
    UNCOVERED,
    UNCOVERED_COMMAND,
    Heard,
    Recognizer,
    fit,
    uncovered,
)
from skill.understanding.resolver import resolver
from skill.voice.wav import write_wav

pytest.importorskip("pocketsphinx")

SPOKEN_SET = Path(__file__).resolve().parent / "eval" / "spoken.yaml"
DEV_SET = SPOKEN_SET.with_name("spoken_dev.yaml")
ANSWERED = {"how is hemifacial spasm treated": "how is it treated",
            "which doctor should I see": "who should I see",
            "what are the signs of hemifacial spasm": "what are the symptoms"}
NOT_ACTED_ON = ("is it contagious", "set a timer for ten minutes")


@pytest.fixture(scope="module")
def replies(espeak, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each recording's reply in one `listen --input` run over all of them."""
    folder = tmp_path_factory.mktemp("said")
    said = [*ANSWERED, *NOT_ACTED_ON]
    for number, text in enumerate(said):
        speech = espeak.synthesize(text)
        write_wav(folder / f"{number:02d}.wav", speech.samples, speech.sample_rate)
    capture = tmp_path_factory.mktemp("out") / "transcript.txt"
    with capture.open("w", encoding="utf-8") as out, pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        assert cli.main(["listen", "--input", str(folder), "--voice", "espeak",
                         "--data-dir", str(tmp_path_factory.mktemp("data"))]) == 0
    guide_lines = re.findall(r"^guide: (.*)$", capture.read_text(encoding="utf-8"), re.M)
    return dict(zip(said, guide_lines[1:], strict=True))  # after the welcome


def first_answer(question: str, conversation) -> str:
    conversation.launch()
    return conversation.say(question).text.split(". ")[0]


@pytest.mark.parametrize("said", list(ANSWERED))
def test_a_question_in_other_words_is_answered(said: str, replies: dict[str, str],
                                               conversation) -> None:
    assert first_answer(ANSWERED[said], conversation) in replies[said]


@pytest.mark.parametrize("said", NOT_ACTED_ON)
def test_speech_the_guide_does_not_cover_is_not_acted_on(said: str,
                                                          replies: dict[str, str]) -> None:
    content = guide()
    harmless = (content.message("not_caught"), content.scope.not_covered_reply,
                content.scope.off_topic_reply)
    assert replies[said].startswith(harmless), replies[said]


# ------------------------------------------------------------ the spoken evaluation set


def load(path: Path) -> dict[str, list[dict[str, str]]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=[SPOKEN_SET, DEV_SET], ids=["measure", "dev"])
def spoken(request: pytest.FixtureRequest) -> dict[str, list[dict[str, str]]]:
    """The measurement set, and the development set the recogniser was tuned on."""
    return load(request.param)


@pytest.fixture(scope="module")
def grammar() -> set[str]:
    return set(phrases(resolver(), other_subjects()))


@pytest.mark.parametrize("group", ["in_grammar", "in_scope", "out_of_scope"])
def test_each_group_has_twenty_phrasings(group: str, spoken) -> None:
    assert len(spoken[group]) >= 20


def test_in_grammar_phrasings_are_in_the_grammar(spoken, grammar: set[str]) -> None:
    assert [p["said"] for p in spoken["in_grammar"] if p["said"] not in grammar] == []


@pytest.mark.parametrize("group", ["in_scope", "out_of_scope"])
def test_other_phrasings_are_not_samples(group: str, spoken) -> None:
    """Out of the grammar and out of the content: they measure what it was not taught."""
    samples = set(phrases(resolver()))
    assert [p["said"] for p in spoken[group] if p["said"] in samples] == []


def test_the_development_set_does_not_copy_the_measurement_set() -> None:
    measured = {p["said"] for group in load(SPOKEN_SET).values() for p in group}
    assert [p["said"] for group in load(DEV_SET).values() for p in group if p["said"] in measured] == []


# ------------------------------------------------------- weighing the two passes


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return Recognizer()


def grammar_heard(recognizer: Recognizer, phrase: str, fitness: float,
                  share_unheard: float = 0.0) -> Heard:
    return dataclasses.replace(recognizer.judge(phrase), fit=fitness, uncovered=share_unheard)


LONG = "what are the symptoms"  # a question of SHORT_PHRASE words: it must fit to stand


def test_a_short_command_stands_however_it_fits(recognizer: Recognizer) -> None:
    heard = recognizer.decide(grammar_heard(recognizer, "next", -1.0), "how is it treated")
    assert (heard.heard_by, heard.text) == (GRAMMAR_PASS, "next")


def test_a_phrase_that_fits_well_stands_against_the_open_pass(recognizer: Recognizer) -> None:
    assert len(LONG.split()) >= SHORT_PHRASE
    heard = recognizer.decide(grammar_heard(recognizer, LONG, SURE_FIT), "how is it treated")
    assert (heard.heard_by, heard.text) == (GRAMMAR_PASS, LONG)


def test_below_a_good_fit_the_open_pass_answer_wins(recognizer: Recognizer) -> None:
    fitness = (SURE_FIT + FLOOR_FIT) / 2
    heard = recognizer.decide(grammar_heard(recognizer, LONG, fitness), "how is it treated")
    assert (heard.heard_by, heard.text) == (OPEN_PASS, "how is it treated")
    unclear = recognizer.decide(grammar_heard(recognizer, LONG, fitness), "")
    assert (unclear.heard_by, unclear.text) == (GRAMMAR_PASS, LONG)


def test_a_phrase_that_fits_badly_is_not_caught(recognizer: Recognizer) -> None:
    heard = recognizer.decide(grammar_heard(recognizer, LONG, FLOOR_FIT * 2), "")
    assert not heard.understood and heard.raw == LONG


PART_OF_A_SENTENCE = UNCOVERED + 0.1


def test_a_command_inside_a_longer_sentence_does_not_stand(recognizer: Recognizer) -> None:
    between = (UNCOVERED_COMMAND + UNCOVERED) / 2  # enough for a question, not for a command
    heard = recognizer.decide(grammar_heard(recognizer, "next", -1.0, between), "")
    assert not heard.understood and heard.raw == "next"


def test_a_question_inside_a_longer_sentence_yields_to_what_the_open_pass_heard(
        recognizer: Recognizer) -> None:
    """"How do I treat it" fits "how do I treat a sore throat" well; the rest of the
    sentence, left to silences, says it is about something else."""
    grammar = grammar_heard(recognizer, "how do i treat it", SURE_FIT, PART_OF_A_SENTENCE)
    heard = recognizer.decide(grammar, "how do i treat a sore throat")
    assert heard.heard_by == OPEN_PASS and heard.resolution.intent == "OffTopicIntent"


def test_an_unsure_open_guess_that_disagrees_with_the_grammar_is_not_acted_on(
        recognizer: Recognizer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skill.understanding.recognition.HEARD_SURE", 1.01)  # no guess is sure
    grammar = grammar_heard(recognizer, LONG, FLOOR_FIT * 2)
    heard = recognizer.decide(grammar, "how is it treated")
    assert not heard.understood


def test_an_unsure_open_guess_the_grammar_agrees_with_is_taken(
        recognizer: Recognizer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("skill.understanding.recognition.HEARD_SURE", 1.01)
    grammar = grammar_heard(recognizer, "how is it treated", FLOOR_FIT * 2)
    heard = recognizer.decide(grammar, "how do they treat it")
    assert heard.heard_by == OPEN_PASS and heard.text == "how do they treat it"


def test_heard_words_are_not_spelling_corrected() -> None:
    """The recogniser only gives real words: "pick" is no misspelt "pica"."""
    assert understander().understand("the pick along", typed=False).band == NOT_COVERED


def test_uncovered_is_the_share_of_frames_in_silences_and_noises() -> None:
    grammar = segments(("<sil>", 0, 29, -0.5), ("next", 30, 59, -0.06), ("[NOISE]", 60, 99, -1.0))
    assert uncovered(grammar) == pytest.approx(0.7)


def segments(*spans: tuple[str, int, int, float]) -> SimpleNamespace:
    """A decoder's last hypothesis as PocketSphinx gives it: words with frames and scores."""
    found = [SimpleNamespace(word=word, start_frame=first, end_frame=last, ascore=math.exp(score))
             for word, first, last, score in spans]
    return SimpleNamespace(seg=lambda: iter(found), n_frames=lambda: 100)


def test_fit_compares_the_words_with_the_phones_over_the_same_frames() -> None:
    grammar = segments(("<sil>", 0, 9, -0.5), ("next", 10, 29, -0.06))
    phones = segments(("SIL", 0, 9, 0.0), ("N", 10, 19, -0.01), ("EH", 20, 39, -0.04))
    # "next": -0.06 against N (-0.01) and half of EH (-0.02), over its 20 frames
    assert fit(grammar, phones) == pytest.approx((-0.06 + 0.03) / 20)
    assert fit(segments(("<sil>", 0, 9, -0.5)), phones) == -math.inf  # no words at all
