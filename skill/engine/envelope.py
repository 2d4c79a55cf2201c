"""Run one Alexa request envelope through the skill: JSON in, JSON out.

Shared by every front-end so that parsing and error mapping are identical
for the web endpoint, Lambda, chat and the offline voice mode.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import IntentRequest, Request, RequestEnvelope

SERIALIZER = DefaultSerializer()
# Deeper than any Alexa envelope; deeper still would exhaust Python's recursion on the way in.
MAX_DEPTH = 64
NOT_JSON_NUMBER = "NaN and Infinity are not JSON numbers"


class BadRequest(ValueError):
    """The envelope is not something Alexa would send; nothing was run or saved."""


def parse_envelope(payload: str | dict[str, Any]) -> RequestEnvelope:
    """Check and deserialize an envelope: JSON text (web) or already-parsed data (Lambda, chat).

    The JSON is parsed once, here; the SDK then builds its model objects from that data
    rather than parsing the text again (and a dict is not dumped and re-parsed first).
    """
    try:
        data = (json.loads(payload, parse_constant=_no_constant, parse_float=_finite_float)
                if isinstance(payload, str) else payload)
    except BadRequest:
        raise
    except RecursionError as error:
        raise BadRequest("request envelope is nested too deeply") from error
    except ValueError as error:
        raise BadRequest("body is not valid JSON") from error
    if not isinstance(data, dict) or not isinstance(data.get("request"), dict):
        raise BadRequest("body is not an Alexa request envelope")
    if _too_deep(data):
        raise BadRequest("request envelope is nested too deeply")
    if not isinstance(payload, str) and _has_non_finite(data):
        raise BadRequest(NOT_JSON_NUMBER)
    request = data["request"]
    if not isinstance(request.get("type"), str) or not isinstance(request.get("requestId", ""),
                                                                  str):
        raise BadRequest("request.type is missing")
    if request["type"] not in Request.discriminator_value_class_map:
        raise BadRequest(f"unknown request type {request['type'][:60]!r}")
    try:
        envelope = _from_data(data)
    except Exception as error:  # the SDK raises several types for malformed fields
        raise BadRequest("request envelope has malformed fields") from error
    if envelope.request is None:
        raise BadRequest(f"unknown request type {request['type'][:60]!r}")
    if isinstance(envelope.request, IntentRequest) and not isinstance(
            getattr(envelope.request.intent, "name", None), str):
        raise BadRequest("IntentRequest without an intent name")
    return envelope


def _from_data(data: dict[str, Any]) -> RequestEnvelope:
    """The SDK's RequestEnvelope from parsed JSON.

    DefaultSerializer.deserialize(text) is json.loads followed by this private step;
    ask-sdk-core is pinned (pyproject.toml) and every request in the tests comes this way.
    The request timestamp is read here with datetime.fromisoformat (as the signature check
    reads it): the SDK would use dateutil's general parser, a sixteenth of a request's CPU
    and 3 ms of importing on a cold start, for the one ISO 8601 form Alexa sends.
    """
    request = dict(data["request"])
    sent = request.pop("timestamp", None)
    envelope = SERIALIZER._DefaultSerializer__deserialize(  # type: ignore[attr-defined]
        {**data, "request": request}, RequestEnvelope)
    if sent is not None and envelope.request is not None:
        envelope.request.timestamp = datetime.fromisoformat(sent)
    return envelope


def _no_constant(name: str) -> Any:
    """json.loads takes NaN and Infinity, which JSON has not, and they would be echoed
    back in sessionAttributes as JSON no one can parse."""
    raise BadRequest(NOT_JSON_NUMBER)


def _finite_float(text: str) -> float:
    """json.loads reads 1e999 as Infinity without asking parse_constant; refuse it too."""
    value = float(text)
    if not math.isfinite(value):
        raise BadRequest(NOT_JSON_NUMBER)
    return value


def _has_non_finite(value: Any) -> bool:
    """NaN or Infinity anywhere in already-parsed data (Lambda's runtime parses with json.loads).

    Called after _too_deep, so the walk is bounded.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return True
    return False


def _too_deep(value: Any) -> bool:
    """True if containers nest deeper than MAX_DEPTH (checked without recursion).

    One level at a time: every request passes through here, and this is about
    twice as fast as a stack of (item, depth) pairs.
    """
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        level = [child for item in level
                 for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, (dict, list))]
        if not level:
            return False
    return True


def invoke(skill: CustomSkill, envelope: RequestEnvelope, context: Any = None) -> dict[str, Any]:
    """Dispatch to the handlers and return the response envelope as JSON-ready data.

    context reaches the handlers as handler_input.context: local front-ends pass one to
    get the reply's plain words back (skill/engine/reply.py); the JSON is the same.
    """
    if getattr(skill, "skill_id", None) is not None and not _application_id(envelope):
        # The SDK reads it unguarded before dispatch: without it, an AttributeError (a 500).
        raise BadRequest("request has no context.System.application.applicationId")
    try:
        response = skill.invoke(request_envelope=envelope, context=context)
    except AskSdkException as error:
        # Raised before dispatch, e.g. an applicationId that is not ours.
        raise BadRequest(str(error)) from error
    return SERIALIZER.serialize(response)


def _application_id(envelope: RequestEnvelope) -> Any:
    system = getattr(getattr(envelope, "context", None), "system", None)
    return getattr(getattr(system, "application", None), "application_id", None)


def handle_payload(skill: CustomSkill, payload: str | dict[str, Any]) -> dict[str, Any]:
    return invoke(skill, parse_envelope(payload))
