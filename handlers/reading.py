"""Reading the guide: a section by name, page by page, or all of it."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide, slot_names
from handlers import narration, reply
from handlers.dispatch import IntentHandler
from handlers.slots import slot_text
from handlers.state import ListenerState


class ReadSectionHandler(IntentHandler):
    """'Tell me about {section}': read the named section, or offer the names."""

    intents = ("ReadSectionIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        section = guide().find_section(slot_text(handler_input, slot_names.SECTION))
        if section is None:
            return narration.not_understood(handler_input)
        ListenerState.of(handler_input).go_to(guide().section_index(section.id))
        return narration.read_current_page(handler_input)


class NextHandler(IntentHandler):
    """Next page, into the next section when this one ends."""

    intents = ("AMAZON.NextIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return narration.read_next_page(handler_input)


class PreviousHandler(IntentHandler):
    """Back one page, into the previous section at its last page."""

    intents = ("AMAZON.PreviousIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        if not state.started:
            state.go_to(0)
            return narration.read_current_page(handler_input)
        section = state.section
        if not state.retreat():
            return narration.read_current_page(handler_input, guide().message("first_page"))
        return narration.read_current_page(handler_input, *_back_into_another_section(state, section))


def _back_into_another_section(state: ListenerState, left: int) -> tuple[str, ...]:
    """Back past a section's start lands on the last page of the one before, which has no
    heading: say which section and page, or the listener cannot tell they changed section."""
    if state.section == left or state.page_at_detail == 0:
        return ()
    title = narration.current_section(state).title
    return (guide().message("back_to_section", title=title, page=state.page + 1),)


class RepeatHandler(IntentHandler):
    """Say the last reply again, word for word. Asked first thing in a session ("Alexa,
    ask facial spasm guide to repeat that"), it means the page the listener was on."""

    intents = ("AMAZON.RepeatIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        if not state.last_speech and state.last_prompt:  # the last reply was only a question
            return reply.ask(handler_input, prompt=state.last_prompt)
        if not state.last_speech and state.started and not state.finished:
            return narration.read_current_page(handler_input)
        if not state.last_speech:
            return narration.say_with_first_choices(handler_input,
                                                    guide().message("nothing_to_repeat"))
        return reply.ask(handler_input, state.last_speech, prompt=state.last_prompt)


class StartOverHandler(IntentHandler):
    """Back to the first page of the first section."""

    intents = ("AMAZON.StartOverIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        ListenerState.of(handler_input).go_to(0)
        return narration.read_current_page(handler_input)


class ReadAllHandler(IntentHandler):
    """'Read everything': a page at a time, each followed by a short check to go on.

    From the middle of a section it reads on from the listener's place, and says where
    that is first: a page heard without its section's title would make no sense.
    """

    intents = ("ReadAllIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        if not state.started or state.finished or state.page_at_detail == 0:
            return narration.read_page_then_ask_to_continue(handler_input)
        return narration.read_page_then_ask_to_continue(handler_input, narration.reading_from(state))


class ResumeHandler(IntentHandler):
    """'Resume': carry on at the page the listener stopped on."""

    intents = ("AMAZON.ResumeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        if not state.started:
            return narration.say_with_first_choices(handler_input,
                                                    guide().message("nothing_to_resume"))
        state.finished = False
        return narration.read_current_page(handler_input)


HANDLERS = (ReadSectionHandler(), NextHandler(), PreviousHandler(),
            RepeatHandler(), StartOverHandler(), ReadAllHandler(), ResumeHandler())
