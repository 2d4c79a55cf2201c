"""Microphone and speaker (sounddevice, PortAudio), the beeps, and hands-free capture:
the keyword spotted, then the command cut out of the stream."""

from __future__ import annotations

import math
import queue
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from skill.understanding import RECOGNITION_SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np

    from skill.understanding.recognition import Recognizer

SAMPLE_RATE = RECOGNITION_SAMPLE_RATE  # what is recorded, and the beeps' rate too

EARCON_START_HZ, EARCON_STOP_HZ, EARCON_SECONDS = 880.0, 660.0, 0.12


COMMAND_SECONDS = 8.0  # longest hands-free command


WAIT_FOR_SPEECH_SECONDS = 5.0  # after the keyword, give up if nothing is said


BLOCK_SECONDS = 0.05


LEAD_IN_SECONDS = 0.3  # kept before the detected start of a hands-free command


def earcon(frequency: float, seconds: float = EARCON_SECONDS,
           sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A short sine beep with soft edges, as int16."""
    import numpy as np

    t = np.arange(round(seconds * sample_rate)) / sample_rate
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    return (0.3 * 32767 * fade * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


class Speaker:
    def __init__(self, sounddevice: Any) -> None:
        self.sd = sounddevice

    def play(self, samples: np.ndarray | bytes, sample_rate: int) -> None:
        import numpy as np

        audio = np.frombuffer(samples, dtype=np.int16) if isinstance(samples, bytes) else samples
        self.sd.play(audio, sample_rate, blocking=True)


class Microphone:
    """The default input as a stream of 16 kHz int16 blocks (resampled when needed)."""

    def __init__(self, sounddevice: Any) -> None:
        self.sd = sounddevice
        self.rate = SAMPLE_RATE
        try:
            sounddevice.check_input_settings(samplerate=SAMPLE_RATE, channels=1, dtype="int16")
        except Exception:
            self.rate = int(sounddevice.query_devices(kind="input")["default_samplerate"])
        self.blocks: queue.Queue[bytes] = queue.Queue()
        self.stream = None
        self.room = math.inf  # bytes still to record

    def _callback(self, data: Any, frames: int, when: Any, status: Any) -> None:
        if self.room > 0:
            self.room -= len(data)
            self.blocks.put(bytes(data))

    def start(self, longest: float = math.inf) -> None:
        """Record until stopped, or for at most ``longest`` seconds (push-to-talk's limit,
        so a forgotten Enter does not record for ever)."""
        self.flush()
        self.room = longest * self.rate * 2
        self.stream = self.sd.RawInputStream(samplerate=self.rate, channels=1, dtype="int16",
                                             blocksize=round(self.rate * BLOCK_SECONDS),
                                             callback=self._callback)
        self.stream.start()

    def stop(self) -> None:
        if self.stream is not None:
            self.stream.stop()
            self.stream.close()
            self.stream = None

    def flush(self) -> None:
        """Forget what was heard so far (our own replies and beeps)."""
        while True:
            try:
                self.blocks.get_nowait()
            except queue.Empty:
                return

    def recorded(self) -> bytes:
        chunks = []
        while True:
            try:
                chunks.append(self.blocks.get_nowait())
            except queue.Empty:
                return self._model_rate(b"".join(chunks))

    def stream_16k(self) -> Iterator[bytes]:
        while True:
            yield self._model_rate(self.blocks.get())

    def _model_rate(self, data: bytes) -> bytes:
        if self.rate == SAMPLE_RATE:
            return data
        from skill.understanding.sound import to_model_rate

        return to_model_rate(data, self.rate).tobytes()


def live_blocks(audio: bytes) -> Iterator[bytes]:
    """16 kHz 16-bit audio cut into the blocks a microphone stream delivers."""
    step = 2 * round(SAMPLE_RATE * BLOCK_SECONDS)
    return (audio[start:start + step] for start in range(0, len(audio), step))


def capture_command(blocks: Iterator[bytes], wait: float = WAIT_FOR_SPEECH_SECONDS,
                    longest: float = COMMAND_SECONDS) -> bytes:
    """After the keyword: the next stretch of speech (16 kHz), ended by a pause.

    PocketSphinx's voice-activity endpointer only says when speech starts and
    ends; the audio is cut from the raw recording with a little lead-in, because
    the detector notices soft beginnings ("what") late. Gives up after ``wait``
    seconds without speech, and stops at ``longest`` seconds in any case.
    """
    from pocketsphinx import Endpointer, Vad

    # The strict VAD: the loose ones take steady room hiss for speech and never end.
    endpointer = Endpointer(sample_rate=SAMPLE_RATE, vad_mode=Vad.STRICT)
    size = endpointer.frame_bytes
    pending, recording = b"", bytearray()
    started: float | None = None
    seconds = 0.0
    for block in blocks:
        pending += block
        while len(pending) >= size:
            frame, pending = pending[:size], pending[size:]
            recording += frame
            seconds += endpointer.frame_length
            was_speaking = endpointer.in_speech
            endpointer.process(frame)
            if endpointer.in_speech and started is None:
                started = endpointer.speech_start
            if was_speaking and not endpointer.in_speech:
                return _cut(recording, started or 0.0, endpointer.speech_end)
            if seconds >= longest:
                return _cut(recording, started or 0.0, seconds)
            if started is None and seconds >= wait:
                return b""
    return _cut(recording, started, seconds) if started is not None else b""


def _cut(recording: bytearray, start: float, end: float) -> bytes:
    first = max(0, round((start - LEAD_IN_SECONDS) * SAMPLE_RATE)) * 2
    last = round((end + LEAD_IN_SECONDS / 2) * SAMPLE_RATE) * 2
    return bytes(recording[first:last])


def commands_after_keyword(blocks: Iterable[bytes], recognizer: Recognizer,
                           on_wake: Callable[[], None] = lambda: None,
                           on_done: Callable[[], None] = lambda: None) -> Iterator[bytes]:
    """Each command spoken after the keyword, as 16 kHz audio; ends with the blocks.

    A wake with nothing said after it (a false alarm, or a change of mind) yields
    nothing: like a speaker, the guide just goes back to waiting.
    """
    stream = iter(blocks)
    while recognizer.listen_for_keyword(stream):
        on_wake()
        command = capture_command(stream)
        on_done()
        if command:
            yield command
