"""MP3 encoding, decoding, validation and tagging for Alexa-playable guide audio.

Alexa's SSML ``<audio>`` tag only plays MPEG-2 layer III, 48 kbps, at 16,000,
22,050 or 24,000 Hz, and at most 240 seconds per response. Those three rates are
exactly the MPEG-2 rates, so Piper's and espeak-ng's 22,050 Hz output is encoded
as-is; anything else is resampled. :func:`inspect_mp3` reads every frame header
itself (rather than trusting a tag library) so a bad file is caught at build
time, not by a silent failure on a listener's Echo. :func:`encode_normalised`
brings each recording to the podcast loudness (see audio/sound/loudness.py) and
checks it on the decoded MP3.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from dataclasses import dataclass

import lameenc

from audio.sound import loudness
from audio.sound.speech import Speech

ALEXA_SAMPLE_RATES: frozenset[int] = frozenset({16000, 22050, 24000})
ALEXA_BITRATE_KBPS = 48
ALEXA_MAX_SECONDS = 240.0
# The guide's files: Piper's and espeak-ng's own rate (flite's 16 kHz is resampled to it).
MP3_SAMPLE_RATE = 22050
FALLBACK_MP3_SAMPLE_RATE = 24000  # encode_mp3's rate when the source rate is not Alexa-valid
LAME_QUALITY = 2  # 0 best/slowest .. 9 worst/fastest; 2 is LAME's "high quality"


class InvalidAudio(ValueError):
    """The bytes are not (Alexa-playable) MP3; the message lists every problem."""


@dataclass(frozen=True)
class Mp3Info:
    """What the frame headers of an MP3 stream say.

    ``version`` is "1", "2" or "2.5"; ``bitrate_kbps`` is the most common frame
    bitrate and ``bitrates_kbps`` all distinct ones (more than one means VBR).
    """

    version: str
    layer: int
    bitrate_kbps: int
    sample_rate: int
    channels: int
    frames: int
    duration_seconds: float
    bitrates_kbps: tuple[int, ...] = ()

    @property
    def constant_bitrate(self) -> bool:
        """True when every frame has the same bitrate."""
        return len(self.bitrates_kbps) <= 1


# ------------------------------------------------------------------ frame parsing

_VERSIONS = {0b00: "2.5", 0b10: "2", 0b11: "1"}
_LAYERS = {0b01: 3, 0b10: 2, 0b11: 1}
_HEADER_SAMPLE_RATES = {  # by MPEG version, the frame header's rate index 0..2
    "1": (44100, 48000, 32000),
    "2": (22050, 24000, 16000),
    "2.5": (11025, 12000, 8000),
}
# Bitrates in kbps by (MPEG-1?, layer), index 1..14.
_BITRATES = {
    (True, 1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}


@dataclass(frozen=True)
class _Frame:
    version: str
    layer: int
    bitrate_kbps: int
    sample_rate: int
    channels: int
    length: int
    samples: int


def _parse_header(header: bytes) -> _Frame | None:
    """Decode one 4-byte frame header, or None if it is not a valid one."""
    b1, b2, b3 = header[1], header[2], header[3]
    if header[0] != 0xFF or (b1 & 0xE0) != 0xE0:
        return None
    version = _VERSIONS.get((b1 >> 3) & 0b11)
    layer = _LAYERS.get((b1 >> 1) & 0b11)
    bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 0b11
    if version is None or layer is None or bitrate_index in (0, 15) or rate_index == 3:
        return None  # reserved values; index 0 is "free format", which nothing here makes
    mpeg1 = version == "1"
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index - 1]
    sample_rate = _HEADER_SAMPLE_RATES[version][rate_index]
    padding = (b2 >> 1) & 1
    if layer == 1:
        length, samples = (12 * bitrate * 1000 // sample_rate + padding) * 4, 384
    elif layer == 2 or mpeg1:
        length, samples = 144 * bitrate * 1000 // sample_rate + padding, 1152
    else:
        length, samples = 72 * bitrate * 1000 // sample_rate + padding, 576
    channels = 1 if (b3 >> 6) == 0b11 else 2
    return _Frame(version, layer, bitrate, sample_rate, channels, length, samples)


def _id3v2_size(data: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (0 if none); its size field is syncsafe."""
    if len(data) < 10 or data[:3] != b"ID3":
        return 0
    size_bytes = data[6:10]
    if any(b & 0x80 for b in size_bytes):
        raise InvalidAudio("corrupt ID3v2 tag: size is not syncsafe")
    size = 0
    for b in size_bytes:
        size = (size << 7) | b
    footer = 10 if data[5] & 0x10 else 0
    return 10 + size + footer


def _audio_end(data: bytes) -> int:
    """End of the frame data: a trailing 128-byte ID3v1 tag is not audio."""
    if len(data) >= 128 and data[-128:-125] == b"TAG":
        return len(data) - 128
    return len(data)


def strip_tags(data: bytes) -> bytes:
    """The MPEG frames of a file without its ID3 tags: frames that can be joined to others'."""
    return data[_id3v2_size(data):_audio_end(data)]


def _walk_frames(data: bytes) -> list[_Frame]:
    position, end = _id3v2_size(data), _audio_end(data)
    frames: list[_Frame] = []
    while position < end:
        frame = _parse_header(data[position : position + 4]) if end - position >= 4 else None
        if frame is None:
            where = "after the last frame" if frames else "where the first frame should be"
            raise InvalidAudio(
                f"not an MPEG audio frame at byte {position} ({where}): "
                f"{data[position : position + 4].hex() or 'end of data'}"
            )
        if position + frame.length > end:
            raise InvalidAudio(
                f"truncated frame at byte {position}: needs {frame.length} bytes, "
                f"{end - position} left"
            )
        frames.append(frame)
        position += frame.length
    if not frames:
        raise InvalidAudio("no MPEG audio frames found")
    return frames


def inspect_mp3(data: bytes) -> Mp3Info:
    """Walk every frame of ``data`` and summarise it; raise InvalidAudio on garbage.

    A leading ID3v2 tag and a trailing ID3v1 tag are skipped. A Xing/LAME info
    frame is a well-formed (silent) frame, so it is counted like any other.
    """
    frames = _walk_frames(bytes(data))
    first = frames[0]
    for index, frame in enumerate(frames):
        mismatch = (frame.version, frame.layer, frame.sample_rate, frame.channels) != (
            first.version,
            first.layer,
            first.sample_rate,
            first.channels,
        )
        if mismatch:
            raise InvalidAudio(
                f"frame {index} changes format (MPEG-{frame.version} layer {frame.layer}, "
                f"{frame.sample_rate} Hz, {frame.channels} ch) from the first frame"
            )
    bitrates = Counter(frame.bitrate_kbps for frame in frames)
    samples = sum(frame.samples for frame in frames)
    return Mp3Info(
        version=first.version,
        layer=first.layer,
        bitrate_kbps=bitrates.most_common(1)[0][0],
        sample_rate=first.sample_rate,
        channels=first.channels,
        frames=len(frames),
        duration_seconds=samples / first.sample_rate,
        bitrates_kbps=tuple(sorted(bitrates)),
    )


def alexa_problems(info: Mp3Info, max_seconds: float = ALEXA_MAX_SECONDS) -> list[str]:
    """Everything that stops Alexa's SSML <audio> from playing this file (empty if fine)."""
    problems = []
    if info.version != "2":
        problems.append(f"MPEG-{info.version}, Alexa needs MPEG-2")
    if info.layer != 3:
        problems.append(f"layer {info.layer}, Alexa needs layer III")
    if not info.constant_bitrate or info.bitrate_kbps != ALEXA_BITRATE_KBPS:
        rates = "/".join(str(rate) for rate in info.bitrates_kbps or (info.bitrate_kbps,))
        problems.append(f"{rates} kbps, Alexa needs a constant {ALEXA_BITRATE_KBPS} kbps")
    if info.sample_rate not in ALEXA_SAMPLE_RATES:
        allowed = ", ".join(str(rate) for rate in sorted(ALEXA_SAMPLE_RATES))
        problems.append(f"{info.sample_rate} Hz, Alexa needs one of {allowed} Hz")
    if info.channels != 1:
        problems.append(f"{info.channels} channels, expected mono")
    if info.duration_seconds > max_seconds:
        problems.append(f"{info.duration_seconds:.1f} s long, the limit is {max_seconds:g} s")
    return problems


def check_alexa_ssml(info: Mp3Info, max_seconds: float = ALEXA_MAX_SECONDS) -> None:
    """Raise InvalidAudio listing every reason Alexa would refuse this audio."""
    problems = alexa_problems(info, max_seconds)
    if problems:
        raise InvalidAudio("not playable in Alexa SSML: " + "; ".join(problems))


# ---------------------------------------------------------------------- encoding


def resample(samples: bytes, source_rate: int, target_rate: int) -> bytes:
    """Resample 16-bit mono PCM with soxr, which low-passes first (no aliasing).

    Used when an engine speaks at a rate the guide's files do not use (flite: 16 kHz).
    """
    if source_rate == target_rate or not samples:
        return samples
    return loudness.to_pcm(loudness.resample(loudness.to_float(samples), source_rate, target_rate))


def _choose_rate(source_rate: int, target_rate: int | None) -> int:
    if target_rate is not None:
        if target_rate not in ALEXA_SAMPLE_RATES:
            raise ValueError(f"target_rate must be one of {sorted(ALEXA_SAMPLE_RATES)}")
        return target_rate
    return source_rate if source_rate in ALEXA_SAMPLE_RATES else FALLBACK_MP3_SAMPLE_RATE


def _reusable_mp3(data: bytes, bitrate_kbps: int, target_rate: int | None) -> bool:
    """True when an engine's own MP3 already has the wanted format (no re-encode loss)."""
    try:
        info = inspect_mp3(data)
    except InvalidAudio:
        return False
    wanted_rate = info.sample_rate if target_rate is None else target_rate
    return (
        info.version == "2"
        and info.layer == 3
        and info.channels == 1
        and info.constant_bitrate
        and info.bitrate_kbps == bitrate_kbps
        and info.sample_rate == wanted_rate
        and info.sample_rate in ALEXA_SAMPLE_RATES
    )


def _lame(pcm: bytes, rate: int, bitrate_kbps: int) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(LAME_QUALITY)
    return bytes(encoder.encode(pcm) + encoder.flush())


def _pcm_of(speech: Speech) -> Speech:
    """Speech with PCM samples, decoding the engine's MP3 when that is all it has."""
    if speech.samples:
        return speech
    if speech.mp3 is None:
        raise ValueError("speech has no audio")
    return decode_mp3(speech.mp3)


def encode_mp3(
    speech: Speech, bitrate_kbps: int = ALEXA_BITRATE_KBPS, target_rate: int | None = None
) -> bytes:
    """Encode speech as constant-bitrate mono MP3 with LAME, in-process, at its own level.

    ``target_rate`` None keeps an Alexa-valid source rate (Piper/espeak: 22,050 Hz)
    and otherwise resamples to 24,000 Hz. Speech that carries an MP3 already in
    the wanted format is returned untouched; one in another format is decoded
    and re-encoded (see :func:`decode_mp3`). The audio build uses
    :func:`encode_normalised` instead.
    """
    if speech.mp3 is not None and _reusable_mp3(speech.mp3, bitrate_kbps, target_rate):
        return speech.mp3
    speech = _pcm_of(speech)
    rate = _choose_rate(speech.sample_rate, target_rate)
    return _lame(resample(speech.samples, speech.sample_rate, rate), rate, bitrate_kbps)


def measure_mp3(data: bytes) -> loudness.Loudness:
    """Loudness and true peak of an MP3 as a player decodes it."""
    decoded = decode_mp3(data)
    return loudness.measure(loudness.to_float(decoded.samples), decoded.sample_rate)


def encode_normalised(
    speech: Speech, target_rate: int, bitrate_kbps: int = ALEXA_BITRATE_KBPS
) -> tuple[bytes, loudness.Loudness]:
    """MP3 of ``speech`` at -16 LUFS with true peaks at most -1 dBTP, and what it measures.

    The level is measured on the decoded MP3, not on the PCM before encoding: the
    encoder's low-pass takes a few tenths of a LU and moves peaks. So the page is
    encoded again, aiming off by what the last try missed (and with the limiter's
    ceiling lowered by any peak's excess), until it reads within 0.2 LU of -16.
    Raises InvalidAudio when no try fits the tolerance (silence, say).
    """
    speech = _pcm_of(speech)
    rate = _choose_rate(speech.sample_rate, target_rate)
    samples = loudness.resample(loudness.to_float(speech.samples), speech.sample_rate, rate)
    aim, ceiling = loudness.TARGET_LUFS, loudness.LIMITER_CEILING_DBTP
    fitting: tuple[bytes, loudness.Loudness] | None = None
    problems: list[str] = []
    for _ in range(_ENCODE_ATTEMPTS):
        level = loudness.normalise(samples, rate, target_lufs=aim, ceiling_dbtp=ceiling)
        frames = _lame(loudness.to_pcm(level), rate, bitrate_kbps)
        heard = measure_mp3(frames)
        problems = heard.problems()
        if not problems:
            fitting = (frames, heard)
            if abs(heard.integrated_lufs - loudness.TARGET_LUFS) <= _ENCODED_SETTLE_LU:
                break
        if math.isfinite(heard.integrated_lufs):
            aim += loudness.TARGET_LUFS - heard.integrated_lufs
        if heard.true_peak_dbtp > loudness.MAX_TRUE_PEAK_DBTP:
            ceiling -= heard.true_peak_dbtp - loudness.MAX_TRUE_PEAK_DBTP + 0.1
    if fitting is None:
        raise InvalidAudio("cannot bring it to the guide's level: " + "; ".join(problems))
    return fitting


_ENCODE_ATTEMPTS = 4
_ENCODED_SETTLE_LU = 0.2


# ---------------------------------------------------------------------- decoding


def decode_mp3(data: bytes) -> Speech:
    """Decode MP3 to 16-bit mono PCM at its own rate (keeping the MP3 in ``Speech.mp3``).

    miniaudio's decoder (dr_mp3) ships inside its wheel, so no system library is
    needed. Used to measure loudness, and for gTTS, whose 32 kbps MP3 Alexa refuses.
    """
    import miniaudio

    rate = inspect_mp3(data).sample_rate
    try:
        decoded = miniaudio.decode(data, output_format=miniaudio.SampleFormat.SIGNED16,
                                   nchannels=1, sample_rate=rate)
    except miniaudio.DecodeError as error:
        raise InvalidAudio(f"cannot decode MP3: {error}") from error
    samples = decoded.samples.tobytes()
    if not samples:
        raise InvalidAudio("cannot decode MP3: no audio frames")
    return Speech(samples=samples, sample_rate=rate, mp3=data)


# ----------------------------------------------------------------------- tagging


def tag_mp3(
    data: bytes,
    *,
    title: str,
    album: str = "Facial Spasm Guide",
    track: int,
    total_tracks: int,
    language: str = "eng",
    content_hash: str,
) -> bytes:
    """Return ``data`` with a fresh ID3v2.3 tag (replacing any old one).

    v2.3 rather than v2.4 because more players read it; the content hash lets a
    build skip sections whose text has not changed.
    """
    from mutagen.id3 import ID3, TALB, TIT2, TLAN, TRCK, TXXX

    tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TALB(encoding=3, text=album))
    tags.add(TRCK(encoding=3, text=f"{track}/{total_tracks}"))
    tags.add(TLAN(encoding=3, text=language))
    tags.add(TXXX(encoding=3, desc="content_sha256", text=content_hash))
    buffer = io.BytesIO(data)
    tags.save(buffer, v2_version=3)
    return buffer.getvalue()


def read_tags(data: bytes) -> dict[str, str]:
    """The tags written by :func:`tag_mp3`, as plain strings (missing ones omitted)."""
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        tags = ID3(io.BytesIO(data))
    except ID3NoHeaderError:
        return {}
    names = {
        "TIT2": "title",
        "TALB": "album",
        "TRCK": "track",
        "TLAN": "language",
        "TXXX:content_sha256": "content_hash",
    }
    return {name: str(tags[key].text[0]) for key, name in names.items() if key in tags}
