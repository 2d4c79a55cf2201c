"""Lists heard in parts: the sections, and the words the guide explains.

A list heard once is hard to hold, so a reply names at most LIST_CHUNK items.
While more remain, the reply offers them, and yes, next or more names the next
part: the listener never has to remember a longer command to go on. Both lists
keep their place the same way, in ``state.list_offset`` with ``state.pending``
saying which list it belongs to.

The offer holds while the listener answers it, or asks what one of the words
means (and is offered the rest again). Anything else (help, a section, where am
I) leaves the list, so that a later "next" does what that reply's own prompt
said: carry on with the guide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ask_sdk_core.dispatch_components import AbstractRequestHandler, AbstractRequestInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide
from handlers import narration, reply
from handlers.dispatch import intent_name
from handlers.state import PENDING_SECTIONS, PENDING_WORDS, ListenerState

LIST_CHUNK = 5


@dataclass(frozen=True)
class SpokenList:
    """One list the skill reads out, and the messages around its parts."""

    pending: str  # what yes, next or more go on with while this list has more
    items: Callable[[], Sequence[str]]  # each item as it is said
    first: str  # message leading the first part; {items} is the part
    offer: str  # prompt while parts remain
    done: str  # prompt after the last part


SECTIONS = SpokenList(
    pending=PENDING_SECTIONS,
    items=lambda: [f"{number}, {section.title}"
                   for number, section in enumerate(guide().sections, start=1)],
    first="list_sections", offer="sections_more", done="pick_section")
WORDS = SpokenList(
    pending=PENDING_WORDS,
    items=lambda: [entry.term for entry in guide().glossary],
    first="glossary_list", offer="glossary_more", done="glossary_prompt")
BY_PENDING = {spoken.pending: spoken for spoken in (SECTIONS, WORDS)}
# What keeps a list's offer open: go on (yes, next, more), say it again, a word's
# meaning, or a misheard word (which asks again rather than lose the place).
ANSWERS = ("AMAZON.YesIntent", "AMAZON.NextIntent", "AMAZON.RepeatIntent", "DefineTermIntent",
           "AMAZON.FallbackIntent")


def read_part(handler_input: HandlerInput, spoken: SpokenList, offset: int = 0) -> Response:
    """Name the part of the list from offset, then offer the rest or say what to do next.

    A stale offset (past the end, or from an older guide) starts the list again.
    """
    state = ListenerState.of(handler_input)
    content = guide()
    items = spoken.items()
    start = offset if 0 <= offset < len(items) else 0
    part = items[start:start + LIST_CHUNK]
    lead = spoken.first if start == 0 else "list_more"
    said = content.message(lead, items=narration.spoken_list(list(part)))
    end = start + len(part)
    if end < len(items):
        state.pending, state.list_offset, prompt = spoken.pending, end, spoken.offer
    else:
        state.pending, state.list_offset, prompt = "", 0, spoken.done
    return reply.ask(handler_input, said, prompt=content.message(prompt))


def open_offer(state: ListenerState) -> str:
    """The offer of more, when a list has more to say; else ''."""
    spoken = BY_PENDING.get(state.pending)
    return guide().message(spoken.offer) if spoken else ""


class MorePartsHandler(AbstractRequestHandler):
    """Yes, next or more while a list has more: its next part.

    Registered ahead of the yes and next handlers (see skill/builder.py), which would
    otherwise read the guide.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (intent_name(handler_input) in ("AMAZON.YesIntent", "AMAZON.NextIntent")
                and ListenerState.of(handler_input).pending in BY_PENDING)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        return read_part(handler_input, BY_PENDING[state.pending], state.list_offset)


class LeaveListInterceptor(AbstractRequestInterceptor):
    """Anything but an answer to a list's offer leaves the list (runs after state loads)."""

    def process(self, handler_input: HandlerInput) -> None:
        state = ListenerState.of(handler_input)
        if state.pending in BY_PENDING and intent_name(handler_input) not in ANSWERS:
            state.pending, state.list_offset = "", 0


# Answers to a list's offer: they go ahead of every other handler but playback's.
FOLLOW_UPS = (MorePartsHandler(),)
INTERCEPTORS = (LeaveListInterceptor(),)
