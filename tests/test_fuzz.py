"""Fuzzing POST /alexa with hypothesis: whatever comes in, a proper answer or a clean 4xx.

Invariant for every example: status 200, 400, 413 or 415; no traceback in the body;
a 200 is an Alexa response whose SSML is well-formed XML under 8,000 characters,
with a reprompt whenever the session stays open.

`make test` runs 2,000 examples, derandomized: a fixed seed, with Hypothesis pinned in
pyproject.toml. (The examples also draw on constants in the loaded project modules,
so an edit elsewhere can change them; a failure prints the blob to reproduce it.)
`make fuzz` (HYPOTHESIS_PROFILE=long) runs 25 times as many, freshly random.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content import guide
from skill.web.app import create_app
from tests.envelopes import check_http, envelope

LONG = os.environ.get("HYPOTHESIS_PROFILE", "") == "long"
SCALE = 25 if LONG else 1
BASE = settings(
    derandomize=not LONG,  # CI: a fixed seed, not fresh randomness on every run
    deadline=None,
    database=None,
    print_blob=True,
    # The app is shared by every example on purpose; the network guard needs no reset.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
# What a body must never contain (the fuzzer itself may put ".py" into an echoed type name).
LEAKS = ("Traceback", 'File "', "site-packages", "/work/")


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    data = tmp_path_factory.mktemp("fuzz")
    return create_app(verify=False, data_dir=Path(data)).test_client()


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def handler_errors() -> Iterator[_Errors]:
    """Errors logged by the handlers: a failed handler still answers, so look here too."""
    errors = _Errors()
    logger = logging.getLogger("handlers")
    logger.addHandler(errors)
    yield errors
    logger.removeHandler(errors)


# --- strategies ---------------------------------------------------------------------------

NASTY = [
    "</speak>", "<audio src='https://x'/>", "<speak>", "]]>", "<![CDATA[", "&", "&amp;", "&#0;",
    "&bogus;", "<!--", "-->", "<?xml version='1.0'?>", '"', "'", "\\", "\x00", "\x01", "\x1b",
    "\x7f", "\r\n", "\u0085", "\u2028", "\u202e", "\u202d", "\u2066", "\u200f", "\ufeff",
    "\ufffe", "\uffff", "\ud800", "\udfff", "\U0001F600", "\u200d", "\u0301", "\u00b2",
    "\u0663", "\uff13", "three", "third", "3", "0", "-1", "99999", "causes", "the symptoms",
    "facial nerve", "spasm", "%s", "{0}", "{section}", "${x}", "\t",
]
slot_values = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=5), max_size=12).map("".join),
    st.sampled_from(NASTY),
    st.builds(lambda part, n: part * n, st.sampled_from([*NASTY, "x", "causes "]),
              st.integers(min_value=100, max_value=2500)),
)
json_leaves = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
               | st.sampled_from(NASTY))
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)
INTENTS = [intent.name for intent in guide().intents] + [
    section.intent_name for section in guide().sections] + ["MadeUpIntent", ""]
REQUEST_TYPES = ["LaunchRequest", "IntentRequest", "SessionEndedRequest",
                 "System.ExceptionEncountered", "AudioPlayer.PlaybackStarted",
                 "AudioPlayer.PlaybackNearlyFinished", "AudioPlayer.PlaybackFailed",
                 "PlaybackController.NextCommandIssued", "CanFulfillIntentRequest",
                 "Alexa.Presentation.APL.UserEvent", "Made.Up"]
SLOT_NAMES = ["section", "term", "number", "ordinal", "topic", "near", "other"]
STATE_KEYS = ["section", "page", "started", "finished", "speed", "detail", "notice_heard",
              "last_visit", "pending", "misunderstood", "last_speech", "last_prompt",
              "list_offset", "offered", "audio_track",
              "audio_offset", "unknown"]


@st.composite
def slots(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(SLOT_NAMES), max_size=3, unique=True))
    result = {}
    for name in names:
        slot: dict[str, Any] = {"name": name, "value": draw(slot_values),
                                "confirmationStatus": "NONE"}
        if draw(st.booleans()):
            code = draw(st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH"]))
            values = [{"value": {"name": draw(slot_values), "id": "x"}}] if draw(
                st.booleans()) else []
            slot["resolutions"] = {"resolutionsPerAuthority": [
                {"authority": "amzn1.er-authority.x", "status": {"code": code},
                 "values": values}]}
        result[name] = slot
    return result


@st.composite
def listener_state(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(STATE_KEYS), max_size=8, unique=True))
    plausible = {"section": st.integers(-2, 8), "page": st.integers(-2, 8),
                 "speed": st.integers(-2, 6), "detail": st.sampled_from(["full", "brief", "x"]),
                 "pending": st.sampled_from(["", "resume", "continue", "next", "sections", "words",
                                             "more", "confirm", "x"]),
                 "list_offset": st.integers(-2, 20),
                 "offered": st.sampled_from(["", "treatment", "botox", "1:1", "9:99", "x:y"]),
                 "audio_track": st.integers(-2, 8), "audio_offset": st.integers(-5, 10**7)}
    return {key: draw(plausible[key] | json_values if key in plausible else json_values)
            for key in keys}


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(REQUEST_TYPES))
    request: dict[str, Any] = {"type": kind}
    if kind == "IntentRequest" or draw(st.integers(0, 9)) == 0:
        request["intent"] = {"name": draw(st.sampled_from(INTENTS)),
                             "confirmationStatus": "NONE", "slots": draw(slots())}
    if kind == "SessionEndedRequest":
        request["reason"] = draw(st.sampled_from(["USER_INITIATED", "ERROR",
                                                  "EXCEEDED_MAX_REPROMPTS"]))
    user = draw(st.sampled_from(["amzn1.ask.account.FUZZ-A", "amzn1.ask.account.FUZZ-B"]))
    attributes = {"listener": draw(listener_state())} if draw(st.booleans()) else {}
    body = envelope(request, user=user, new=draw(st.booleans()), attributes=attributes)
    if draw(st.booleans()):
        offset = draw(st.integers(-100, 10**9))
        body["context"]["AudioPlayer"] = {
            "token": draw(st.sampled_from(["facial-spasm-guide:causes", "other", ""])),
            "offsetInMilliseconds": offset, "playerActivity": "PLAYING"}
    return body


PATHS = [
    ("version",), ("session",), ("session", "new"), ("session", "attributes"),
    ("session", "attributes", "listener"), ("session", "user"), ("session", "user", "userId"),
    ("context",), ("context", "System"), ("context", "System", "user"),
    ("context", "System", "device"), ("request",), ("request", "type"),
    ("request", "requestId"), ("request", "timestamp"), ("request", "locale"),
    ("request", "intent"), ("request", "intent", "name"), ("request", "intent", "slots"),
    ("request", "reason"), ("request", "error"),
]


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A plausible envelope with a few fields replaced by anything JSON can hold, or removed."""
    body = copy.deepcopy(draw(requests()))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        target: Any = body
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            continue
        if draw(st.integers(0, 4)) == 0:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = draw(json_values)
    return body


def _post(client: FlaskClient, body: str | bytes, content_type: str = "application/json") -> Any:
    return check_http(client.post("/alexa", data=body, content_type=content_type), leaks=LEAKS)


# --- the fuzz tests -----------------------------------------------------------------------

SLOT_INTENTS = {"ReadSectionIntent": "section", "DefineTermIntent": "term",
                "SectionNumberIntent": "number"}


@settings(BASE, max_examples=700 * SCALE)
@given(intent_name=st.sampled_from(list(SLOT_INTENTS)), value=slot_values,
       resolved=st.none() | slot_values)
def test_fuzz_slot_values(fuzz_client: FlaskClient, handler_errors: _Errors, intent_name: str,
                          value: str, resolved: str | None) -> None:
    slot: dict[str, Any] = {"name": SLOT_INTENTS[intent_name], "value": value}
    if resolved is not None:
        slot["resolutions"] = {"resolutionsPerAuthority": [
            {"authority": "x", "status": {"code": "ER_SUCCESS_MATCH"},
             "values": [{"value": {"name": resolved, "id": "x"}}]}]}
    request = {"type": "IntentRequest", "intent": {"name": intent_name, "slots": {
        slot["name"]: slot}}}
    before = len(handler_errors.records)
    data = _post(fuzz_client, json.dumps(envelope(request)))
    assert data["response"]["shouldEndSession"] is False
    assert len(handler_errors.records) == before, "a handler failed on this slot value"


@settings(BASE, max_examples=500 * SCALE)
@given(body=requests())
def test_fuzz_plausible_envelopes(fuzz_client: FlaskClient, body: dict[str, Any]) -> None:
    _post(fuzz_client, json.dumps(body))


@settings(BASE, max_examples=550 * SCALE)
@given(body=mutated())
def test_fuzz_mutated_envelopes(fuzz_client: FlaskClient, body: dict[str, Any]) -> None:
    _post(fuzz_client, json.dumps(body))


CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                 "application/JSON"]


@settings(BASE, max_examples=250 * SCALE)
@given(body=st.one_of(st.binary(max_size=200), st.text(max_size=200),
                      json_values.map(json.dumps)),
       content_type=st.sampled_from(CONTENT_TYPES))
def test_fuzz_raw_bodies(fuzz_client: FlaskClient, body: str | bytes, content_type: str) -> None:
    _post(fuzz_client, body, content_type)
