"""Understand people's own words, typed or heard, for the front-ends that have no Alexa.

Exact matching of the interaction model's samples understood 3 % of questions written
as people ask them. This resolver is tolerant, in four steps, and honest about doubt:

1. the exact samples and slot values (what Alexa itself would surely match);
2. the same after cleaning: contractions open up, texting spellings are written out,
   misspelt words are corrected against the model's own vocabulary, the condition's
   names become "it", and fillers and politeness go;
3. otherwise a classifier fitted on the samples and on how people have asked
   (content/asked/) gives every outcome a likelihood, and the best one's decides one of
   three bands: likely -> act on it; less likely, one of the guide's questions -> "Did
   you mean ...?"; low -> not covered, with the closest questions for the engine to
   suggest;
4. questions the guide must not answer are samples too (content/scope.yaml), so an
   uncovered question finds its own intent and is told so, not the nearest answer.

The samples come only from content/ through the interaction model: a content edit is
understood here exactly as Alexa is taught it. Thresholds were chosen by
bench/tune_understanding.py on those writers, never on the held-out set.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from content import guide
from content.asked import Asked, asked, check_outcomes
from content.text import normalise
from handlers.glossary import NOT_A_WORD
from skill.understanding.classifier import OutcomeClassifier
from skill.understanding.resolver import (
    FALLBACK,
    MODEL_FILE,
    NUMBER_TYPES,
    Resolution,
    Resolver,
    Slot,
    resolver,
)

# The three bands.
ANSWER, CONFIRM, NOT_COVERED = "answer", "confirm", "not_covered"


@dataclass(frozen=True)
class Tuning:
    """How sure is sure enough; chosen by bench/tune_understanding.py with one writer of
    content/asked/ held out at a time, never on the held-out evaluation set."""

    temperature: float = 8.0  # classifier scores -> probabilities: higher is more decisive
    confident: float = 0.7  # act at once
    close: float = 0.6  # a question of the guide's this likely: ask "did you mean"
    ridge: float = 0.5  # the classifier's regularisation


TUNING = Tuning()
# Asked for only in so many words: "what does brainstem mean" reaches the glossary by its
# own pattern (steps 1 and 2) and only for a glossary word; scored, a question that
# merely mentions a word ("is it cranial nerve seven") would be read a definition.
DEFINE_INTENT = "DefineTermIntent"
HELP_INTENT = "AMAZON.HelpIntent"
EXACT_ONLY = frozenset({DEFINE_INTENT})
# A sample that is nothing but a slot ("{section}") matches the whole utterance exactly
# or not at all: scored, any question mentioning "causes" would open that section.
BARE_SLOT = re.compile(r"\{\w+\}")
NEAREST = 3  # questions suggested after a miss

# The ways people name the condition: all become "it", as in the samples' "{it}".
CONDITION_NAMES = re.compile(
    r"\b(?:hemi ?facial|facial) spasms?\b|\bhfs\b|\b(?:this|the|that) condition\b")
# Contractions, texting and everyday words, written as the samples write them.
SPELLINGS = {
    "what's": "what is", "whats": "what is", "wat": "what", "wot": "what", "wht": "what",
    "it's": "it is", "i'm": "i am", "im": "i am", "that's": "that is", "thats": "that is",
    "i've": "i have", "ive": "i have", "don't": "do not", "dont": "do not", "can't": "can not",
    "cant": "can not", "cannot": "can not", "won't": "will not", "wont": "will not",
    "i'd": "i would", "who's": "who is", "where's": "where is", "how's": "how is",
    "we're": "we are", "you're": "you are", "isn't": "is not", "doesn't": "does not",
    "there's": "there is", "u": "you", "r": "are", "ur": "your", "shud": "should",
    "cud": "could", "wud": "would", "dr": "doctor", "docs": "doctors", "gp": "doctor",
    "physician": "doctor", "op": "operation", "meds": "medicine", "medication": "medicine",
    "medications": "medicines", "tablets": "pills", "vii": "seven", "7": "seven",
}
FILLERS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "hmm", "please", "alexa", "ok",
                     "okay", "so", "well", "actually", "basically", "just", "really", "kindly",
                     "hey", "hi", "hello", "thanks", "pls", "plz", "honestly"})
FILLER_PHRASES = re.compile(
    r"\b(?:thank you(?: very much)?|can you tell me|could you tell me|would you tell me|"
    r"i want to know|i would like to know|i wanted to know|i was wondering|do you know|"
    r"i need to know|tell me|excuse me|if you can|if you could|quick question|a question)\b")


def clean(text: str) -> str:
    """Lower case, no punctuation, contractions and texting spelled out."""
    return " ".join(SPELLINGS.get(word, word) for word in normalise(text).split())


def simplify(cleaned: str) -> str:
    """The condition's names -> "it"; fillers and politeness gone."""
    said = FILLER_PHRASES.sub(" ", CONDITION_NAMES.sub("it", cleaned))
    return " ".join(word for word in said.split() if word not in FILLERS)


def comparable(text: str) -> str:
    """One form for samples and for what people say, so both are compared alike."""
    return simplify(clean(text))


@dataclass(frozen=True)
class Understanding:
    """What was understood, how sure, and the closest questions (topic ids) for a miss."""

    band: str
    resolution: Resolution
    near: tuple[str, ...] = ()
    score: float = 1.0


@dataclass(frozen=True)
class Candidate:
    """The best sample of one outcome: what would be said, and how well it matched."""

    outcome: str
    score: float
    resolution: Resolution


@dataclass
class _Samples:
    texts: list[str] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)


class Understander:
    """The tolerant resolver over one interaction model and how people have asked."""

    def __init__(self, exact: Resolver, model: dict[str, Any], embedder: Any,
                 tuning: Tuning = TUNING) -> None:
        self.exact, self.embedder, self.tuning = exact, embedder, tuning
        self.samples = _expanded_samples(model, exact)
        self.literal: dict[str, Resolution] = {}
        self.resolution_of: dict[str, Resolution] = {}
        self.phrasings_of: dict[str, list[tuple[frozenset[str], Resolution]]] = {}
        for text, resolution, outcome in zip(self.samples.texts, self.samples.resolutions,
                                             self.samples.outcomes, strict=True):
            self.literal.setdefault(text, resolution)
            self.resolution_of.setdefault(outcome, resolution)
            self.phrasings_of.setdefault(outcome, []).append((frozenset(text.split()), resolution))
        self.vocabulary = _vocabulary(model)
        self.known_words = list(self.vocabulary)
        self.topic_ids = frozenset(topic.id for topic in guide().topics())
        writers = asked()
        check_outcomes(writers, set(self.resolution_of))
        texts, outcomes = self.training(writers)
        self.learnt_words = frozenset(word for text in texts for word in text.split())
        self.classifier = OutcomeClassifier(self.embedder.embed, texts, outcomes, tuning.ridge)

    def training(self, writers: tuple[Asked, ...]) -> tuple[list[str], list[str]]:
        """The samples and these writers' phrasings, prepared, with their outcomes."""
        texts, outcomes = list(self.samples.texts), list(self.samples.outcomes)
        for writer in writers:
            for said, outcome in writer.phrasings:
                if prepared := self.prepare(said):
                    texts.append(prepared)
                    outcomes.append(outcome)
        return texts, outcomes

    def fit(self, writers: tuple[Asked, ...], ridge: float) -> OutcomeClassifier:
        """A classifier over other writers: the tuning bench fits one without each writer
        in turn, to measure on that writer."""
        return OutcomeClassifier(self.embedder.embed, *self.training(writers), ridge)

    def understand(self, text: str, typed: bool = True) -> Understanding:
        """What was meant, in one of three bands. Text that was not ``typed`` came from the
        speech recogniser, whose words are all real words: correcting their spelling
        would turn a misheard "pick" into "pica"."""
        exact = self.exact.resolve(text)
        if exact.intent != FALLBACK and _fully_resolved(exact):
            return Understanding(ANSWER, exact)
        said = self.prepare(text, correct=typed)
        if not said:  # only a greeting or politeness ("hi", "um, hello"): what can be said
            return Understanding(ANSWER, Resolution(HELP_INTENT)) if text.strip() else \
                Understanding(NOT_COVERED, Resolution(FALLBACK))
        again = self.literal.get(said) or self.exact.resolve(said)
        if again.intent != FALLBACK and _fully_resolved(again):
            return Understanding(ANSWER, again)
        loose = exact if exact.intent != FALLBACK else None
        if loose is not None and (_points_back(loose) or not self._knows_words_of(loose)):
            # "what does that mean": the glossary asks back; "what does florp mean": it
            # says it does not know the word, rather than guess from "what does ... mean".
            return Understanding(ANSWER, loose)
        ranked = self.rank(said)
        if not self.learnt_words.intersection(said.split()):
            # Not one word the guide was taught ("scalpel"): a classifier still picks
            # something, so say plainly it is not covered, with the closest questions.
            return Understanding(NOT_COVERED, Resolution(FALLBACK), self.nearest(ranked),
                                 ranked[0].score)
        return self.decide(ranked, loose)

    def _knows_words_of(self, resolution: Resolution) -> bool:
        """Whether any word in its slots is one the guide's samples use."""
        return any(self._corrected(word) in self.vocabulary
                   for slot in resolution.slots.values() for word in clean(slot.value).split())

    def prepare(self, text: str, correct: bool = True) -> str:
        """Cleaned, corrected (unless not to ``correct``) and simplified: the form the
        samples are kept in."""
        words = clean(text).split()
        return simplify(" ".join(self._corrected(word) for word in words) if correct
                        else " ".join(words))

    def _corrected(self, word: str) -> str:
        """A misspelt word -> the model's own nearest word with the same first letter."""
        if word in self.vocabulary or len(word) < 4 or not word.isalpha():
            return word
        limit = 1 if len(word) < 8 else 2
        found = process.extract(word, self.known_words, scorer=OSA.distance, score_cutoff=limit,
                                limit=None)
        candidates = [(distance, -self.vocabulary[text], text) for text, distance, _ in found
                      if text[0] == word[0]]
        return min(candidates)[2] if candidates else word  # nearest, then most used

    def rank(self, said: str, tuning: Tuning | None = None,
             classifier: OutcomeClassifier | None = None) -> list[Candidate]:
        """Every outcome with how likely it is what was meant, most likely first."""
        tuning, classifier = tuning or self.tuning, classifier or self.classifier
        scores = classifier.scores(said) * tuning.temperature
        likelihood = np.exp(scores - scores.max())
        likelihood /= likelihood.sum()
        order = np.argsort(-likelihood)
        best = classifier.outcomes[order[0]]
        return [Candidate(classifier.outcomes[i], float(likelihood[i]),
                          self.phrasing_like(said, best) if i == order[0]
                          else self.resolution_of[classifier.outcomes[i]])
                for i in order]

    def phrasing_like(self, said: str, outcome: str) -> Resolution:
        """Of the ways to ask for one outcome, the one whose words were said: "the first
        section" reads the section from its title, "what is it" answers at once."""
        words = frozenset(said.split())
        shared = max(self.phrasings_of[outcome], key=lambda p: len(words & p[0]) / len(words | p[0]))
        return shared[1]

    def nearest(self, ranked: list[Candidate]) -> tuple[str, ...]:
        """The guide's questions closest to what was said, for a miss to suggest."""
        return tuple(c.outcome for c in ranked if c.outcome in self.topic_ids)[:NEAREST]

    def decide(self, ranked: list[Candidate], loose: Resolution | None = None,
               tuning: Tuning | None = None) -> Understanding:
        """Likely enough: act. A question of the guide's, less likely: ask back. Else a
        miss, with the guide's closest questions to suggest."""
        tuning = tuning or self.tuning
        best = ranked[0]
        near = self.nearest(ranked)
        if best.score >= tuning.confident:
            return Understanding(ANSWER, best.resolution, near, best.score)
        if best.score >= tuning.close and best.outcome in self.topic_ids:
            return Understanding(CONFIRM, best.resolution, near, best.score)
        if loose is not None:  # "what does xyzzy mean": say it is not a word it knows
            return Understanding(ANSWER, loose, near, best.score)
        return Understanding(NOT_COVERED, Resolution(FALLBACK), near, best.score)


def _points_back(resolution: Resolution) -> bool:
    """'What does that mean': a glossary question about what was just heard."""
    return resolution.intent == DEFINE_INTENT and any(
        slot.value in NOT_A_WORD for slot in resolution.slots.values())


def _fully_resolved(resolution: Resolution) -> bool:
    return all(slot.resolved is not None for slot in resolution.slots.values())


def outcome_of(resolution: Resolution) -> str:
    """What the listener would hear first: asking for a section by name or number starts
    with its answer, so it is the same outcome as that section's question."""
    content = guide()
    topic = content.topic_for_intent(resolution.intent)
    if topic is not None:
        return topic.id
    value = next((s.resolved for s in resolution.slots.values() if s.resolved), None)
    if resolution.intent == "ReadSectionIntent" and value and (found := content.find_section(value)):
        return found.id
    if resolution.intent == "SectionNumberIntent" and value and value.isdigit() and \
            1 <= int(value) <= len(content.sections):
        return content.sections[int(value) - 1].id
    return f"{resolution.intent}:{value}" if value else resolution.intent


def _expanded_samples(model: dict[str, Any], exact: Resolver) -> _Samples:
    """Every sample, normalised, with each slot filled with each of its values."""
    samples = _Samples()

    def add(text: str, resolution: Resolution) -> None:
        said = comparable(text)
        if said:
            samples.texts.append(said)
            samples.resolutions.append(resolution)
            samples.outcomes.append(outcome_of(resolution))

    for intent in model["interactionModel"]["languageModel"]["intents"]:
        if intent["name"] in EXACT_ONLY:
            continue
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            if not BARE_SLOT.fullmatch(sample.strip()):
                for text, slots in _filled(sample, slot_types, exact):
                    add(text, Resolution(intent["name"], slots))
    for phrases in guide().intents:
        for phrase in phrases.builtin_phrases:
            add(phrase, Resolution(phrases.name))
    return samples


def _filled(sample: str, slot_types: dict[str, str],
            exact: Resolver) -> list[tuple[str, dict[str, Slot]]]:
    names = re.findall(r"\{(\w+)\}", sample)
    if len(names) != 1:
        return [] if names else [(sample, {})]
    name = names[0]
    values = exact.spoken_values(slot_types.get(name, ""))
    if slot_types.get(name) in NUMBER_TYPES:  # only the sections there are: "nerve number seven"
        values = {w: n for w, n in values.items() if int(n) <= len(guide().sections)}
    return [(sample.replace("{" + name + "}", spoken), {name: Slot(spoken, canonical)})
            for spoken, canonical in values.items()]


def _vocabulary(model: dict[str, Any]) -> dict[str, int]:
    """Every word people may say to the guide, cleaned but not simplified (so the
    condition's own name is there to correct towards), with how often samples use it."""
    words: Counter[str] = Counter()
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        for sample in intent.get("samples", []):
            words.update(w for w in clean(sample).split() if "{" not in w and "}" not in w)
    for slot_type in model["interactionModel"]["languageModel"].get("types", []):
        for value in slot_type.get("values", []):
            for form in (value["name"]["value"], *value["name"].get("synonyms", [])):
                words.update(clean(form).split())
    return dict(words)


def _load_embedder() -> Any:
    """WordLlama's 256-dimension model, from inside its installed package: never a download."""
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def check_asked(model_file: Path = MODEL_FILE) -> None:
    """How people have asked names only outcomes the model has (a ContentError if not),
    checked without fitting anything: `spasm-guide check` runs it."""
    model = json.loads(model_file.read_text(encoding="utf-8"))
    check_outcomes(asked(), set(_expanded_samples(model, resolver(model_file)).outcomes))


@cache
def understander(model_file: Path = MODEL_FILE) -> Understander:
    model = json.loads(model_file.read_text(encoding="utf-8"))
    return Understander(resolver(model_file), model, _load_embedder())
