"""The listener's place in the guide and their preferences, for one request.

State lives in the session while a conversation lasts and is saved per user
between conversations (see skill/engine/storage.py). Handlers only ever see this
object: `ListenerState.of(handler_input)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import cache
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from content import guide
from content.loader import NORMAL_SPEED, SPEED_STEPS
from content.questions import NOT_COVERED_PREFIX, OFF_TOPIC_INTENT, SAFETY_INTENT

SESSION_KEY = "listener"
REQUEST_KEY = "listener_state"
DETAIL_LEVELS = ("full", "brief")
# What the last question asked, so Yes and No know what they answer.
PENDING_RESUME = "resume"
PENDING_CONTINUE = "continue"
PENDING_NEXT = "next"
# After an answer, "Want to hear ...?": yes reads the page it offered.
PENDING_MORE = "more"
# "Did you mean: how is it treated?": yes answers that question.
PENDING_CONFIRM = "confirm"
# A list has more parts: yes, next or more names them (see handlers/lists.py).
PENDING_SECTIONS = "sections"
PENDING_WORDS = "words"
LIST_OFFERS = (PENDING_SECTIONS, PENDING_WORDS)
# An offer holds only while the listener answers it: these requests keep it open, any
# other withdraws it, so a later yes or no cannot answer a question nobody is asking.
# Saying it again and a misheard word keep every offer (the miss asks again).
_KEEP_ANY_OFFER = ("AMAZON.RepeatIntent", "AMAZON.FallbackIntent")
OFFER_ANSWERS = {
    # "Carry on from last time?" A stray no must not wipe the saved place.
    PENDING_RESUME: ("AMAZON.YesIntent", "AMAZON.NoIntent", *_KEEP_ANY_OFFER),
    # "Say more for the next words": a meaning or a new speed is asked along the way.
    # A question back must be answered now, or it is withdrawn.
    PENDING_CONFIRM: ("AMAZON.YesIntent", "AMAZON.NoIntent", *_KEEP_ANY_OFFER),
    PENDING_MORE: ("AMAZON.YesIntent", "AMAZON.NoIntent", *_KEEP_ANY_OFFER),
    **dict.fromkeys(LIST_OFFERS, ("AMAZON.YesIntent", "AMAZON.NextIntent", "DefineTermIntent",
                                  "SlowerIntent", "FasterIntent", "NormalSpeedIntent",
                                  *_KEEP_ANY_OFFER)),
}
# Offers that a stray word must not withdraw: the question is asked again.
KEEPS_ITS_QUESTION = (PENDING_RESUME, *LIST_OFFERS)
PENDINGS = ("", PENDING_RESUME, PENDING_CONTINUE, PENDING_NEXT, PENDING_MORE, PENDING_CONFIRM,
            *LIST_OFFERS)


@dataclass(frozen=True)
class Offer:
    """A prompt's words and what they offer. Building one changes nothing; the handler
    that says it records it with ListenerState.offer, so Yes knows what it answers."""

    words: str
    pending: str = ""  # what Yes means after it (a PENDING_* value); "" for nothing
    ends_guide: bool = False  # it says the guide is over: the listener has finished it


@dataclass
class ListenerState:
    # Saved between sessions.
    section: int = 0
    page: int = 0
    started: bool = False
    finished: bool = False
    speed: int = NORMAL_SPEED
    detail: str = "full"
    notice_heard: bool = False
    last_visit: str = ""
    audio_track: int = -1  # index of the section recording playing or paused; -1: none
    audio_offset: int = 0  # milliseconds into that recording
    # This session only.
    pending: str = ""
    misunderstood: int = 0
    last_speech: str = ""
    last_prompt: str = ""
    list_offset: int = 0  # where the list that pending names goes on
    offered: str = ""  # the section or answer id an open offer or "did you mean" is about
    # This request only.
    storage_ok: bool = True
    missed: bool = False
    saved_snapshot: dict[str, Any] = field(default_factory=dict)

    SAVED = ("section", "page", "started", "finished", "speed", "detail", "notice_heard",
             "last_visit", "audio_track", "audio_offset")
    KEPT = (*SAVED, "pending", "misunderstood", "last_speech", "last_prompt", "list_offset",
            "offered")

    # --- construction and persistence -------------------------------------------------

    @classmethod
    def of(cls, handler_input: HandlerInput) -> ListenerState:
        """The state object the request interceptor put on this request."""
        attributes = handler_input.attributes_manager.request_attributes
        state = attributes.get(REQUEST_KEY)
        if not isinstance(state, ListenerState):
            state = attributes[REQUEST_KEY] = cls()
        return state

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListenerState:
        """Build from saved or session data, dropping anything unknown or of the wrong type."""
        defaults = _kept_defaults(cls)
        clean = {k: v for k, v in data.items() if k in defaults and _same_kind(v, defaults[k])}
        state = cls(**clean)
        state._clamp()
        return state

    def _clamp(self) -> None:
        sections = guide().sections
        self.section = min(max(self.section, 0), len(sections) - 1)
        self.page = min(max(self.page, 0), len(sections[self.section].pages) - 1)
        self.speed = min(max(self.speed, 0), SPEED_STEPS - 1)
        if self.detail not in DETAIL_LEVELS:
            self.detail = "full"
        if self.pending not in PENDINGS:
            self.pending = ""

    def offer(self, offer: Offer) -> str:
        """Record what a prompt offers, and give its words to say."""
        self.pending = offer.pending
        if offer.ends_guide:
            self.finished = True
        return offer.words

    def withdraw_unanswered_offer(self, intent: str) -> None:
        """Drop an open offer this request does not answer (see OFFER_ANSWERS). Something
        the guide does not cover is an aside, like a miss: it keeps the offer."""
        answers = OFFER_ANSWERS.get(self.pending)
        if answers is not None and intent not in answers and not is_aside(intent):
            self.pending, self.list_offset, self.offered = "", 0, ""

    def saved(self) -> dict[str, Any]:
        """What is kept for the user between sessions."""
        return {name: getattr(self, name) for name in self.SAVED}

    def session_data(self) -> dict[str, Any]:
        """A JSON-safe copy for the session attributes Alexa sends back next turn."""
        return {name: getattr(self, name) for name in self.KEPT}

    def touch(self) -> None:
        self.last_visit = datetime.now(UTC).isoformat(timespec="seconds")

    # --- position in the guide --------------------------------------------------------

    @property
    def brief(self) -> bool:
        return self.detail == "brief"

    @property
    def pages_at_detail(self) -> int:
        """Pages in the current section at the current detail level."""
        return 1 if self.brief else len(guide().sections[self.section].pages)

    @property
    def page_at_detail(self) -> int:
        """The page heard at the current detail level. A brief section is one page, while
        `page` keeps the full-text place, so more detail resumes where the listener was."""
        return 0 if self.brief else self.page

    @property
    def at_last_page_of_section(self) -> bool:
        return self.page_at_detail >= self.pages_at_detail - 1

    @property
    def at_end_of_guide(self) -> bool:
        return self.at_last_page_of_section and self.section == len(guide().sections) - 1

    def go_to(self, section: int, page: int = 0) -> None:
        self.section, self.page = section, page
        self.started, self.finished = True, False
        self._clamp()

    def advance(self) -> bool:
        """Move one page on; False when already at the end of the guide."""
        if self.at_end_of_guide:
            self.finished = True
            return False
        if self.at_last_page_of_section:
            self.go_to(self.section + 1)
        else:
            self.go_to(self.section, self.page + 1)
        return True

    def retreat(self) -> bool:
        """Move one page back; False when already at the first page of the guide."""
        if self.page_at_detail > 0:
            self.go_to(self.section, self.page - 1)
            return True
        if self.section > 0:
            previous = self.section - 1
            last_page = 0 if self.brief else len(guide().sections[previous].pages) - 1
            self.go_to(previous, last_page)
            return True
        return False


def is_aside(intent: str) -> bool:
    """Requests that answer nothing the guide offered: not covered, off topic, safety."""
    return intent.startswith(NOT_COVERED_PREFIX) or intent in (OFF_TOPIC_INTENT, SAFETY_INTENT)


@cache
def _kept_defaults(cls: type[ListenerState]) -> dict[str, Any]:
    """Default of each kept field, worked out once rather than on every request."""
    return {f.name: f.default for f in fields(cls) if f.name in cls.KEPT}


def _same_kind(value: Any, default: Any) -> bool:
    """Saved data may be old or tampered with: keep a value only if its type fits."""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str) and len(value) <= 10_000
    return False
