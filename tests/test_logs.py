"""Structured logs: one JSON object per line, one line per Alexa request, nothing private."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handlers.glossary import DefineTermHandler
from skill import cli, engine, logs
from skill.config import LOG_FORMAT_ENV, LOG_LEVEL_ENV
from skill.web.app import create_app
from tests.envelopes import USER_ID, intent, launch, post

SECRET_SLOT = "my private words xyzzy"
BASE_FIELDS = {"time", "level", "logger", "message"}


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Configure logging as `spasm-guide serve` does, into a string; put the root back after."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    logs.configure("json", "INFO", stream=stream)
    yield stream
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    text = stream.getvalue()
    parsed = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
    for line in parsed:
        assert set(line) >= BASE_FIELDS, line
    return parsed


def request_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in lines(stream) if line["logger"] == "spasm_guide.request"]


def assert_private(stream: io.StringIO) -> None:
    text = stream.getvalue()
    assert USER_ID not in text and "ROBUSTNESS-TEST-USER" not in text
    assert SECRET_SLOT not in text and "xyzzy" not in text


def test_each_request_is_one_json_line_with_its_fields(client: Any,
                                                       captured: io.StringIO) -> None:
    post(client, launch())
    post(client, intent("DefineTermIntent", {"term": SECRET_SLOT}))
    post(client, intent("ReadSectionIntent", {"section": SECRET_SLOT}))
    post(client, "{not json")
    post(client, json.dumps(launch()), content_type="text/plain")
    found = request_lines(captured)
    assert [(line.get("request_type"), line.get("intent"), line["outcome"], line["status"])
            for line in found] == [
        ("LaunchRequest", None, "ok", 200),
        ("IntentRequest", "DefineTermIntent", "ok", 200),
        ("IntentRequest", "ReadSectionIntent", "ok", 200),
        (None, None, "bad_request", 400),
        (None, None, "bad_request", 415),
    ]
    for line in found:
        assert isinstance(line["latency_ms"], float | int) and line["latency_ms"] >= 0
        assert line["level"] in ("INFO", "WARNING")
    for line in found[:3]:
        assert line["request_id"].startswith("test.request.")
        # The first 8 characters of the listener's row key in storage.
        assert line["user"] == hashlib.sha256(USER_ID.encode()).hexdigest()[:8]
    assert_private(captured)


def test_a_refused_request_is_logged_as_refused(tmp_path: Path, captured: io.StringIO) -> None:
    client = create_app(verify=True, data_dir=tmp_path).test_client()
    assert post(client, launch()).status_code == 400  # no signature headers
    (line,) = request_lines(captured)
    assert (line["outcome"], line["status"]) == ("refused", 400)


def test_a_request_whose_save_failed_is_logged_as_unsaved(client: Any, tmp_path: Path,
                                                          captured: io.StringIO) -> None:
    import sqlite3

    post(client, launch())
    with sqlite3.connect(tmp_path / "state.sqlite3") as other:  # reads work, writes cannot land
        for event in ("INSERT", "UPDATE"):
            other.execute(f"CREATE TRIGGER refuse_{event} BEFORE {event} ON listener_state "
                          "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    assert post(client, intent("AMAZON.NextIntent")).status_code == 200  # answered all the same
    line = request_lines(captured)[-1]
    assert (line["outcome"], line["status"], line["level"]) == ("unsaved", 200, "WARNING")


def test_a_failed_handler_is_an_error_without_the_message(
        client: Any, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, handler_input: Any) -> Any:
        raise ValueError(f"cannot define {SECRET_SLOT} for {USER_ID}")

    monkeypatch.setattr(DefineTermHandler, "handle", broken)
    result = post(client, intent("DefineTermIntent", {"term": SECRET_SLOT}))
    assert result.status_code == 200  # the listener still hears an apology
    found = lines(captured)
    failure = next(line for line in found if line.get("error"))
    assert failure["error"] == "ValueError" and failure["level"] == "ERROR"
    assert any("broken" in frame for frame in failure["frames"])
    assert failure["request_type"] == "IntentRequest"  # lines inside a request carry its fields
    (line,) = request_lines(captured)
    assert (line["outcome"], line["status"], line["level"]) == ("error", 200, "ERROR")
    assert_private(captured)


def test_a_crash_is_a_500_logged_as_error(client: Any, captured: io.StringIO,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(skill: Any, envelope: Any) -> Any:
        raise RuntimeError(f"boom {SECRET_SLOT}")

    monkeypatch.setattr(engine, "invoke", crash)
    result = post(client, intent("DefineTermIntent", {"term": SECRET_SLOT}))
    assert result.status_code == 500 and "Traceback" not in result.get_data(as_text=True)
    (line,) = request_lines(captured)
    assert (line["outcome"], line["status"]) == ("error", 500)
    assert_private(captured)


def test_text_format_is_one_readable_line(client: Any, captured: io.StringIO) -> None:
    stream = io.StringIO()
    logs.configure("text", "INFO", stream=stream)
    post(client, intent("DefineTermIntent", {"term": SECRET_SLOT}))
    (line,) = [text for text in stream.getvalue().splitlines() if "alexa request" in text]
    assert "intent=DefineTermIntent" in line and "outcome=ok" in line and "status=200" in line
    assert_private(stream)


def test_identifiers_cannot_smuggle_free_text() -> None:
    assert logs.identifier("IntentRequest") == "IntentRequest"
    assert " " not in logs.identifier("a b\nc {\"x\": 1}")
    assert len(logs.identifier("x" * 1000)) == 80


def test_unknown_log_format_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(LOG_FORMAT_ENV, "xml")
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "log format" in err and "Traceback" not in err
    assert err.startswith(f"spasm-guide check: {LOG_FORMAT_ENV}: ")


def test_unknown_log_level_is_a_one_line_error_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(LOG_LEVEL_ENV, "loud")
    assert cli.main(["check"]) == 2
    assert capsys.readouterr().err == (f"spasm-guide check: {LOG_LEVEL_ENV}: 'LOUD' is not a log "
                                       "level (DEBUG, INFO, WARNING, ERROR or CRITICAL)\n")


def test_the_service_falls_back_to_its_defaults_on_a_bad_setting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a bare gunicorn there is no command line to refuse the setting: JSON at INFO."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    monkeypatch.setenv(LOG_FORMAT_ENV, "xml")
    root.handlers = []
    try:
        logs.configure_if_unset()
        assert root.level == logging.INFO
        assert isinstance(root.handlers[-1].formatter, logs.JsonFormatter)
    finally:
        root.handlers, root.level = handlers, level


def test_text_format_gives_a_failure_without_its_message(
        client: Any, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(self: Any, handler_input: Any) -> Any:
        raise ValueError(f"cannot define {SECRET_SLOT}")

    monkeypatch.setattr(DefineTermHandler, "handle", broken)
    stream = io.StringIO()
    logs.configure("text", "INFO", stream=stream)
    caplog.set_level(logging.INFO)  # another handler that formats (and caches) tracebacks
    post(client, intent("DefineTermIntent", {"term": SECRET_SLOT}))
    text = stream.getvalue()
    assert "ValueError at" in text and "broken" in text and "outcome=error" in text
    assert_private(stream)
