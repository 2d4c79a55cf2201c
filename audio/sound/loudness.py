"""Loudness: measure (ITU-R BS.1770), normalise to the podcast level, limit true peaks.

Podcast apps and Alexa play files one after another at whatever level they were
made: a guide 4 to 7 dB quieter than the episode before it, with peaks that
clip after MP3 encoding, is what listeners heard. Every recording is therefore
brought to **-16 LUFS integrated** (Apple's and most podcast hosts' level for
spoken word) with **true peaks at or below -1 dBTP**.

- :func:`integrated_loudness` is pyloudnorm's BS.1770-4 meter (K-weighting,
  400 ms blocks, absolute and relative gates), so silence between pages does not
  count.
- :func:`true_peak_dbtp` oversamples 4x, as BS.1770's annex 2 does, because the
  peak between samples is what a decoder or a DAC reproduces.
- :func:`normalise` applies the gain, then a look-ahead limiter for the few
  peaks the gain would push over the ceiling, and repeats until the level holds.
- :func:`resample` is soxr (a band-limited resampler: it low-passes before it
  drops the rate, so nothing above the new Nyquist folds back as aliasing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyloudnorm
import soxr
from scipy.ndimage import minimum_filter1d, uniform_filter1d

TARGET_LUFS = -16.0
TOLERANCE_LU = 1.0
MAX_TRUE_PEAK_DBTP = -1.0
# The limiter aims below the maximum: MP3 encoding moves peaks by a few tenths of a dB.
LIMITER_CEILING_DBTP = -1.5
TRUE_PEAK_OVERSAMPLING = 4
LIMITER_WINDOW_SECONDS = 0.005  # look-ahead and smoothing: short enough not to pump
BLOCK_SECONDS = 0.4  # BS.1770's gating block; shorter audio is padded with silence to measure
_SETTLE_LU = 0.05  # normalise() stops when the level is this close to the target
_MAX_PASSES = 6


@dataclass(frozen=True)
class Loudness:
    """What the meter read: integrated loudness (LUFS) and true peak (dBTP)."""

    integrated_lufs: float
    true_peak_dbtp: float

    def problems(self, target: float = TARGET_LUFS, tolerance: float = TOLERANCE_LU,
                 max_peak: float = MAX_TRUE_PEAK_DBTP) -> list[str]:
        """Why this level is not the guide's (empty when it is)."""
        found = []
        if not abs(self.integrated_lufs - target) <= tolerance:
            found.append(f"loudness {self.integrated_lufs:.1f} LUFS, expected {target:g} "
                         f"± {tolerance:g}")
        if not self.true_peak_dbtp <= max_peak:
            found.append(f"true peak {self.true_peak_dbtp:.1f} dBTP, the limit is {max_peak:g}")
        return found


def to_float(pcm: bytes) -> np.ndarray:
    """16-bit little-endian PCM as float64 in [-1, 1)."""
    return np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0


def to_pcm(samples: np.ndarray) -> bytes:
    """Float samples back to 16-bit PCM (clipped, rounded)."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Band-limited resampling (soxr, very high quality): filters before it resamples."""
    if source_rate == target_rate or samples.size == 0:
        return samples
    return np.asarray(soxr.resample(samples, source_rate, target_rate, quality="VHQ"),
                      dtype=np.float64)


def _measurable(samples: np.ndarray, rate: int) -> np.ndarray:
    """Pad audio shorter than one gating block with silence (which the gates ignore)."""
    block = math.ceil(BLOCK_SECONDS * rate) + 1
    return samples if samples.size >= block else np.pad(samples, (0, block - samples.size))


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """BS.1770-4 integrated loudness in LUFS (-inf for silence)."""
    with np.errstate(divide="ignore"):
        return float(pyloudnorm.Meter(rate).integrated_loudness(_measurable(samples, rate)))


def _oversampled(samples: np.ndarray, rate: int) -> np.ndarray:
    return resample(samples, rate, rate * TRUE_PEAK_OVERSAMPLING)


def true_peak_dbtp(samples: np.ndarray, rate: int) -> float:
    """The highest peak of the 4x oversampled signal, in dB relative to full scale."""
    if samples.size == 0:
        return -math.inf
    peak = max(float(np.max(np.abs(_oversampled(samples, rate)))), float(np.max(np.abs(samples))))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def measure(samples: np.ndarray, rate: int) -> Loudness:
    """Integrated loudness and true peak of ``samples``."""
    return Loudness(integrated_loudness(samples, rate), true_peak_dbtp(samples, rate))


def _peak_envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """Per sample, the largest magnitude of the oversampled signal around it."""
    over = np.abs(_oversampled(samples, rate))
    factor = TRUE_PEAK_OVERSAMPLING
    over = np.pad(over, (0, max(0, samples.size * factor - over.size)))[: samples.size * factor]
    return np.maximum(over.reshape(samples.size, factor).max(axis=1), np.abs(samples))


def limit(samples: np.ndarray, rate: int, ceiling_dbtp: float = LIMITER_CEILING_DBTP
          ) -> np.ndarray:
    """Look-ahead peak limiter: turn the gain down smoothly around each peak over the ceiling.

    The gain each sample needs is spread with a moving minimum over a window and then
    smoothed with a moving average no wider than that window, so the smoothed gain is
    never above what any sample needs: no peak escapes, and there are no clicks.
    """
    if samples.size == 0:
        return samples
    ceiling = 10 ** (ceiling_dbtp / 20)
    envelope = _peak_envelope(samples, rate)
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    if needed.min() >= 1.0:
        return samples
    width = 2 * max(1, round(LIMITER_WINDOW_SECONDS * rate)) + 1
    gain = uniform_filter1d(minimum_filter1d(needed, size=width, mode="nearest"),
                            size=width, mode="nearest")
    return samples * gain


def normalise(samples: np.ndarray, rate: int, target_lufs: float = TARGET_LUFS,
              ceiling_dbtp: float = LIMITER_CEILING_DBTP) -> np.ndarray:
    """``samples`` at ``target_lufs`` integrated, true peaks limited to ``ceiling_dbtp``.

    Limiting lowers the level a little, so gain and limiter repeat until the meter
    reads within 0.05 LU of the target. Silence is returned unchanged.
    """
    out = samples
    for _ in range(_MAX_PASSES):
        level = integrated_loudness(out, rate)
        if not math.isfinite(level):
            return samples
        if abs(level - target_lufs) <= _SETTLE_LU and true_peak_dbtp(out, rate) <= ceiling_dbtp:
            break
        out = limit(out * 10 ** ((target_lufs - level) / 20), rate, ceiling_dbtp)
    return out
