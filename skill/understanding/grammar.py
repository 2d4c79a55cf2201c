"""The offline recogniser's grammar: every phrase the interaction model understands.

Built from the samples as the resolver keeps them (skill/understanding/resolver.py:
literal phrases, Alexa's built-in phrases, and samples with slots filled by every slot
value and synonym, or the numbers one to ten), so a content edit is heard as it is
typed. The condition is named in it only as "it" or "hemifacial spasm"; questions with
its other names are left to the open pass (skill/understanding/recognition.py).
"""

from __future__ import annotations

import re

from content import guide
from skill.understanding.resolver import Resolver, Template, resolver

NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth")
SPOKEN_NUMBERS = {"AMAZON.NUMBER": NUMBERS, "AMAZON.Ordinal": ORDINALS}
# The acoustic model's phones, as one-phone "words" for the optional garbage loop.
PHONES = ("AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G",
          "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T",
          "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH")
GARBAGE_PREFIX = "gb_"
# The condition's names the grammar keeps; questions with its other names ("facial
# spasm", "the spasms", ...) are heard by the open pass. A grammar with all six names
# is about three times larger and much slower to search (bench/README.md).
GRAMMAR_SUBJECTS = ("it", "hemifacial spasm")


def templates(understand: Resolver, leave_out: re.Pattern[str] | None = None) -> list[Template]:
    """Every sample the resolver knows, literal or with slots, in its own order; literal
    phrases that ``leave_out`` finds are left out."""
    literal = [Template((("word", phrase),), intent) for phrase, intent in understand.literals.items()
               if leave_out is None or not leave_out.search(phrase)]
    return literal + understand.templates


def slot_values(understand: Resolver, kind: str) -> list[str]:
    """What may fill a slot: every value and synonym, or the numbers (or ordinals) one to ten."""
    if kind in SPOKEN_NUMBERS:
        return list(SPOKEN_NUMBERS[kind])
    return sorted(understand.types.get(kind, {}))


def expand(template: Template, understand: Resolver) -> list[str]:
    """All the phrases a template stands for, with each slot value in turn."""
    phrases = [""]
    for kind, text in template.parts:
        options = [text] if kind == "word" else slot_values(understand, text)
        phrases = [f"{done} {option}".strip() for done in phrases for option in options]
    return phrases


def other_subjects() -> re.Pattern[str]:
    """The condition's names the grammar leaves to the open pass, as whole words."""
    names = [name for name in guide().subjects if name not in GRAMMAR_SUBJECTS]
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in names) + r")\b")


def phrases(understand: Resolver | None = None, leave_out: re.Pattern[str] | None = None,
            ) -> list[str]:
    """Every phrase the grammar can produce (before unknown words are dropped)."""
    understand = understand or resolver()
    seen: dict[str, None] = {}
    for template in templates(understand, leave_out):
        seen.update(dict.fromkeys(expand(template, understand)))
    return list(seen)


def _token(word: str) -> str:
    # JSGF tokens may not contain its own operators; the guide's words never do.
    if re.search(r"[\s;=|*+<>()\[\]{}/\"]", word):
        raise ValueError(f"not a grammar token: {word!r}")
    return word


def build_grammar(understand: Resolver, known: set[str] | None = None,
                  garbage: float | None = None, leave_out: re.Pattern[str] | None = None,
                  ) -> tuple[str, list[str]]:
    """A JSGF grammar of everything the resolver understands, and what was left out.

    Phrases are written as a tree (shared beginnings said once: "what ( causes
    ( it | ... ) | is ... )"), which PocketSphinx searches several times faster
    than a flat list of alternatives. ``known`` is the set of words the
    recogniser can say; phrases or slot values with another word are dropped and
    returned so the caller can log them. With ``garbage`` (a weight such as 1e-10)
    the grammar also allows any string of single phones, so speech that is not a
    command can come out as garbage instead of the nearest command. Literal phrases
    that ``leave_out`` finds are not in it (and not reported as dropped).
    """
    def speakable(text: str) -> bool:
        return known is None or all(word in known for word in text.split())

    dropped: list[str] = []
    rules: dict[str, list[str]] = {}
    tree = _Node()
    for template in templates(understand, leave_out):
        tokens: list[str] | None = []
        for kind, text in template.parts:
            if kind == "word":
                if not speakable(text):
                    tokens = None
                    break
                tokens += [_token(word) for word in text.split()]
                continue
            rule = re.sub(r"\W", "_", text).lower()
            if rule not in rules:
                values = [value for value in slot_values(understand, text) if value]
                dropped += [f"{value} ({text})" for value in values if not speakable(value)]
                rules[rule] = [value for value in values if speakable(value)]
            if not rules[rule]:
                tokens = None
                break
            tokens.append(f"<{rule}>")
        if tokens:
            tree.add(tokens)
        else:
            dropped.append(" ".join(text if kind == "word" else "{" + text + "}"
                                    for kind, text in template.parts))
    lines = ["#JSGF V1.0;", "grammar guide;"]
    for name, values in rules.items():
        if values:
            rule_tree = _Node()
            for value in values:
                rule_tree.add([_token(word) for word in value.split()])
            lines.append(f"<{name}> = {rule_tree.render()};")
    if garbage:
        lines.append("<garbage> = " + " | ".join(GARBAGE_PREFIX + p.lower() for p in PHONES) + ";")
        lines.append(f"public <command> = /1/ ( {tree.render()} ) | /{garbage:g}/ <garbage>+;")
    else:
        lines.append(f"public <command> = {tree.render()};")
    return "\n".join(lines) + "\n", sorted(set(dropped))


class _Node:
    """A word tree: each path from the root to an ``end`` node is one phrase."""

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False

    def add(self, tokens: list[str]) -> None:
        node = self
        for token in tokens:
            node = node.children.setdefault(token, _Node())
        node.end = True

    def render(self) -> str:
        alternatives = []
        for token, child in self.children.items():
            if not child.children:
                alternatives.append(token)
            elif child.end:
                alternatives.append(f"{token} [ {child.render()} ]")
            else:
                alternatives.append(f"{token} ( {child.render()} )")
        return " | ".join(alternatives)
