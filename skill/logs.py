"""Logging for the service: one JSON object per line (or plain text), and one line per request.

Set up once by the command line (`configure`) and, under gunicorn, through the
same formatter (`gunicorn_config`). SPASM_GUIDE_LOG_FORMAT chooses json or text
(read in skill/config.py); `serve` defaults to json, the other commands to text.

Privacy: a log line never holds a user id (at most an 8-character hash prefix,
the same prefix as the user's row key in storage), a slot value, an utterance
or an exception message (messages can quote input); a failure is logged as its
type and the file:line frames it passed through.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from skill.config import LOG_FORMATS, ConfigError, from_environment

if TYPE_CHECKING:
    from flask import Blueprint, Response

# Per-request fields, and the few others that handlers pass as `extra=`.
REQUEST_FIELDS = ("request_id", "request_type", "intent", "user", "latency_ms", "outcome",
                  "status")
EXTRA_FIELDS = (*REQUEST_FIELDS, "reason", "event")
# "unsaved": answered, but the listener's changes could not be saved (skill/engine/storage.py).
OUTCOMES = ("ok", "unsaved", "refused", "bad_request", "error")
USER_PREFIX_CHARS = 8
_IDENTIFIER = re.compile(r"[^\w.:-]")
_MAX_IDENTIFIER = 80

# The fields of the request being handled on this thread, added to every line it logs.
_current: ContextVar[dict[str, Any] | None] = ContextVar("spasm_guide_request", default=None)
_HANDLER_MARK = "_spasm_guide_handler"


def identifier(value: Any) -> str:
    """An id or type name from a request, squeezed so it cannot carry free text."""
    return _IDENTIFIER.sub("?", str(value))[:_MAX_IDENTIFIER] if value is not None else ""


def user_id_of(envelope: Any) -> str | None:
    """The Alexa user id a request envelope names: context.System's, else the session's."""
    system = getattr(getattr(envelope, "context", None), "system", None)
    user = getattr(system, "user", None) or getattr(getattr(envelope, "session", None), "user",
                                                    None)
    return getattr(user, "user_id", None)


def hashed_user_id(user_id: str) -> str:
    """The one hash of a user id (SHA-256, hex): saved places are keyed by it
    (skill/engine/storage.py) and log lines carry its first characters, so a line can be
    matched to its listener's row without either naming the Alexa account."""
    return hashlib.sha256(str(user_id).encode("utf-8")).hexdigest()


def user_prefix(user_id: str | None) -> str:
    """A short prefix of the user's hashed id: enough to follow one listener, not to name them."""
    return hashed_user_id(user_id)[:USER_PREFIX_CHARS] if user_id else ""


def _frames(exc_info: Any) -> dict[str, Any]:
    error_type, _error, tb = exc_info
    frames = [f"{os.path.basename(f.filename)}:{f.lineno} {f.name}"
              for f in traceback.extract_tb(tb)]
    return {"error": getattr(error_type, "__name__", "Exception"), "frames": frames[-8:]}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = {k: v for k, v in (_current.get() or {}).items() if not k.startswith("_")}
    for name in EXTRA_FIELDS:
        if name in record.__dict__:
            fields[name] = record.__dict__[name]
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any request fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_fields(record))
        if record.exc_info and record.exc_info[0] is not None:
            line.update(_frames(record.exc_info))
        return json.dumps(line, ensure_ascii=True, default=str, separators=(",", ":"))


class TextFormatter(logging.Formatter):
    """For a person at a terminal: the usual line, request fields as key=value after it."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatException(self, exc_info: Any) -> str:
        frames = _frames(exc_info)
        return f"  {frames['error']} at " + " <- ".join(reversed(frames["frames"]))

    def format(self, record: logging.LogRecord) -> str:
        # Not logging's own traceback text, which another handler may have cached on the record.
        exc_info, exc_text = record.exc_info, record.exc_text
        record.exc_info = record.exc_text = None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text = exc_info, exc_text
        extra = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        if extra:
            head, newline, rest = text.partition("\n")
            text = f"{head} {extra}{newline}{rest}"
        if exc_info and exc_info[0] is not None:
            text += "\n" + self.formatException(exc_info)
        return text


def formatter(kind: str) -> logging.Formatter:
    if kind not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {kind!r}")
    return JsonFormatter() if kind == "json" else TextFormatter()


class _FailureMarker(logging.Filter):
    """An error logged while a request is handled (say, a failed handler) marks it as failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _current.get()
        if fields is not None and record.levelno >= logging.ERROR:
            fields["_failed"] = True
        return True


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure(kind: str, level: str | int = "INFO",
              stream: IO[str] | None = None) -> logging.Handler:
    """Send every log line to stderr (or `stream`) in one format. Safe to call again."""
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(formatter(kind))  # ValueError: unknown format
    handler.addFilter(_FailureMarker())
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    root.setLevel(level)  # ValueError: unknown level
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    return handler


def configure_if_unset() -> None:
    """Configure as for the service, only if nothing has configured logging yet."""
    if not logging.getLogger().handlers:
        configure(*_service_logging())


def configure_lambda() -> None:
    """The Lambda entry's logging: this format and level, wherever Lambda sends the lines.

    Lambda's runtime puts its own handler on the root logger before it imports the entry
    (each record becomes one CloudWatch event), so configure_if_unset would leave its plain
    format and the WARNING level: that handler gets our formatter instead. Anywhere else,
    as configure_if_unset.
    """
    root = logging.getLogger()
    if from_environment().on_aws_lambda and root.handlers:
        _adopt(root, *_service_logging())
    else:
        configure_if_unset()


def _service_logging() -> tuple[str, str]:
    """The service's format and level: JSON and INFO unless set; the defaults if unusable."""
    settings = from_environment()
    try:
        return settings.log_format("json"), settings.log_level("INFO")
    except ConfigError:
        return "json", "INFO"


def _adopt(root: logging.Logger, kind: str, level: str) -> None:
    chosen = formatter(kind)  # ValueError: unknown format
    root.setLevel(level)  # ValueError: unknown level
    for handler in root.handlers:
        handler.setFormatter(chosen)


def gunicorn_config(kind: str, level: str) -> dict[str, Any]:
    """gunicorn's logconfig_dict: its own messages and ours, through our formatter, to stderr."""
    formatter(kind)  # reject an unknown format before gunicorn starts
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": level, "handlers": ["spasm_guide"]},
        "loggers": {
            # No gunicorn.access: skill/web/server.py's RequestLogOnly never writes it; our own
            # line per request says more, without the client's address.
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
        },
        "handlers": {
            "spasm_guide": {"class": "logging.StreamHandler", "formatter": "spasm_guide",
                            "stream": "ext://sys.stderr", "filters": ["failures"]},
        },
        "filters": {"failures": {"()": _FailureMarker}},
        "formatters": {"spasm_guide": {"()": formatter, "kind": kind}},
    }


# --- one line per Alexa request -------------------------------------------------------------

request_log = logging.getLogger("spasm_guide.request")


@contextmanager
def request_fields() -> Iterator[dict[str, Any]]:
    """Fields that every line logged inside the block carries; for tests and other front-ends."""
    fields: dict[str, Any] = {}
    token = _current.set(fields)
    try:
        yield fields
    finally:
        _current.reset(token)


def note(envelope: Any = None, *, outcome: str | None = None) -> None:
    """Record what this request is (from its parsed envelope) or how it ended (`outcome`)."""
    fields = _current.get()
    if fields is None:
        return
    if outcome is not None:
        fields["_outcome"] = outcome
    if envelope is None:
        return
    req = getattr(envelope, "request", None)
    fields["request_id"] = identifier(getattr(req, "request_id", None))
    fields["request_type"] = identifier(getattr(req, "object_type", None))
    intent = getattr(getattr(req, "intent", None), "name", None)
    if intent:
        fields["intent"] = identifier(intent)
    prefix = user_prefix(user_id_of(envelope))
    if prefix:
        fields["user"] = prefix


def watch(blueprint: Blueprint, endpoint: str) -> None:
    """Log one line for each request to `endpoint`: what it was, how long, how it ended."""
    from flask import g, request

    @blueprint.before_request
    def _start() -> None:
        if request.endpoint == endpoint:
            g.spasm_guide_log = time.perf_counter()
            _current.set({})

    @blueprint.after_request
    def _finish(response: Response) -> Response:
        started = g.pop("spasm_guide_log", None)
        if started is None:
            return response
        fields = _current.get()
        if fields is None:
            fields = {}
            _current.set(fields)
        status = response.status_code
        outcome = fields.pop("_outcome", None) or _outcome(status, fields.pop("_failed", False))
        fields.pop("_failed", None)
        fields.update(latency_ms=round((time.perf_counter() - started) * 1000, 2),
                      outcome=outcome, status=status)
        level = {"ok": logging.INFO, "error": logging.ERROR}.get(outcome, logging.WARNING)
        request_log.log(level, "alexa request")
        _current.set(None)
        return response

    @blueprint.teardown_request
    def _clear(_error: BaseException | None) -> None:
        if g.pop("spasm_guide_log", None) is not None:  # no response got to after_request
            _current.set(None)


def _outcome(status: int, failed: bool) -> str:
    if status >= 500 or failed:
        return "error"
    if status >= 400:
        return "bad_request"
    return "ok"
