"""Choosing a handler by intent name, so each handler states only what it answers."""

from __future__ import annotations

from typing import ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest


def intent_name(handler_input: HandlerInput) -> str:
    """The intent of this request, or '' for launches, events and malformed intents."""
    request = handler_input.request_envelope.request
    intent = request.intent if isinstance(request, IntentRequest) else None
    name = getattr(intent, "name", None)
    return name if isinstance(name, str) else ""


class IntentHandler(AbstractRequestHandler):
    """A handler for the intents listed in `intents`; subclasses implement handle()."""

    intents: ClassVar[tuple[str, ...]] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return intent_name(handler_input) in self.intents
