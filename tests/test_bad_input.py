"""Bad input at POST /alexa: always a valid Alexa answer or a 4xx, never a 5xx or a traceback.

A 4xx also means nothing ran: the saved state is exactly as it was.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from skill.web.app import MAX_BODY_BYTES
from tests.envelopes import (
    USER_ID,
    check_http,
    check_ssml,
    envelope,
    intent,
    launch,
    post,
    saved_rows,
)


@pytest.fixture
def database(tmp_path: Path) -> Path:  # the file the `app` fixture's skill writes
    return tmp_path / "state.sqlite3"


@pytest.fixture
def seeded(client: Any, database: Path) -> list[tuple[Any, ...]]:
    """A listener with a saved place, so a bad request has something it must not change."""
    for body in (launch(), intent("AMAZON.NextIntent"), intent("AMAZON.NextIntent")):
        assert post(client, body).status_code == 200
    rows = saved_rows(database)
    assert len(rows) == 1
    return rows


def _without(data: dict[str, Any], *path: str) -> dict[str, Any]:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


def _with(data: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


NEXT = intent("AMAZON.NextIntent")
READ = intent("ReadSectionIntent", {"section": "causes"})
REJECTED: dict[str, tuple[Any, str, int]] = {
    # name: (body, content type, status)
    "malformed JSON": ('{"version": "1.0", "request": {', "application/json", 400),
    "empty body": ("", "application/json", 400),
    "JSON null": ("null", "application/json", 400),
    "JSON list": ("[1, 2, 3]", "application/json", 400),
    "JSON string": ('"LaunchRequest"', "application/json", 400),
    "not UTF-8": (b'{"request": {"type": "\xff\xfe"}}', "application/json", 400),
    "nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, "application/json", 400),
    "envelope nested too deep": (json.dumps(_with(NEXT, json.loads("[" * 200 + "]" * 200),
                                                  "session", "attributes", "junk")),
                                 "application/json", 400),
    "NaN in session attributes": (json.dumps(_with(NEXT, float("nan"), "session", "attributes",
                                                   "x")), "application/json", 400),
    "Infinity in a saved place": (json.dumps(_with(NEXT, {"listener": {"speed": float("inf")}},
                                                   "session", "attributes")),
                                  "application/json", 400),
    "-Infinity as the version": (json.dumps(_with(NEXT, float("-inf"), "version")),
                                 "application/json", 400),
    "text/plain": (json.dumps(NEXT), "text/plain", 415),
    "form content type": (json.dumps(NEXT), "application/x-www-form-urlencoded", 415),
    "no content type": (json.dumps(NEXT), "", 415),
    "over 1 MB": (json.dumps(_with(NEXT, "x" * MAX_BODY_BYTES, "session", "attributes", "pad")),
                  "application/json", 413),
    "request missing": (_without(NEXT, "request"), "application/json", 400),
    "request a list": (_with(NEXT, [], "request"), "application/json", 400),
    "request.type missing": (_without(NEXT, "request", "type"), "application/json", 400),
    "request.type an int": (_with(NEXT, 7, "request", "type"), "application/json", 400),
    "request.type null": (_with(NEXT, None, "request", "type"), "application/json", 400),
    "unknown request type": (_with(NEXT, "Foo.Bar", "request", "type"), "application/json", 400),
    "requestId an int": (_with(NEXT, 5, "request", "requestId"), "application/json", 400),
    "timestamp garbage": (_with(NEXT, "yesterday", "request", "timestamp"), "application/json",
                          400),
    "session.attributes a list": (_with(NEXT, [1, 2], "session", "attributes"),
                                  "application/json", 400),
    "session.attributes a string": (_with(NEXT, "x", "session", "attributes"),
                                    "application/json", 400),
    "session a string": (_with(NEXT, "x", "session"), "application/json", 400),
    "intent missing": (_without(NEXT, "request", "intent"), "application/json", 400),
    "intent a string": (_with(NEXT, "AMAZON.NextIntent", "request", "intent"),
                        "application/json", 400),
    "intent.name missing": (_without(NEXT, "request", "intent", "name"), "application/json", 400),
    "intent.slots a string": (_with(READ, "causes", "request", "intent", "slots"),
                              "application/json", 400),
    "intent.slots a list": (_with(READ, ["causes"], "request", "intent", "slots"),
                            "application/json", 400),
    "slot an int": (_with(READ, 5, "request", "intent", "slots", "section"), "application/json",
                    400),
}


@pytest.mark.parametrize("name", list(REJECTED))
def test_bad_requests_get_a_4xx_and_change_nothing(name: str, client: Any, database: Path,
                                                   seeded: list[tuple[Any, ...]]) -> None:
    body, content_type, status = REJECTED[name]
    result = post(client, body, content_type)
    check_http(result, allowed=(status,))
    assert saved_rows(database) == seeded


def test_database_file_is_untouched_by_rejected_requests(client: Any, database: Path,
                                                         seeded: list[tuple[Any, ...]]) -> None:
    files = sorted(database.parent.glob(database.name + "*"))
    before = {path: path.read_bytes() for path in files}
    for body, content_type, status in REJECTED.values():
        assert post(client, body, content_type).status_code == status
    assert {path: path.read_bytes() for path in files} == before


TOLERATED: dict[str, dict[str, Any]] = {
    # Odd but harmless: Alexa would never send these; the answer is still a proper one.
    "slot value an int": _with(READ, {"name": "section", "value": 5}, "request", "intent",
                               "slots", "section"),
    "slot value an object": _with(READ, {"name": "section", "value": {"a": 1}}, "request",
                                  "intent", "slots", "section"),
    "slots null": _with(READ, None, "request", "intent", "slots"),
    "context null": _with(NEXT, None, "context"),
    "user id an int": envelope({"type": "LaunchRequest"}, user=12345),
    "session.new a string": _with(NEXT, "yes", "session", "new"),
    "saved place a list": _with(NEXT, {"listener": [1, 2]}, "session", "attributes"),
    "saved place nonsense": _with(NEXT, {"listener": {"section": "two", "page": 1e99,
                                                      "speed": -5, "detail": ["x"],
                                                      "pending": "<speak>"}},
                                  "session", "attributes"),
    "saved place out of range": _with(NEXT, {"listener": {"section": 10**30, "page": -10**30,
                                                          "speed": 99}},
                                      "session", "attributes"),
    "repeat of a huge tampered reply": _with(
        intent("AMAZON.RepeatIntent"),
        {"listener": {"last_speech": "<" * 9000, "last_prompt": "</speak>" * 100}},
        "session", "attributes"),
    "resolution without a value": _with(
        READ, {"resolutionsPerAuthority": [{"authority": "x", "status": {"code": "ER_SUCCESS_MATCH"},
                                            "values": [{"value": None}]}]},
        "request", "intent", "slots", "section", "resolutions"),
    "resolution name an int": _with(
        READ, {"resolutionsPerAuthority": [{"authority": "x", "status": {"code": "ER_SUCCESS_MATCH"},
                                            "values": [{"value": {"name": 5, "id": "5"}}]}]},
        "request", "intent", "slots", "section", "resolutions"),
    "unknown intent": intent("MadeUpIntent"),
    "version an int": _with(NEXT, 5, "version"),
    "event with speechless reply": envelope({"type": "System.ExceptionEncountered",
                                             "error": {"type": "INVALID_RESPONSE",
                                                       "message": "x"},
                                             "cause": {"requestId": "r"}}),
}


@pytest.mark.parametrize("name", list(TOLERATED))
def test_odd_fields_get_a_valid_answer_or_a_4xx(name: str, client: Any) -> None:
    check_http(post(client, TOLERATED[name]), allowed=(200, 400))


SLOT_VALUES = {
    "empty": "",
    "spaces": "   ",
    "10,000 characters": "causes " * 1428 + "xxxx",
    "SSML break-out": "</speak><audio src='https://x'/>",
    "XML entity": "&amp; &lt;speak&gt; &#0; &bogus; <![CDATA[x]]>",
    "XML declaration": "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'e'>]>&e;",
    "quotes": "\"'\"'",
    "control characters": "ca\x00us\x01es\x07\x1b[31m\x7f",
    "right-to-left override": "\u202esesuac\u202c \u2066x\u2069 \u200f",
    "emoji": "\U0001F600\U0001F469\u200d\U0001F469\u200d\U0001F467 causes \u2764\ufe0f",
    "lone surrogate": "\ud800x\udfff",
    "non-characters": "\ufffe\uffff",
    "unicode digits": "\u00b2",
    "arabic-indic digit": "\u0663",
    "huge number": "9" * 10_000,
    "negative number": "-1",
    "zero": "0",
    "float": "2.5",
    "line separators": "a\u2028b\u2029c\r\n",
    "letters only": "Zygomaticus",
}
SLOT_INTENTS = {"ReadSectionIntent": "section", "DefineTermIntent": "term",
                "SectionNumberIntent": "number"}


@pytest.mark.parametrize("value_name", list(SLOT_VALUES))
@pytest.mark.parametrize("intent_name", list(SLOT_INTENTS))
def test_any_slot_value_gets_well_formed_speech(intent_name: str, value_name: str, client: Any,
                                                caplog: pytest.LogCaptureFixture) -> None:
    value = SLOT_VALUES[value_name]
    body = intent(intent_name, {SLOT_INTENTS[intent_name]: value})
    # json.dumps escapes lone surrogates as \\ud800, as a JSON sender may.
    result = post(client, body)
    data = check_http(result, allowed=(200,))
    response = data["response"]
    root = check_ssml(response["outputSpeech"]["ssml"])
    assert not [e for e in root.iter() if e.tag == "audio"], "slot value became a tag"
    assert response["shouldEndSession"] is False
    card = response.get("card", {}).get("content", "")
    assert not any(ord(c) < 32 for c in card)
    assert "\u202e" not in json.dumps(data, ensure_ascii=False)
    # A handler that failed would still answer (with an apology): that is a bug here too.
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_word_that_looks_like_one_is_echoed_escaped(client: Any) -> None:
    data = check_http(post(client, intent("DefineTermIntent", {"term": "Zygomaticus"})))
    assert "Zygomaticus" in data["response"]["outputSpeech"]["ssml"]


def test_a_4xx_does_not_even_create_the_database(client: Any, database: Path) -> None:
    for body, content_type, status in REJECTED.values():
        assert post(client, body, content_type).status_code == status
    assert not database.exists()


def test_user_ids_are_never_in_answers(client: Any) -> None:
    text = post(client, launch()).get_data(as_text=True)
    assert USER_ID not in text


def _chunked(client: Any, body: bytes) -> Any:
    """A body sent without Content-Length, as gunicorn passes a chunked request on."""
    return client.post("/alexa", input_stream=io.BytesIO(body), content_type="application/json",
                       headers={"Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_of_exactly_1_mib_is_read_whole(client: Any) -> None:
    exact = json.dumps(NEXT).encode()
    exact += b" " * (MAX_BODY_BYTES - len(exact))
    check_http(_chunked(client, exact), allowed=(200,))


def test_a_chunked_body_over_1_mb_is_a_413_not_a_cut_off_400(
        client: Any, database: Path, seeded: list[tuple[Any, ...]]) -> None:
    big = json.dumps(_with(NEXT, "x" * MAX_BODY_BYTES, "session", "attributes", "pad")).encode()
    check_http(_chunked(client, big), allowed=(413,))
    assert saved_rows(database) == seeded
    check_http(_chunked(client, json.dumps(NEXT).encode()), allowed=(200,))
