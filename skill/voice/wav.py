"""Utterances from .wav files (--input) and replies written as .wav files (--output)."""

from __future__ import annotations

import io
import re
import wave
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_EXTENSIBLE = 1, 3, 0xFFFE

# Longest utterance from a file or push-to-talk: a 10-minute one took 49 s and 644 MB to
# decode, and no command the guide understands takes more than a few seconds to say.
UTTERANCE_SECONDS = 30.0


# A hands-free --input file is a recorded stream (keyword, command, keyword...), not one
# utterance: it may run longer, within reason.
STREAM_SECONDS = 600.0

REPLY_NAME = re.compile(r"reply-\d{2,}\.wav")  # what SpokenConversation._show writes


WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_EXTENSIBLE = 1, 3, 0xFFFE


def wav_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".wav" and p.is_file())
    return [path] if path.is_file() else []


def read_wavs(files: list[Path], max_seconds: float = UTTERANCE_SECONDS,
              ) -> list[tuple[np.ndarray, int]]:
    """Every file read before the conversation starts; ValueError names the first bad one."""
    recordings = []
    for path in files:
        try:
            recordings.append(read_wav(path, max_seconds))
        except (ValueError, EOFError, wave.Error) as error:  # EOFError has no message
            raise ValueError(f"{path}: {error or 'not a WAV file'}") from None
        except OSError as error:
            raise ValueError(f"{path}: {error.strerror or error}") from None
    return recordings


def _fmt_chunk(data: bytes) -> int:
    """Where the fmt chunk's body starts in a RIFF WAVE file, so its format can be checked
    before Python's wave module gives a bare "unknown format: 3"."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    start = 12
    while start + 8 <= len(data):
        size = int.from_bytes(data[start + 4:start + 8], "little")
        if data[start:start + 4] == b"fmt ":
            return start + 8
        start += 8 + size + size % 2
    raise ValueError("not a WAV file (no fmt chunk)")


def _plain_pcm(data: bytes) -> bytes:
    """The file with WAVE_FORMAT_EXTENSIBLE PCM relabelled as plain PCM: Python 3.11's wave
    refuses that header, which many recorders write, though the samples are the same."""
    fmt = _fmt_chunk(data)
    tag = int.from_bytes(data[fmt:fmt + 2], "little")
    if tag == WAVE_FORMAT_EXTENSIBLE:
        tag = int.from_bytes(data[fmt + 24:fmt + 26], "little")  # the subformat's first field
        if tag == WAVE_FORMAT_PCM:
            data = data[:fmt] + WAVE_FORMAT_PCM.to_bytes(2, "little") + data[fmt + 2:]
    if tag == WAVE_FORMAT_IEEE_FLOAT:
        bits = int.from_bytes(data[fmt + 14:fmt + 16], "little")
        raise ValueError(f"{bits}-bit float WAV: save it as 16-bit PCM")
    return data


def read_wav(path: Path, max_seconds: float = UTTERANCE_SECONDS) -> tuple[np.ndarray, int]:
    """16-bit PCM .wav (any rate, mono or stereo) -> mono int16 samples and rate."""
    import numpy as np

    with wave.open(io.BytesIO(_plain_pcm(path.read_bytes())), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError("only 16-bit PCM .wav files are supported")
        channels, rate = wav.getnchannels(), wav.getframerate()
        seconds = wav.getnframes() / rate
        if seconds > max_seconds:
            raise ValueError(f"{seconds:.0f} s long; it can be at most {max_seconds:.0f} s")
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    if channels > 1:
        samples = samples[: samples.size // channels * channels].reshape(-1, channels)
        samples = samples.astype(np.int32).mean(axis=1).astype(np.int16)
    return samples, rate


def clear_replies(folder: Path) -> None:
    """Remove an earlier run's replies, so a shorter run does not leave its reply-05.wav
    beside this one's; only files named as this tool names them, nothing else there."""
    for path in folder.glob("reply-*.wav"):
        if REPLY_NAME.fullmatch(path.name) and path.is_file():
            path.unlink()


def write_wav(path: Path, samples: bytes, sample_rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples)
