"""Alexa request envelopes for the robustness tests, and the check every answer must pass."""

from __future__ import annotations

import json
import sqlite3
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

APPLICATION_ID = "amzn1.ask.skill.robustness-tests"
USER_ID = "amzn1.ask.account.ROBUSTNESS-TEST-USER-7Q3"
# Tags our SSML may contain; anything else means input got out of its escaping.
SSML_TAGS = {"speak", "break", "prosody", "sub", "audio"}
MAX_SSML = 8000
# The words of a Python traceback or a source path must never reach a response body.
LEAKS = ("Traceback", 'File "', ".py", "/work/", "site-packages")


def envelope(request: dict[str, Any], *, user: str = USER_ID, new: bool = False,
             attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    application = {"applicationId": APPLICATION_ID}
    return {
        "version": "1.0",
        "session": {"new": new, "sessionId": f"test.session.{uuid.uuid4()}",
                    "application": application, "user": {"userId": user},
                    "attributes": attributes or {}},
        "context": {"System": {"application": application, "user": {"userId": user},
                               "device": {"deviceId": "test-device", "supportedInterfaces": {}}}},
        "request": {"requestId": f"test.request.{uuid.uuid4()}", "locale": "en-US",
                    "timestamp": "2025-01-01T00:00:00Z", **request},
    }


def launch(**kwargs: Any) -> dict[str, Any]:
    return envelope({"type": "LaunchRequest"}, new=True, **kwargs)


def intent(name: str, slots: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots is not None:
        body["slots"] = {key: {"name": key, "value": value, "confirmationStatus": "NONE"}
                         for key, value in slots.items()}
    return envelope({"type": "IntentRequest", "dialogState": "COMPLETED", "intent": body},
                    **kwargs)


def post(client: Any, body: Any, content_type: str = "application/json") -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/alexa", data=data, content_type=content_type)


def check_ssml(ssml: Any) -> ET.Element:
    assert isinstance(ssml, str) and len(ssml) < MAX_SSML, "SSML missing or too long"
    root = ET.fromstring(ssml)  # raises on anything that is not well-formed XML
    assert root.tag == "speak"
    tags = {element.tag for element in root.iter()}
    assert tags <= SSML_TAGS, f"unexpected SSML tags {tags - SSML_TAGS}"
    return root


def check_answer(data: Any) -> dict[str, Any]:
    """A well-formed Alexa response: SSML that parses, under the limit, a reprompt if listening."""
    assert isinstance(data, dict) and data.get("version") == "1.0"
    response = data["response"]
    assert isinstance(response, dict)
    speech = response.get("outputSpeech")
    if speech is not None:
        assert speech["type"] == "SSML"
        check_ssml(speech["ssml"])
    if response.get("shouldEndSession") is False:
        assert speech is not None, "an open session needs something said"
        check_ssml(response["reprompt"]["outputSpeech"]["ssml"])
    return response


def check_http(result: Any, allowed: tuple[int, ...] = (200, 400, 413, 415),
               leaks: tuple[str, ...] = LEAKS) -> Any:
    """Any answer from POST /alexa: an allowed status, no traceback, a valid body."""
    text = result.get_data(as_text=True)
    assert result.status_code in allowed, (result.status_code, text[:300])
    for leak in leaks:
        assert leak not in text, f"response body leaks {leak!r}: {text[:300]}"
    data = json.loads(text)
    if result.status_code == 200:
        check_answer(data)
    else:
        assert isinstance(data.get("error"), str)
    return data


def saved_rows(database: Path) -> list[tuple[Any, ...]]:
    """Every saved row exactly as stored (timestamps too), or [] before the first save."""
    if not database.exists():
        return []
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute(
            "SELECT user_key, attributes, updated_at FROM listener_state ORDER BY user_key"
        ).fetchall()
    except sqlite3.OperationalError:  # no table yet
        return []
    finally:
        connection.close()
