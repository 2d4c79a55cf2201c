"""Speech programs run once per text: CMU Flite (the published voice) and espeak-ng.

Both are Debian packages that write a WAV file; neither needs the network. Flite's
voice "slt" (CMU ARCTIC, permissive CMU licence) is the one the committed recordings
use, see audio/LICENSES.md; espeak-ng is robotic but tiny and always there.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

from audio.engines.base import EngineUnavailable, SynthesisError, check_request
from audio.sound.speech import Speech

FLITE_BINARY = "flite"
FLITE_VOICE = "slt"  # speaks at 16,000 Hz
# Flite's duration_stretch: above 1 is slower. Rate 1.0 keeps flite's own pace.
FLITE_MIN_STRETCH, FLITE_MAX_STRETCH = 0.4, 3.0

ESPEAK_BINARY = "espeak-ng"
ESPEAK_VOICE = "en-us"
ESPEAK_DEFAULT_WPM = 175  # espeak-ng's own default speed
ESPEAK_MIN_WPM, ESPEAK_MAX_WPM = 80, 450  # the range espeak-ng accepts
PROGRAM_TIMEOUT_SECONDS = 120


def speech_from_wav(data: bytes, engine: str) -> Speech:
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


class _SpeechProgram:
    """An engine that is a program on PATH: found once, then run for each text."""

    name: str
    binary: str  # the program's name on PATH
    package: str  # the Debian package that installs it
    default_voice: str

    def __init__(self, voice: str | None = None) -> None:
        path = shutil.which(self.binary)
        if path is None:
            raise EngineUnavailable(f"{self.binary} is not installed: apt-get install {self.package}")
        self._path = path
        self.voice = voice or self.default_voice

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Speak ``text`` at ``rate`` (1.0 is the program's own pace)."""
        return speech_from_wav(self._wav(check_request(text, rate), rate), self.binary)

    def _wav(self, spoken: str, rate: float) -> bytes:
        raise NotImplementedError

    def _run(self, arguments: list[str], stdin: bytes | None = None,
             writes: Path | None = None) -> bytes:
        """Run the program; its WAV from stdout, or from ``writes`` when it writes a file."""
        result = subprocess.run([self._path, *arguments], input=stdin, capture_output=True,
                                timeout=PROGRAM_TIMEOUT_SECONDS, check=False)
        if result.returncode != 0 or (writes is not None and not writes.is_file()):
            message = result.stderr.decode("utf-8", "replace").strip()
            raise SynthesisError(f"{self.binary} failed ({result.returncode}): {message}")
        return writes.read_bytes() if writes is not None else result.stdout


class EspeakEngine(_SpeechProgram):
    """espeak-ng through a subprocess: robotic, but tiny and always offline."""

    name, binary, package, default_voice = "espeak", ESPEAK_BINARY, "espeak-ng", ESPEAK_VOICE

    def _wav(self, spoken: str, rate: float) -> bytes:
        """The text goes through stdin so it is never parsed as options."""
        wpm = round(min(max(ESPEAK_DEFAULT_WPM * rate, ESPEAK_MIN_WPM), ESPEAK_MAX_WPM))
        return self._run(["-v", self.voice, "-s", str(wpm), "-b", "1", "--stdout"],
                         stdin=spoken.encode("utf-8"))


class FliteEngine(_SpeechProgram):
    """CMU Flite through a subprocess: a recorded voice (CMU ARCTIC "slt") we may publish."""

    name, binary, package, default_voice = "flite", FLITE_BINARY, "flite", FLITE_VOICE

    def _wav(self, spoken: str, rate: float) -> bytes:
        """The text goes in a file (flite reads no stdin), the WAV comes back in another."""
        stretch = min(max(1.0 / rate, FLITE_MIN_STRETCH), FLITE_MAX_STRETCH)
        with tempfile.TemporaryDirectory(prefix="flite-") as folder:
            source, target = Path(folder) / "text.txt", Path(folder) / "speech.wav"
            source.write_text(spoken, encoding="utf-8")
            return self._run(["-voice", self.voice, "--setf", f"duration_stretch={stretch:.3f}",
                              "-f", str(source), "-o", str(target)], writes=target)
