"""What the content calls for: every audio file, its name, title, track and spoken text.

One file per page (what the skill plays), one per section joined from its pages, and
one for the whole guide joined from the sections after a spoken opening. Each file's
``text_sha256`` decides when it must be rebuilt, and tells the listening page whether
a recording still says what the content says. Pure: reads the content, no audio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from audio.files import sha256
from audio.manifest import FILES_DIR
from content import Guide, Section
from content.pronunciation import pronounce


@dataclass(frozen=True)
class Item:
    """One planned file.

    ``speak`` is what this file synthesizes itself (a page's text, the guide's
    opening); ``parts`` are the files whose audio follows it, joined with silence.
    ``text`` is everything the file says, and its hash decides when to rebuild.
    """

    path: str
    kind: str
    section: str | None
    page: int | None
    title: str
    track: int
    tracks: int
    text: str
    speak: str | None = None
    parts: tuple[str, ...] = ()

    @property
    def text_sha256(self) -> str:
        return sha256(self.text.encode("utf-8"))

    @property
    def track_tag(self) -> str:
        return f"{self.track}/{self.tracks}"


def _sentence(text: str) -> str:
    """End a heading with a full stop so the voice pauses after it."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _stem(index: int, section: Section) -> str:
    return f"{FILES_DIR}/{index:02d}-{section.id.replace('_', '-')}"


def _section_items(guide: Guide, index: int, section: Section) -> list[Item]:
    stem, count = _stem(index, section), len(section.pages)
    pages = []
    for number, page in enumerate(section.pages, start=1):
        written = f"{_sentence(section.title)} {page}" if number == 1 else page
        spoken = pronounce(written, guide.pronunciation)
        pages.append(Item(
            path=f"{stem}-p{number}.mp3", kind="page", section=section.id, page=number,
            title=f"{section.title} (page {number} of {count})", track=number, tracks=count,
            text=spoken, speak=spoken,
        ))
    whole = Item(
        path=f"{stem}.mp3", kind="section", section=section.id, page=None, title=section.title,
        track=index, tracks=len(guide.sections), text="\n\n".join(p.text for p in pages),
        parts=tuple(p.path for p in pages),
    )
    return [*pages, whole]


def plan(guide: Guide) -> list[Item]:
    """Every file the guide calls for, each after the files it is joined from."""
    items: list[Item] = []
    for index, section in enumerate(guide.sections, start=1):
        items += _section_items(guide, index, section)
    sections = [item for item in items if item.kind == "section"]
    lead = pronounce(f"{_sentence(guide.name)} {guide.notice}", guide.pronunciation)
    items.append(Item(
        path=f"{FILES_DIR}/guide.mp3", kind="guide", section=None, page=None, title=guide.name,
        track=1, tracks=1, text="\n\n\n".join([lead, *(s.text for s in sections)]),
        speak=lead, parts=tuple(s.path for s in sections),
    ))
    return items


_last_text_hashes: tuple[Guide, Mapping[str, str]] | None = None


def text_hashes(guide: Guide) -> Mapping[str, str]:
    """Each planned file's text_sha256 by path: what a recording must say to be current.

    The listening page asks on every request, and planning hashes every page's text;
    content does not change while a server runs, so the answer for the last guide
    asked about is kept.
    """
    global _last_text_hashes
    last = _last_text_hashes
    if last is not None and last[0] is guide:
        return last[1]
    hashes = MappingProxyType({item.path: item.text_sha256 for item in plan(guide)})
    _last_text_hashes = (guide, hashes)
    return hashes
