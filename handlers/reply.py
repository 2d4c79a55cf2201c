"""The one way handlers answer: speech, a useful reprompt and a card, from plain text.

Handlers decide *what* to say; this module decides how it becomes a response,
so escaping, speed, cards and "repeat" work the same everywhere. The plain words
are kept beside the SSML as it is built (see Transcript), so a front-end that
prints or synthesises a reply itself never has to parse the SSML back.
"""

from __future__ import annotations

from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from content import guide
from content.loader import SPEED_RATES
from handlers import ssml
from handlers.state import ListenerState


@dataclass(frozen=True)
class Spoken:
    """A reply's words as plain text, and the speed they are said at."""

    text: str  # everything said, prompt included
    reprompt: str  # what is said again after a silence; '' when the session ends
    rate: str  # the listener's speed as SSML's prosody rate, e.g. "85%"


@dataclass
class Transcript:
    """Passed as the SDK's invocation context by a front-end that wants the reply's plain
    words (skill/engine/reply.py); _build fills it in. Alexa's JSON is the same with or
    without it, and the web endpoint and Lambda pass none."""

    spoken: Spoken | None = None


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
    text = ssml.transcript(parts)
    builder = handler_input.response_builder.speak(speech)
    builder.set_card(SimpleCard(title=title or guide().name, content=text))
    if reprompt is None:
        builder.set_should_end_session(True)
    else:
        builder.ask(ssml.speak([reprompt], rate))
    if isinstance(handler_input.context, Transcript):
        handler_input.context.spoken = Spoken(
            text=text, reprompt="" if reprompt is None else ssml.transcript([reprompt]), rate=rate)
    return builder.response


def silent(handler_input: HandlerInput) -> Response:
    """No speech: for SessionEnded and events that must not talk."""
    return handler_input.response_builder.response
