"""The open pass's language model: built from the guide's own sentences, a proper
probability model, and written as ARPA text PocketSphinx can read."""

from __future__ import annotations

import math
import re

import pytest

from skill.understanding.language_model import END, START, build

SENTENCES = ("what causes it", "what causes the spasms", "how is it treated", "is it serious",
             "what is it", "next", "go back")


def vocabulary(model) -> list[str]:
    return [gram[0] for gram in model.probs[1] if gram[0] != START]


@pytest.mark.parametrize("history", [(), ("what",), (START, "what"), ("is", "it"), ("zebra",)])
@pytest.mark.parametrize("general", [None, {"the": 0.5, "weather": 0.3, "is": 0.2}])
def test_every_history_gives_a_distribution(history: tuple[str, ...], general) -> None:
    """After any words, seen or not, the next word's probabilities add up to one."""
    model = build(SENTENCES, general, general_share=0.1 if general else 0.0)
    total = sum(model.prob((*history, word)) for word in vocabulary(model))
    assert total == pytest.approx(1.0, abs=1e-6)


def likelihood(model, sentence: str) -> float:
    """The whole sentence's probability, word by word after up to two words before."""
    words = (START, *sentence.split(), END)
    return math.prod(model.prob(words[max(0, i - 2):i + 1]) for i in range(1, len(words)))


def test_the_guides_wording_is_likelier_than_the_same_words_shuffled() -> None:
    model = build(SENTENCES)
    assert likelihood(model, "what causes it") > 100 * likelihood(model, "causes what it")


def test_general_words_are_possible_but_the_guides_are_likelier() -> None:
    model = build(SENTENCES, {"weather": 1.0, "it": 1.0}, general_share=0.05)
    assert 0 < model.prob(("weather",)) < model.prob(("causes",))
    assert model.prob(("is", "it")) > model.prob(("is", "weather"))


def test_arpa_text_has_its_counts_and_log_probabilities() -> None:
    model = build(SENTENCES)
    text = model.arpa()
    counts = dict(re.findall(r"^ngram (\d)=(\d+)$", text, re.M))
    assert counts == {str(n): str(len(model.probs[n])) for n in (1, 2, 3)}
    line = next(line for line in text.splitlines() if line.endswith("\twhat causes it"))
    assert float(line.split("\t")[0]) == pytest.approx(math.log10(model.prob(("what", "causes", "it"))))
    assert f"\t{END}" in text and text.rstrip().endswith("\\end\\")


def test_the_open_pass_knows_the_guides_words_from_the_content() -> None:
    """Generated from the interaction model at start-up, so a word the content uses is in
    it, with no list kept by hand."""
    pytest.importorskip("pocketsphinx")
    from skill.understanding.grammar import phrases
    from skill.understanding.open_pass import GENERAL_WORDS, general_words, open_model

    common = general_words()
    assert len(common) == GENERAL_WORDS and "the" in common and "hemifacial" not in common
    said = tuple(phrase for phrase in phrases() if "hemifacial" in phrase)[:50]
    assert re.search(r"^\S+\themifacial(?:\t|$)", open_model(said), re.M)
