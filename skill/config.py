"""Configuration from environment variables, in one place, with safe defaults.

Command-line flags override these; see README's configuration table.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

from content.errors import SetupError

PORT_ENV = "SPASM_GUIDE_PORT"
LOWEST_PORT, HIGHEST_PORT = 1, 65535
REQUEST_TIMEOUT_ENV = "SPASM_GUIDE_REQUEST_TIMEOUT"
DEFAULT_REQUEST_TIMEOUT, MAX_REQUEST_TIMEOUT = 5.0, 300.0
MAX_CONNECTIONS_ENV = "SPASM_GUIDE_MAX_CONNECTIONS"
DEFAULT_MAX_CONNECTIONS = 1000
MAX_CLIENT_CONNECTIONS_ENV = "SPASM_GUIDE_MAX_CLIENT_CONNECTIONS"
DEFAULT_MAX_CLIENT_CONNECTIONS = 64
MOST_CONNECTIONS = 100_000
LOG_FORMAT_ENV = "SPASM_GUIDE_LOG_FORMAT"
LOG_LEVEL_ENV = "SPASM_GUIDE_LOG_LEVEL"
LOG_FORMATS = ("json", "text")
LAMBDA_RUNTIME_ENV = "AWS_LAMBDA_RUNTIME_API"  # set by Lambda's runtime, for its API address
OFFLINE_ENV = "SPASM_GUIDE_OFFLINE"
# Another Piper voice: the path of its NAME.onnx, with NAME.onnx.json beside it
# (audio/LICENSES.md says why a release may want one).
PIPER_VOICE_ENV = "SPASM_GUIDE_PIPER_VOICE"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


class ConfigError(SetupError, ValueError):
    """A setting the program cannot use; the message names the variable and the problem."""


def port_number(text: str) -> int:
    """A TCP port from text, 1-65535; ValueError says what is wrong (shared by flag and variable)."""
    try:
        port = int(text.strip())
    except ValueError:
        port = 0
    if not LOWEST_PORT <= port <= HIGHEST_PORT:
        raise ValueError(f"{text!r} is not a port number ({LOWEST_PORT}-{HIGHEST_PORT})")
    return port


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    # As set: read through `port`, so only a command that listens fails on a bad value.
    port_text: str = "8000"
    skill_id: str | None = None
    verify: bool = True
    data_dir: Path = Path("data")
    audio_base_url: str | None = None
    dynamodb_table: str | None = None
    # Logging (skill/logs.py, the command line): as set, "" when unset, so each command
    # keeps its own default; read through log_format() and log_level().
    log_format_text: str = ""
    log_level_text: str = ""
    on_aws_lambda: bool = False  # Lambda's runtime imported us (its handler is already set up)
    # As set, like port_text: only the web service reads them.
    request_timeout_text: str = ""
    max_connections_text: str = ""
    max_client_connections_text: str = ""
    # Speech (audio/engines): never try gTTS; another Piper voice's NAME.onnx, if any.
    offline: bool = False
    piper_voice: Path | None = None

    @property
    def port(self) -> int:
        try:
            return port_number(self.port_text)
        except ValueError as error:
            raise ConfigError(f"{PORT_ENV}: {error}") from None

    @property
    def request_timeout(self) -> float:
        """Seconds a client has to send a whole request, headers and body: 5 unless set.

        Alexa waits 8 seconds for an answer, so a request slower than that is no use anyway.
        """
        return _number(REQUEST_TIMEOUT_ENV, self.request_timeout_text, DEFAULT_REQUEST_TIMEOUT,
                       MAX_REQUEST_TIMEOUT, float)

    @property
    def max_connections(self) -> int:
        """Connections one server process keeps open at once; more are answered 503."""
        return int(_number(MAX_CONNECTIONS_ENV, self.max_connections_text,
                           DEFAULT_MAX_CONNECTIONS, MOST_CONNECTIONS, int))

    @property
    def max_client_connections(self) -> int:
        """Connections one address may hold open in one server process; more are answered 503."""
        return int(_number(MAX_CLIENT_CONNECTIONS_ENV, self.max_client_connections_text,
                           DEFAULT_MAX_CLIENT_CONNECTIONS, MOST_CONNECTIONS, int))

    def check_server_limits(self) -> None:
        """ConfigError now, naming the variable, rather than in a worker that fails to start."""
        self.request_timeout, self.max_connections, self.max_client_connections  # noqa: B018

    def log_format(self, default: str) -> str:
        """json or text: SPASM_GUIDE_LOG_FORMAT, else the command's default."""
        kind = (self.log_format_text.strip() or default).lower()
        if kind not in LOG_FORMATS:
            raise ConfigError(f"{LOG_FORMAT_ENV}: log format must be one of "
                              f"{', '.join(LOG_FORMATS)}, not {kind!r}")
        return kind

    def log_level(self, default: str) -> str:
        """A logging level name: SPASM_GUIDE_LOG_LEVEL, else the command's default."""
        level = (self.log_level_text.strip() or default).upper()
        if level not in logging.getLevelNamesMapping():
            raise ConfigError(f"{LOG_LEVEL_ENV}: {level!r} is not a log level (DEBUG, INFO, "
                              "WARNING, ERROR or CRITICAL)")
        return level


def _number(name: str, text: str, default: float, most: float, kind: type) -> float:
    """A setting's number: the default when unset; ConfigError unless more than 0, at most `most`."""
    text = text.strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= most:
        what = "number of seconds" if kind is float else "whole number"
        raise ConfigError(f"{name}: {text!r} is not a {what} (more than 0, at most {most:g})")
    return value


def from_environment(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        host=env.get("SPASM_GUIDE_HOST", "127.0.0.1"),
        port_text=env.get(PORT_ENV, "8000"),
        skill_id=env.get("SPASM_GUIDE_SKILL_ID") or None,
        verify=env.get("SPASM_GUIDE_VERIFY", "1").lower() not in ("0", "false", "no", "off"),
        data_dir=Path(env.get("SPASM_GUIDE_DATA_DIR", "data")),
        audio_base_url=env.get("SPASM_GUIDE_AUDIO_BASE_URL") or None,
        dynamodb_table=env.get("SPASM_GUIDE_DYNAMODB_TABLE") or None,
        log_format_text=env.get(LOG_FORMAT_ENV, ""),
        log_level_text=env.get(LOG_LEVEL_ENV, ""),
        on_aws_lambda=bool(env.get(LAMBDA_RUNTIME_ENV)),
        request_timeout_text=env.get(REQUEST_TIMEOUT_ENV, ""),
        max_connections_text=env.get(MAX_CONNECTIONS_ENV, ""),
        max_client_connections_text=env.get(MAX_CLIENT_CONNECTIONS_ENV, ""),
        offline=env.get(OFFLINE_ENV, "").strip().lower() in TRUE_WORDS,
        piper_voice=_path(env.get(PIPER_VOICE_ENV, "")),
    )


def _path(text: str) -> Path | None:
    """A path as set (``~`` expanded), or None when unset or blank."""
    return Path(text.strip()).expanduser() if text.strip() else None
