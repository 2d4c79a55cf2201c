"""Choosing the handler: the indexed mapper picks what the SDK's own mapper would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_runtime.dispatch_components.request_components import GenericRequestMapper

from handlers.interceptors import REQUEST_INTERCEPTORS
from skill.engine import envelope as engine
from skill.engine.builder import build_skill
from tests.envelopes import envelope, intent, launch

MODEL = Path(__file__).resolve().parent.parent / "skill-package/interactionModels/custom/en-US.json"
MODEL_INTENTS = [entry["name"] for entry in
                 json.loads(MODEL.read_text())["interactionModel"]["languageModel"]["intents"]]
REQUESTS = [
    *(intent(name) for name in MODEL_INTENTS),
    intent("NoSuchIntent"),
    launch(),
    envelope({"type": "SessionEndedRequest", "reason": "USER_INITIATED"}),
    envelope({"type": "AudioPlayer.PlaybackStarted", "token": "t", "offsetInMilliseconds": 0}),
]


@pytest.mark.parametrize("body", REQUESTS, ids=lambda body: body["request"].get("intent", {})
                         .get("name") or body["request"]["type"])
def test_the_indexed_mapper_chooses_the_handler_the_sdk_would(body: dict) -> None:
    mapper = build_skill().request_dispatcher.request_mappers[0]
    request_envelope = engine.parse_envelope(json.dumps(body))
    handler_input = HandlerInput(request_envelope=request_envelope, attributes_manager=
                                 AttributesManager(request_envelope=request_envelope))
    for interceptor in REQUEST_INTERCEPTORS:
        interceptor.process(handler_input)
    assert (mapper.get_request_handler_chain(handler_input)
            is GenericRequestMapper.get_request_handler_chain(mapper, handler_input))
