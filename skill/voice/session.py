"""One spoken conversation: audio in, the conversation engine, audio out; the same for
files, push-to-talk and hands-free. Replies come as the engine's structured Reply, spoken
at the listener's speed; nothing here parses SSML."""

from __future__ import annotations

import dataclasses
import logging
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from skill.voice.devices import (
    EARCON_START_HZ,
    EARCON_STOP_HZ,
    SAMPLE_RATE,
    Microphone,
    Speaker,
    commands_after_keyword,
    earcon,
    live_blocks,
)
from skill.voice.wav import UTTERANCE_SECONDS, write_wav

if TYPE_CHECKING:
    import numpy as np

    from audio.engines import Engine, Speech
    from skill.engine.conversation import Conversation
    from skill.engine.reply import Reply
    from skill.understanding.recognition import Heard, Recognizer

log = logging.getLogger(__name__)

PUSH_TO_TALK_INSTRUCTIONS = ("Press Enter to talk and Enter again when you have finished; "
                             "Ctrl-D to leave.")


def hands_free_instructions(keyword: str) -> str:
    """What to do in hands-free mode, printed and spoken before listening starts."""
    return f"Say \"{keyword}\", wait for the beep, then what you want."

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text.strip()) if part.strip()]


class ReplySynthesizer:
    """Speaks the skill's replies at the speed the listener chose."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def whole(self, turn: Reply) -> Speech | None:
        if not turn.text.strip():
            return None
        return self.engine.synthesize(turn.text, turn.speed)

    def by_sentence(self, turn: Reply) -> Iterator[Speech]:
        """One sentence at a time, so playback can start after the first."""
        rate = turn.speed
        for sentence in sentences(turn.text):
            yield self.engine.synthesize(sentence, rate)


class SpokenConversation:
    """Audio in, Conversation.say, audio out: the same for files and devices."""

    def __init__(self, conversation: Conversation, recognizer: Recognizer, voice: ReplySynthesizer,
                 output: Path | None = None, out: IO[str] | None = None) -> None:
        self.conversation, self.recognizer, self.voice = conversation, recognizer, voice
        self.output, self.out = output, out or sys.stdout
        self.replies = 0
        self.last: Reply | None = None  # the skill's last reply: its speed and reprompt

    def start(self) -> Reply:
        return self._show(self.conversation.launch())

    def hear(self, samples: np.ndarray | bytes, sample_rate: int = SAMPLE_RATE) -> Reply:
        """One utterance: recognise it, let the skill answer, show (and save) the reply."""
        heard = self.recognizer.recognise(samples, sample_rate)
        return self.respond(heard)

    def respond(self, heard: Heard) -> Reply:
        """The skill's answer to what was understood; otherwise "didn't catch that", said
        here, so that the conversation does not change at all."""
        if not heard.understood or heard.understanding is None:
            self.out.write("you: (not caught)\n")
            return self._show(self.not_caught(), keep=False)
        self.out.write(f"you: {heard.text}\n")
        return self._show(self.conversation.answer(heard.understanding))

    def not_caught(self) -> Reply:
        """'Sorry, I didn't catch that' at the listener's speed, with the last reprompt."""
        from content import guide
        from skill.engine.reply import Reply

        last = self.last or Reply()
        return last.aside(guide().message("not_caught"), ended=not self.conversation.open)

    def _show(self, turn: Reply, keep: bool = True) -> Reply:
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
        from skill.understanding.sound import to_model_rate

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

    def _say_aloud(self, turn: Reply, speaker: Speaker) -> None:
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
