"""Speech as the recogniser wants it: 16 kHz, silence trimmed, never digital zeros."""

from __future__ import annotations

import numpy as np

from skill.understanding import RECOGNITION_SAMPLE_RATE

SAMPLE_RATE = RECOGNITION_SAMPLE_RATE
# Faint noise added to every buffer. Synthetic speech has digital silence (exact
# zeros), which upsets PocketSphinx's log-energy features and cepstral mean;
# a microphone never gives exact zeros, and this level is far below its own hiss.
COMFORT_NOISE = 10.0
# Silence trimming: frames this far below the loudest (or under the floor) are quiet.
TRIM_RELATIVE, TRIM_FLOOR, TRIM_CEILING, TRIM_MARGIN = 10 ** (-50 / 20), 30.0, 300.0, 0.1
MIN_SPEECH = 0.1  # seconds; anything shorter is a click, not a word


def to_model_rate(samples: np.ndarray | bytes, sample_rate: int) -> np.ndarray:
    """16-bit mono at any rate -> int16 at 16 kHz, low-passed first when downsampling."""
    audio = np.frombuffer(samples, dtype=np.int16) if isinstance(samples, bytes | bytearray) \
        else np.asarray(samples)
    audio = audio.astype(np.float32).reshape(-1)
    if sample_rate != SAMPLE_RATE and audio.size:
        if sample_rate > SAMPLE_RATE:
            audio = np.convolve(audio, _lowpass(SAMPLE_RATE / 2 / sample_rate), mode="same")
        count = round(audio.size * SAMPLE_RATE / sample_rate)
        audio = np.interp(np.arange(count) * (sample_rate / SAMPLE_RATE),
                          np.arange(audio.size), audio)
    return np.clip(audio, -32768, 32767).astype(np.int16)


def _lowpass(cutoff: float, taps: int = 63) -> np.ndarray:
    """Windowed-sinc low-pass filter; ``cutoff`` as a fraction of the input rate."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * 0.92 * np.sinc(2 * cutoff * 0.92 * n) * np.hamming(taps)
    return (kernel / kernel.sum()).astype(np.float32)


def _loud_frames(audio: np.ndarray) -> np.ndarray:
    """Indexes of the 10 ms frames loud enough to be speech (16 kHz audio)."""
    frame = SAMPLE_RATE // 100
    count = audio.size // frame
    if count == 0:
        return np.zeros(0, dtype=int)
    energy = np.sqrt(np.mean(audio[: count * frame].astype(np.float32).reshape(count, frame) ** 2,
                             axis=1))
    threshold = min(max(energy.max() * TRIM_RELATIVE, TRIM_FLOOR), TRIM_CEILING)
    return np.flatnonzero(energy >= threshold)


def trim_silence(audio: np.ndarray, margin: float | None = None) -> np.ndarray:
    """Cut the quiet before and after speech (16 kHz), keeping a short margin.

    The acoustic model scores long stretches of very quiet audio poorly, and a
    push-to-talk recording starts and ends with whatever the room sounded like.
    """
    loud = _loud_frames(audio)
    if loud.size == 0:
        return audio[:0]
    frame = SAMPLE_RATE // 100
    keep = round((TRIM_MARGIN if margin is None else margin) * SAMPLE_RATE)
    return audio[max(loud[0] * frame - keep, 0): min((loud[-1] + 1) * frame + keep, audio.size)]


def speech_seconds(audio: np.ndarray) -> float:
    """How much of the audio (16 kHz) is loud enough to be speech."""
    return _loud_frames(audio).size / 100


def with_comfort_noise(audio: np.ndarray, seed: int = 0) -> bytes:
    noise = np.random.default_rng(seed).normal(0.0, COMFORT_NOISE, audio.size)
    return np.clip(audio.astype(np.float32) + noise, -32768, 32767).astype(np.int16).tobytes()
