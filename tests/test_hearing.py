"""What `spasm-guide listen` acts on: questions the guide answers, heard from files, and
nothing for speech it does not cover; and the spoken evaluation set bench/voice.py uses.

The recordings are espeak-ng's robotic default voice, the harder of the two test voices
for the open pass. One `listen --input` run hears all five, once for the module.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from content import guide
from skill import cli
from skill.recognition import other_subjects, phrases
from skill.understanding.resolver import resolver
from skill.voice.wav import write_wav

pytest.importorskip("pocketsphinx")

SPOKEN_SET = Path(__file__).resolve().parent / "eval" / "spoken.yaml"
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


@pytest.fixture(scope="module")
def spoken() -> dict[str, list[dict[str, str]]]:
    return yaml.safe_load(SPOKEN_SET.read_text(encoding="utf-8"))


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
