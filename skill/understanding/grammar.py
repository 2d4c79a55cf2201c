"""The offline recogniser's grammar: every phrase the interaction model understands.

Built from the samples as the resolver keeps them (skill/understanding/resolver.py:
literal phrases, Alexa's built-in phrases, and samples with slots filled by every slot
value and synonym, or the numbers one to ten), so a content edit is heard as it is
typed. The condition is named in it only as "it" or "hemifacial spasm"; questions with
its other names are left to the open pass (skill/understanding/recognition.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from content import guide
from skill.understanding.resolver import Resolver, Template, resolver

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


def other_subjects() -> re.Pattern[str]:
    """The condition's names the grammar leaves to the open pass, as whole words."""
    names = [name for name in guide().subjects if name not in GRAMMAR_SUBJECTS]
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in names) + r")\b")


def phrases(understand: Resolver | None = None, leave_out: re.Pattern[str] | None = None,
            ) -> list[str]:
    """Every phrase the grammar can produce (before unknown words are dropped), in order."""
    return sorted(sayable(understand or resolver(), leave_out=leave_out)[0])


Transition = tuple[int, int, float] | tuple[int, int, float, str]  # a null move has no word


@dataclass(frozen=True)
class Grammar:
    """Every phrase as one small word automaton, in PocketSphinx's finite-state form.

    Phrases that begin alike share their beginning and phrases that end alike share
    their ending ("... for it"), so the automaton has about a sixth of the states of a
    word tree, and PocketSphinx searches it several times faster (bench/README.md).
    """

    start: int
    final: int
    transitions: tuple[Transition, ...]
    phrases: frozenset[str]
    garbage: bool = False  # whether any string of phones is allowed instead

    @property
    def states(self) -> int:
        return 1 + max(max(move[0], move[1]) for move in self.transitions)


def sayable(understand: Resolver, can_say: Callable[[str], bool] | None = None,
            leave_out: re.Pattern[str] | None = None) -> tuple[set[str], list[str]]:
    """Every phrase made only of words the recogniser ``can_say`` (every phrase, without
    it), and, to log, the samples and slot values left out for a word it cannot say. A
    slot is filled by every way its values are said (the numbers as words)."""
    def speakable(text: str) -> bool:
        return can_say is None or all(can_say(word) for word in text.split())

    found: set[str] = set()
    dropped: set[str] = set()
    for template in templates(understand, leave_out):
        options: list[list[str]] = []
        for kind, text in template.parts:
            values = [text] if kind == "word" else [v for v in understand.spoken_values(text) if v]
            dropped.update(f"{value} ({text})" for value in values
                           if kind == "slot" and not speakable(value))
            options.append([value for value in values if speakable(value)])
        if all(options):
            found.update(" ".join(choice) for choice in itertools.product(*options))
        else:
            dropped.add(" ".join(text if kind == "word" else "{" + text + "}"
                                 for kind, text in template.parts))
    return found, sorted(dropped)


def build_grammar(understand: Resolver, can_say: Callable[[str], bool] | None = None,
                  garbage: float | None = None, leave_out: re.Pattern[str] | None = None,
                  ) -> tuple[Grammar, list[str]]:
    """A grammar of everything the resolver understands, and what was left out.

    Phrases or slot values with a word the recogniser cannot say (``can_say``) are
    dropped and returned so the caller can log them. With ``garbage``
    (a weight such as 1e-10) the grammar also allows any string of single phones, so
    speech that is not a command can come out as garbage instead of the nearest
    command. Literal phrases that ``leave_out`` finds are not in it (and not reported as
    dropped).
    """
    found, dropped = sayable(understand, can_say, leave_out)
    automaton = _Automaton(found)
    moves = automaton.transitions()
    start = automaton.start
    if garbage:
        start = automaton.states
        moves += _or_phones(start, automaton.start, automaton.final, garbage)
    return Grammar(start, automaton.final, tuple(moves), frozenset(found), bool(garbage)), dropped


def _or_phones(start: int, phrases: int, final: int, weight: float) -> list[Transition]:
    """From a new ``start``: the phrases, or at ``weight`` against 1 one or more phones."""
    share, loop, after = weight / (1 + weight), start + 1, start + 2
    return [(start, phrases, 1 - share), (start, loop, share),
            *((loop, after, 1 / len(PHONES), GARBAGE_PREFIX + phone.lower()) for phone in PHONES),
            (after, loop, 0.5), (after, final, 0.5)]


class _Automaton:
    """The smallest word automaton of a set of phrases: a word tree in which states with
    the same endings are one state. The state where phrases only end is the final one."""

    def __init__(self, phrases: set[str]) -> None:
        tree: dict[str, dict] = {}
        for phrase in sorted(phrases):
            node = tree
            for word in phrase.split():
                node = node.setdefault(word, {})
            node[_END] = {}
        self.ids: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
        self.start = self._merge(tree)
        self.final = self.ids.setdefault((True, ()), len(self.ids))
        self.states = len(self.ids)

    def _merge(self, node: dict[str, dict]) -> int:
        ending = (_END in node, tuple(sorted((word, self._merge(child))
                                             for word, child in node.items() if word != _END)))
        return self.ids.setdefault(ending, len(self.ids))

    def transitions(self) -> list[Transition]:
        """Each state's words, equally likely, and a null move to the final state where a
        phrase may end before going on."""
        moves: list[Transition] = []
        for (ends, words), state in self.ids.items():
            share = 1 / (len(words) + ends) if words else 0.0
            moves += [(state, child, share, word) for word, child in words]
            if ends and words:
                moves.append((state, self.final, share))
        return moves


_END = ""  # marks where a phrase ends in the word tree (no word is empty)
