"""Questions and their answers: what people ask, what the guide answers first, and
what it says plainly it does not cover.

A section's own questions are answered by its first page; an answer's questions by
its own short text. `{it}` in a question stands for every name people give the
condition (guide.yaml's `subjects`), so a writer writes one line and Alexa, chat and
the offline voice hear six. Questions the guide must not answer (scope.yaml) are
content too: Alexa routes them to their own intents instead of the nearest section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content.fields import ContentError, Fields

SUBJECT = "{it}"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def camel(identifier: str) -> str:
    """'who_to_see' -> 'WhoToSee', for intent names."""
    return "".join(part.capitalize() for part in identifier.split("_"))


def intent_name(prefix: str, identifier: str) -> str:
    """('Answer', 'who_to_see') -> 'AnswerWhoToSeeIntent'."""
    return f"{prefix}{camel(identifier)}Intent"


@dataclass(frozen=True)
class Answer:
    """A specific question's own short answer, and the offer of more after it."""

    id: str
    questions: tuple[str, ...]  # with {it} spelled out for every subject
    ask: str  # the question as the guide names it when suggesting it ("does it spread")
    text: str
    offer: str
    more_section: str  # id of the section whose page "yes" reads
    more_page: int  # 0-based

    intent_name = property(lambda self: intent_name("Answer", self.id))


@dataclass(frozen=True)
class NotCovered:
    """Questions the guide has no facts for, and the two things it offers instead."""

    id: str
    questions: tuple[str, ...]
    instead: tuple[str, ...]  # answer or section ids

    intent_name = property(lambda self: intent_name(NOT_COVERED_PREFIX, self.id))


@dataclass(frozen=True)
class Scope:
    not_covered_reply: str
    not_covered: tuple[NotCovered, ...]
    off_topic_reply: str
    off_topic_instead: tuple[str, ...]
    off_topic: tuple[str, ...]
    safety_reply: str  # the one addition to the medical facts: public-health stroke advice
    safety: tuple[str, ...]


OFF_TOPIC_INTENT = "OffTopicIntent"
NOT_COVERED_PREFIX = "NotCovered"
SAFETY_INTENT = "SafetyIntent"


def expand(question: str, subjects: tuple[str, ...]) -> tuple[str, ...]:
    """One written question, heard with every name of the condition."""
    if SUBJECT not in question:
        return (question,)
    return tuple(question.replace(SUBJECT, subject) for subject in subjects)


def as_asked(question: str) -> str:
    """The question as the guide would say it back: '{it}' is 'it'."""
    return question.replace(SUBJECT, "it")


def questions(path: Path, fields: Fields, key: str, subjects: tuple[str, ...], *,
              required: bool = True) -> tuple[tuple[str, ...], str]:
    """The expanded questions under `key`, and the first as the guide names it."""
    written = fields.texts(key, required=required)
    for index, question in enumerate(written, start=1):
        unknown = set(PLACEHOLDER.findall(question)) - {"it"}
        if unknown:
            raise ContentError(path, f"{fields.prefix + '.' if fields.prefix else ''}{key}[{index}]",
                               f"uses {{{unknown.pop()}}}; a question may only use {{it}}")
    expanded = tuple(dict.fromkeys(q for question in written for q in expand(question, subjects)))
    return expanded, as_asked(written[0]) if written else ""


def load_answers(path: Path, fields: Fields, section_id: str, page_count: int,
                 subjects: tuple[str, ...]) -> tuple[Answer, ...]:
    """answers: [{id, questions, answer, offer, more}]; more is a page of this section
    (counted from 1, as a writer counts) or another section's id."""
    raw = fields.data.get("answers") or []
    if not isinstance(raw, list):
        raise ContentError(path, "answers", "must be a list of answers (id, questions, answer)")
    answers = []
    for index, item in enumerate(raw, start=1):
        entry = Fields(path, item, f"answers[{index}]")
        answer_id = entry.identifier("id")
        expanded, ask = questions(path, entry, "questions", subjects)
        more = entry.data.get("more", 2 if page_count > 1 else 1)
        more_section, more_page = _more(path, f"answers[{index}].more", more, section_id, page_count)
        answers.append(Answer(id=answer_id, questions=expanded, ask=ask, text=entry.text("answer"),
                              offer=entry.text("offer"), more_section=more_section,
                              more_page=more_page))
    return tuple(answers)


def _more(path: Path, field: str, more: Any, section_id: str, page_count: int) -> tuple[str, int]:
    if isinstance(more, str) and more.strip():
        return more.strip(), 0  # another section: checked once every section is loaded
    if isinstance(more, int) and not isinstance(more, bool) and 1 <= more <= page_count:
        return section_id, more - 1
    raise ContentError(path, field, f"must be a page number from 1 to {page_count}, or a section id")


def load_scope(path: Path, data: Any, subjects: tuple[str, ...]) -> Scope:
    fields = Fields(path, data)
    covered = fields.mapping("not_covered")
    groups = []
    for group in covered.records("groups", "groups of questions"):
        groups.append(NotCovered(id=group.identifier("id"),
                                 questions=questions(path, group, "questions", subjects)[0],
                                 instead=_two(path, group, "instead")))
    off_topic = fields.mapping("off_topic")
    safety = fields.mapping("safety")
    return Scope(
        not_covered_reply=covered.text("reply"),
        not_covered=tuple(groups),
        off_topic_reply=off_topic.text("reply"),
        off_topic_instead=_two(path, off_topic, "instead"),
        off_topic=questions(path, off_topic, "questions", subjects)[0],
        safety_reply=safety.text("reply"),
        safety=questions(path, safety, "questions", subjects)[0],
    )


def _two(path: Path, fields: Fields, key: str) -> tuple[str, ...]:
    ids = fields.texts(key)
    if len(ids) != 2:
        raise ContentError(path, f"{fields.prefix}.{key}", "must name exactly two answers to offer")
    return ids
