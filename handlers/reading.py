"""Reading the guide: a section by name, page by page, or all of it."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import IntentRequest, Response

from content import guide
from handlers import narration, reply
from handlers.slots import slot_text
from handlers.state import ListenerState


def _intent_name(handler_input: HandlerInput) -> str:
    request = handler_input.request_envelope.request
    return request.intent.name if isinstance(request, IntentRequest) and request.intent else ""


# Section number by the section's own intent name, for the guide it was built from: every
# intent request asks, so look it up instead of rebuilding each section's intent name.
_sections_by_intent: tuple[object, dict[str, int]] = (None, {})


def _section_number(handler_input: HandlerInput) -> int | None:
    global _sections_by_intent
    content = guide()
    if _sections_by_intent[0] is not content:
        _sections_by_intent = (content, {section.intent_name: number
                                         for number, section in enumerate(content.sections)})
    return _sections_by_intent[1].get(_intent_name(handler_input))


class SectionQuestionHandler(AbstractRequestHandler):
    """A section's own question, like 'what causes it': read that section from its start."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _section_number(handler_input) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        number = _section_number(handler_input)
        assert number is not None
        ListenerState.of(handler_input).go_to(number)
        return narration.read_here(handler_input)


class ReadSectionHandler(AbstractRequestHandler):
    """'Tell me about {section}': read the named section, or offer the names."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ReadSectionIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        section = guide().find_section(slot_text(handler_input, "section"))
        if section is None:
            return narration.not_understood(handler_input)
        ListenerState.of(handler_input).go_to(guide().section_index(section.id))
        return narration.read_here(handler_input)


class NextHandler(AbstractRequestHandler):
    """Next page, into the next section when this one ends."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NextIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return narration.advance_and_read(handler_input)


class PreviousHandler(AbstractRequestHandler):
    """Back one page, into the previous section at its last page."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.PreviousIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        if not state.started:
            state.go_to(0)
            return narration.read_here(handler_input)
        if state.retreat():
            return narration.read_here(handler_input)
        return narration.read_here(handler_input, guide().message("first_page"))


class RepeatHandler(AbstractRequestHandler):
    """Say the last reply again, word for word."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        if not state.last_speech:
            return reply.ask(handler_input, guide().message("nothing_to_repeat"),
                             prompt=narration.options(state))
        return reply.ask(handler_input, state.last_speech, prompt=state.last_prompt)


class StartOverHandler(AbstractRequestHandler):
    """Back to the first page of the first section."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.StartOverIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        ListenerState.of(handler_input).go_to(0)
        return narration.read_here(handler_input)


class ReadAllHandler(AbstractRequestHandler):
    """'Read everything': as many pages as fit in one reply, then ask to go on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ReadAllIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return narration.read_on(handler_input)


class ResumeHandler(AbstractRequestHandler):
    """'Resume': carry on at the page the listener stopped on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.ResumeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        if not state.started:
            return reply.ask(handler_input, prompt=narration.options(state))
        state.finished = False
        return narration.read_here(handler_input)


HANDLERS = (SectionQuestionHandler(), ReadSectionHandler(), NextHandler(), PreviousHandler(),
            RepeatHandler(), StartOverHandler(), ReadAllHandler(), ResumeHandler())
