"""What the audio output offers: recordings by section, the whole guide, the pack files.

Read from output/manifest.json through audio/manifest.py, the one reader. Used by the
listening page and to build the AudioPlayer playlist, so it imports nothing web-related
and nothing of the build. A missing or damaged manifest reads as "nothing built yet",
never as an error.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from audio.manifest import (
    FEED_NAME,
    MANIFEST_NAME,
    PACK_NAMES,
    PLAYLIST_NAME,
    FileEntry,
    Manifest,
    ManifestError,
    ManifestMissing,
    read_manifest,
)

log = logging.getLogger(__name__)

# What /audio may ever send, by suffix (feed.xml is the only XML served).
CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m3u": "audio/x-mpegurl",
    ".xml": "application/rss+xml",
    ".zip": "application/zip",
    ".png": "image/png",  # the podcast cover
    ".txt": "text/plain",  # werkzeug adds "; charset=utf-8"
}

# ------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class AudioEntry:
    """One built recording that is on disk: ``name`` is relative to the output folder."""

    name: str
    kind: str  # "section", "guide" (the whole guide in one file) or "page"
    section_id: str | None
    size: int
    duration_seconds: float | None
    text_sha256: str | None = None  # of the text it speaks, as audio/plan.py planned it

    @property
    def size_text(self) -> str:
        return human_size(self.size)

    @property
    def duration_text(self) -> str | None:
        return None if self.duration_seconds is None else human_duration(self.duration_seconds)


@dataclass(frozen=True)
class Catalog:
    """What the output folder offers: recordings by section, the whole guide, pack files."""

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


def _duration(entry: FileEntry) -> float | None:
    value = entry.duration_seconds
    return float(value) if math.isfinite(value) and value > 0 else None


def _catalog(directory: Path, manifest: Manifest) -> Catalog:
    """What the manifest lists and is on disk, as far as the page needs it.

    An entry whose path is not a plain name under ``directory`` (``..``, absolute, a
    link out of it) is skipped: the page must still work, and then says the recording
    is not ready.
    """
    sections: dict[str, AudioEntry] = {}
    whole: AudioEntry | None = None
    allowed: set[str] = set()
    for record in manifest.files:
        name = safe_name(record.path)
        path = _inside(directory, name) if name else None
        if name is None or path is None:
            continue
        allowed.add(name)
        if not name.lower().endswith(".mp3") or record.kind not in ("section", "guide"):
            continue
        entry = AudioEntry(name, record.kind, record.section, path.stat().st_size,
                           _duration(record), record.text_sha256)
        if record.kind == "section" and entry.section_id and entry.section_id not in sections:
            sections[entry.section_id] = entry
        elif record.kind == "guide" and whole is None:
            whole = entry
    pack = {name: path.stat().st_size
            for name in PACK_NAMES if (path := _inside(directory, name)) is not None}
    base_url = manifest.base_url or None
    # Built without a base URL, the feed is not on disk: the page makes it per request.
    made_on_request = {FEED_NAME} if base_url is None and PLAYLIST_NAME in pack else set()
    return Catalog(sections, whole, pack, frozenset(allowed | set(pack) | made_on_request), base_url)


def _manifest(root: Path) -> Manifest:
    """The manifest, or an empty one when it is missing or damaged (nothing built yet)."""
    try:
        return read_manifest(root)
    except ManifestMissing:
        return Manifest()
    except ManifestError as error:
        log.warning("audio manifest unusable: %s", error)
        return Manifest()


@functools.lru_cache(maxsize=8)
def _catalog_for(directory: str, _stamp: tuple[int, ...]) -> Catalog:
    root = Path(directory)
    return _catalog(root, _manifest(root))


def published_sections(directory: str | Path) -> dict[str, str]:
    """Section id -> its MP3's manifest path, whether or not the file is on this disk.

    The Lambda package ships the manifest without the MP3s, which are served from
    SPASM_GUIDE_AUDIO_BASE_URL; the playlist needs only their names. The listening
    page serves local files, so it keeps using load_catalog, which requires them.
    """
    sections: dict[str, str] = {}
    for entry in _manifest(Path(directory)).files:
        name = safe_name(entry.path)
        if entry.kind == "section" and name and name.lower().endswith(".mp3") and entry.section:
            sections.setdefault(entry.section, name)
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
    """The output folder's recordings and pack files, re-read when the manifest changes."""
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
