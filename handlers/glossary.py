"""'What does <term> mean': plain meanings of the guide's words."""

from __future__ import annotations

import re

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide, slot_names
from handlers import lists, narration, reply
from handlers.dispatch import IntentHandler
from handlers.slots import slot_text
from handlers.state import ListenerState

# Echo a heard word back only when it is short and plainly a word.
MAX_ECHO_CHARS = 40
# "What does that mean" points back at what was said; "the word that" would be nonsense.
NOT_A_WORD = frozenset({"that", "this", "it", "them", "those", "these", "that word", "this word"})
# How many words an unknown-word reply names: enough to show the kind, short to hear.
EXAMPLE_COUNT = 3


def _examples() -> str:
    return narration.spoken_list([entry.term for entry in guide().glossary[:EXAMPLE_COUNT]])


def _terms_in(text: str) -> list[str]:
    """The glossary words a text uses, by any of their names, in the order it uses them:
    after "what does that mean", these are the words "that" most likely points at."""
    found = []
    for entry in guide().glossary:
        starts = [match.start() for name in (entry.term, *entry.synonyms)
                  if (match := re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE))]
        if starts:
            found.append((min(starts), entry.term))
    return [term for _, term in sorted(found)][:EXAMPLE_COUNT]


def _echoable(heard: str) -> bool:
    """Short, plainly a word, and not a pronoun: safe and sensible to say back."""
    return (bool(heard) and len(heard) <= MAX_ECHO_CHARS and heard.lower() not in NOT_A_WORD
            and all(c.isalpha() or c in " '-" for c in heard))


def _not_a_known_word(handler_input: HandlerInput, heard: str) -> str:
    """What to say for a word not in the glossary: "that" in a section is offered the
    words of what was just heard (an answer or a page); any other word gets the first few
    of the glossary."""
    echo = " ".join(heard.split())
    state = ListenerState.of(handler_input)
    just_heard = state.last_speech or narration.current_page_text(state)
    on_page = _terms_in(just_heard) if echo.lower() in NOT_A_WORD and state.started else []
    if on_page:
        return guide().message("term_on_page", examples=narration.spoken_list(on_page))
    if _echoable(echo):
        return guide().message("term_unknown_heard", heard=echo, examples=_examples())
    return guide().message("term_unknown", examples=_examples())


class DefineTermHandler(IntentHandler):
    """Give the meaning, read the section a topic's name asks for, or say honestly that
    the word is not in the list."""

    intents = ("DefineTermIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = guide()
        heard = slot_text(handler_input, slot_names.TERM)
        entry = content.find_term(heard) if heard else None
        if entry is not None:
            # In the middle of a list, its offer of more is the next step.
            prompt = lists.open_offer(ListenerState.of(handler_input)) or content.message("term_prompt")
            return reply.ask(handler_input, entry.meaning, prompt=prompt, title=entry.term.capitalize())
        section = content.find_section(heard) if heard else None
        if section is not None:
            # "Define hemifacial spasm", "what are the treatments": a topic, not a word.
            ListenerState.of(handler_input).go_to(content.section_index(section.id))
            return narration.read_current_page(handler_input)
        return reply.ask(handler_input, prompt=_not_a_known_word(handler_input, heard))


class GlossaryListHandler(IntentHandler):
    """Name the words the glossary explains, from the first, a few at a time."""

    intents = ("GlossaryIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return lists.read_part(handler_input, lists.WORDS)


HANDLERS = (DefineTermHandler(), GlossaryListHandler())
