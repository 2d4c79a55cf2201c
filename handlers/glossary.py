"""'What does <term> mean': plain meanings of the guide's words."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide
from handlers import narration, reply
from handlers.dispatch import IntentHandler, intent_name
from handlers.slots import slot_text
from handlers.state import PENDING_WORDS, ListenerState

# Echo a heard word back only when it is short and plainly a word.
MAX_ECHO_CHARS = 40


def _examples() -> str:
    return narration.spoken_list([entry.term for entry in guide().glossary[:3]])


class DefineTermHandler(IntentHandler):
    """Give the meaning, or say honestly that the word is not in the list."""

    intents = ("DefineTermIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = guide()
        heard = slot_text(handler_input, "term")
        entry = content.find_term(heard) if heard else None
        if entry is not None:
            return reply.ask(handler_input, entry.meaning, prompt=content.message("term_prompt"),
                             title=entry.term.capitalize())
        echo = " ".join(heard.split())
        if echo and len(echo) <= MAX_ECHO_CHARS and all(c.isalpha() or c in " '-" for c in echo):
            said = content.message("term_unknown_heard", heard=echo, examples=_examples())
        else:
            said = content.message("term_unknown", examples=_examples())
        return reply.ask(handler_input, prompt=said)


def read_words(handler_input: HandlerInput, offset: int) -> Response:
    """Name the next few glossary words from offset, as the section list does, then offer
    the rest (yes, next or more) or, after the last words, say that was all."""
    state = ListenerState.of(handler_input)
    content = guide()
    start, chunk = narration.list_chunk(content.glossary, offset)
    terms = narration.spoken_list([entry.term for entry in chunk])
    said = (content.message("glossary_list", terms=terms) if start == 0
            else content.message("glossary_list_more", terms=terms))
    state.words_offset = start + len(chunk)
    if state.words_offset < len(content.glossary):
        state.pending = PENDING_WORDS
        prompt = content.message("glossary_more")
    else:
        state.pending, state.words_offset = "", 0
        prompt = content.message("glossary_prompt")
    return reply.ask(handler_input, said, prompt=prompt)


class GlossaryListHandler(IntentHandler):
    """Name the words the glossary explains, from the first, a few at a time."""

    intents = ("GlossaryIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return read_words(handler_input, 0)


class MoreWordsHandler(AbstractRequestHandler):
    """Yes, next or more while the glossary list has more: its next words.

    Registered before the yes and next handlers (see skill/builder.py), which would
    otherwise read the guide.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (intent_name(handler_input) in ("AMAZON.YesIntent", "AMAZON.NextIntent")
                and ListenerState.of(handler_input).pending == PENDING_WORDS)

    def handle(self, handler_input: HandlerInput) -> Response:
        return read_words(handler_input, ListenerState.of(handler_input).words_offset)


HANDLERS = (DefineTermHandler(), GlossaryListHandler())
# Answers to the word list's offer: they go ahead of every other handler but playback's.
FOLLOW_UPS = (MoreWordsHandler(),)
