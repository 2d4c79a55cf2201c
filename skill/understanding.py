"""Understand people's own words, typed or heard, for the front-ends that have no Alexa.

Exact matching of the interaction model's samples understood 3 % of questions written
as people ask them. This resolver is tolerant, in four steps, and honest about doubt:

1. the exact samples and slot values (what Alexa itself would surely match);
2. the same after normalising: the condition's names become "it", fillers and
   politeness go, contractions open up, and misspelt words are corrected against the
   model's own vocabulary;
3. otherwise every sample is scored against the whole utterance with two measures, word
   meaning (WordLlama static embeddings, shipped inside its wheel) and spelling
   (rapidfuzz), and the best intent's score decides one of three bands:
   confident -> act on it; close -> "Did you mean ...?"; low -> not covered;
4. questions the guide must not answer are samples too (scope.yaml), so an uncovered
   question finds its own intent, and is told plainly, instead of the nearest answer.

The samples come only from content/ through the interaction model: a content edit is
understood here exactly as Alexa would be taught it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from content import guide
from skill.utterances import FALLBACK, MODEL_FILE, Resolution, Resolver, Slot, resolver, tidy

# The three bands.
ANSWER, CONFIRM, NOT_COVERED = "answer", "confirm", "not_covered"
# Scores (0-1) that separate them: tuned on tests/eval/dev.yaml, never on the held-out
# evaluation set (tests/eval/phrasings.yaml), which only measures them.
CONFIDENT = 0.80
CLOSE = 0.68
# The winner must beat the best other intent by this much to be acted on at once.
MARGIN = 0.03
# Weights of the two measures in a sample's score.
MEANING_WEIGHT = 0.6
SPELLING_WEIGHT = 0.4
NEAREST = 3  # topics suggested after a miss

CONDITION_NAMES = re.compile(
    r"\b(?:hemi ?facial|hemifacal|hemifical|hemi-facial|facial) spasms?\b|\bhfs\b"
    r"|\b(?:this|the|that) (?:condition|disorder|problem)\b|\bhemifacial\b")
CONTRACTIONS = {"what's": "what is", "whats": "what is", "it's": "it is", "its": "it is",
                "i'm": "i am", "im": "i am", "that's": "that is", "thats": "that is",
                "i've": "i have", "ive": "i have", "don't": "do not", "dont": "do not",
                "can't": "can not", "cant": "can not", "cannot": "can not", "won't": "will not",
                "i'd": "i would", "who's": "who is", "where's": "where is", "how's": "how is",
                "let's": "let us", "we're": "we are", "you're": "you are", "isn't": "is not",
                "doesn't": "does not", "there's": "there is", "wat": "what", "wot": "what"}
FILLERS = {"um", "umm", "uh", "uhh", "er", "erm", "hmm", "please", "alexa", "ok", "okay", "so",
           "well", "actually", "basically", "just", "really", "kindly", "hey", "hi", "hello",
           "thanks", "pls", "plz"}
FILLER_PHRASES = re.compile(
    r"\b(?:thank you(?: very much)?|can you tell me|could you tell me|would you tell me|"
    r"i want to know|i would like to know|i wanted to know|i was wondering|do you know|"
    r"i need to know|tell me|excuse me|if you can|if you could|quick question|a question)\b")


def normalise(text: str) -> str:
    """One form for samples and for what people say, so both are compared alike."""
    said = tidy(text)
    said = " ".join(CONTRACTIONS.get(word, word) for word in said.split())
    said = CONDITION_NAMES.sub("it", said)
    said = FILLER_PHRASES.sub(" ", said)
    return " ".join(word for word in said.split() if word not in FILLERS)


@dataclass(frozen=True)
class Understanding:
    """What was understood, how sure, and the closest questions (topic ids) for a miss."""

    band: str
    resolution: Resolution
    near: tuple[str, ...] = ()
    score: float = 1.0


@dataclass
class _Samples:
    texts: list[str] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)

    def add(self, text: str, resolution: Resolution) -> None:
        self.texts.append(text)
        self.resolutions.append(resolution)


class Understander:
    """The tolerant resolver over one interaction model."""

    def __init__(self, exact: Resolver, model: dict[str, Any], embedder: Any) -> None:
        self.exact = exact
        self.embedder = embedder
        self.samples = _expanded_samples(model, exact)
        self.literal = {}
        for text, resolution in zip(self.samples.texts, self.samples.resolutions, strict=True):
            self.literal.setdefault(text, resolution)
        self.vocabulary = _vocabulary(self.samples.texts)
        self.vectors = self._embed(self.samples.texts)
        self.topic_of = {topic.intent_name: topic.id for topic in guide().topics()}

    def understand(self, text: str) -> Understanding:
        exact = self.exact.resolve(text)
        if exact.intent != FALLBACK and _fully_resolved(exact):
            return Understanding(ANSWER, exact)
        said = self.correct(normalise(text))
        if not said:
            return Understanding(NOT_COVERED, Resolution(FALLBACK))
        again = self.literal.get(said) or self.exact.resolve(said)
        if again.intent != FALLBACK and _fully_resolved(again):
            return Understanding(ANSWER, again)
        return self._score(said, loose=exact if exact.intent != FALLBACK else None)

    def correct(self, said: str) -> str:
        """Misspelt words -> the model's own: 'waht causes it' -> 'what causes it'."""
        return " ".join(self._corrected(word) for word in said.split())

    def _corrected(self, word: str) -> str:
        if word in self.vocabulary or len(word) < 4 or not word.isalpha():
            return word
        limit = 1 if len(word) < 8 else 2
        candidates = process.extract(word, self.vocabulary, scorer=OSA.distance,
                                     score_cutoff=limit, limit=2)
        candidates = [c for c in candidates if c[0][0] == word[0]]
        if not candidates or (len(candidates) > 1 and candidates[0][1] == candidates[1][1]):
            return word
        return candidates[0][0]

    def _score(self, said: str, loose: Resolution | None) -> Understanding:
        scores = self._sample_scores(said)
        best_per_intent: dict[str, tuple[float, int]] = {}
        for index in np.argsort(-scores):
            intent = self.samples.resolutions[index].intent
            if intent not in best_per_intent:
                best_per_intent[intent] = (float(scores[index]), int(index))
        ranked = sorted(best_per_intent.items(), key=lambda item: -item[1][0])
        near = tuple(self.topic_of[name] for name, _ in ranked if name in self.topic_of)[:NEAREST]
        (intent, (score, index)), runner_up = ranked[0], ranked[1][1][0] if len(ranked) > 1 else 0.0
        resolution = self.samples.resolutions[index]
        if score >= CONFIDENT and score - runner_up >= MARGIN:
            return Understanding(ANSWER, resolution, near, score)
        if score >= CLOSE and intent in self.topic_of:
            return Understanding(CONFIRM, resolution, near, score)
        if score >= CLOSE and intent not in self.topic_of and score - runner_up >= MARGIN:
            return Understanding(ANSWER, resolution, near, score)  # scope, safety, navigation
        if loose is not None:  # "what does xyzzy mean": say the word is not one it knows
            return Understanding(ANSWER, loose, near, score)
        return Understanding(NOT_COVERED, Resolution(FALLBACK), near, score)

    def _sample_scores(self, said: str) -> np.ndarray:
        meaning = self.vectors @ self._embed([said])[0]
        spelling = np.zeros(len(self.samples.texts))
        for _text, value, index in process.extract(said, self.samples.texts, scorer=fuzz.token_sort_ratio,
                                                   limit=None):
            spelling[index] = value / 100
        return MEANING_WEIGHT * meaning + SPELLING_WEIGHT * spelling

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


def _fully_resolved(resolution: Resolution) -> bool:
    return all(slot.resolved is not None for slot in resolution.slots.values())


def _expanded_samples(model: dict[str, Any], exact: Resolver) -> _Samples:
    """Every sample, normalised, with each slot filled with each of its values."""
    samples = _Samples()
    language = model["interactionModel"]["languageModel"]
    for intent in language["intents"]:
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            for text, slots in _filled(sample, slot_types, exact):
                samples.add(normalise(text), Resolution(intent["name"], slots))
    for phrases in guide().intents:
        for phrase in phrases.builtin_phrases:
            samples.add(normalise(phrase), Resolution(phrases.name))
    keep = [i for i, text in enumerate(samples.texts) if text]
    return _Samples([samples.texts[i] for i in keep], [samples.resolutions[i] for i in keep])


def _filled(sample: str, slot_types: dict[str, str],
            exact: Resolver) -> list[tuple[str, dict[str, Slot]]]:
    names = re.findall(r"\{(\w+)\}", sample)
    if not names:
        return [(sample, {})]
    if len(names) > 1:
        return []
    name = names[0]
    values = exact.spoken_values(slot_types.get(name, ""))
    return [(sample.replace("{" + name + "}", spoken), {name: Slot(spoken, canonical)})
            for spoken, canonical in values.items()]


def _vocabulary(texts: list[str]) -> list[str]:
    words = {word for text in texts for word in text.split()}
    words.update(word for entry in guide().glossary for word in tidy(entry.term).split())
    return sorted(words)


def _load_embedder() -> Any:
    """WordLlama's 256-dimension model, from inside its installed package: never a download."""
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


@cache
def understander(model_file: Path = MODEL_FILE) -> Understander:
    import json

    model = json.loads(model_file.read_text(encoding="utf-8"))
    return Understander(resolver(model_file), model, _load_embedder())
