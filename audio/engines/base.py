"""What every speech engine offers, and the checks every engine makes before it speaks."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from audio.sound.speech import Speech
from content.pronunciation import pronounce


class EngineUnavailable(RuntimeError):
    """No usable engine for the request; the message says what to install."""


class SynthesisError(RuntimeError):
    """An engine ran but produced no usable audio."""


@runtime_checkable
class Engine(Protocol):
    """What every engine offers: a name, a voice, and text to speech."""

    name: str
    voice: str

    def synthesize(self, text: str, rate: float = 1.0) -> Speech:
        """Speak ``text``; ``rate`` 1.0 is normal, 0.8 slower, 1.25 faster."""
        ...


def spoken_text(text: str) -> str:
    """``text`` as every engine says it: with content/pronunciation.yaml's words replaced.

    The content is imported here, when an engine first speaks, so that importing an
    engine does not parse it; the content package caches the parsed guide.
    """
    from content import guide

    return pronounce(text, guide().pronunciation)


def check_request(text: str, rate: float) -> str:
    """Validate arguments shared by all engines and return the text to speak."""
    if not 0.25 <= rate <= 4.0:
        raise ValueError(f"rate must be between 0.25 and 4.0, got {rate}")
    spoken = spoken_text(text).strip()
    if not spoken:
        raise ValueError("nothing to say: text is empty")
    return spoken
