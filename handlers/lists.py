"""Lists heard in parts: the sections, and the words the guide explains.

A list heard once is hard to hold, so a reply names at most LIST_CHUNK items.
While more remain, the reply offers them, and yes, next or more names the next
part: the listener never has to remember a longer command to go on. Both lists
keep their place the same way, in ``state.list_offset`` with ``state.pending``
saying which list it belongs to.

The offer holds while the listener answers it, asks what one of the words means
or changes the speed (and is offered the rest again). Anything else (help, a
section, where am I) leaves the list, so that a later "next" does what that
reply's own prompt said: carry on with the guide (see state.OFFER_ANSWERS).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ask_sdk_core.dispatch_components import AbstractRequestHandler
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


def read_part(handler_input: HandlerInput, spoken: SpokenList, offset: int = 0,
              *lead: str) -> Response:
    """Name the part of the list from offset, after any lead-in, then offer the rest or
    say what to do next.

    A stale offset (past the end, or from an older guide) starts the list again.
    """
    state = ListenerState.of(handler_input)
    content = guide()
    items = spoken.items()
    start = offset if 0 <= offset < len(items) else 0
    part = items[start:start + LIST_CHUNK]
    key = spoken.first if start == 0 else "list_more"
    said = content.message(key, items=narration.spoken_list(list(part)))
    end = start + len(part)
    if end < len(items):
        state.pending, state.list_offset, prompt = spoken.pending, end, spoken.offer
    else:
        state.pending, state.list_offset, prompt = "", 0, spoken.done
    return reply.ask(handler_input, *lead, said, prompt=content.message(prompt))


def say_part_again(handler_input: HandlerInput, *lead: str) -> Response | None:
    """The part of the open list just heard, again (after a new speed, say); None when
    no list is open. Only a part before the last leaves the list open, and those are
    all full, so the part just heard began LIST_CHUNK items back."""
    state = ListenerState.of(handler_input)
    spoken = BY_PENDING.get(state.pending)
    if spoken is None:
        return None
    return read_part(handler_input, spoken, state.list_offset - LIST_CHUNK, *lead)


def open_offer(state: ListenerState) -> str:
    """The offer of more, when a list has more to say; else ''."""
    spoken = BY_PENDING.get(state.pending)
    return guide().message(spoken.offer) if spoken else ""


class MorePartsHandler(AbstractRequestHandler):
    """Yes, next or more while a list has more: its next part.

    Registered ahead of the yes and next handlers (see skill/engine/builder.py), which would
    otherwise read the guide.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (intent_name(handler_input) in ("AMAZON.YesIntent", "AMAZON.NextIntent")
                and ListenerState.of(handler_input).pending in BY_PENDING)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        return read_part(handler_input, BY_PENDING[state.pending], state.list_offset)


# Answers to a list's offer: they go ahead of every other handler but playback's.
FOLLOW_UPS = (MorePartsHandler(),)
