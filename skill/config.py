"""Configuration from environment variables, in one place, with safe defaults.

Command-line flags override these; see README's configuration table.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

PORT_ENV = "SPASM_GUIDE_PORT"
LOWEST_PORT, HIGHEST_PORT = 1, 65535
BODY_TIMEOUT_ENV = "SPASM_GUIDE_BODY_TIMEOUT"
DEFAULT_BODY_TIMEOUT, MAX_BODY_TIMEOUT = 5.0, 300.0


class ConfigError(ValueError):
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
    log_level: str = "INFO"
    body_timeout_text: str = ""  # as set, like port_text: only the web service reads it

    @property
    def port(self) -> int:
        try:
            return port_number(self.port_text)
        except ValueError as error:
            raise ConfigError(f"{PORT_ENV}: {error}") from None

    @property
    def body_timeout(self) -> float:
        """Seconds to wait for more of a request body: SPASM_GUIDE_BODY_TIMEOUT, or 5.

        Alexa waits 8 seconds for an answer, so a body slower than that is no use anyway.
        """
        text = self.body_timeout_text.strip()
        if not text:
            return DEFAULT_BODY_TIMEOUT
        try:
            seconds = float(text)
        except ValueError:
            seconds = math.nan
        if not 0 < seconds <= MAX_BODY_TIMEOUT:
            raise ConfigError(f"{BODY_TIMEOUT_ENV}: {text!r} is not a number of seconds "
                              f"(more than 0, at most {MAX_BODY_TIMEOUT:g})")
        return seconds


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
        log_level=env.get("SPASM_GUIDE_LOG_LEVEL", "INFO").upper(),
        body_timeout_text=env.get(BODY_TIMEOUT_ENV, ""),
    )
