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
from dataclasses import asdict, dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent

# About 150 spoken words a minute: 75 words is roughly 30 seconds of speech.
MAX_WORDS_PER_PAGE = 75
SECTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
SLOT_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# How people say small numbers, for "section three" and "the third section".
NUMBER_WORDS = {
    "one": 1, "first": 1, "two": 2, "second": 2, "three": 3, "third": 3, "four": 4,
    "fourth": 4, "five": 5, "fifth": 5, "six": 6, "sixth": 6, "seven": 7, "seventh": 7,
    "eight": 8, "eighth": 8, "nine": 9, "ninth": 9, "ten": 10, "tenth": 10,
}


class ContentError(Exception):
    """A content file is missing, unreadable or has a field a writer must fix."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        self.path, self.field, self.problem = path, field, problem
        where = f"{_display(path)}: {field}: " if field else f"{_display(path)}: "
        super().__init__(where + problem)


@dataclass(frozen=True)
class Answer:
    """Questions that a later page of a section answers: that page is read for them."""

    page: int  # 0-based index into the section's pages; never 0 (those are its questions)
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    name: str
    synonyms: tuple[str, ...]
    questions: tuple[str, ...]
    answers: tuple[Answer, ...]
    summary: str
    pages: tuple[str, ...]

    @property
    def _intent_stem(self) -> str:
        return "Read" + "".join(part.capitalize() for part in self.id.split("_"))

    @property
    def intent_name(self) -> str:
        """The Alexa intent that answers this section's own questions."""
        return self._intent_stem + "Intent"

    def answer_intent_name(self, answer: Answer) -> str:
        """The intent for questions a later page answers (Alexa cannot say which sample
        matched, so each answering page needs an intent of its own)."""
        return f"{self._intent_stem}Page{answer.page + 1}Intent"

    def question_intents(self) -> list[tuple[str, int, tuple[str, ...]]]:
        """Every intent that reads this section: its name, the page read, the questions."""
        return [(self.intent_name, 0, self.questions),
                *((self.answer_intent_name(a), a.page, a.questions) for a in self.answers)]

    @property
    def full_text(self) -> str:
        return " ".join(self.pages)


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    synonyms: tuple[str, ...]
    meaning: str


@dataclass(frozen=True)
class IntentPhrases:
    name: str
    samples: tuple[str, ...]
    builtin_phrases: tuple[str, ...]

    @property
    def is_builtin(self) -> bool:
        return self.name.startswith("AMAZON.")


@dataclass(frozen=True)
class Guide:
    name: str
    invocation: str
    welcome: str
    welcome_back: str
    notice: str
    goodbye: str
    sections: tuple[Section, ...]
    glossary: tuple[GlossaryEntry, ...]
    intents: tuple[IntentPhrases, ...]
    messages: dict[str, Any]
    pronunciation: dict[str, str]

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def section_index(self, section_id: str) -> int:
        return [s.id for s in self.sections].index(section_id)

    @cached_property
    def _places_by_intent(self) -> dict[str, tuple[int, int]]:
        return {name: (number, page) for number, section in enumerate(self.sections)
                for name, page, _ in section.question_intents()}

    def place_for_intent(self, intent_name: str) -> tuple[int, int] | None:
        """Which section and page a question intent reads (asked on every request)."""
        return self._places_by_intent.get(intent_name)

    def section_for_intent(self, intent_name: str) -> Section | None:
        place = self.place_for_intent(intent_name)
        return None if place is None else self.sections[place[0]]

    def find_section(self, spoken: str) -> Section | None:
        """Match a spoken name or synonym, ignoring case and extra words like 'the'."""
        wanted = normalise(spoken)
        for section in self.sections:
            names = (section.id, section.name, section.title, *section.synonyms)
            if wanted in {normalise(n) for n in names}:
                return section
        return None

    def find_term(self, spoken: str) -> GlossaryEntry | None:
        wanted = normalise(spoken)
        for entry in self.glossary:
            if wanted in {normalise(n) for n in (entry.term, *entry.synonyms)}:
                return entry
        return None

    def message(self, key: str, **values: Any) -> str:
        """The message filled in; the fields given must be the ones MESSAGE_FIELDS declares,
        so the content check (which allows only those) and the code cannot drift apart."""
        if tuple(sorted(values)) != tuple(sorted(MESSAGE_FIELDS[key])):
            raise TypeError(f"message {key!r} takes {MESSAGE_FIELDS[key]}, was given {tuple(values)}")
        return str(self.messages[key]).format(**values)


def normalise(text: str) -> str:
    """Lower-case, drop punctuation and a leading article, squeeze spaces."""
    words = re.sub(r"[^\w' ]+", " ", text.lower()).split()
    if words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(words)


# Every message the skill says, with the {fields} the code fills in for it. A message
# may leave a field out; a field not listed here would fail when the message is said.
MESSAGE_FIELDS: dict[str, tuple[str, ...]] = {
    "first_options": (), "question": (), "resume_offer": ("number", "title"), "resume_yes_no": (),
    "resume_declined": (),
    "section_heading": ("title",), "more_pages": (), "section_end": ("title", "next"),
    "guide_end": (), "continue_reading": (), "list_sections": ("items",), "list_more": ("items",),
    "sections_more": (), "pick_section": (), "no_such_section": ("number", "count"),
    "where_not_started": (), "where_am_i": ("number", "title", "page", "pages"),
    "where_next_page": ("page",), "where_next_section": ("next",),
    "where_brief": ("number", "title"), "first_page": (), "back_to_section": ("title", "page"),
    "reading_on_from": ("title", "page"),
    "first_section": (), "last_section": (), "brief_on": (), "detail_on": (),
    "speed_changed": ("speed",), "speed_limit": ("speed",), "speed_names": (),
    "speed_limit_names": (), "term_prompt": (), "term_unknown": ("examples",),
    "term_unknown_heard": ("heard", "examples"), "term_on_page": ("examples",),
    "glossary_list": ("items",), "glossary_more": (),
    "glossary_prompt": (), "help_general": (), "help_in_section": ("title",), "misunderstood": (),
    "misunderstood_again": (), "short_choices": (), "fallback_suggestion": ("names",),
    "nothing_to_repeat": (),
    "no_question_pending": (), "stopped": (), "paused": ("number", "title"), "home": (), "error": (),
    "error_prompt": (), "no_recordings": (), "playing": ("title",), "guide_end_audio": (),
    "no_loop_or_shuffle": (), "nothing_to_resume": (),
}
SPEED_STEPS = 5


class _Fields:
    """Typed access to one YAML mapping, with errors that name file and field."""

    def __init__(self, path: Path, data: Any, prefix: str = "") -> None:
        if not isinstance(data, dict):
            raise ContentError(path, prefix, "expected a set of 'name: value' fields")
        self.path, self.data, self.prefix = path, data, prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(self.path, self._name(key), "must be some text, and is missing or empty")
        return " ".join(value.split())

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(key, None if required else [])
        if value is None:
            value = [] if not required else None
        if not isinstance(value, list) or (required and not value):
            raise ContentError(self.path, self._name(key), "must be a list of one or more texts")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise ContentError(self.path, f"{self._name(key)}[{index + 1}]", "must be text")
        return tuple(" ".join(item.split()) for item in value)

    def mapping(self, key: str) -> _Fields:
        return _Fields(self.path, self.data.get(key), self._name(key))


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(CONTENT_DIR.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> Any:
    import yaml  # here, not at the top: a snapshot start never needs the parser

    # libyaml's C parser when PyYAML has it: ten times faster than the Python one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except FileNotFoundError:
        raise ContentError(path, "", "file is missing") from None
    except UnicodeDecodeError:
        raise ContentError(path, "", "is not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        problem = getattr(error, "problem", None) or "cannot be read"
        raise ContentError(path, "", f"YAML error at {where}: {problem}") from None


def _load_section(path: Path) -> Section:
    fields = _Fields(path, _read_yaml(path))
    section_id = fields.text("id")
    if not SECTION_ID.match(section_id):
        raise ContentError(path, "id", "use lower-case letters, digits and _ only")
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
    return Section(
        id=section_id,
        title=fields.text("title"),
        name=fields.text("name"),
        synonyms=fields.texts("synonyms", required=False),
        questions=fields.texts("questions", required=False),
        answers=_load_answers(path, fields, len(pages)),
        summary=summary,
        pages=pages,
    )


def _load_answers(path: Path, fields: _Fields, page_count: int) -> tuple[Answer, ...]:
    """answers: [{page: N, questions: [...]}], N counted from 1 as a writer counts pages."""
    raw = fields.data.get("answers") or []
    if not isinstance(raw, list):
        raise ContentError(path, "answers", "must be a list of 'page:' and 'questions:' pairs")
    answers = []
    for index, item in enumerate(raw, start=1):
        entry = _Fields(path, item, f"answers[{index}]")
        page = entry.data.get("page")
        if not isinstance(page, int) or isinstance(page, bool) or not 2 <= page <= page_count:
            raise ContentError(path, f"answers[{index}].page",
                               f"must be a page number from 2 to {page_count} (page 1's questions "
                               "go under 'questions')")
        answers.append(Answer(page=page - 1, questions=entry.texts("questions")))
    pages = [answer.page for answer in answers]
    if len(set(pages)) != len(pages):
        raise ContentError(path, "answers", "names a page twice; put its questions together")
    return tuple(answers)


def _load_glossary(path: Path) -> tuple[GlossaryEntry, ...]:
    fields = _Fields(path, _read_yaml(path))
    terms = fields.data.get("terms")
    if not isinstance(terms, list) or not terms:
        raise ContentError(path, "terms", "must be a list of words with their meanings")
    entries = []
    for index, raw in enumerate(terms, start=1):
        entry = _Fields(path, raw, f"terms[{index}]")
        entries.append(GlossaryEntry(
            term=entry.text("term"),
            synonyms=entry.texts("synonyms", required=False),
            meaning=entry.text("meaning"),
        ))
    return tuple(entries)


def _load_intents(path: Path) -> tuple[IntentPhrases, ...]:
    intents = _Fields(path, _read_yaml(path)).mapping("intents")
    loaded = []
    for name in intents.data:
        phrases = intents.mapping(name) if intents.data[name] else _Fields(path, {}, name)
        loaded.append(IntentPhrases(
            name=str(name),
            samples=phrases.texts("samples", required=False),
            builtin_phrases=phrases.texts("builtin_phrases", required=False),
        ))
    return tuple(loaded)


def _load_messages(path: Path) -> dict[str, Any]:
    fields = _Fields(path, _read_yaml(path))
    # A message no code asks for is most likely a misspelt name: say so, never drop it quietly.
    unknown = sorted(str(key) for key in fields.data if key not in MESSAGE_FIELDS)
    if unknown:
        raise ContentError(path, unknown[0], "is not a message the skill uses (a misspelt name?)")
    messages: dict[str, Any] = {}
    for key in MESSAGE_FIELDS:
        if key in ("speed_names", "speed_limit_names"):
            names = fields.texts(key)
            if len(names) != SPEED_STEPS:
                raise ContentError(path, key, f"must list exactly {SPEED_STEPS} speeds")
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
    fields = _Fields(path, _read_yaml(path) or {})
    return {str(word): fields.text(str(word)) for word in fields.data}


def _check_unique(path: Path, field: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        key = normalise(name)
        if key in seen:
            raise ContentError(path, field, f"'{name}' is used twice; each must be different")
        seen.add(key)


def _check_placeholders(path: Path, intents: tuple[IntentPhrases, ...]) -> None:
    allowed = {"section", "term", "number", "ordinal"}
    for intent in intents:
        for sample in intent.samples:
            unknown = set(SLOT_PLACEHOLDER.findall(sample)) - allowed
            if unknown:
                raise ContentError(
                    path, f"intents.{intent.name}",
                    f"'{sample}' uses {{{unknown.pop()}}}; only {{section}}, {{term}}, "
                    "{number} and {ordinal} are known",
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
    frame = _Fields(root / "guide.yaml", _read_yaml(root / "guide.yaml"))
    section_files = sorted((root / "sections").glob("*.yaml"))
    if not section_files:
        raise ContentError(root / "sections", "", "has no section files (*.yaml)")
    sections = tuple(_load_section(path) for path in section_files)
    _check_unique(root / "sections", "id", [s.id for s in sections])
    spoken_names = [n for s in sections for n in (s.name, *s.synonyms)]
    _check_unique(root / "sections", "name and synonyms", spoken_names)
    glossary = _load_glossary(root / "glossary.yaml")
    _check_unique(root / "glossary.yaml", "term and synonyms",
                  [n for e in glossary for n in (e.term, *e.synonyms)])
    intents = _load_intents(root / "intents.yaml")
    _check_placeholders(root / "intents.yaml", intents)
    return Guide(
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
    )


# --- the snapshot ------------------------------------------------------------------------

SNAPSHOT_NAME = "compiled.json"
SNAPSHOT_FORMAT = 2


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
    })


@cache
def guide() -> Guide:
    """The packaged guide, parsed once per process: content does not change at run time."""
    return load_guide()
