"""The audio output's format: where it is, its file names, and manifest.json, read and
written here only.

``output/manifest.json`` records every built file (section, page, text hash, engine,
voice, duration, size, loudness) and the pack (playlist, feed, zip, cover) as the
build left them. The build writes it after every file (audio/build/), ``check``
compares it with the content, and the listening page and the AudioPlayer playlist
read it (audio/catalog.py). Plain data and JSON only: the Lambda entry imports this.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audio.files import display_path

OUTPUT_DIR = Path(__file__).resolve().parent / "output"
FILES_DIR = "files"  # the MP3s, under the output folder
MANIFEST_NAME = "manifest.json"
PLAYLIST_NAME, FEED_NAME, ZIP_NAME, COVER_NAME = "guide.m3u", "feed.xml", "guide.zip", "cover.png"
PACK_NAMES: tuple[str, ...] = (PLAYLIST_NAME, FEED_NAME, ZIP_NAME, COVER_NAME)
# 2: every file records its measured loudness (LUFS) and true peak (dBTP).
MANIFEST_FORMAT = 2
REBUILD = "run spasm-guide build-audio"


class ManifestError(ValueError):
    """The manifest is missing or unreadable; the message says what to run."""


class ManifestMissing(ManifestError):
    """Nothing has been built into this folder yet."""


@dataclass(frozen=True)
class FileEntry:
    """What the manifest records about one built file (``path`` is under the output folder)."""

    path: str
    kind: str  # "page", "section" or "guide" (the whole guide in one file)
    section: str | None
    page: int | None
    title: str
    track: str
    text_sha256: str  # of the text it speaks, as audio/plan.py planned it
    engine: str
    voice: str
    duration_seconds: float
    size: int
    sha256: str
    loudness_lufs: float
    true_peak_dbtp: float

    def to_json(self) -> dict[str, Any]:
        record = asdict(self)
        record["bytes"] = record.pop("size")
        return record

    @classmethod
    def from_json(cls, record: Any, where: str) -> FileEntry:
        if not isinstance(record, dict):
            raise ManifestError(f"{where} is not an object")
        fields = {"path": str, "kind": str, "title": str, "track": str, "text_sha256": str,
                  "engine": str, "voice": str, "sha256": str, "bytes": int,
                  "duration_seconds": (int, float), "section": (str, type(None)),
                  "loudness_lufs": (int, float), "true_peak_dbtp": (int, float),
                  "page": (int, type(None))}
        for name, kind in fields.items():
            if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
                raise ManifestError(f"{where} has no valid '{name}'")
        values = {name: record.get(name) for name in fields if name != "bytes"}
        return cls(size=record["bytes"], **values)


@dataclass(frozen=True)
class PackRecord:
    """The pack files as built: their inputs' hash and each file's size and hash."""

    inputs_sha256: str
    files: dict[str, tuple[int, str]]

    def to_json(self) -> dict[str, Any]:
        files = {name: {"bytes": size, "sha256": digest}
                 for name, (size, digest) in sorted(self.files.items())}
        return {"inputs_sha256": self.inputs_sha256, "files": files}

    @classmethod
    def from_json(cls, record: Any) -> PackRecord | None:
        if record is None:
            return None
        try:
            files = {str(name): (int(value["bytes"]), str(value["sha256"]))
                     for name, value in record["files"].items()}
            return cls(inputs_sha256=str(record["inputs_sha256"]), files=files)
        except (TypeError, KeyError, AttributeError, ValueError):
            raise ManifestError("'pack' is not valid") from None


@dataclass
class Manifest:
    """output/manifest.json: every built file, the pack, and the base URL its links use.

    ``audio`` is the files' format as the build made them (MPEG version, bitrate, rate,
    loudness), recorded for people and players; nothing reads it back.
    """

    files: list[FileEntry] = field(default_factory=list)
    pack: PackRecord | None = None
    base_url: str | None = None
    guide: str = ""
    audio: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        record = {
            "format": MANIFEST_FORMAT,
            "guide": self.guide,
            "audio": self.audio,
            "base_url": self.base_url,
            "files": [entry.to_json() for entry in self.files],
            "pack": self.pack.to_json() if self.pack else None,
        }
        return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def parse_manifest(data: bytes) -> Manifest:
    """The manifest in ``data``; ManifestError (or a JSON or UTF-8 error) when it is not one."""
    record = json.loads(data.decode("utf-8"))
    if not isinstance(record, dict):
        raise ManifestError("it is not a JSON object")
    if record.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"format is {record.get('format')!r}, expected {MANIFEST_FORMAT}")
    files = record.get("files")
    if not isinstance(files, list):
        raise ManifestError("'files' is not a list")
    entries = [FileEntry.from_json(r, f"files[{i}]") for i, r in enumerate(files)]
    base_url = record.get("base_url")
    if base_url is not None and not isinstance(base_url, str):
        raise ManifestError("'base_url' is not text")
    audio = record.get("audio")
    return Manifest(files=entries, pack=PackRecord.from_json(record.get("pack")),
                    base_url=base_url, guide=str(record.get("guide", "")),
                    audio=audio if isinstance(audio, dict) else {})


def read_manifest(out_dir: Path | str = OUTPUT_DIR) -> Manifest:
    """Load the manifest, turning every way it can be broken into one clear ManifestError."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestMissing(f"{display_path(path)} is missing: {REBUILD}") from None
    except OSError as error:
        raise ManifestError(f"{display_path(path)} cannot be read ({error.strerror}): "
                            f"fix its permissions or delete it and {REBUILD}") from None
    try:
        return parse_manifest(data)
    except UnicodeDecodeError:
        problem = "it is not UTF-8 text"
    except json.JSONDecodeError as error:
        problem = f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
    except ManifestError as error:
        problem = str(error)
    raise ManifestError(f"{display_path(path)} is corrupt ({problem}): "
                        f"{REBUILD} to rebuild the audio and the manifest")


def normalise_base_url(base_url: str | None) -> str | None:
    """Check where the output folder is published (absolute http(s)) and make it end
    with '/' so links join under it; None when it is not published."""
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"base URL must be absolute http(s), got {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"
