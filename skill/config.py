"""Configuration from environment variables, in one place, with safe defaults.

Command-line flags override these; see README's configuration table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    skill_id: str | None = None
    verify: bool = True
    data_dir: Path = Path("data")
    audio_base_url: str | None = None
    dynamodb_table: str | None = None
    log_level: str = "INFO"


def from_environment(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        host=env.get("SPASM_GUIDE_HOST", "127.0.0.1"),
        port=int(env.get("SPASM_GUIDE_PORT", "8000")),
        skill_id=env.get("SPASM_GUIDE_SKILL_ID") or None,
        verify=env.get("SPASM_GUIDE_VERIFY", "1").lower() not in ("0", "false", "no", "off"),
        data_dir=Path(env.get("SPASM_GUIDE_DATA_DIR", "data")),
        audio_base_url=env.get("SPASM_GUIDE_AUDIO_BASE_URL") or None,
        dynamodb_table=env.get("SPASM_GUIDE_DYNAMODB_TABLE") or None,
        log_level=env.get("SPASM_GUIDE_LOG_LEVEL", "INFO").upper(),
    )
