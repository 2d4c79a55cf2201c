"""The one way handlers answer: speech, a useful reprompt and a card, from plain text.

Handlers decide *what* to say; this module decides how it becomes a response,
so escaping, speed, cards and "repeat" work the same everywhere.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from content import guide
from content.loader import SPEED_RATES
from handlers import ssml
from handlers.state import ListenerState


def ask(handler_input: HandlerInput, *parts: str, prompt: str, title: str = "",
        aside: bool = False) -> Response:
    """Say something and keep listening; the prompt is the next step and the reprompt.

    A first-time listener who skips the welcome ("Alexa, ask facial spasm guide what
    causes it") still hears the notice once, before the answer. An aside (a miss, a
    question the guide does not cover, "hold on") is not what "repeat" says again:
    that stays the last thing the listener was told about the guide.
    """
    state = ListenerState.of(handler_input)
    if not state.notice_heard:
        state.notice_heard = True
        parts = (guide().notice, *parts)
    if not aside or not (state.last_speech or state.last_prompt):
        state.last_speech, state.last_prompt = ssml.transcript(list(parts)), prompt
    return _build(handler_input, [*parts, prompt], reprompt=prompt, title=title)


def tell(handler_input: HandlerInput, *parts: str, title: str = "") -> Response:
    """Say something and end the session."""
    return _build(handler_input, list(parts), reprompt=None, title=title)


def _build(handler_input: HandlerInput, parts: list[str], *, reprompt: str | None,
           title: str) -> Response:
    rate = SPEED_RATES[ListenerState.of(handler_input).speed]
    speech = ssml.speak(parts, rate)
    if len(speech) > ssml.MAX_SSML_CHARS:
        raise ValueError(f"reply of {len(speech)} characters is over Alexa's limit")
    builder = handler_input.response_builder.speak(speech)
    builder.set_card(SimpleCard(title=title or guide().name, content=ssml.transcript(parts)))
    if reprompt is None:
        builder.set_should_end_session(True)
    else:
        builder.ask(ssml.speak([reprompt], rate))
    return builder.response


def silent(handler_input: HandlerInput) -> Response:
    """No speech: for SessionEnded and events that must not talk."""
    return handler_input.response_builder.response
