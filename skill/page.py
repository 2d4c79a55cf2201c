"""The listening page: GET / for people, GET /audio/<name> for the recordings.

The page is plain server-rendered HTML that works with JavaScript off: every
section's heading, summary, a native audio player, a download link and the
transcript. ``static/speed.js`` only adds playback-speed buttons on top.

/audio serves the built recordings from the audio directory (``AUDIO_DIR`` in
the app config, the ``audio_dir`` keyword of create_app, default <project>/audio).
Only files the manifest lists, and the three pack files, are served: the
request path must equal one of those names exactly, so traversal tricks
(``..``, ``%2e%2e``, absolute paths, backslashes, NUL) never reach the disk.
Range requests, ETag and Last-Modified come from werkzeug's send_file.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, send_file
from flask.sansio.blueprints import BlueprintSetupState
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from content import guide

log = logging.getLogger(__name__)

DEFAULT_AUDIO_DIR = Path(__file__).resolve().parent.parent / "audio"
MANIFEST_NAME = "manifest.json"
PLAYLIST_NAME, FEED_NAME, ZIP_NAME = "guide.m3u", "feed.xml", "guide.zip"
PACK_NAMES = (PLAYLIST_NAME, FEED_NAME, ZIP_NAME)
# What /audio may ever send, by suffix (feed.xml is the only XML served).
CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".m3u": "audio/x-mpegurl",
    ".xml": "application/rss+xml",
    ".zip": "application/zip",
    ".txt": "text/plain",  # werkzeug adds "; charset=utf-8"
}
# Recordings change only when the audio is rebuilt: an hour of caching, then a
# cheap revalidation by ETag. None is "no-cache": the feed and playlist are
# revalidated on every use, so podcast apps see a rebuild at once.
MAX_AGE: dict[str, int | None] = {".mp3": 3600, ".zip": 3600, ".txt": 3600, ".m3u": None, ".xml": None}

page = Blueprint("page", __name__, template_folder="templates",
                 static_folder="static", static_url_path="/static")


@page.record_once
def _configure(state: BlueprintSetupState) -> None:
    """create_app(audio_dir=...) arrives here as a register_blueprint option."""
    chosen = state.options.get("audio_dir")
    if chosen is not None:
        state.app.config["AUDIO_DIR"] = Path(chosen)
    state.app.config.setdefault("AUDIO_DIR", DEFAULT_AUDIO_DIR)


# ------------------------------------------------------------------ the manifest


@dataclass(frozen=True)
class AudioEntry:
    """One built recording that is on disk: ``name`` is relative to the audio dir."""

    name: str
    kind: str  # "section", "guide" (the whole guide in one file) or "page"
    section_id: str | None
    size: int
    duration_seconds: float | None

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
        entry = AudioEntry(name, kind, section_id if isinstance(section_id, str) else None,
                           path.stat().st_size, _duration(record, path))
        if kind == "section" and entry.section_id and entry.section_id not in sections:
            sections[entry.section_id] = entry
        elif kind == "guide" and whole is None:
            whole = entry
    pack = {name: path.stat().st_size
            for name in PACK_NAMES if (path := _inside(directory, name)) is not None}
    return Catalog(sections, whole, pack, frozenset(allowed | set(pack)))


@functools.lru_cache(maxsize=8)
def _catalog_for(directory: str, _stamp: tuple[int, ...]) -> Catalog:
    root = Path(directory)
    try:
        data = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, ValueError) as error:
        log.warning("audio manifest %s unreadable: %s", root / MANIFEST_NAME, error)
        data = {}
    return _parse_manifest(root, data)


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
    total = max(1, round(seconds))
    minutes, rest = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if rest:
        parts.append(f"{rest} second{'s' if rest != 1 else ''}")
    return " ".join(parts)


# ----------------------------------------------------------------------- the views


def _audio_dir() -> Path:
    return Path(current_app.config.get("AUDIO_DIR") or DEFAULT_AUDIO_DIR)


@page.get("/")
def index() -> str:
    catalog = load_catalog(_audio_dir())
    return render_template("index.html", guide=guide(), catalog=catalog, human_size=human_size)


@page.get("/audio/<path:name>")
def audio_file(name: str) -> Response:
    root = _audio_dir().resolve()
    if safe_name(name) is None or name not in load_catalog(root).allowed:
        abort(404)
    path = (root / name).resolve()
    if not path.is_file() or not path.is_relative_to(root):
        abort(404)
    suffix = path.suffix.lower()
    if suffix == ".xml" and path.name != FEED_NAME:
        abort(404)
    return send_file(path, mimetype=CONTENT_TYPES[suffix], conditional=True, etag=True,
                     max_age=MAX_AGE[suffix])


@page.errorhandler(RequestedRangeNotSatisfiable)
def _range_not_satisfiable(error: RequestedRangeNotSatisfiable) -> Response:
    """416 with ``Content-Range: bytes */length`` (the app's JSON errors would drop it)."""
    response = Response("Requested range not satisfiable\n", status=416, mimetype="text/plain")
    if error.length is not None:
        response.headers["Content-Range"] = f"{error.units} */{error.length}"
    response.headers["Accept-Ranges"] = "bytes"
    return response
