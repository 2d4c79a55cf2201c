"""Opening and closing a conversation, and the answers that keep it going:
launch and resume, yes and no, help, the notice, stop, fallback and errors."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from content import guide
from handlers import answers, narration, reply
from handlers.dispatch import IntentHandler
from handlers.state import (
    PENDING_CONFIRM,
    PENDING_CONTINUE,
    PENDING_MORE,
    PENDING_NEXT,
    PENDING_RESUME,
    ListenerState,
)

log = logging.getLogger(__name__)


class LaunchHandler(AbstractRequestHandler):
    """Say what the skill is; the notice on first use; offer to resume if there is a place."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        content = guide()
        if not state.notice_heard:
            state.notice_heard = True
            return narration.say_with_first_choices(handler_input, content.welcome, content.notice)
        if state.started and not state.finished:
            state.pending = PENDING_RESUME
            return reply.ask(handler_input, content.welcome_back, prompt=narration.resume_offer(state))
        return narration.say_with_first_choices(handler_input, content.welcome_back)


class YesHandler(IntentHandler):
    """Yes answers the last question: resume, go on reading, or hear the next page."""

    intents = ("AMAZON.YesIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        pending, state.pending = state.pending, ""
        if pending == PENDING_MORE:
            return answers.read_offered(handler_input)
        if pending == PENDING_CONFIRM:
            return answers.confirm(handler_input)
        if pending == PENDING_RESUME:
            return narration.read_current_page(handler_input)
        if pending == PENDING_CONTINUE:
            state.advance()
            return narration.read_page_then_ask_to_continue(handler_input)
        if state.finished:  # "That's the end of the guide": yes means hear it again
            state.go_to(0)
            return narration.read_current_page(handler_input)
        if pending == PENDING_NEXT or state.started:
            return narration.read_next_page(handler_input)
        state.go_to(0)
        return narration.read_current_page(handler_input)


class NoHandler(IntentHandler):
    """No: decline the offer and give the choices instead."""

    intents = ("AMAZON.NoIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        said = "no_question_pending"
        if state.pending == PENDING_RESUME:
            state.go_to(0)
            state.started = False
            said = "resume_declined"
        return narration.say_with_first_choices(handler_input, guide().message(said))


class HelpHandler(IntentHandler):
    """Help that fits where the listener is."""

    intents = ("AMAZON.HelpIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        content = guide()
        if state.started and not state.finished:
            said = content.message("help_in_section", title=narration.current_section(state).title)
            return reply.ask(handler_input, said, prompt=state.offer(narration.next_step(state)))
        state.pending = ""
        return reply.ask(handler_input, content.message("help_general"),
                         prompt=content.message("help_prompt"))


class NoticeHandler(IntentHandler):
    """'Is this medical advice?': the notice, on request."""

    intents = ("NoticeIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        state.notice_heard = True
        return reply.ask(handler_input, guide().notice,
                         prompt=state.offer(narration.next_step_after_aside(state)))


class StopHandler(IntentHandler):
    """Stop or cancel: a short goodbye; the place is saved for next time."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        state.pending = ""
        said = guide().message("stopped") if state.started and not state.finished else ""
        return reply.tell(handler_input, said or guide().goodbye)


class PauseHandler(IntentHandler):
    """Pause while reading: end the session, keeping the place ("hold on" and "wait" keep
    it open: answers.WaitHandler). With nothing being read, there is nothing to pause:
    the choices stay open."""

    intents = ("AMAZON.PauseIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        content = guide()
        if not state.started:
            return narration.say_with_first_choices(handler_input,
                                                    content.message("no_question_pending"))
        if state.finished:
            return reply.tell(handler_input, content.goodbye)
        return reply.tell(handler_input, content.message(
            "paused", number=state.section + 1, title=narration.current_section(state).title))


class LoopShuffleHandler(IntentHandler):
    """Loop or shuffle in a conversation (while a recording plays, playback.py answers):
    understood, just not something a guide read in order offers."""

    intents = ("AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent", "AMAZON.ShuffleOnIntent",
               "AMAZON.ShuffleOffIntent")

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        return reply.ask(handler_input, guide().message("no_loop_or_shuffle"),
                         prompt=state.offer(narration.next_step_after_aside(state)))


class FallbackHandler(IntentHandler):
    """Not understood, or not covered: said plainly, with questions the guide can answer."""

    intents = ("AMAZON.FallbackIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        return narration.not_understood(handler_input)


class SessionEndedHandler(AbstractRequestHandler):
    """The session closed (silence, error or exit): nothing to say; state is saved."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        log.info("session ended", extra={"reason": str(getattr(request, "reason", ""))})
        return reply.silent(handler_input)


class UnhandledIntentHandler(AbstractRequestHandler):
    """An intent this skill does not know (a new model, a stray request): treat as a miss."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return narration.not_understood(handler_input)


class OtherRequestHandler(AbstractRequestHandler):
    """Requests this skill has nothing to say to (CanFulfillIntent, APL events, events
    while playback is off): answer silently, as Alexa requires for events."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        kind = getattr(handler_input.request_envelope.request, "object_type", "unknown")
        log.info("no answer needed for %s", kind)
        return reply.silent(handler_input)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything unexpected: log it, apologise briefly and say what can be done."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("handler failed", exc_info=exception)
        if not is_request_type("LaunchRequest")(handler_input) and not is_request_type(
                "IntentRequest")(handler_input):
            return reply.silent(handler_input)  # events may not be answered with speech
        content = guide()
        handler_input.response_builder.set_should_end_session(False)
        return reply.ask(handler_input, content.message("error"),
                         prompt=content.message("error_prompt"))


HANDLERS = (LaunchHandler(), YesHandler(), NoHandler(), HelpHandler(), NoticeHandler(),
            StopHandler(), PauseHandler(), LoopShuffleHandler(), FallbackHandler(),
            SessionEndedHandler())
# Registered last, so every specific handler gets the first chance.
LAST_RESORT = (UnhandledIntentHandler(), OtherRequestHandler())
EXCEPTION_HANDLERS = (CatchAllExceptionHandler(),)
