"""Tests for audio.sound.mp3 (encode, inspect, Alexa checks, tags, decode) and audio.files."""

from __future__ import annotations

import os
from pathlib import Path

import lameenc
import numpy as np
import pytest
from mutagen.mp3 import MP3

from audio.engines import EngineUnavailable, EspeakEngine, Speech
from audio.files import write_atomic
from audio.sound.mp3 import (
    InvalidAudio,
    Mp3Info,
    check_alexa_ssml,
    decode_mp3,
    encode_mp3,
    inspect_mp3,
    read_tags,
    resample,
    tag_mp3,
)

HASH = "0123456789abcdef" * 4


def tone(seconds: float, rate: int = 22050, frequency: float = 220.0) -> Speech:
    """A speech-band test signal: a tone with harmonics, so LAME has work to do."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * frequency * k * t) / k for k in (1, 2, 3, 5))
    samples = (6000 * wave).astype("<i2")
    return Speech(samples=samples.tobytes(), sample_rate=rate)


def lame(pcm: bytes, rate: int, kbps: int, channels: int = 1) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(kbps)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(channels)
    return bytes(encoder.encode(pcm) + encoder.flush())


@pytest.fixture(scope="module")
def speech() -> Speech:
    """Real speech from espeak-ng (fast); a tone stands in only if espeak is missing."""
    try:
        return EspeakEngine().synthesize("The facial nerve, cranial nerve VII, controls the face.")
    except EngineUnavailable:
        return tone(3.0)


@pytest.fixture(scope="module")
def encoded(speech: Speech) -> bytes:
    return encode_mp3(speech)


# ------------------------------------------------------------------ encode/inspect


def test_encoded_speech_is_alexa_playable(speech: Speech, encoded: bytes) -> None:
    info = inspect_mp3(encoded)
    assert (info.version, info.layer, info.bitrate_kbps) == ("2", 3, 48)
    assert info.sample_rate == 22050 and info.channels == 1
    assert info.constant_bitrate
    check_alexa_ssml(info)
    assert info.duration_seconds == pytest.approx(speech.duration_seconds, rel=0.05)


@pytest.mark.parametrize(
    ("source_rate", "target_rate", "expected_rate"),
    [(16000, None, 16000), (24000, None, 24000), (44100, None, 24000), (22050, 24000, 24000)],
)
def test_sample_rate_kept_or_resampled(
    source_rate: int, target_rate: int | None, expected_rate: int
) -> None:
    source = tone(3.0, source_rate)
    info = inspect_mp3(encode_mp3(source, target_rate=target_rate))
    assert info.sample_rate == expected_rate
    check_alexa_ssml(info)
    # LAME adds ~50-90 ms of delay and padding, hence a few seconds of signal.
    assert info.duration_seconds == pytest.approx(3.0, rel=0.05)


def test_target_rate_must_be_alexa_rate() -> None:
    with pytest.raises(ValueError, match="target_rate"):
        encode_mp3(tone(0.5), target_rate=44100)


def test_resample_keeps_duration_and_pitch() -> None:
    source = tone(1.0, 44100, frequency=1000.0)
    out = np.frombuffer(resample(source.samples, 44100, 24000), dtype="<i2")
    assert len(out) == 24000
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) * 24000 / len(out) == pytest.approx(1000, abs=2)


# ---------------------------------------------------------------------- rejections


def test_random_bytes_are_rejected() -> None:
    garbage = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    with pytest.raises(InvalidAudio, match="byte 0"):
        inspect_mp3(garbage)


def test_empty_and_tag_only_data_are_rejected() -> None:
    with pytest.raises(InvalidAudio, match="no MPEG audio frames"):
        inspect_mp3(b"")
    with pytest.raises(InvalidAudio, match="no MPEG audio frames"):
        inspect_mp3(b"ID3\x03\x00\x00\x00\x00\x00\x00")


def test_garbage_between_frames_is_reported_with_offset(encoded: bytes) -> None:
    first_frame = 72 * 48000 // 22050 + ((encoded[2] >> 1) & 1)
    broken = encoded[:first_frame] + b"junk" + encoded[first_frame:]
    with pytest.raises(InvalidAudio, match=f"byte {first_frame}"):
        inspect_mp3(broken)


def test_truncated_last_frame_is_rejected(encoded: bytes) -> None:
    with pytest.raises(InvalidAudio, match="truncated"):
        inspect_mp3(encoded[:-10])


def test_mpeg1_44k_128k_is_rejected_for_alexa() -> None:
    data = lame(tone(1.0, 44100).samples, 44100, 128)
    info = inspect_mp3(data)
    assert (info.version, info.sample_rate, info.bitrate_kbps) == ("1", 44100, 128)
    with pytest.raises(InvalidAudio) as caught:
        check_alexa_ssml(info)
    message = str(caught.value)
    assert "MPEG-1" in message and "44100 Hz" in message and "128 kbps" in message


def test_stereo_is_rejected() -> None:
    mono = np.frombuffer(tone(1.0).samples, dtype="<i2")
    stereo = np.repeat(mono, 2).astype("<i2").tobytes()
    info = inspect_mp3(lame(stereo, 22050, 48, channels=2))
    with pytest.raises(InvalidAudio, match="2 channels"):
        check_alexa_ssml(info)


def test_mixed_bitrates_are_not_constant() -> None:
    pcm = tone(1.0).samples
    info = inspect_mp3(lame(pcm, 22050, 48) + lame(pcm, 22050, 32))
    assert info.bitrates_kbps == (32, 48) and not info.constant_bitrate
    with pytest.raises(InvalidAudio, match="constant 48 kbps"):
        check_alexa_ssml(info)


def test_over_240_seconds_is_rejected() -> None:
    silence = Speech(samples=bytes(2 * 16000 * 241), sample_rate=16000)
    info = inspect_mp3(encode_mp3(silence))
    assert info.duration_seconds > 240
    with pytest.raises(InvalidAudio, match="limit is 240 s"):
        check_alexa_ssml(info)
    check_alexa_ssml(info, max_seconds=300)


def test_every_problem_is_listed() -> None:
    info = Mp3Info("1", 2, 128, 44100, 2, 10, 300.0, (128,))
    with pytest.raises(InvalidAudio) as caught:
        check_alexa_ssml(info)
    assert str(caught.value).count(";") == 5


# --------------------------------------------------------------------------- tags


def test_tags_survive_and_keep_the_file_valid(encoded: bytes) -> None:
    tagged = tag_mp3(
        encoded, title="What is hemifacial spasm?", track=2, total_tracks=9, content_hash=HASH
    )
    assert tagged.startswith(b"ID3")
    assert inspect_mp3(tagged) == inspect_mp3(encoded)
    check_alexa_ssml(inspect_mp3(tagged))
    assert read_tags(tagged) == {
        "title": "What is hemifacial spasm?",
        "album": "Facial Spasm Guide",
        "track": "2/9",
        "language": "eng",
        "content_hash": HASH,
    }


def test_retagging_replaces_the_old_tag(encoded: bytes, tmp_path: Path) -> None:
    once = tag_mp3(encoded, title="Old", track=1, total_tracks=2, content_hash="a" * 64)
    twice = tag_mp3(once, title="New ✓", track=1, total_tracks=2, content_hash=HASH)
    assert twice.count(b"ID3") == 1
    path = tmp_path / "section.mp3"
    path.write_bytes(twice)
    audio = MP3(path)  # an independent reader agrees
    assert str(audio.tags["TIT2"]) == "New ✓"
    assert audio.info.sample_rate == 22050


def test_trailing_id3v1_tag_is_ignored(encoded: bytes) -> None:
    v1 = b"TAG" + b"title".ljust(30, b"\0") + bytes(95)
    assert inspect_mp3(encoded + v1) == inspect_mp3(encoded)


# ------------------------------------------------------------------------ decoding


def test_decode_round_trip(encoded: bytes, speech: Speech) -> None:
    decoded = decode_mp3(encoded)
    assert decoded.sample_rate == 22050 and decoded.mp3 == encoded
    assert decoded.duration_seconds == pytest.approx(speech.duration_seconds, rel=0.05)


def test_valid_mp3_is_reused_untouched(encoded: bytes) -> None:
    assert encode_mp3(Speech(samples=b"", sample_rate=22050, mp3=encoded)) is encoded


def test_foreign_mp3_is_transcoded() -> None:
    google_like = lame(tone(1.0, 24000).samples, 24000, 32)
    result = encode_mp3(Speech(samples=b"", sample_rate=24000, mp3=google_like))
    info = inspect_mp3(result)
    check_alexa_ssml(info)
    # Two encoder delays (Google's and ours) add roughly 0.1 s.
    assert info.sample_rate == 24000 and info.duration_seconds == pytest.approx(1.05, abs=0.1)


def test_decoding_what_is_not_mp3_is_invalid_audio() -> None:
    with pytest.raises(InvalidAudio):
        decode_mp3(b"not an mp3 at all")


# --------------------------------------------------------------------- write_atomic


def test_write_atomic_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "guide.mp3"
    write_atomic(target, b"old")
    with target.open("rb") as reader:  # a reader of the old file keeps the old bytes
        old_inode = os.fstat(reader.fileno()).st_ino
        write_atomic(target, b"new contents")
        assert reader.read() == b"old"
    assert target.read_bytes() == b"new contents"
    assert target.stat().st_ino != old_inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["guide.mp3"]


def test_write_atomic_respects_umask(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.mp3", b"x")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.mp3").stat().st_mode & 0o777 == 0o644


def test_write_atomic_failure_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "guide.mp3"
    target.write_bytes(b"old")

    def broken_fsync(_fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["guide.mp3"]
