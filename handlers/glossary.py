"""'What does <term> mean': plain meanings of the guide's words."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide
from handlers import lists, narration, reply
from handlers.dispatch import IntentHandler
from handlers.slots import slot_text
from handlers.state import ListenerState

# Echo a heard word back only when it is short and plainly a word.
MAX_ECHO_CHARS = 40
# "What does that mean" points back at what was said; "the word that" would be nonsense.
NOT_A_WORD = frozenset({"that", "this", "it", "them", "those", "these", "that word", "this word"})


def _examples() -> str:
    return narration.spoken_list([entry.term for entry in guide().glossary[:3]])


def _echoable(heard: str) -> bool:
    """Short, plainly a word, and not a pronoun: safe and sensible to say back."""
    return (bool(heard) and len(heard) <= MAX_ECHO_CHARS and heard.lower() not in NOT_A_WORD
            and all(c.isalpha() or c in " '-" for c in heard))


class DefineTermHandler(IntentHandler):
    """Give the meaning, read the section a topic's name asks for, or say honestly that
    the word is not in the list."""

    intents = ("DefineTermIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = guide()
        heard = slot_text(handler_input, "term")
        entry = content.find_term(heard) if heard else None
        if entry is not None:
            # In the middle of a list, its offer of more is the next step.
            prompt = lists.open_offer(ListenerState.of(handler_input)) or content.message("term_prompt")
            return reply.ask(handler_input, entry.meaning, prompt=prompt, title=entry.term.capitalize())
        section = content.find_section(heard) if heard else None
        if section is not None:
            # "Define hemifacial spasm", "what are the treatments": a topic, not a word.
            ListenerState.of(handler_input).go_to(content.section_index(section.id))
            return narration.read_here(handler_input)
        echo = " ".join(heard.split())
        if _echoable(echo):
            said = content.message("term_unknown_heard", heard=echo, examples=_examples())
        else:
            said = content.message("term_unknown", examples=_examples())
        return reply.ask(handler_input, prompt=said)


class GlossaryListHandler(IntentHandler):
    """Name the words the glossary explains, from the first, a few at a time."""

    intents = ("GlossaryIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return lists.read_part(handler_input, lists.WORDS)


HANDLERS = (DefineTermHandler(), GlossaryListHandler())
