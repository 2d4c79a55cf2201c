"""What the audio folder offers: recordings by section, the whole guide, the pack files.

Read from audio/manifest.json (written by audio/build.py). Used by the listening
page and to build the AudioPlayer playlist, so it imports nothing web-related. A missing
or damaged manifest reads as "nothing built yet", never as an error.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_AUDIO_DIR = Path(__file__).resolve().parent
MANIFEST_NAME = "manifest.json"
PLAYLIST_NAME, FEED_NAME, ZIP_NAME, COVER_NAME = "guide.m3u", "feed.xml", "guide.zip", "cover.png"
PACK_NAMES = (PLAYLIST_NAME, FEED_NAME, ZIP_NAME, COVER_NAME)
# What /audio may ever send, by suffix (feed.xml is the only XML served).
CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m3u": "audio/x-mpegurl",
    ".xml": "application/rss+xml",
    ".zip": "application/zip",
    ".png": "image/png",  # the podcast cover
    ".txt": "text/plain",  # werkzeug adds "; charset=utf-8"
}

# ------------------------------------------------------------------ the manifest


@dataclass(frozen=True)
class AudioEntry:
    """One built recording that is on disk: ``name`` is relative to the audio dir."""

    name: str
    kind: str  # "section", "guide" (the whole guide in one file) or "page"
    section_id: str | None
    size: int
    duration_seconds: float | None
    text_sha256: str | None = None  # of the text it speaks, as audio/build.py planned it

    @property
    def size_text(self) -> str:
        return human_size(self.size)

    @property
    def duration_text(self) -> str | None:
        return None if self.duration_seconds is None else human_duration(self.duration_seconds)


@dataclass(frozen=True)
class Catalog:
    """What the audio directory offers: recordings by section, the whole guide, pack files."""

    sections: dict[str, AudioEntry]
    whole: AudioEntry | None
    pack: dict[str, int]  # pack file name -> size, only those on disk
    allowed: frozenset[str]  # every name /audio may serve
    base_url: str | None = None  # where build-audio said the pack's links point, if anywhere

    @property
    def has_feed(self) -> bool:
        """The podcast feed can be served (from disk, or made per request)."""
        return FEED_NAME in self.allowed

    def stale(self, current: Mapping[str, str]) -> list[str]:
        """Recordings whose text is not the text that ``current`` (path -> text_sha256) says.

        A content edit without a rebuild leaves the old recording on disk; a person
        would hear one thing while reading another next to it.
        """
        entries = [*self.sections.values(), *([self.whole] if self.whole else [])]
        return [e.name for e in entries if current.get(e.name) != e.text_sha256]

    def current_only(self, current: Mapping[str, str]) -> Catalog:
        """This catalog without its stale recordings, which the page then calls not ready."""
        stale = set(self.stale(current))
        if not stale:
            return self
        return replace(self, sections={k: e for k, e in self.sections.items() if e.name not in stale},
                       whole=None if self.whole and self.whole.name in stale else self.whole)


def safe_name(name: Any) -> str | None:
    """``name`` as a plain relative POSIX path with a servable suffix, else None."""
    if not isinstance(name, str) or not name or len(name) > 255:
        return None
    if "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        return None
    parts = name.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
        return None
    if PurePosixPath(name).suffix.lower() not in CONTENT_TYPES:
        return None
    return name


def _inside(directory: Path, name: str) -> Path | None:
    """The regular file ``directory/name``, unless it is missing or a link out of ``directory``."""
    path = directory / name
    try:
        if path.is_file() and path.resolve().is_relative_to(directory):
            return path
    except OSError:
        pass
    return None


def _duration(record: dict[str, Any], path: Path) -> float | None:
    value = record.get("duration_seconds")
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) \
            and value > 0:
        return float(value)
    status = path.stat()
    return _measured_duration(str(path), status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=64)
def _measured_duration(path: str, _mtime_ns: int, _size: int) -> float | None:
    """Duration from the MP3's own frames, when the manifest does not say (cached per version)."""
    from audio.mp3 import InvalidAudio, inspect_mp3

    try:
        return inspect_mp3(Path(path).read_bytes()).duration_seconds
    except (OSError, InvalidAudio):
        return None


def _parse_manifest(directory: Path, data: Any) -> Catalog:
    """Read audio/build.py's manifest (format 1) as far as the page needs it.

    ``files`` lists every built file: ``path`` (relative, e.g. files/01-overview.mp3),
    ``kind`` (page, section or guide), ``section`` (id, or null for the guide) and
    ``duration_seconds``. Anything malformed is skipped rather than fatal: the page
    must still work, and then says the recording is not ready.
    """
    records = data.get("files") if isinstance(data, dict) else None
    sections: dict[str, AudioEntry] = {}
    whole: AudioEntry | None = None
    allowed: set[str] = set()
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict):
            continue
        name = safe_name(record.get("path"))
        path = _inside(directory, name) if name else None
        if name is None or path is None:
            continue
        allowed.add(name)
        kind, section_id = record.get("kind"), record.get("section")
        if not name.lower().endswith(".mp3") or kind not in ("section", "guide"):
            continue
        text_sha256 = record.get("text_sha256")
        entry = AudioEntry(name, kind, section_id if isinstance(section_id, str) else None,
                           path.stat().st_size, _duration(record, path),
                           text_sha256 if isinstance(text_sha256, str) else None)
        if kind == "section" and entry.section_id and entry.section_id not in sections:
            sections[entry.section_id] = entry
        elif kind == "guide" and whole is None:
            whole = entry
    pack = {name: path.stat().st_size
            for name in PACK_NAMES if (path := _inside(directory, name)) is not None}
    base_url = data.get("base_url") if isinstance(data, dict) else None
    base_url = base_url if isinstance(base_url, str) and base_url else None
    # Built without a base URL, the feed is not on disk: the page makes it per request.
    made_on_request = {FEED_NAME} if base_url is None and PLAYLIST_NAME in pack else set()
    return Catalog(sections, whole, pack, frozenset(allowed | set(pack) | made_on_request), base_url)


def _read_manifest(root: Path) -> Any:
    """The manifest's JSON, or {} when it is missing or damaged (nothing built yet)."""
    try:
        return json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("audio manifest %s unreadable: %s", root / MANIFEST_NAME, error)
        return {}


@functools.lru_cache(maxsize=8)
def _catalog_for(directory: str, _stamp: tuple[int, ...]) -> Catalog:
    root = Path(directory)
    return _parse_manifest(root, _read_manifest(root))


def published_sections(directory: str | Path) -> dict[str, str]:
    """Section id -> its MP3's manifest path, whether or not the file is on this disk.

    The Lambda package ships the manifest without the MP3s, which are served from
    SPASM_GUIDE_AUDIO_BASE_URL; the playlist needs only their names. The listening
    page serves local files, so it keeps using load_catalog, which requires them.
    """
    data = _read_manifest(Path(directory))
    records = data.get("files") if isinstance(data, dict) else None
    sections: dict[str, str] = {}
    for record in records if isinstance(records, list) else []:
        if not isinstance(record, dict) or record.get("kind") != "section":
            continue
        name, section_id = safe_name(record.get("path")), record.get("section")
        if name and name.lower().endswith(".mp3") and isinstance(section_id, str):
            sections.setdefault(section_id, name)
    return sections


def _stamp(directory: Path) -> tuple[int, ...]:
    """Changes whenever the manifest or a pack file is rewritten, so the cache refreshes."""
    stamp: list[int] = []
    for name in (MANIFEST_NAME, *PACK_NAMES):
        try:
            status = (directory / name).stat()
            stamp += [status.st_mtime_ns, status.st_size, status.st_ino]
        except OSError:
            stamp += [-1, -1, -1]
    return tuple(stamp)


def load_catalog(directory: str | Path) -> Catalog:
    """The audio directory's recordings and pack files, re-read when the manifest changes."""
    root = Path(directory).resolve()
    return _catalog_for(str(root), _stamp(root))


def section_audio(directory: str | Path) -> dict[str, AudioEntry]:
    """Section id -> its recording, for the sections whose MP3 is built and on disk."""
    return load_catalog(directory).sections


# ----------------------------------------------------------------- words for people


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def human_duration(seconds: float) -> str:
    """Whole seconds dropped, not rounded: the browser's player shows 0:35 for 35.9 s,
    and the link beside it must say the same."""
    total = max(1, math.floor(seconds))
    minutes, rest = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if rest:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts)
