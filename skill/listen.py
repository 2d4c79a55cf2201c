"""spasm-guide listen: talk to the guide by voice, fully offline.

A front-end only: audio in becomes text through the offline recogniser
(skill/recognition.py), the text goes to the one conversation engine
(Conversation.answer, with the recogniser's own understanding), and the reply
comes back as speech through Piper or espeak-ng (audio/engines.py), at the speed
the listener asked for. There is no dialogue logic here. What the recogniser was
not sure of never reaches the skill: the listener hears "Sorry, I didn't catch
that" (content/messages.yaml, not_caught) and nothing changes (no page moved,
no speed changed, no recording started).

Modes:
  --input FILE|DIR   utterances from .wav files (after the launch), no devices needed
  (default)          push-to-talk: Enter starts recording, Enter stops it
  --hands-free       always listening; say the keyword ("hey guide"), then the command
Audio devices need the optional sounddevice package (extra "voice") and PortAudio.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import logging
import math
import queue
import re
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy, PocketSphinx and the skill load only when listening starts
    import numpy as np

    from audio.engines import Engine, Speech
    from skill.engine.conversation import Conversation, Turn
    from skill.recognition import Heard, Recognizer

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "spasm-guide listen: no audio device available (needs sounddevice and PortAudio): "
    "pip install 'facial-spasm-guide[voice]' and, on Debian, apt-get install libportaudio2; "
    "or use --input FILE.wav"
)
RECOGNITION_HINT = ("spasm-guide listen: speech recognition needs PocketSphinx and numpy: "
                    "pip install 'facial-spasm-guide[voice]'")
NO_DEVICE = ("spasm-guide listen: no audio device found: connect a microphone and a speaker "
             "(sounddevice and PortAudio are installed), or use --input FILE.wav")
PROSODY_RATE = re.compile(r'<prosody[^>]*\brate="(\d+(?:\.\d+)?)%"')
REPLY_NAME = re.compile(r"reply-\d{2,}\.wav")  # what Session._show writes
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
EARCON_START_HZ, EARCON_STOP_HZ, EARCON_SECONDS = 880.0, 660.0, 0.12
COMMAND_SECONDS = 8.0  # longest hands-free command
# Longest utterance from a file or push-to-talk: a 10-minute one took 49 s and 644 MB to
# decode, and no command the guide understands takes more than a few seconds to say.
UTTERANCE_SECONDS = 30.0
# A hands-free --input file is a recorded stream (keyword, command, keyword...), not one
# utterance: it may run longer, within reason.
STREAM_SECONDS = 600.0
WAIT_FOR_SPEECH_SECONDS = 5.0  # after the keyword, give up if nothing is said
BLOCK_SECONDS = 0.05
LEAD_IN_SECONDS = 0.3  # kept before the detected start of a hands-free command
# Measured with bench/voice.py (README, "Talking to it offline, by voice"): over the
# sections read aloud (2.6 min) "guide" woke falsely 19-22 times, "hey guide" and
# "hello guide" never; with Piper in noise, "hey guide" woke on 7-8/8, "hello guide" 1-3/8.
DEFAULT_KEYWORD = "hey guide"
SAMPLE_RATE = 16_000  # the recogniser's rate; earcons are played at it too
WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_EXTENSIBLE = 1, 3, 0xFFFE


# --------------------------------------------------------------------------- CLI


def register(commands: Any) -> None:
    """Add the ``listen`` subcommand to spasm-guide's subparsers."""
    from skill.config import from_environment

    text = "Talk to the guide by voice, fully offline (microphone, or .wav files with --input)."
    sub = commands.add_parser("listen", help=text, description=text)
    sub.set_defaults(func=cmd_listen)
    sub.add_argument("--input", metavar="PATH",
                     help="a .wav file or a folder of .wav files (name order), said after the launch")
    sub.add_argument("--output", metavar="DIR",
                     help="write each reply as reply-NN.wav in this folder")
    sub.add_argument("--hands-free", action="store_true",
                     help="listen all the time; say the keyword, then what you want")
    sub.add_argument("--keyword", type=_keyword, default=DEFAULT_KEYWORD,
                     help="wake phrase for --hands-free, words from the recogniser's dictionary "
                          "(default: \"%(default)s\"; a single word wakes falsely far more often)")
    sub.add_argument("--keyword-threshold", type=_threshold, default=None, metavar="P",
                     help="keyword spotting threshold above 0, e.g. 1e-30 (wakes easily) to 1e-5 "
                          f"(strict); default 1e-15, measured for \"{DEFAULT_KEYWORD}\"")
    sub.add_argument("--voice", choices=("piper", "espeak"), default=None,
                     help="reply voice (default: piper if installed, else espeak)")
    sub.add_argument("--data-dir", default=str(from_environment().data_dir),
                     help="folder for the saved-state database (SPASM_GUIDE_DATA_DIR; default: %(default)s)")
    sub.add_argument("--user", default="local-listener",
                     help="whose saved place to use (default: %(default)s)")


def _keyword(text: str) -> str:
    """A blank keyword would be announced as 'Say ""' and then fail in the spotter."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must be one or more words, e.g. \"hey guide\"")
    return text


def _threshold(text: str) -> float:
    """PocketSphinx compares the keyword's likelihood with the alternatives' by this ratio:
    any positive number works (measured: 5 still wakes on "hey guide", 1e10 never does);
    0 or less would wake on everything."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, e.g. 1e-15, not {text!r}")
    return value


def _problem(message: str) -> int:
    sys.stderr.write(f"spasm-guide listen: {message}\n")
    return 2


def cmd_listen(args: argparse.Namespace) -> int:
    """Check everything the session needs (devices, input, output, voice, recogniser,
    saved state) before the welcome, so bad input stops with one line and changes nothing."""
    from audio.engines import EngineUnavailable, piper_voice_fallback
    from skill.chat.terminal import open_conversation as _conversation

    try:  # numpy and PocketSphinx: the voice extra, which a base install lacks
        from skill.recognition import REJECT_WEIGHT, Recognizer
    except ImportError:
        sys.stderr.write(RECOGNITION_HINT + "\n")
        return 2
    sounddevice = None
    if not args.input:
        sounddevice, problem = audio_devices()
        if sounddevice is None:
            sys.stderr.write(problem + "\n")
            return 2
    recordings: list[tuple[np.ndarray, int]] = []
    if args.input:
        files = wav_files(Path(args.input))
        if not files:
            return _problem(f"no .wav files at {args.input}")
        try:
            recordings = read_wavs(files, STREAM_SECONDS if args.hands_free else UTTERANCE_SECONDS)
        except ValueError as error:
            return _problem(f"cannot read audio: {error}")
    output = Path(args.output) if args.output else None
    if output is not None and output.exists() and not output.is_dir():
        return _problem(f"--output {output} is a file, not a folder")
    try:
        voice = Voice(choose_engine(args.voice))
    except EngineUnavailable as error:
        return _problem(str(error))
    fallback = piper_voice_fallback(voice.engine) if args.voice is None else None
    if fallback:
        sys.stderr.write(f"spasm-guide listen: warning: {fallback}\n")
    # Hands-free hears everything said in the room: reject what is not a command.
    options = ({"keyword_threshold": args.keyword_threshold}
               if args.keyword_threshold is not None else {})
    try:
        recognizer = Recognizer(keyword=args.keyword if args.hands_free else None,
                                reject=REJECT_WEIGHT if args.hands_free else None, **options)
    except ImportError:
        sys.stderr.write(RECOGNITION_HINT + "\n")
        return 2
    except ValueError as error:  # a keyword the dictionary cannot say
        return _problem(str(error))
    conversation = _conversation(args)  # ConfigError: an unusable --data-dir
    if output is not None:
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return _problem(f"--output {output} cannot be created ({error.strerror})")
        clear_replies(output)
    session = Session(conversation, recognizer, voice, output=output)
    if recordings:
        return session.run_files(recordings)
    speaker = Speaker(sounddevice)
    microphone = Microphone(sounddevice)
    if args.hands_free:
        return session.run_hands_free(microphone, speaker, args.keyword)
    return session.run_push_to_talk(microphone, speaker)


# ------------------------------------------------------------------------ pieces


def audio_devices() -> tuple[Any, str]:
    """The sounddevice module when a default input and output exist, else why not."""
    try:
        import sounddevice
    except (ImportError, OSError):  # OSError: the package is there but PortAudio is not
        return None, INSTALL_HINT
    try:
        sounddevice.query_devices(kind="input")
        sounddevice.query_devices(kind="output")
    except Exception:  # PortAudioError, ValueError: installed, but no such device
        return None, NO_DEVICE
    return sounddevice, ""


def choose_engine(name: str | None) -> Engine:
    """Piper when installed (or asked for), espeak-ng otherwise. Never the network."""
    from audio.engines import EngineUnavailable, get_engine

    if name:
        return get_engine(name)
    try:
        return get_engine("piper")
    except EngineUnavailable:
        return get_engine("espeak")


PUSH_TO_TALK_INSTRUCTIONS = ("Press Enter to talk and Enter again when you have finished; "
                             "Ctrl-D to leave.")


def hands_free_instructions(keyword: str) -> str:
    """What to do in hands-free mode, printed and spoken before listening starts."""
    return f"Say \"{keyword}\", wait for the beep, then what you want."


def speaking_rate(ssml: str) -> float:
    """The reply's SSML prosody rate as a factor: rate="85%" -> 0.85; none -> 1.0."""
    match = PROSODY_RATE.search(ssml)
    return float(match.group(1)) / 100 if match else 1.0


def sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text.strip()) if part.strip()]


def earcon(frequency: float, seconds: float = EARCON_SECONDS,
           sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A short sine beep with soft edges, as int16."""
    import numpy as np

    t = np.arange(round(seconds * sample_rate)) / sample_rate
    fade = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
    return (0.3 * 32767 * fade * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


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


class Voice:
    """Speaks the skill's replies at the speed the listener chose."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def whole(self, turn: Turn) -> Speech | None:
        if not turn.text.strip():
            return None
        return self.engine.synthesize(turn.text, speaking_rate(turn.ssml))

    def by_sentence(self, turn: Turn) -> Iterator[Speech]:
        """One sentence at a time, so playback can start after the first."""
        rate = speaking_rate(turn.ssml)
        for sentence in sentences(turn.text):
            yield self.engine.synthesize(sentence, rate)


# ------------------------------------------------------------------------ devices


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
        from skill.recognition import to_model_rate

        return to_model_rate(data, self.rate).tobytes()


# --------------------------------------------------------------------- hands-free


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


# ------------------------------------------------------------------------ session


class Session:
    """Audio in, Conversation.say, audio out: the same for files and devices."""

    def __init__(self, conversation: Conversation, recognizer: Recognizer, voice: Voice,
                 output: Path | None = None, out: IO[str] | None = None) -> None:
        self.conversation, self.recognizer, self.voice = conversation, recognizer, voice
        self.output, self.out = output, out or sys.stdout
        self.replies = 0
        self.last: Turn | None = None  # the skill's last reply: its speed and reprompt

    def start(self) -> Turn:
        return self._show(self.conversation.launch())

    def hear(self, samples: np.ndarray | bytes, sample_rate: int = SAMPLE_RATE) -> Turn:
        """One utterance: recognise it, let the skill answer, show (and save) the reply."""
        heard = self.recognizer.recognise(samples, sample_rate)
        return self.respond(heard)

    def respond(self, heard: Heard) -> Turn:
        """The skill's answer to what was understood; otherwise "didn't catch that", said
        here, so that the conversation does not change at all."""
        if not heard.understood or heard.understanding is None:
            self.out.write("you: (not caught)\n")
            return self._show(self.not_caught(), keep=False)
        self.out.write(f"you: {heard.text}\n")
        return self._show(self.conversation.answer(heard.understanding))

    def not_caught(self) -> Turn:
        """'Sorry, I didn't catch that' at the listener's speed, with the last reprompt."""
        from content import guide
        from skill.engine.conversation import Turn

        text = guide().message("not_caught")
        match = PROSODY_RATE.search(self.last.ssml) if self.last else None
        ssml = (f'<speak><prosody rate="{match.group(1)}%">{text}</prosody></speak>' if match
                else f"<speak>{text}</speak>")
        reprompt = self.last.reprompt if self.last else ""
        return Turn(text=text, reprompt=reprompt, ssml=ssml, ended=not self.conversation.open)

    def _show(self, turn: Turn, keep: bool = True) -> Turn:
        if keep:
            self.last = turn
        self.out.write(f"guide: {turn.text}\n")
        self.out.flush()
        if self.output is not None:
            speech = self.voice.whole(turn)
            if speech is not None:
                write_wav(self.output / f"reply-{self.replies:02d}.wav", speech.samples,
                          speech.sample_rate)
        self.replies += 1
        return turn

    # --- the three ways in ----------------------------------------------------------

    def run_files(self, recordings: list[tuple[np.ndarray, int]]) -> int:
        """Each recording (samples, rate) is one utterance; with a keyword, each is heard
        as a live stream."""
        from skill.recognition import to_model_rate

        try:  # ended (and saved) even when Ctrl-C stops it; cli.main reports the interrupt
            self.start()
            for samples, rate in recordings:
                if not self.recognizer.keyword:
                    self.hear(samples, rate)
                    continue
                blocks = live_blocks(to_model_rate(samples, rate).tobytes())
                for command in commands_after_keyword(blocks, self.recognizer):
                    self.hear(command)
        finally:
            self.conversation.end()
        return 0

    def run_push_to_talk(self, microphone: Microphone, speaker: Speaker) -> int:
        self.out.write(f"{PUSH_TO_TALK_INSTRUCTIONS}\n")
        try:
            self._welcome(speaker, PUSH_TO_TALK_INSTRUCTIONS)
            while self.conversation.open:
                input("[Enter to talk] ")
                speaker.play(earcon(EARCON_START_HZ), SAMPLE_RATE)
                microphone.start(UTTERANCE_SECONDS)
                input(f"[listening, up to {UTTERANCE_SECONDS:.0f} s... Enter to stop] ")
                microphone.stop()
                speaker.play(earcon(EARCON_STOP_HZ), SAMPLE_RATE)
                started = time.perf_counter()
                turn = self.hear(microphone.recorded())
                log.debug("reply ready after %.2f s", time.perf_counter() - started)
                self._say_aloud(turn, speaker)
        except (EOFError, KeyboardInterrupt):
            self.out.write("\n")
        finally:
            microphone.stop()
            self.conversation.end()
        return 0

    def run_hands_free(self, microphone: Microphone, speaker: Speaker, keyword: str) -> int:
        instructions = hands_free_instructions(keyword)
        self.out.write(f"Listening. {instructions} Ctrl-C to leave.\n")

        def beep(frequency: float) -> Callable[[], None]:
            def play() -> None:
                speaker.play(earcon(frequency), SAMPLE_RATE)
                microphone.flush()
            return play

        try:
            self._welcome(speaker, instructions)
            microphone.start()
            for command in commands_after_keyword(microphone.stream_16k(), self.recognizer,
                                                  beep(EARCON_START_HZ), beep(EARCON_STOP_HZ)):
                turn = self.hear(command)
                self._say_aloud(turn, speaker)
                microphone.flush()  # do not hear our own reply
                if not self.conversation.open:
                    break
        except KeyboardInterrupt:
            self.out.write("\n")
        finally:
            microphone.stop()
            self.conversation.end()
        return 0

    def _welcome(self, speaker: Speaker, instructions: str) -> None:
        """Say the welcome, then the printed instructions, for a listener who cannot see the
        screen. Spoken at the welcome's speed, before the microphone starts, so a keyword in
        them cannot wake the guide."""
        welcome = self.start()
        self._say_aloud(welcome, speaker)
        self._say_aloud(dataclasses.replace(welcome, text=instructions), speaker)

    def _say_aloud(self, turn: Turn, speaker: Speaker) -> None:
        """Play the reply sentence by sentence while the next one is synthesised."""
        ready: queue.Queue[Speech | None] = queue.Queue(maxsize=2)

        def produce() -> None:
            try:
                for speech in self.voice.by_sentence(turn):
                    ready.put(speech)
            except Exception:
                log.exception("could not speak the reply")
            finally:
                ready.put(None)

        threading.Thread(target=produce, name="reply-voice", daemon=True).start()
        while (speech := ready.get()) is not None:
            speaker.play(speech.samples, speech.sample_rate)
