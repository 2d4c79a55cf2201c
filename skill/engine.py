"""Run one Alexa request envelope through the skill: JSON in, JSON out.

Shared by every front-end so that parsing and error mapping are identical
for the web endpoint, Lambda, chat and the offline voice mode.
"""

from __future__ import annotations

import json
from typing import Any

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

SERIALIZER = DefaultSerializer()


class BadRequest(ValueError):
    """The envelope is not something Alexa would send; nothing was run or saved."""


def parse_envelope(payload: str | dict[str, Any]) -> RequestEnvelope:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    try:
        data = json.loads(text)
    except ValueError as error:
        raise BadRequest("body is not valid JSON") from error
    if not isinstance(data, dict) or not isinstance(data.get("request"), dict):
        raise BadRequest("body is not an Alexa request envelope")
    request = data["request"]
    if not isinstance(request.get("type"), str) or not isinstance(request.get("requestId", ""),
                                                                  str):
        raise BadRequest("request.type is missing")
    try:
        envelope = SERIALIZER.deserialize(payload=text, obj_type=RequestEnvelope)
    except Exception as error:  # the SDK raises several types for malformed fields
        raise BadRequest("request envelope has malformed fields") from error
    if envelope.request is None:
        raise BadRequest(f"unknown request type {request['type'][:60]!r}")
    return envelope


def invoke(skill: CustomSkill, envelope: RequestEnvelope) -> dict[str, Any]:
    """Dispatch to the handlers and return the response envelope as JSON-ready data."""
    try:
        response = skill.invoke(request_envelope=envelope, context=None)
    except AskSdkException as error:
        # Raised before dispatch, e.g. an applicationId that is not ours.
        raise BadRequest(str(error)) from error
    return SERIALIZER.serialize(response)


def handle_payload(skill: CustomSkill, payload: str | dict[str, Any]) -> dict[str, Any]:
    return invoke(skill, parse_envelope(payload))
