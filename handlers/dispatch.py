"""Choosing a handler by intent name, so each handler states only what it answers."""

from __future__ import annotations

from typing import ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest
from ask_sdk_runtime.dispatch_components.request_components import (
    GenericRequestHandlerChain,
    GenericRequestMapper,
)


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


class ByIntentMapper(GenericRequestMapper):
    """The SDK's request mapper, asking only the handlers that could say yes.

    The SDK asks every handler in turn until one can handle the request; with forty
    handlers, "next" was answered only after two dozen refusals. An ``IntentHandler``
    that keeps the inherited ``can_handle`` says yes only to its ``intents``, so for
    each intent the candidates are those handlers plus every handler with a
    ``can_handle`` of its own, in the registered order: the same handler is chosen.
    """

    def __init__(self, request_handler_chains: list[GenericRequestHandlerChain]) -> None:
        super().__init__(request_handler_chains)
        chains = self.request_handler_chains
        self._others = [chain for chain in chains if not _by_name_only(chain)]
        names = {name for chain in chains if _by_name_only(chain)
                 for name in chain.request_handler.intents}
        # Only intents some handler names: a request can carry any name, and must not
        # grow this table.
        self._candidates = {
            name: [chain for chain in chains
                   if not _by_name_only(chain) or name in chain.request_handler.intents]
            for name in names}

    def get_request_handler_chain(self, handler_input: HandlerInput
                                  ) -> GenericRequestHandlerChain | None:
        candidates = self._candidates.get(intent_name(handler_input), self._others)
        for chain in candidates:
            if chain.request_handler.can_handle(handler_input):
                return chain
        return None


def _by_name_only(chain: GenericRequestHandlerChain) -> bool:
    return type(chain.request_handler).can_handle is IntentHandler.can_handle
