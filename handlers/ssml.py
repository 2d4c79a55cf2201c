"""Turn plain reply text into safe SSML.

Content and anything echoed from the user is escaped, so no text can break out
of <speak> or inject tags. Words speech engines get wrong are wrapped in <sub>
using content/pronunciation.yaml.
"""

from __future__ import annotations

import re
from functools import lru_cache

from content import guide
from content.loader import NORMAL_RATE
from content.pronunciation import pronounce

MAX_SSML_CHARS = 8000
BREAK = '<break time="400ms"/>'
# Control characters, lone surrogates and U+FFFE/U+FFFF are not allowed in XML 1.0;
# bidi controls confuse screen readers.
UNSAFE_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]")
# Replies are built from the same content texts over and over: remember the last few
# hundred cleaned and escaped parts (bounded, so echoed user text cannot grow it).
TEXT_CACHE_SIZE = 512


def escape(text: str, quotes: bool = False) -> str:
    """XML-escape &, < and > (and " when asked); xml.sax.saxutils would import urllib and ssl."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quotes else text


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def clean(text: str) -> str:
    """Plain text without characters that cannot be spoken or stored in XML."""
    return " ".join(UNSAFE_CHARACTERS.sub("", text).split())


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def spoken(text: str) -> str:
    """Escaped text with pronunciation fixes, ready to sit inside <speak>."""
    return pronounce(escape(clean(text), quotes=True), guide().pronunciation, _sub)


def _sub(word: str, alias: str) -> str:
    return f'<sub alias="{escape(alias)}">{word}</sub>'


def speak(parts: list[str], rate: str = NORMAL_RATE) -> str:
    """One <speak> document: parts separated by short pauses, at the listener's speed."""
    body = BREAK.join(spoken(part) for part in parts if part.strip())
    if rate != NORMAL_RATE:
        body = f'<prosody rate="{rate}">{body}</prosody>'
    return f"<speak>{body}</speak>"


def transcript(parts: list[str]) -> str:
    """The same reply as plain text, for cards, chat and logs."""
    return " ".join(clean(part) for part in parts if part.strip())
