"""What to suggest asking: after a miss, a question the guide does not cover, or an
off-topic request, name two or three questions the guide can answer."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from content import guide, slot_names
from handlers.slots import slot_text
from handlers.state import ListenerState

MAX_SUGGESTIONS = 3


def you_could_ask(topic_ids: list[str] | tuple[str, ...]) -> str:
    """'You could ask: how is it treated, or does botox help.'"""
    questions = [topic.ask for topic_id in topic_ids if (topic := guide().topic(topic_id))]
    return guide().message("you_could_ask", choices=or_list(questions))


def or_list(items: list[str]) -> str:
    """'a, b, or c': choices as they sound when heard once."""
    if len(items) <= 2:
        return ", or ".join(items)
    return ", ".join(items[:-1]) + ", or " + items[-1]


def near_topics(handler_input: HandlerInput) -> list[str]:
    """The closest questions a front-end heard (only known ids: the slot is untrusted)."""
    said = slot_text(handler_input, slot_names.NEAR).split()
    return [t for t in dict.fromkeys(said) if guide().topic(t) is not None][:MAX_SUGGESTIONS]


def topics_here(state: ListenerState) -> list[str]:
    """Questions that fit where the listener is: this section's own, or, before any
    section, the guide's main questions."""
    if state.started and not state.finished:
        section = guide().sections[state.section]
        return [section.id, *(a.id for a in section.answers)][:MAX_SUGGESTIONS]
    return [s.id for s in guide().sections[1:4]]
