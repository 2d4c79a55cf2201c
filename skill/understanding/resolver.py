"""Understand typed or recognised text the way Alexa would: from the interaction model.

The chat and offline voice front-ends have no Alexa NLU, so they resolve text
against the model's own sample utterances and slot values (plus the phrases
Alexa knows for its built-in intents). What they understand is exactly what
the skill is built to understand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from content import NUMBER_WORDS, guide
from content.slot_names import NUMBER_TYPES, ORDINAL_TYPE
from content.text import name_key, normalise
from skill.publish.interaction_model import SKILL_PACKAGE

FALLBACK = "AMAZON.FallbackIntent"
# Alexa turns numbers into digits ("three", "third" -> "3"); NUMBER_WORDS does it here.
POLITE = "please"
ORDINAL_WORDS = tuple(w for w in NUMBER_WORDS if w.endswith(("st", "nd", "rd", "th")))
CARDINAL_WORDS = tuple(w for w in NUMBER_WORDS if w not in ORDINAL_WORDS)
# A typed ordinal in digits ("2nd"): Alexa gives its Ordinal slot "2".
DIGIT_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# Alexa gives "0" for "zero"; NUMBER_WORDS starts at one, as sections do.
ZERO = "zero"
MODEL_FILE = SKILL_PACKAGE / "interactionModels" / "custom" / "en-US.json"


@dataclass(frozen=True)
class Slot:
    value: str
    resolved: str | None  # canonical slot value, or None when it did not match one


@dataclass(frozen=True)
class Resolution:
    intent: str
    slots: dict[str, Slot] = field(default_factory=dict)


def without_please(said: str) -> str:
    """Normalised text without a "please" before or after it: "slower please" means "slower".

    Only at the ends, so a phrase that has "please" inside keeps it; phrases that are
    themselves polite ("yes please") are looked up before this is used.
    """
    words = said.split()
    if words[:1] == [POLITE]:
        words = words[1:]
    if words[-1:] == [POLITE]:
        words = words[:-1]
    return " ".join(words)


@dataclass(frozen=True)
class Template:
    """One sample utterance with slots, normalised: words, and slot types where a slot goes.

    Kept as data so that the offline recogniser's grammar is built from the samples
    themselves, not read back out of the matching regex.
    """

    parts: tuple[tuple[str, str], ...]  # ("word", "tell me about") or ("slot", "SectionName")
    intent: str


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    intent: str
    slots: tuple[tuple[str, str], ...]  # (slot name, slot type)
    bare: bool  # the sample is nothing but a slot, like "{section}"


class Resolver:
    """Maps text to an intent and slots using one interaction model."""

    def __init__(self, model: dict[str, Any]) -> None:
        language = model["interactionModel"]["languageModel"]
        self.types = {t["name"]: _type_values(t) for t in language.get("types", [])}
        self.literals: dict[str, str] = {}
        self.templates: list[Template] = []  # the samples with slots, in the model's order
        self.patterns: list[_Pattern] = []
        for intent in language["intents"]:
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            for sample in intent.get("samples", []):
                self._add(intent["name"], sample, slot_types)
        for phrases in guide().intents:
            for phrase in phrases.builtin_phrases:
                self.literals.setdefault(normalise(phrase), phrases.name)

    def _add(self, intent: str, sample: str, slot_types: dict[str, str]) -> None:
        names = re.findall(r"\{(\w+)\}", sample)
        if not names:
            self.literals.setdefault(normalise(sample), intent)
            return
        tokens = [t for t in re.split(r"(\{\w+\})", sample) if t.strip()]
        slots = iter(names)
        parts = tuple(("slot", slot_types.get(next(slots), "")) if re.fullmatch(r"\{\w+\}", t)
                      else ("word", normalise(t)) for t in tokens)
        self.templates.append(Template(parts, intent))
        regex = " ".join("(.+?)" if kind == "slot" else re.escape(text) for kind, text in parts)
        self.patterns.append(_Pattern(re.compile(f"^{regex}$"), intent,
                                      tuple((n, slot_types.get(n, "")) for n in names),
                                      bare=len(tokens) == len(names)))

    def resolve(self, text: str) -> Resolution:
        said = normalise(text)
        if said not in self.literals:
            said = without_please(said)
        if not said:
            return Resolution(FALLBACK)
        if said in self.literals:
            return Resolution(self.literals[said])
        loose: Resolution | None = None
        for pattern in self.patterns:
            match = pattern.regex.match(said)
            if not match:
                continue
            slots = {name: self._slot(kind, value)
                     for (name, kind), value in zip(pattern.slots, match.groups(), strict=True)}
            if all(slot.resolved is not None for slot in slots.values()):
                return Resolution(pattern.intent, slots)
            if loose is None and not pattern.bare:
                loose = Resolution(pattern.intent, slots)
        return loose or Resolution(FALLBACK)

    def spoken_values(self, kind: str) -> dict[str, str]:
        """Every way a slot of this type is said -> the value Alexa would give."""
        if kind in NUMBER_TYPES:
            words = ORDINAL_WORDS if kind == ORDINAL_TYPE else CARDINAL_WORDS
            return {word: str(NUMBER_WORDS[word]) for word in words}
        return dict(self.types.get(kind, {}))

    def _slot(self, kind: str, value: str) -> Slot:
        if kind in NUMBER_TYPES:
            number = _number(value)
            return Slot(value=number if number is not None else value, resolved=number)
        return Slot(value=value, resolved=self.types.get(kind, {}).get(name_key(value)))


def _number(value: str) -> str | None:
    """A number said or typed, as the digits Alexa would give: "three", "third", "3rd" or
    "zero" -> "3", "3", "3", "0". Digits stay as typed: the handler judges their size.

    Zero is understood so that "section zero" is told which sections exist, like "section 0".
    """
    ordinal = DIGIT_ORDINAL.match(value)
    digits = ordinal.group(1) if ordinal else value
    if digits.isdigit():
        return digits
    number = 0 if value == ZERO else NUMBER_WORDS.get(value)
    return None if number is None else str(number)


def _type_values(slot_type: dict[str, Any]) -> dict[str, str]:
    """Every spoken form of a custom slot type -> its canonical value."""
    forms: dict[str, str] = {}
    for entry in slot_type.get("values", []):
        canonical = entry["name"]["value"]
        for form in (canonical, *entry["name"].get("synonyms", [])):
            forms.setdefault(name_key(form), canonical)
    return forms


@cache
def resolver(model_file: Path = MODEL_FILE) -> Resolver:
    return Resolver(json.loads(model_file.read_text(encoding="utf-8")))
