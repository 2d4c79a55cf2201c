"""Small helpers shared by the tests: facts, reply rules, raw intents, messages, threads,
Google-like audio."""

from __future__ import annotations

import re
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lameenc
import numpy as np
import yaml

from content import guide
from skill.engine.conversation import APPLICATION_ID, Conversation
from skill.engine.reply import Reply
from skill.understanding.resolver import Resolution, Slot

FACTS_FILE = Path(__file__).with_name("facts.yaml")
MAX_SSML = 8000
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Fact:
    id: str
    statement: str
    phrases: tuple[tuple[str, ...], ...]
    question: str
    where: str = "pages"

    def found_in(self, text: str) -> bool:
        """Every group of phrases has at least one alternative in the text, as whole words."""
        said = " ".join(text.lower().split())
        return all(any(_has_phrase(said, phrase) for phrase in group) for group in self.phrases)


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase.lower()) + r"(?!\w)", text) is not None


def load_facts() -> list[Fact]:
    data = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    return [Fact(id=f["id"], statement=f["statement"], where=f.get("in", "pages"),
                 phrases=tuple(tuple(group) for group in f["phrases"]), question=f["question"])
            for f in data["facts"]]


FACTS = load_facts()


def message(key: str, **values: Any) -> str:
    return guide().message(key, **values)


def resume_offer(section_id: str) -> str:
    """The offer to carry on in that section, as a returning listener hears it."""
    number = guide().section_index(section_id)
    return message("resume_offer", number=number + 1, title=guide().sections[number].title)


def parse_ssml(ssml: str) -> ElementTree.Element:
    """The SSML as XML; raises if it is not well-formed."""
    return ElementTree.fromstring(ssml)


def ssml_text(ssml: str) -> str:
    """What the SSML says, as plain text: for answers that arrive as Alexa's JSON (the web
    endpoint, virtual-alexa), and as a reading independent of the Reply's own text."""
    text = TAG.sub("", re.sub(r"<break[^>]*>", " ", ssml))
    for entity, character in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&amp;", "&")):
        text = text.replace(entity, character)
    return " ".join(text.split())


def last_sentence(text: str) -> str:
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]
    return sentences[-1] if sentences else ""


def asks_for_an_answer(text: str) -> bool:
    """Ends with a question, or its last sentence tells the listener what to say or ask."""
    final = last_sentence(text)
    return final.endswith("?") or re.search(r"\b(say|ask)\b", final, re.IGNORECASE) is not None


def check_reply(turn: Reply) -> None:
    """The rules every reply keeps: valid, short enough SSML that says the reply's text;
    open replies ask for something."""
    if turn.ssml:
        assert parse_ssml(turn.ssml).tag == "speak"
        assert len(turn.ssml) < MAX_SSML
    assert turn.text == ssml_text(turn.ssml)
    if not turn.ended:
        assert turn.reprompt, f"no reprompt after: {turn.text!r}"
        assert turn.text.endswith(turn.reprompt), "the reprompt should be the last thing said"
        assert asks_for_an_answer(turn.reprompt), f"reprompt does not ask: {turn.reprompt!r}"


def send_intent(conversation: Conversation, intent: str, **slots: str) -> Reply:
    """Send an intent exactly as given, with raw (unmatched) slot values, as Alexa might."""
    return conversation.send(Resolution(intent, {name: Slot(value=value, resolved=None)
                                                 for name, value in slots.items()}))


def card_of(response: dict[str, Any]) -> dict[str, Any]:
    return (response.get("response") or {}).get("card") or {}


def envelope(request: dict[str, Any], *, user_id: str = "test-listener", new: bool = False,
             attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A request envelope as Alexa sends it, for requests the chat never makes."""
    application = {"applicationId": APPLICATION_ID}
    user = {"userId": user_id}
    return {
        "version": "1.0",
        "session": {"new": new, "sessionId": "test.session", "application": application,
                    "user": user, "attributes": attributes or {}},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": "test", "supportedInterfaces": {}}}},
        "request": {"requestId": "test.request", "locale": "en-US",
                    "timestamp": "2026-01-01T00:00:00Z", **request},
    }


def run_together(target: Callable[[int], None], count: int = 8, timeout: float = 60) -> None:
    """Run target(0) .. target(count - 1), each in its own thread, and wait for them all."""
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"still running after {timeout} s: {stuck}"


def google_like_mp3() -> bytes:
    """What Google's TTS returns: MPEG-2 layer III, 24 kHz, 32 kbps, mono (one second)."""
    tone = (8000 * np.sin(2 * np.pi * 440 * np.arange(24000) / 24000)).astype("<i2")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(32)
    encoder.set_in_sample_rate(24000)
    encoder.set_out_sample_rate(24000)
    encoder.set_channels(1)
    return bytes(encoder.encode(tone.tobytes()) + encoder.flush())
