"""Answering questions: the answer first, then one offer of more; and, just as plainly,
what the guide does not cover, what it is not for, and the one safety line.

A listener who asks "how is it treated" hears the treatments in the first reply,
not the start of a section. A question the guide has no facts for is never guessed
at: it is told so, pointed to a doctor and offered two things the guide can tell.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import Topic, guide, slot_names
from content.questions import OFF_TOPIC_INTENT, SAFETY_INTENT, NotCovered
from handlers import narration, reply
from handlers.dispatch import IntentHandler, intent_name
from handlers.slots import slot_text
from handlers.state import PENDING_CONFIRM, PENDING_MORE, ListenerState

DID_YOU_MEAN_INTENT = "DidYouMeanIntent"  # sent by the text and voice front-ends only


def answer(handler_input: HandlerInput, topic: Topic) -> Response:
    """The answer, heard once, then the offer of more; the place moves to its section, so
    next, back and where am I carry on from there."""
    state = ListenerState.of(handler_input)
    section = topic.home
    state.go_to(topic.section)
    if topic.answer is None:
        text, offer = section.pages[0], section.offer
        more_section, more_page = _after_first_page(topic.section)
    else:
        text, offer = topic.answer.text, topic.answer.offer
        more_section, more_page = guide().section_index(topic.answer.more_section), \
            topic.answer.more_page
    state.pending, state.offered = PENDING_MORE, f"{more_section}:{more_page}"
    return reply.ask(handler_input, text, prompt=offer, title=section.title)


def _after_first_page(section: int) -> tuple[int, int]:
    """What 'want to hear more?' after a section's answer means: its second page, or the
    next section when it has only one."""
    if len(guide().sections[section].pages) > 1:
        return section, 1
    return min(section + 1, len(guide().sections) - 1), 0


def read_offered(handler_input: HandlerInput) -> Response:
    """Yes to 'Want to hear more?': the page offered."""
    state = ListenerState.of(handler_input)
    section, _, page = state.offered.partition(":")
    state.offered = ""
    if section.isdigit() and page.isdigit():
        state.go_to(int(section), int(page))
    return narration.read_current_page(handler_input)


def confirm(handler_input: HandlerInput) -> Response:
    """Yes to 'Did you mean ...?': answer that question."""
    state = ListenerState.of(handler_input)
    topic = guide().topic(state.offered)
    state.offered = ""
    if topic is None:
        return narration.not_understood(handler_input)
    return answer(handler_input, topic)


class TopicHandler(AbstractRequestHandler):
    """A question the guide answers: a section's own question or a specific one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return guide().topic_for_intent(intent_name(handler_input)) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        topic = guide().topic_for_intent(intent_name(handler_input))
        assert topic is not None
        return answer(handler_input, topic)


class NotCoveredHandler(AbstractRequestHandler):
    """A question about the condition that the guide has no facts for: said plainly."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return _not_covered_group(intent_name(handler_input)) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        group = _not_covered_group(intent_name(handler_input))
        assert group is not None
        return narration.plain_reply(handler_input, guide().scope.not_covered_reply,
                                     group.instead, missed=False)


def _not_covered_group(name: str) -> NotCovered | None:
    return next((g for g in guide().scope.not_covered if g.intent_name == name), None)


class OffTopicHandler(IntentHandler):
    """Weather, music, timers: one line on what the guide is for, and a next step."""

    intents = (OFF_TOPIC_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        scope = guide().scope
        return narration.plain_reply(handler_input, scope.off_topic_reply, scope.off_topic_instead,
                                     missed=False)


class SafetyHandler(IntentHandler):
    """Sudden drooping, weakness, numbness, trouble speaking, or a stroke: the guide cannot
    tell, and says to call the emergency number now if it came on suddenly."""

    intents = (SAFETY_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        return reply.ask(handler_input, guide().scope.safety_reply,
                         prompt=state.offer(narration.next_step_after_aside(state)), aside=True)


class DidYouMeanHandler(IntentHandler):
    """A close guess from a text or voice front-end: ask before answering."""

    intents = (DID_YOU_MEAN_INTENT,)

    def handle(self, handler_input: HandlerInput) -> Response:
        topic_id = slot_text(handler_input, slot_names.TOPIC)
        topic = guide().topic(topic_id)
        if topic is None:
            return narration.not_understood(handler_input)
        state = ListenerState.of(handler_input)
        state.pending, state.offered = PENDING_CONFIRM, topic_id
        return reply.ask(handler_input, prompt=guide().message("did_you_mean", question=topic.ask),
                         aside=True)


class WaitHandler(IntentHandler):
    """'Hold on', 'wait': nothing moves and the session stays open."""

    intents = ("WaitIntent",)

    def handle(self, handler_input: HandlerInput) -> Response:
        content = guide()
        return reply.ask(handler_input, content.message("waiting"),
                         prompt=content.message("waiting_prompt"), aside=True)


HANDLERS = (TopicHandler(), NotCoveredHandler(), OffTopicHandler(), SafetyHandler(),
            DidYouMeanHandler(), WaitHandler())
