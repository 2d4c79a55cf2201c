"""Understand people's own words, typed or heard, for the front-ends that have no Alexa.

Exact matching of the interaction model's samples understood 3 % of questions written
as people ask them. This resolver is tolerant, in four steps, and honest about doubt:

1. the exact samples and slot values (what Alexa itself would surely match);
2. the same after cleaning: contractions open up, texting spellings are written out,
   misspelt words are corrected against the model's own vocabulary, the condition's
   names become "it", and fillers and politeness go;
3. otherwise every sample is scored against the whole utterance with two measures, word
   meaning (WordLlama static embeddings, shipped inside its wheel) and shared words
   (weighted by how rare each is among the intents), and the best outcome's score
   decides one of three bands: confident -> act on it; close -> "Did you mean ...?";
   low -> not covered, with the closest questions for the engine to suggest;
4. questions the guide must not answer are samples too (content/scope.yaml), so an
   uncovered question finds its own intent and is told so, not the nearest answer.

The samples come only from content/ through the interaction model: a content edit is
understood here exactly as Alexa is taught it. Weights and thresholds were chosen by
bench/tune_understanding.py on the development sets, never on the held-out set.
"""

from __future__ import annotations

import json
import math
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
from content.text import normalise
from handlers.glossary import NOT_A_WORD
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
    """How sure is sure enough; chosen on the development sets (see the module doc)."""

    meaning_weight: float = 0.6  # the rest is shared words
    recall_weight: float = 0.5  # of shared words: how much of the sample was said
    confident: float = 0.55  # act at once, if clearly ahead of the next outcome
    sure: float = 0.8  # act at once even when another outcome is close behind
    close: float = 0.55  # ask "did you mean" (answers), or act (everything else, if ahead)
    margin: float = 0.06  # "clearly ahead"
    clause_weight: float = 0.95  # a clause of a long sentence counts a little less than all of it


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
    """The tolerant resolver over one interaction model."""

    def __init__(self, exact: Resolver, model: dict[str, Any], embedder: Any,
                 tuning: Tuning = TUNING) -> None:
        self.exact, self.embedder, self.tuning = exact, embedder, tuning
        self.samples = _expanded_samples(model, exact)
        self.literal: dict[str, Resolution] = {}
        for text, resolution in zip(self.samples.texts, self.samples.resolutions, strict=True):
            self.literal.setdefault(text, resolution)
        self.vocabulary = _vocabulary(model)
        self.known_words = list(self.vocabulary)
        self.vectors = self._embed(self.samples.texts)
        self.words = _WordOverlap(self.samples.texts, self.samples.outcomes)
        self.topic_ids = frozenset(topic.id for topic in guide().topics())
        self._outcome_index = {name: i for i, name in enumerate(dict.fromkeys(self.samples.outcomes))}
        self._sample_outcome = np.array([self._outcome_index[o] for o in self.samples.outcomes])

    def understand(self, text: str) -> Understanding:
        exact = self.exact.resolve(text)
        if exact.intent != FALLBACK and _fully_resolved(exact):
            return Understanding(ANSWER, exact)
        said = self.prepare(text)
        if not said:  # only a greeting or politeness ("hi", "um, hello"): what can be said
            return Understanding(ANSWER, Resolution(HELP_INTENT)) if text.strip() else \
                Understanding(NOT_COVERED, Resolution(FALLBACK))
        again = self.literal.get(said) or self.exact.resolve(said)
        if again.intent != FALLBACK and _fully_resolved(again):
            return Understanding(ANSWER, again)
        loose = exact if exact.intent != FALLBACK else None
        if loose is not None and _points_back(loose):
            return Understanding(ANSWER, loose)  # "what does that mean": the glossary asks back
        return self.decide(self.rank_all(text), loose)

    def rank_all(self, text: str, tuning: Tuning | None = None) -> list[Candidate]:
        """The whole utterance and each of its clauses ranked, best score per outcome: a
        rambling "my mum was told she has it, what is it exactly" holds a short question."""
        tuning = tuning or self.tuning
        best: dict[str, Candidate] = {c.outcome: c for c in self.rank(self.prepare(text), tuning)}
        for clause in clauses(text):
            said = self.prepare(clause)
            if len(said.split()) < MIN_CLAUSE_WORDS:
                continue
            for candidate in self.rank(said, tuning):
                score = candidate.score * tuning.clause_weight
                if score > best[candidate.outcome].score:
                    best[candidate.outcome] = Candidate(candidate.outcome, score,
                                                        candidate.resolution)
        # On a tie, a phrase written whole beats one made by filling a slot, whose words
        # can coincide by accident ("what's the sections" and the title "What it is").
        return sorted(best.values(), key=lambda c: (-round(c.score, 2), bool(c.resolution.slots)))

    def prepare(self, text: str) -> str:
        """Cleaned, corrected and simplified: the form the samples are kept in."""
        return simplify(" ".join(self._corrected(word) for word in clean(text).split()))

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

    def rank(self, said: str, tuning: Tuning | None = None) -> list[Candidate]:
        """Every outcome's best sample, best first."""
        tuning = tuning or self.tuning
        meaning = self.vectors @ self._embed([said])[0]
        recall, precision = self.words.overlap(said)
        words = tuning.recall_weight * recall + (1 - tuning.recall_weight) * precision
        scores = tuning.meaning_weight * meaning + (1 - tuning.meaning_weight) * words
        best = np.full(len(self._outcome_index), -1.0)
        np.maximum.at(best, self._sample_outcome, scores)
        order = np.argsort(-best)
        ranked = []
        for outcome_index in order:
            members = np.flatnonzero(self._sample_outcome == outcome_index)
            top = members[np.argmax(scores[members])]
            ranked.append(Candidate(self.samples.outcomes[top], float(best[outcome_index]),
                                    self.samples.resolutions[top]))
        return ranked

    def decide(self, ranked: list[Candidate], loose: Resolution | None = None,
               tuning: Tuning | None = None) -> Understanding:
        """The band, from the best outcome's score and its lead over the next."""
        tuning = tuning or self.tuning
        best = ranked[0]
        lead = best.score - (ranked[1].score if len(ranked) > 1 else 0.0)
        topics = [c for c in ranked if c.outcome in self.topic_ids]
        near = tuple(c.outcome for c in topics[:NEAREST])
        if best.score >= tuning.sure or (best.score >= tuning.confident and lead >= tuning.margin):
            return Understanding(ANSWER, best.resolution, near, best.score)
        if best.score >= tuning.close and lead >= tuning.margin and best.outcome not in self.topic_ids:
            return Understanding(ANSWER, best.resolution, near, best.score)  # scope, commands
        # Unsure, with a question of the guide's among the close ones: ask before answering.
        if topics and topics[0].score >= tuning.close and best.score - topics[0].score < tuning.margin:
            return Understanding(CONFIRM, topics[0].resolution, near, topics[0].score)
        if loose is not None:  # "what does xyzzy mean": say it is not a word it knows
            return Understanding(ANSWER, loose, near, best.score)
        return Understanding(NOT_COVERED, Resolution(FALLBACK), near, best.score)

    def _embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


MIN_CLAUSE_WORDS = 2
CLAUSE_BREAK = re.compile(r"[,.;:?!]+|\b(?:and|but|so|because|though)\b", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """The parts of a long utterance between punctuation and joining words; none when it
    is one part already."""
    parts = [part.strip() for part in CLAUSE_BREAK.split(text) if part.strip()]
    return parts if len(parts) > 1 else []


def stem(word: str) -> str:
    """A crude English stem, enough that 'spreads', 'spreading' and 'spread' meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


class _WordOverlap:
    """How much of their meaningful words two phrases share: each word weighs by how few
    outcomes use it, so 'specialist' counts and 'what' barely. Recall (how much of the
    sample was said) lets a long, rambling question still find the short sample inside
    it; precision (how much of what was said the sample explains) keeps unknown words,
    like an uncovered question's, from being ignored."""

    def __init__(self, texts: list[str], outcomes: list[str]) -> None:
        using: dict[str, set[str]] = {}
        self.sample_words = []
        for text, outcome in zip(texts, outcomes, strict=True):
            words = frozenset(stem(w) for w in text.split())
            self.sample_words.append(words)
            for word in words:
                using.setdefault(word, set()).add(outcome)
        count = len(set(outcomes))
        self.weight = {w: math.log((1 + count) / (1 + len(used))) + 1 for w, used in using.items()}
        self.unknown_weight = math.log(1 + count) + 1
        self.sample_totals = np.array([sum(self.weight[w] for w in words)
                                       for words in self.sample_words])

    def overlap(self, said: str) -> tuple[np.ndarray, np.ndarray]:
        """Weighted recall and precision of the phrase's words against every sample."""
        words = {stem(w) for w in said.split()}
        weight = {w: self.weight.get(w, self.unknown_weight) for w in words}
        total = sum(weight.values()) or 1.0
        shared = np.array([sum(weight[w] for w in words & sample) for sample in self.sample_words])
        return shared / np.where(self.sample_totals == 0, 1, self.sample_totals), shared / total


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


@cache
def understander(model_file: Path = MODEL_FILE) -> Understander:
    model = json.loads(model_file.read_text(encoding="utf-8"))
    return Understander(resolver(model_file), model, _load_embedder())
