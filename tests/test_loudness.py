"""audio/sound/loudness.py and the build's level: -16 LUFS integrated, true peak at most -1 dBTP.

Measured with pyloudnorm (ITU-R BS.1770-4) on decoded MP3, as a listener's player hears it.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from audio.build.report import BuildReport
from audio.build.run import BuildError, build
from audio.engines import EngineUnavailable, EspeakEngine, FliteEngine, Speech
from audio.manifest import read_manifest
from audio.sound import loudness, mp3
from content import guide

RATE = 22050


def tone(frequency: float, seconds: float, amplitude: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * frequency * t)


@pytest.fixture(scope="module")
def overview(tmp_path_factory: pytest.TempPathFactory, espeak: EspeakEngine
             ) -> tuple[Path, BuildReport]:
    """The first section built with espeak-ng; read-only."""
    out = tmp_path_factory.mktemp("level")
    small = dataclasses.replace(guide(), sections=guide().sections[:1])
    return out, build(small, out, engine=espeak)


def test_meter_reads_a_full_scale_sine_as_bs1770_says() -> None:
    """BS.1770: a 0 dBFS 997 Hz sine reads -3.01 LUFS (K-weighting is ~0 dB there)."""
    assert loudness.integrated_loudness(tone(997, 5, 1.0, 48000), 48000) == pytest.approx(
        -3.01, abs=0.1)


def test_true_peak_finds_the_peak_between_samples() -> None:
    """A sine at a quarter of the rate, sampled 45 degrees off its crests, peaks 3 dB above
    its samples: a sample-peak meter would miss it."""
    t = np.arange(4800)
    samples = 0.5 * np.sin(2 * np.pi * t / 4 + np.pi / 4)
    sample_peak = 20 * math.log10(np.max(np.abs(samples)))
    assert loudness.true_peak_dbtp(samples, 48000) == pytest.approx(sample_peak + 3.01, abs=0.1)


def test_normalise_reaches_the_target_and_limits_peaks() -> None:
    """Quiet speech-like bursts with one loud click: level up, click held under the ceiling."""
    signal = np.concatenate([tone(300, 1.0, 0.02), np.zeros(2000), tone(500, 1.0, 0.03)])
    signal[5000] = 0.9
    out = loudness.normalise(signal, RATE)
    assert loudness.integrated_loudness(out, RATE) == pytest.approx(-16.0, abs=0.1)
    assert loudness.true_peak_dbtp(out, RATE) <= loudness.LIMITER_CEILING_DBTP + 0.05


def test_normalise_leaves_silence_alone() -> None:
    silence = np.zeros(RATE)
    assert np.array_equal(loudness.normalise(silence, RATE), silence)


def test_resampler_filters_what_the_new_rate_cannot_carry() -> None:
    """A 10 kHz tone cannot exist at 16 kHz: soxr removes it; linear interpolation would
    fold it back to 6 kHz."""
    out = loudness.resample(tone(10_000, 1.0, 0.5, 22050), 22050, 16000)
    assert np.sqrt(np.mean(out[1000:-1000] ** 2)) < 0.005


def test_encoded_page_is_at_the_level_when_decoded(espeak: EspeakEngine) -> None:
    speech = espeak.synthesize("Hemifacial spasm makes the muscles on one side of the face "
                               "tighten again and again, on their own.")
    frames, level = mp3.encode_normalised(speech, target_rate=RATE)
    decoded = mp3.decode_mp3(frames)
    samples = loudness.to_float(decoded.samples)
    assert pyloudnorm.Meter(RATE).integrated_loudness(samples) == pytest.approx(-16.0, abs=0.3)
    assert level.problems() == []


def test_flite_at_16_khz_is_resampled_and_normalised() -> None:
    try:
        engine = FliteEngine()
    except EngineUnavailable as error:
        pytest.skip(str(error))
    speech = engine.synthesize("What causes it?")
    assert speech.sample_rate == 16000
    frames, level = mp3.encode_normalised(speech, target_rate=RATE)
    assert mp3.inspect_mp3(frames).sample_rate == RATE
    assert level.problems() == []


def test_every_built_file_records_a_level_within_range(overview: tuple[Path, BuildReport]) -> None:
    entries = read_manifest(overview[0]).files
    assert {entry.kind for entry in entries} == {"page", "section", "guide"}
    for entry in entries:
        assert abs(entry.loudness_lufs - loudness.TARGET_LUFS) <= loudness.TOLERANCE_LU, entry.path
        assert entry.true_peak_dbtp <= loudness.MAX_TRUE_PEAK_DBTP, entry.path


def test_recorded_level_is_what_an_independent_meter_reads(overview: tuple[Path, BuildReport]
                                                             ) -> None:
    out, _ = overview
    section = next(e for e in read_manifest(out).files if e.kind == "section")
    decoded = mp3.decode_mp3((out / section.path).read_bytes())
    measured = pyloudnorm.Meter(decoded.sample_rate).integrated_loudness(
        loudness.to_float(decoded.samples))
    assert measured == pytest.approx(section.loudness_lufs, abs=0.05)


def test_a_build_refuses_a_page_it_cannot_level(tmp_path: Path) -> None:
    """Silence has no loudness to bring to -16 LUFS: the build says so, naming the file."""

    class Mute:
        name, voice = "mute", "none"

        def synthesize(self, text: str, rate: float = 1.0) -> Speech:
            return Speech(bytes(2 * RATE), RATE)

    small = dataclasses.replace(guide(), sections=guide().sections[:1])
    with pytest.raises(BuildError, match=r"files/01-overview-p1\.mp3: .*level"):
        build(small, tmp_path, engine=Mute())
