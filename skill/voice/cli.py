"""spasm-guide listen: the command, its options, and the checks made before the welcome.

Everything the session needs (devices, input, output, voice, recogniser, saved state) is
checked first, so bad input stops with one line and changes nothing.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skill.options import add_listener_options
from skill.voice.devices import Microphone, Speaker
from skill.voice.session import ReplySynthesizer, SpokenConversation
from skill.voice.wav import STREAM_SECONDS, UTTERANCE_SECONDS, clear_replies, read_wavs, wav_files

if TYPE_CHECKING:
    import numpy as np

    from audio.engines import Engine


INSTALL_HINT = (
    "spasm-guide listen: no audio device available (needs sounddevice and PortAudio): "
    "pip install 'facial-spasm-guide[voice]' and, on Debian, apt-get install libportaudio2; "
    "or use --input FILE.wav"
)


RECOGNITION_HINT = ("spasm-guide listen: speech recognition needs PocketSphinx and numpy: "
                    "pip install 'facial-spasm-guide[voice]'")


NO_DEVICE = ("spasm-guide listen: no audio device found: connect a microphone and a speaker "
             "(sounddevice and PortAudio are installed), or use --input FILE.wav")


# Why this phrase: README's wake-word table and bench/README.md.
DEFAULT_KEYWORD = "hey guide"


def register(commands: Any) -> None:
    """Add the ``listen`` subcommand to spasm-guide's subparsers."""
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
    add_listener_options(sub)


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
        from skill.understanding.recognition import REJECT_WEIGHT, Recognizer
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
        voice = ReplySynthesizer(choose_engine(args.voice))
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
    session = SpokenConversation(conversation, recognizer, voice, output=output)
    if recordings:
        return session.run_files(recordings)
    speaker = Speaker(sounddevice)
    microphone = Microphone(sounddevice)
    if args.hands_free:
        return session.run_hands_free(microphone, speaker, args.keyword)
    return session.run_push_to_talk(microphone, speaker)


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


