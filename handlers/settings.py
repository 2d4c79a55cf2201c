"""Listening preferences: speaking speed and detail level, kept for next time."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from content import guide
from content.loader import NORMAL_SPEED, SPEED_STEPS
from handlers import lists, narration, reply
from handlers.dispatch import IntentHandler, intent_name
from handlers.state import ListenerState


def _heard_on_this_page(handler_input: HandlerInput, said: str) -> Response:
    """Confirm a change and re-read the current page with it, so the listener hears it at
    once and 'repeat' replays the page, not just the confirmation; in the middle of a
    list, its part again; before any section there is no page, so the confirmation and
    the choices."""
    state = ListenerState.of(handler_input)
    in_a_list = lists.say_part_again(handler_input, said)
    if in_a_list is not None:
        return in_a_list
    if state.started:
        return narration.read_current_page(handler_input, said)
    return narration.say_with_first_choices(handler_input, said)


def _speed_change(now: int, wanted: int) -> str:
    """'Okay, a bit faster. That's still slower than normal.': which way, and where that
    is against normal, since a listener cannot see a dial."""
    content = guide()
    if wanted == NORMAL_SPEED:
        return content.message("speed_normal")
    change = content.messages["speed_changes"][0 if wanted < now else 1]
    position = content.messages["speed_names"][wanted]
    if abs(wanted - NORMAL_SPEED) < abs(now - NORMAL_SPEED):
        position = content.message("speed_still", speed=position)
    return content.message("speed_changed", change=change, speed=position)


class SpeedHandler(IntentHandler):
    """Slower, faster, normal speed: one step at a time, within limits."""

    STEPS = {"SlowerIntent": -1, "FasterIntent": 1, "NormalSpeedIntent": 0}

    intents = tuple(STEPS)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        step = self.STEPS[intent_name(handler_input)]
        wanted = NORMAL_SPEED if step == 0 else state.speed + step
        content = guide()
        if not 0 <= wanted < SPEED_STEPS:
            said = content.message("speed_limit",
                                   speed=content.messages["speed_limit_names"][state.speed])
            return reply.ask(handler_input, said,
                             prompt=state.offer(narration.next_step_after_aside(state)))
        said = _speed_change(state.speed, wanted)
        state.speed = wanted
        return _heard_on_this_page(handler_input, said)


class DetailHandler(IntentHandler):
    """Brief (one-sentence summaries) or more detail (the full pages)."""

    LEVELS = {"BriefIntent": "brief", "DetailIntent": "full"}

    intents = tuple(LEVELS)

    def handle(self, handler_input: HandlerInput) -> Response:
        state = ListenerState.of(handler_input)
        state.detail = self.LEVELS[intent_name(handler_input)]
        return _heard_on_this_page(handler_input,
                                   guide().message("brief_on" if state.brief else "detail_on"))


HANDLERS = (SpeedHandler(), DetailHandler())
