"""The skill's answer as a local front-end uses it: words to print or speak, not JSON.

The web endpoint and Lambda pass Alexa's JSON on as it is. The terminal chat and
the offline voice mode need the plain words, the speed and whether the session
ended: they get a Reply, made here and nowhere else, from Alexa's JSON and the
plain words handlers/reply.py kept as it built the SSML. Nothing parses SSML
back into text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ask_sdk_core.skill import CustomSkill

from content.loader import NORMAL_RATE
from handlers import ssml
from handlers.reply import Spoken, Transcript
from skill.engine import envelope as envelopes

SILENCE = Spoken(text="", reprompt="", rate=NORMAL_RATE)


@dataclass(frozen=True)
class Reply:
    """One answer of the skill: what a terminal prints, a voice speaks, a test checks."""

    text: str = ""  # everything said, as plain text
    ssml: str = ""  # the same, as Alexa speaks it
    rate: str = NORMAL_RATE  # the listener's speed as SSML's prosody rate, e.g. "85%"
    ended: bool = True  # the session ended with this reply
    reprompt: str = ""  # plain text said again when the listener is silent
    card_title: str = ""
    card_text: str = ""
    audio: tuple[dict[str, Any], ...] = ()  # AudioPlayer directives, as Alexa gets them
    intent: str = ""  # what the front-end sent, when it sent an intent

    @property
    def speed(self) -> float:
        """The rate as a factor of normal speed (0.85), for a speech synthesiser."""
        return float(self.rate.removesuffix("%")) / 100

    def aside(self, text: str, *, ended: bool) -> Reply:
        """Words a front-end says itself between the skill's replies ("I didn't catch
        that"): at this reply's speed and with its reprompt, so nothing else changes."""
        return Reply(text=ssml.transcript([text]), ssml=ssml.speak([text], self.rate),
                     rate=self.rate, ended=ended, reprompt=self.reprompt)


def run(skill: CustomSkill, envelope: dict[str, Any],
        intent: str = "") -> tuple[dict[str, Any], Reply]:
    """Run one request envelope: Alexa's JSON, exactly as the web endpoint would send it,
    and the same answer as a Reply."""
    transcript = Transcript()
    sent = envelopes.invoke(skill, envelopes.parse_envelope(envelope), context=transcript)
    return sent, from_response(sent.get("response") or {}, transcript.spoken, intent)


def from_response(response: dict[str, Any], spoken: Spoken | None, intent: str = "") -> Reply:
    """The Reply for Alexa's `response` object and the words the handlers kept for it.

    Every reply that speaks is built by handlers/reply.py, which keeps its words; speech
    without them would be a handler that bypassed it, and is refused rather than guessed.
    """
    speech = (response.get("outputSpeech") or {}).get("ssml", "")
    if speech and spoken is None:
        raise ValueError("a reply with speech that handlers/reply.py did not build")
    words = spoken if speech and spoken is not None else SILENCE
    reprompted = bool(((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml"))
    card = response.get("card") or {}
    return Reply(
        text=words.text, ssml=speech, rate=words.rate,
        ended=response.get("shouldEndSession") is not False,
        reprompt=words.reprompt if reprompted else "",
        card_title=card.get("title", ""), card_text=card.get("content", ""),
        audio=tuple(directive for directive in response.get("directives") or ()
                    if str(directive.get("type", "")).startswith("AudioPlayer.")),
        intent=intent)
