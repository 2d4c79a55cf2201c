"""The parts of the guide once loaded and checked: sections, their answers and topics,
glossary entries, intents and the whole Guide. Kept apart from the loader so that a
reader sees what content *is* before how it is read and checked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from content.questions import Answer, Scope, camel
from content.text import name_key


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    name: str
    synonyms: tuple[str, ...]
    questions: tuple[str, ...]  # answered by the first page; {it} spelled out
    ask: str  # the first question, as the guide names it when suggesting it
    offer: str  # after the first page is heard as an answer: the offer of more
    answers: tuple[Answer, ...]
    summary: str
    pages: tuple[str, ...]

    @property
    def intent_name(self) -> str:
        """The Alexa intent that answers this section's own questions."""
        return f"Read{camel(self.id)}Intent"


@dataclass(frozen=True)
class Topic:
    """Something the guide answers: a section's first page, or one of its answers."""

    section: int  # its index in the guide
    home: Section
    answer: Answer | None

    @property
    def ask(self) -> str:
        return self.answer.ask if self.answer else self.home.ask

    @property
    def questions(self) -> tuple[str, ...]:
        return self.answer.questions if self.answer else self.home.questions

    @property
    def id(self) -> str:
        return self.answer.id if self.answer else self.home.id

    @property
    def intent_name(self) -> str:
        return self.answer.intent_name if self.answer else self.home.intent_name


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
    subjects: tuple[str, ...]
    scope: Scope

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def section_index(self, section_id: str) -> int:
        return [s.id for s in self.sections].index(section_id)

    @cached_property
    def _topics(self) -> tuple[dict[str, Topic], dict[str, Topic]]:
        by_intent: dict[str, Topic] = {}
        by_id: dict[str, Topic] = {}
        for number, section in enumerate(self.sections):
            by_intent[section.intent_name] = by_id[section.id] = Topic(number, section, None)
            for answer in section.answers:
                by_intent[answer.intent_name] = by_id[answer.id] = Topic(number, section, answer)
        return by_intent, by_id

    def topic_for_intent(self, intent_name: str) -> Topic | None:
        """The question an intent asks (looked up on every request)."""
        return self._topics[0].get(intent_name)

    def topic(self, topic_id: str) -> Topic | None:
        """A section or answer by its id (ids are unique across both)."""
        return self._topics[1].get(topic_id)

    def topics(self) -> list[Topic]:
        """Every question the guide answers: each section's, then its specific ones."""
        return list(self._topics[0].values())

    def topic_intents(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every intent that answers a question, with its questions: sections, then answers."""
        return [(name, topic.questions) for name, topic in self._topics[0].items()]

    def find_section(self, spoken: str) -> Section | None:
        """Match a spoken name or synonym, ignoring case and extra words like 'the'."""
        wanted = name_key(spoken)
        for section in self.sections:
            names = (section.id, section.name, section.title, *section.synonyms)
            if wanted in {name_key(n) for n in names}:
                return section
        return None

    def find_term(self, spoken: str) -> GlossaryEntry | None:
        wanted = name_key(spoken)
        for entry in self.glossary:
            if wanted in {name_key(n) for n in (entry.term, *entry.synonyms)}:
                return entry
        return None

    def message(self, key: str, **values: Any) -> str:
        """The message filled in; the fields given must be the ones MESSAGE_FIELDS declares,
        so the content check (which allows only those) and the code cannot drift apart."""
        if tuple(sorted(values)) != tuple(sorted(MESSAGE_FIELDS[key])):
            raise TypeError(f"message {key!r} takes {MESSAGE_FIELDS[key]}, was given {tuple(values)}")
        return str(self.messages[key]).format(**values)


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
    "speed_changed": ("change", "speed"), "speed_normal": (), "speed_changes": (),
    "speed_still": ("speed",),
    "speed_limit": ("speed",), "speed_names": (),
    "speed_limit_names": (), "term_prompt": (), "term_unknown": ("examples",),
    "term_unknown_heard": ("heard", "examples"), "term_on_page": ("examples",),
    "glossary_list": ("items",), "glossary_more": (),
    "glossary_prompt": (), "help_general": (), "help_prompt": (), "help_in_section": ("title",),
    "misunderstood": (),
    "misunderstood_again": (), "not_caught": (), "you_could_ask": ("choices",),
    "did_you_mean": ("question",), "waiting": (), "waiting_prompt": (),
    "nothing_to_repeat": (),
    "no_question_pending": (), "stopped": (), "paused": ("number", "title"), "home": (), "error": (),
    "error_prompt": (), "no_recordings": (), "playing": ("title",), "guide_end_audio": (),
    "no_loop_or_shuffle": (), "nothing_to_resume": (),
}
# Speaking rates, slowest to fastest, as SSML prosody percentages. They live with the
# content because messages.yaml names each one (speed_names), so the two cannot disagree.
