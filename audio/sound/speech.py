"""Speech as every engine returns it and the MP3 encoder takes it: 16-bit mono PCM."""

from __future__ import annotations

from dataclasses import dataclass


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
