"""Load and validate the guide's content from the YAML files in this folder.

The content is edited by writers, not programmers, so every problem is reported
as a ContentError that names the file and the field, in words a writer can act
on. Nothing here raises anything else for a bad edit.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import content.slot_names as slot_names
from content.fields import CONTENT_DIR, ContentError, Fields, _read_yaml
from content.parts import MESSAGE_FIELDS, GlossaryEntry, Guide, IntentPhrases, Section
from content.questions import (
    OFF_TOPIC_INTENT,
    SAFETY_INTENT,
    Answer,
    NotCovered,
    Scope,
    load_answers,
    load_scope,
    questions,
)
from content.text import name_key

# About 150 spoken words a minute: 75 words is roughly 30 seconds of speech.
MAX_WORDS_PER_PAGE = 75
SLOT_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# How people say small numbers, for "section three" and "the third section".
NUMBER_WORDS = {
    "one": 1, "first": 1, "two": 2, "second": 2, "three": 3, "third": 3, "four": 4,
    "fourth": 4, "five": 5, "fifth": 5, "six": 6, "sixth": 6, "seven": 7, "seventh": 7,
    "eight": 8, "eighth": 8, "nine": 9, "ninth": 9, "ten": 10, "tenth": 10,
}


SPEED_RATES = ("70%", "85%", "100%", "115%", "130%")
SPEED_STEPS = len(SPEED_RATES)
NORMAL_RATE = "100%"  # as SSML leaves it when no rate is set
NORMAL_SPEED = SPEED_RATES.index(NORMAL_RATE)
# Messages that are lists, and how many items each must have.
LISTS = {"speed_names": SPEED_STEPS, "speed_limit_names": SPEED_STEPS, "speed_changes": 2}


def _load_section(path: Path, subjects: tuple[str, ...]) -> Section:
    fields = Fields(path, _read_yaml(path))
    section_id = fields.identifier("id")
    summary = fields.text("summary")
    if summary.count(". ") > 0 or not summary.endswith("."):
        raise ContentError(path, "summary", "must be one sentence ending with a full stop")
    pages = fields.texts("pages")
    for number, page in enumerate(pages, start=1):
        words = len(page.split())
        if words > MAX_WORDS_PER_PAGE:
            raise ContentError(
                path, f"pages[{number}]",
                f"has {words} words; keep each page under {MAX_WORDS_PER_PAGE} (about 30 seconds)",
            )
    asked, ask = questions(path, fields, "questions", subjects)
    return Section(
        id=section_id,
        title=fields.text("title"),
        name=fields.text("name"),
        synonyms=fields.texts("synonyms", required=False),
        questions=asked,
        ask=ask,
        offer=fields.text("offer"),
        answers=load_answers(path, fields, section_id, len(pages), subjects),
        summary=summary,
        pages=pages,
    )


def _load_glossary(path: Path) -> tuple[GlossaryEntry, ...]:
    entries = []
    for entry in Fields(path, _read_yaml(path)).records("terms", "words with their meanings"):
        entries.append(GlossaryEntry(
            term=entry.text("term"),
            synonyms=entry.texts("synonyms", required=False),
            meaning=entry.text("meaning"),
        ))
    return tuple(entries)


def _load_intents(path: Path) -> tuple[IntentPhrases, ...]:
    intents = Fields(path, _read_yaml(path)).mapping("intents")
    loaded = []
    for name in intents.data:
        phrases = intents.mapping(name) if intents.data[name] else Fields(path, {}, name)
        loaded.append(IntentPhrases(
            name=str(name),
            samples=phrases.texts("samples", required=False),
            builtin_phrases=phrases.texts("builtin_phrases", required=False),
        ))
    return tuple(loaded)


def _load_messages(path: Path) -> dict[str, Any]:
    fields = Fields(path, _read_yaml(path))
    # A message no code asks for is most likely a misspelt name: say so, never drop it quietly.
    unknown = sorted(str(key) for key in fields.data if key not in MESSAGE_FIELDS)
    if unknown:
        raise ContentError(path, unknown[0], "is not a message the skill uses (a misspelt name?)")
    messages: dict[str, Any] = {}
    for key in MESSAGE_FIELDS:
        if key in LISTS:
            names = fields.texts(key)
            if len(names) != LISTS[key]:
                raise ContentError(path, key, f"must list exactly {LISTS[key]} phrases")
            messages[key] = names
        else:
            messages[key] = fields.text(key)
            _check_message_fields(path, key, messages[key])
    return messages


def _check_message_fields(path: Path, key: str, text: str) -> None:
    """Braces must name a field the skill fills in: anything else fails only when said."""
    allowed = MESSAGE_FIELDS[key]
    try:
        used = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise ContentError(path, key, f"has a stray brace ({error}); write {{{{ or }}}} for one") from None
    for name in used:
        if name not in allowed:
            can = ", ".join("{" + field + "}" for field in allowed) if allowed else "no {fields}"
            raise ContentError(path, key, f"uses {{{name}}}, but can only use {can}")


def _load_pronunciation(path: Path) -> dict[str, str]:
    fields = Fields(path, _read_yaml(path) or {})
    return {str(word): fields.text(str(word)) for word in fields.data}


def _check_unique(path: Path, field: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        key = name_key(name)
        if key in seen:
            raise ContentError(path, field, f"'{name}' is used twice; each must be different")
        seen.add(key)


def _check_placeholders(path: Path, intents: tuple[IntentPhrases, ...]) -> None:
    known = ["{" + name + "}" for name in slot_names.TYPES]
    for intent in intents:
        for sample in intent.samples:
            unknown = set(SLOT_PLACEHOLDER.findall(sample)) - set(slot_names.TYPES)
            if unknown:
                raise ContentError(
                    path, f"intents.{intent.name}",
                    f"'{sample}' uses {{{unknown.pop()}}}; only {', '.join(known[:-1])} "
                    f"and {known[-1]} are known",
                )


def load_guide(directory: Path | None = None) -> Guide:
    """Read every content file, check it, and return the whole guide.

    A snapshot (compiled.json, written by `make lambda`) is used instead of the YAML
    only when it was made from exactly these files: it saves a Lambda cold start the
    YAML parser, and can never serve stale content.
    """
    root = Path(directory) if directory else CONTENT_DIR
    snapshot = _read_snapshot(root)
    return snapshot if snapshot is not None else _parse_guide(root)


def _parse_guide(root: Path) -> Guide:
    frame = Fields(root / "guide.yaml", _read_yaml(root / "guide.yaml"))
    subjects = frame.texts("subjects")
    section_files = sorted((root / "sections").glob("*.yaml"))
    if not section_files:
        raise ContentError(root / "sections", "", "has no section files (*.yaml)")
    sections = tuple(_load_section(path, subjects) for path in section_files)
    _check_unique(root / "sections", "id", [s.id for s in sections]
                  + [a.id for s in sections for a in s.answers])
    _check_more(root / "sections", sections)
    spoken_names = [n for s in sections for n in (s.name, *s.synonyms)]
    _check_unique(root / "sections", "name and synonyms", spoken_names)
    glossary = _load_glossary(root / "glossary.yaml")
    _check_unique(root / "glossary.yaml", "term and synonyms",
                  [n for e in glossary for n in (e.term, *e.synonyms)])
    intents = _load_intents(root / "intents.yaml")
    _check_placeholders(root / "intents.yaml", intents)
    scope = load_scope(root / "scope.yaml", _read_yaml(root / "scope.yaml"), subjects)
    _check_offers(root / "scope.yaml", scope, {s.id for s in sections}
                  | {a.id for s in sections for a in s.answers})
    guide = Guide(
        name=frame.text("name"),
        invocation=frame.text("invocation").lower(),
        welcome=frame.text("welcome"),
        welcome_back=frame.text("welcome_back"),
        notice=frame.text("notice"),
        goodbye=frame.text("goodbye"),
        sections=sections,
        glossary=glossary,
        intents=intents,
        messages=_load_messages(root / "messages.yaml"),
        pronunciation=_load_pronunciation(root / "pronunciation.yaml"),
        subjects=subjects,
        scope=scope,
    )
    _check_samples_once(root, guide)
    return guide


def _check_more(path: Path, sections: tuple[Section, ...]) -> None:
    ids = {s.id for s in sections}
    for section in sections:
        for answer in section.answers:
            if answer.more_section not in ids:
                raise ContentError(path, f"{section.id}: answers {answer.id}: more",
                                   f"'{answer.more_section}' is not a section id")


def _check_offers(path: Path, scope: Scope, topic_ids: set[str]) -> None:
    offers = [(f"not_covered {g.id}: instead", g.instead) for g in scope.not_covered]
    offers.append(("off_topic: instead", scope.off_topic_instead))
    for field, instead in offers:
        for topic_id in instead:
            if topic_id not in topic_ids:
                raise ContentError(path, field, f"'{topic_id}' is not a section or answer id")


def sample_owners(content: Guide) -> list[tuple[str, tuple[str, ...]]]:
    """Every intent with its literal samples, as the interaction model lists them."""
    return [*content.topic_intents(),
            *((g.intent_name, g.questions) for g in content.scope.not_covered),
            (OFF_TOPIC_INTENT, content.scope.off_topic), (SAFETY_INTENT, content.scope.safety),
            *((i.name, i.samples) for i in content.intents)]


def _check_samples_once(root: Path, content: Guide) -> None:
    """A sample in two intents sends Alexa one way and chat another: each must be unique."""
    owner: dict[str, str] = {}
    for intent, samples in sample_owners(content):
        for sample in samples:
            key = name_key(sample)
            if owner.get(key, intent) != intent:
                raise ContentError(root, "questions",
                                   f"'{sample}' is asked in two places ({owner[key]} and {intent}); "
                                   "keep it in one")
            owner[key] = intent


# --- the snapshot ------------------------------------------------------------------------

SNAPSHOT_NAME = "compiled.json"
SNAPSHOT_FORMAT = 3


def _source_files(root: Path) -> list[Path]:
    return sorted([*root.glob("*.yaml"), *(root / "sections").glob("*.yaml")])


def fingerprint(root: Path = CONTENT_DIR) -> str:
    """A hash of every content file's name and bytes: cheap, and changes with any edit."""
    digest = hashlib.sha256()
    for path in _source_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def snapshot_text(root: Path = CONTENT_DIR) -> str:
    """The checked guide and the fingerprint of the files it came from, as JSON."""
    data = {"format": SNAPSHOT_FORMAT, "fingerprint": fingerprint(root),
            "guide": asdict(_parse_guide(root))}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _read_snapshot(root: Path) -> Guide | None:
    try:
        data = json.loads((root / SNAPSHOT_NAME).read_text(encoding="utf-8"))
        if data.get("format") != SNAPSHOT_FORMAT or data.get("fingerprint") != fingerprint(root):
            return None
        return _guide_from_data(data["guide"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no snapshot, or not one we can trust: parse the YAML


def _guide_from_data(data: dict[str, Any]) -> Guide:
    def tuples(record: dict[str, Any], kind: type) -> Any:
        return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in record.items()})

    def section(record: dict[str, Any]) -> Section:
        answers = tuple(tuples(a, Answer) for a in record["answers"])
        return tuples({**record, "answers": answers}, Section)

    return Guide(**{
        **data,
        "sections": tuple(section(s) for s in data["sections"]),
        "glossary": tuple(tuples(e, GlossaryEntry) for e in data["glossary"]),
        "intents": tuple(tuples(i, IntentPhrases) for i in data["intents"]),
        "messages": {k: tuple(v) if isinstance(v, list) else v
                     for k, v in data["messages"].items()},
        "subjects": tuple(data["subjects"]),
        "scope": tuples({**data["scope"], "not_covered": tuple(
            tuples(g, NotCovered) for g in data["scope"]["not_covered"])}, Scope),
    })


@cache
def guide() -> Guide:
    """The packaged guide, parsed once per process: content does not change at run time."""
    return load_guide()
