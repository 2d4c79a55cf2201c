"""``spasm-guide build-audio``: the guide as MP3 files Alexa can play, kept up to date.

One file per page (what the skill plays), one per section and one for the whole
guide (for players and the offline pack). The build runs in four steps:

1. **plan**: what files the content calls for, each with its spoken text;
2. **jobs**: synthesize only the pages whose text, engine or voice changed, in a
   thread pool, each resampled (soxr), brought to -16 LUFS with true peaks at most
   -1 dBTP (audio/loudness.py) and checked on the decoded MP3; section and guide
   files are then *joined* from the page MP3s and measured again;
3. **atomic writes**: every file goes through :func:`write_atomic`, and the
   manifest is rewritten after each file, so a crash or Ctrl-C leaves a manifest
   that describes exactly the complete files on disk;
4. **manifest and pack**: the playlist, feed and zip, then the final manifest,
   then obsolete files are removed.

Joining MP3 frames rather than re-encoding joined PCM is deliberate: LAME starts
every stream with an empty bit reservoir (the first frame's ``main_data_begin``
is 0), so frames of separately encoded pages can follow each other losslessly.
Each page is synthesized once, a one-page edit re-synthesizes one page, and a
section never passes through a second lossy encode.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any
from urllib.parse import urlsplit

from audio import mp3, pack
from audio.engines import (
    ENGINE_NAMES,
    Engine,
    EngineUnavailable,
    Speech,
    get_engine,
    piper_voice_fallback,
    spoken_text,
)
from audio.files import write_atomic
from audio.loudness import MAX_TRUE_PEAK_DBTP, TARGET_LUFS, Loudness
from content import ContentError, Guide, Section
from skill.options import positive_int

DEFAULT_OUT_DIR = Path(__file__).resolve().parent
FILES_DIR = "files"
MANIFEST_NAME = "manifest.json"
# Local cache of (size, mtime) -> sha256 so a no-change build need not re-hash
# every file. Not committed: mtimes differ per checkout; without it we just hash.
STATE_NAME = ".build-state.json"
# 2: every file records its measured loudness (LUFS) and true peak (dBTP).
MANIFEST_FORMAT = 2

SAMPLE_RATE = 22050  # Piper's and espeak-ng's native rate, and valid MPEG-2
LANGUAGE = "eng"  # ISO 639-2, as ID3 TLAN wants
PAGE_GAP_SECONDS = 0.6
SECTION_GAP_SECONDS = 1.2
# Only the whole-guide file may exceed Alexa's limit: it is never sent to Alexa.
MAX_SECONDS = {"page": mp3.ALEXA_MAX_SECONDS, "section": mp3.ALEXA_MAX_SECONDS, "guide": math.inf}
# Threads per engine unless --jobs says otherwise (bench/audio_build.py measures it).
# On 2 cores Piper with 2 threads matched 1 thread when the machine was idle, and
# was 1.1-1.7x faster when other work competed for the CPU (real-time factor 0.15
# against 0.17-0.26): onnxruntime and the phonemizer release the GIL. espeak-ng is
# a process per text. gTTS waits on the network, so it gets more threads than cores.
DEFAULT_JOBS = {"gtts": 4}
_TEMP_FILE = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")  # what write_atomic leaves if killed


class BuildError(RuntimeError):
    """The build cannot produce valid audio; the message names the file and why."""


class ManifestError(ValueError):
    """The manifest is missing or unreadable; the message says what to run."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory if inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- plan


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
        return _sha256(self.text.encode("utf-8"))

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
        spoken = spoken_text(written, guide.pronunciation)
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
    lead = spoken_text(f"{_sentence(guide.name)} {guide.notice}", guide.pronunciation)
    items.append(Item(
        path=f"{FILES_DIR}/guide.mp3", kind="guide", section=None, page=None, title=guide.name,
        track=1, tracks=1, text="\n\n\n".join([lead, *(s.text for s in sections)]),
        speak=lead, parts=tuple(s.path for s in sections),
    ))
    return items


# ----------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class FileEntry:
    """What the manifest records about one built file."""

    path: str
    kind: str
    section: str | None
    page: int | None
    title: str
    track: str
    text_sha256: str
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

    def describes(self, item: Item, engine: Engine) -> bool:
        """True when this file is what ``item`` would build with ``engine`` now."""
        return (self.kind, self.section, self.page, self.title, self.track, self.text_sha256) == (
            item.kind, item.section, item.page, item.title, item.track_tag, item.text_sha256
        ) and (self.engine, self.voice) == (engine.name, engine.voice)


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
    """audio/manifest.json: every built file, the pack, and the base URL its links use."""

    files: list[FileEntry] = field(default_factory=list)
    pack: PackRecord | None = None
    base_url: str | None = None
    guide: str = ""

    def to_bytes(self) -> bytes:
        record = {
            "format": MANIFEST_FORMAT,
            "guide": self.guide,
            "audio": {"mpeg": "2", "layer": 3, "bitrate_kbps": mp3.ALEXA_BITRATE_KBPS,
                      "sample_rate": SAMPLE_RATE, "channels": 1,
                      "loudness_lufs": TARGET_LUFS, "max_true_peak_dbtp": MAX_TRUE_PEAK_DBTP},
            "base_url": self.base_url,
            "files": [entry.to_json() for entry in self.files],
            "pack": self.pack.to_json() if self.pack else None,
        }
        return (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _parse_manifest(data: bytes) -> Manifest:
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
    return Manifest(files=entries, pack=PackRecord.from_json(record.get("pack")),
                    base_url=base_url, guide=str(record.get("guide", "")))


def read_manifest(out_dir: Path) -> Manifest:
    """Load the manifest, turning every way it can be broken into one clear ManifestError."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"{_display(path)} is missing: run spasm-guide build-audio") from None
    except OSError as error:
        raise ManifestError(f"{_display(path)} cannot be read ({error.strerror}): "
                            "fix its permissions or delete it and run spasm-guide build-audio"
                            ) from None
    try:
        return _parse_manifest(data)
    except UnicodeDecodeError:
        problem = "it is not UTF-8 text"
    except json.JSONDecodeError as error:
        problem = f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
    except ManifestError as error:
        problem = str(error)
    raise ManifestError(f"{_display(path)} is corrupt ({problem}): "
                        "run spasm-guide build-audio to rebuild the audio and the manifest")


# ------------------------------------------------------------------ file hashes


class FileHashes:
    """sha256 of files under the output directory, remembered by size and mtime.

    A no-change build then costs a ``stat`` per file instead of reading a few MB.
    The memory lives in an uncommitted file; a fresh checkout simply hashes once.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._path = out_dir / STATE_NAME
        self._known: dict[str, list[Any]] = {}
        self._changed = False
        try:
            loaded = json.loads(self._path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self._known = loaded
        except (OSError, ValueError):
            pass  # a missing or damaged cache only costs hashing

    def lookup(self, relative: str) -> tuple[int, str] | None:
        """(size, sha256) of the file now on disk, or None when it does not exist."""
        path = self.out_dir / relative
        try:
            stat = path.stat()
        except OSError:
            return None
        known = self._known.get(relative)
        if isinstance(known, list) and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            return stat.st_size, str(known[2])
        try:
            digest = _sha256(path.read_bytes())
        except OSError:
            return None
        self._remember(relative, stat, digest)
        return stat.st_size, digest

    def matches(self, relative: str, size: int, digest: str) -> bool:
        """True when the file exists with this size and hash (hashing only if it must)."""
        path = self.out_dir / relative
        try:
            if path.stat().st_size != size:
                return False  # a size change needs no hashing to be noticed
        except OSError:
            return False
        return self.lookup(relative) == (size, digest)

    def written(self, relative: str, digest: str) -> None:
        """Record a file this build has just written, with the sha256 of its bytes."""
        self._remember(relative, (self.out_dir / relative).stat(), digest)

    def _remember(self, relative: str, stat: os.stat_result, digest: str) -> None:
        self._known[relative] = [stat.st_size, stat.st_mtime_ns, digest]
        self._changed = True

    def save(self) -> None:
        if self._changed:
            write_atomic(self._path, json.dumps(self._known, sort_keys=True).encode("utf-8"))
            self._changed = False


# -------------------------------------------------------------------- audio jobs


@functools.cache
def _silence(seconds: float) -> bytes:
    """Encoded silence to put between joined recordings (same format as the pages)."""
    pcm = bytes(2 * round(SAMPLE_RATE * seconds))
    return mp3.encode_mp3(Speech(samples=pcm, sample_rate=SAMPLE_RATE), target_rate=SAMPLE_RATE)


def _frames(data: bytes) -> bytes:
    """The MPEG frames of a file, without its ID3 tags, ready to be joined."""
    start = mp3._id3v2_size(data)
    end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)
    return data[start:end]


@dataclass(frozen=True)
class Synthesized:
    """Untagged MP3 frames for one item's own text, and how long synthesis took."""

    frames: bytes
    seconds: float
    wall_seconds: float
    level: Loudness


def _synthesize(engine: Engine, item: Item) -> Synthesized:
    """Speak, resample, normalise and encode one text; a failure is a BuildError naming the file."""
    started = time.perf_counter()
    try:
        speech = engine.synthesize(item.speak or "")
        frames, level = mp3.encode_normalised(speech, target_rate=SAMPLE_RATE)
    except (RuntimeError, ValueError, OSError) as error:  # engine, decoder and LAME failures
        raise BuildError(f"{item.path}: {engine.name} could not voice it: {error}") from error
    seconds = mp3.inspect_mp3(frames).duration_seconds
    return Synthesized(frames, seconds, time.perf_counter() - started, level)


def _checked(item: Item, data: bytes, level: Loudness) -> mp3.Mp3Info:
    """Read back the frame headers and refuse anything Alexa (or a player) would not play,
    or that is not at the guide's loudness."""
    try:
        info = mp3.inspect_mp3(data)
    except mp3.InvalidAudio as error:
        raise BuildError(f"{item.path}: the build produced invalid MP3: {error}") from error
    problems = mp3.alexa_problems(info, MAX_SECONDS[item.kind]) + level.problems()
    if info.sample_rate != SAMPLE_RATE:
        problems.append(f"{info.sample_rate} Hz, the guide's files are {SAMPLE_RATE} Hz")
    if problems:
        hint = " (split the page in content)" if item.kind == "page" else ""
        raise BuildError(f"{item.path}: " + "; ".join(problems) + hint)
    return info


# -------------------------------------------------------------------- progress


class Progress:
    """One status line on stderr: rewritten in place on a terminal, one line per step elsewhere."""

    def __init__(self, stream: IO[str] | None, total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0
        self._tty = bool(stream and hasattr(stream, "isatty") and stream.isatty())
        self._width = 0

    def step(self, label: str) -> None:
        self.done += 1
        self._write(f"[{self.done:>{len(str(self.total))}}/{self.total}] {label}")

    def note(self, message: str) -> None:
        self._write(message, keep=True)

    def _write(self, text: str, keep: bool = False) -> None:
        if self.stream is None:
            return
        if self._tty and not keep:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.end()
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self._tty and self._width and self.stream:
            self.stream.write("\n")
            self._width = 0


@dataclass
class BuildReport:
    """What a build did, for the summary line and for tests."""

    engine: str
    voice: str
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    pack_written: bool = False
    audio_seconds: float = 0.0  # length of every file written
    spoken_seconds: float = 0.0  # speech synthesized (pages and the guide's opening)
    synthesis_seconds: float = 0.0  # wall time from first synthesis to last
    elapsed_seconds: float = 0.0

    @property
    def real_time_factor(self) -> float | None:
        """Synthesis wall time per second of speech (lower is faster); None if nothing spoke."""
        return self.synthesis_seconds / self.spoken_seconds if self.spoken_seconds else None

    def summary(self) -> str:
        rtf = self.real_time_factor
        speed = (f"synthesized {self.spoken_seconds:.1f} s of speech in "
                 f"{self.synthesis_seconds:.1f} s (real-time factor {rtf:.3f})"
                 if rtf is not None else "nothing to synthesize")
        return (f"built {len(self.built)}, skipped {len(self.skipped)}, removed "
                f"{len(self.removed)}; wrote {self.audio_seconds:.1f} s of audio; {speed}; "
                f"pack {'written' if self.pack_written else 'unchanged'}; engine "
                f"{self.engine}, voice {self.voice}; {self.elapsed_seconds:.2f} s in all")


# ------------------------------------------------------------------------ build


@dataclass
class _Run:
    """State of one build: the manifest as it stands on disk, kept true after each write."""

    guide: Guide
    out: Path
    engine: Engine
    items: list[Item]
    hashes: FileHashes
    current: dict[str, FileEntry]
    pack: PackRecord | None
    base_url: str | None
    report: BuildReport
    progress: Progress
    frames: dict[str, bytes] = field(default_factory=dict)

    def manifest(self, final: bool = False) -> Manifest:
        planned = [self.current[i.path] for i in self.items if i.path in self.current]
        leftovers = [] if final else [e for p, e in self.current.items()
                                      if p not in {i.path for i in self.items}]
        return Manifest(files=planned + leftovers, pack=self.pack, base_url=self.base_url,
                        guide=self.guide.name)

    def checkpoint(self, final: bool = False) -> None:
        """Rewrite the manifest (atomically) only if its bytes change."""
        data = self.manifest(final).to_bytes()
        path = self.out / MANIFEST_NAME
        try:
            unchanged = path.read_bytes() == data
        except OSError:
            unchanged = False
        if not unchanged:
            write_atomic(path, data)

    def frames_of(self, path: str) -> bytes:
        """A part's frames: from this run's memory, else from the verified file on disk."""
        if path not in self.frames:
            self.frames[path] = _frames((self.out / path).read_bytes())
        return self.frames[path]

    def write(self, item: Item, frames: bytes, level: Loudness | None = None) -> None:
        """Measure (unless given), tag, check, write atomically, then record it in the manifest."""
        try:
            level = level or mp3.measure_mp3(frames)
        except mp3.InvalidAudio as error:
            raise BuildError(f"{item.path}: the build produced invalid MP3: {error}") from error
        data = mp3.tag_mp3(frames, title=item.title, album=self.guide.name, track=item.track,
                           total_tracks=item.tracks, language=LANGUAGE,
                           content_hash=item.text_sha256)
        info = _checked(item, data, level)
        digest = _sha256(data)
        write_atomic(self.out / item.path, data)
        self.hashes.written(item.path, digest)
        self.frames[item.path] = frames
        self.current[item.path] = FileEntry(
            path=item.path, kind=item.kind, section=item.section, page=item.page,
            title=item.title, track=item.track_tag, text_sha256=item.text_sha256,
            engine=self.engine.name, voice=self.engine.voice,
            duration_seconds=round(info.duration_seconds, 3), size=len(data), sha256=digest,
            loudness_lufs=round(level.integrated_lufs, 2),
            true_peak_dbtp=round(level.true_peak_dbtp, 2),
        )
        self.checkpoint()
        self.report.built.append(item.path)
        self.report.audio_seconds += info.duration_seconds
        self.progress.step(f"built {item.path} ({info.duration_seconds:.1f} s)")


def _verified_entries(manifest: Manifest, hashes: FileHashes) -> dict[str, FileEntry]:
    """Manifest entries whose file is on disk exactly as recorded (others get rebuilt)."""
    return {e.path: e for e in manifest.files if hashes.matches(e.path, e.size, e.sha256)}


def _to_build(items: Sequence[Item], current: Mapping[str, FileEntry], engine: Engine,
              force: bool) -> set[str]:
    """Items whose file is missing or outdated, plus every file joined from one of them."""
    todo: set[str] = set()
    for item in items:
        entry = current.get(item.path)
        if (force or entry is None or not entry.describes(item, engine)
                or any(part in todo for part in item.parts)):
            todo.add(item.path)
    return todo


def _remove_temp_files(out: Path) -> None:
    """Delete half-written temp files a killed build left behind."""
    for directory in (out, out / FILES_DIR):
        for path in directory.glob(".*.tmp"):
            if _TEMP_FILE.match(path.name):
                path.unlink(missing_ok=True)


def _start_synthesis(run: _Run, todo: set[str], pool: Executor) -> dict[str, Future[Synthesized]]:
    """Queue every text to speak, in plan order; results are collected in the same order."""
    return {item.path: pool.submit(_synthesize, run.engine, item)
            for item in run.items if item.path in todo and item.speak is not None}


def _build_audio(run: _Run, todo: set[str], jobs: int) -> None:
    """Synthesize (in a thread pool when jobs > 1), join, and write every item in ``todo``.

    Files are written by this thread only, in plan order, so each section finds its
    pages already written and the manifest checkpoints stay in order.
    """
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="tts") if jobs > 1 else None
    started, finished = time.perf_counter(), [time.perf_counter()]
    try:
        futures = _start_synthesis(run, todo, pool) if pool else {}
        for future in futures.values():
            future.add_done_callback(lambda _: finished.append(time.perf_counter()))
        for item in run.items:
            if item.path not in todo:
                run.report.skipped.append(item.path)
                continue
            segments: list[bytes] = []
            level: Loudness | None = None
            if item.speak is not None:
                future = futures.get(item.path)
                spoken = future.result() if future else _synthesize(run.engine, item)
                segments.append(spoken.frames)
                level = spoken.level
                run.report.spoken_seconds += spoken.seconds
                if not pool:
                    run.report.synthesis_seconds += spoken.wall_seconds
            segments += [run.frames_of(part) for part in item.parts]
            gap = _silence(SECTION_GAP_SECONDS if item.kind == "guide" else PAGE_GAP_SECONDS)
            run.write(item, gap.join(segments), level if not item.parts else None)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if pool:
        run.report.synthesis_seconds = max(finished) - started


def _episodes(guide: Guide, items: Sequence[Item], entries: Mapping[str, FileEntry]
              ) -> list[pack.Episode]:
    """The section files as podcast episodes, with sizes and durations from the manifest."""
    episodes = []
    for item in items:
        entry = entries.get(item.path)
        if item.kind == "section" and entry is not None:
            section = guide.section(item.section or "")
            episodes.append(pack.Episode(
                number=item.track, section_id=section.id, title=section.title,
                transcript=pack.transcript(section), path=item.path,
                duration_seconds=entry.duration_seconds, size=entry.size, sha256=entry.sha256,
            ))
    return episodes


_last_text_hashes: tuple[Guide, Mapping[str, str]] | None = None


def text_hashes(guide: Guide) -> Mapping[str, str]:
    """Each planned file's text_sha256 by path: what a recording must say to be current.

    The listening page asks on every request, and planning hashes every page's text
    (~0.1 ms); content does not change while a server runs, so the answer for the last
    guide asked about is kept.
    """
    global _last_text_hashes
    last = _last_text_hashes
    if last is not None and last[0] is guide:
        return last[1]
    hashes = MappingProxyType({item.path: item.text_sha256 for item in plan(guide)})
    _last_text_hashes = (guide, hashes)
    return hashes


def current_episodes(out_dir: Path, guide: Guide) -> list[pack.Episode]:
    """The built section recordings that say ``guide``'s current text, as podcast episodes.

    For the playlist and feed skill/page/views.py makes per request: a recording left stale
    by a content edit is left out rather than paired with the new transcript.
    Raises ManifestError when the manifest is missing or broken.
    """
    wanted = text_hashes(guide)
    entries = {entry.path: entry for entry in read_manifest(out_dir).files
               if wanted.get(entry.path) == entry.text_sha256 and (out_dir / entry.path).is_file()}
    return _episodes(guide, plan(guide), entries)


def _pack_current(record: PackRecord | None, inputs: str, hashes: FileHashes,
                  base_url: str | None) -> bool:
    return (record is not None and record.inputs_sha256 == inputs
            and set(record.files) == set(pack.pack_names(base_url))
            and all(hashes.matches(name, size, digest)
                    for name, (size, digest) in record.files.items()))


def _write_pack(run: _Run, force: bool) -> None:
    """Write playlist, feed and zip unless their inputs and files are unchanged."""
    episodes = _episodes(run.guide, run.items, run.current)
    inputs = pack.inputs_sha256(run.guide, episodes, run.base_url)
    if not force and _pack_current(run.pack, inputs, run.hashes, run.base_url):
        return
    run.pack = None  # while the pack files change, the manifest must not vouch for them
    run.checkpoint()
    files: dict[str, tuple[int, str]] = {}
    for name, data in pack.make_pack(run.guide, episodes, run.out, run.base_url).items():
        files[name] = (len(data), _sha256(data))
        write_atomic(run.out / name, data)
        run.hashes.written(name, files[name][1])
    for name in set(pack.PACK_NAMES) - set(files):  # a feed left by a build with a base URL
        (run.out / name).unlink(missing_ok=True)
    run.pack = PackRecord(inputs_sha256=inputs, files=files)
    run.report.pack_written = True
    run.progress.note(f"wrote {', '.join(files)}")


def _remove_obsolete(run: _Run) -> None:
    """Delete MP3s in the files folder that the plan no longer names (after the manifest)."""
    planned = {item.path for item in run.items}
    for path in sorted((run.out / FILES_DIR).glob("*.mp3")):
        relative = f"{FILES_DIR}/{path.name}"
        if relative not in planned:
            path.unlink(missing_ok=True)
            run.report.removed.append(relative)


def _resolve_engine(engine: Engine | str) -> Engine:
    return get_engine(engine) if isinstance(engine, str) else engine


def default_jobs(engine: Engine) -> int:
    """Parallel synthesis jobs that measured fastest for this engine on this machine."""
    return DEFAULT_JOBS.get(engine.name, max(1, min(4, os.cpu_count() or 1)))


def normalise_base_url(base_url: str | None) -> str | None:
    """Check an absolute http(s) URL and make it end with '/' so links join under it."""
    if not base_url:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"base URL must be absolute http(s), got {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def _previous(out: Path, progress: Progress) -> Manifest:
    """The last build's manifest; an unreadable one means every file is rebuilt."""
    if not (out / MANIFEST_NAME).exists():
        return Manifest()
    try:
        return read_manifest(out)
    except ManifestError as error:
        progress.note(f"{error}; rebuilding everything")
        return Manifest()


def build(
    guide: Guide | None = None,
    out_dir: Path | str | None = None,
    engine: Engine | str = "auto",
    jobs: int | None = None,
    force: bool = False,
    base_url: str | None = None,
    progress: IO[str] | None = None,
) -> BuildReport:
    """Build (or bring up to date) every audio file, the pack and the manifest.

    ``guide`` defaults to the packaged content; tests pass a modified one. Raises
    BuildError when a file cannot be made valid; what was written stays usable.
    """
    from content import guide as packaged_guide

    started = time.perf_counter()
    guide = guide or packaged_guide()
    out = Path(out_dir) if out_dir is not None else DEFAULT_OUT_DIR
    voice = _resolve_engine(engine)
    (out / FILES_DIR).mkdir(parents=True, exist_ok=True)
    _remove_temp_files(out)
    items = plan(guide)
    hashes = FileHashes(out)
    reporter = Progress(progress, 0)
    previous = _previous(out, reporter)
    run = _Run(guide=guide, out=out, engine=voice, items=items, hashes=hashes,
               current=_verified_entries(previous, hashes), pack=previous.pack,
               base_url=normalise_base_url(base_url),
               report=BuildReport(engine=voice.name, voice=voice.voice), progress=reporter)
    todo = _to_build(items, run.current, voice, force)
    reporter.total = len(todo)
    try:
        _build_audio(run, todo, jobs or default_jobs(voice))
        _write_pack(run, force)
        run.checkpoint(final=True)
        _remove_obsolete(run)
    finally:
        reporter.end()
        hashes.save()
    run.report.elapsed_seconds = time.perf_counter() - started
    return run.report


# ------------------------------------------------------------------------ check


Problem = tuple[str, str]  # (path under the output folder, what is wrong with it)


def _item_problems(item: Item, entry: FileEntry | None, hashes: FileHashes) -> list[Problem]:
    if entry is None:
        return [(item.path, "is not built yet")]
    problems = []
    if entry.text_sha256 != item.text_sha256:
        problems.append((item.path, "is stale: its text changed since it was built"))
    elif (entry.kind, entry.title, entry.track) != (item.kind, item.title, item.track_tag):
        problems.append((item.path, "is stale: its title or track number changed"))
    if not (hashes.out_dir / item.path).is_file():
        problems.append((item.path, "is missing"))
    elif not hashes.matches(item.path, entry.size, entry.sha256):
        problems.append((item.path, "was changed after the build (size or checksum differs)"))
    return problems


def _stray_problems(items: Sequence[Item], manifest: Manifest, out: Path) -> list[Problem]:
    planned = {item.path for item in items}
    listed = {entry.path for entry in manifest.files}
    problems = [(path, "is left over from an older build") for path in sorted(listed - planned)]
    on_disk = {f"{FILES_DIR}/{path.name}" for path in (out / FILES_DIR).glob("*.mp3")}
    problems += [(path, "is not in the manifest") for path in sorted(on_disk - listed - planned)]
    return problems


def _pack_problems(guide: Guide, items: Sequence[Item], manifest: Manifest,
                   hashes: FileHashes) -> list[Problem]:
    names = pack.pack_names(manifest.base_url)
    if manifest.pack is None:
        return [(name, "is not built") for name in names]
    entries = {entry.path: entry for entry in manifest.files}
    inputs = pack.inputs_sha256(guide, _episodes(guide, items, entries), manifest.base_url)
    problems = []
    for name in names:
        size, digest = manifest.pack.files.get(name, (-1, ""))
        if not hashes.matches(name, size, digest):
            problems.append((name, "is missing or was changed after the build"))
        elif manifest.pack.inputs_sha256 != inputs:
            problems.append((name, "is stale: a section's text or audio changed"))
    return problems


def check_audio(out_dir: Path | str | None = None, guide: Guide | None = None) -> list[str]:
    """Problems with the built audio, in words (empty when it matches the content).

    For ``spasm-guide check``: never raises for a broken manifest or missing
    files; each problem names the file, says what is wrong and what to run.
    """
    from content import guide as packaged_guide

    out = Path(out_dir) if out_dir is not None else DEFAULT_OUT_DIR
    try:
        guide = guide or packaged_guide()
        manifest = read_manifest(out)
    except (ContentError, ManifestError) as error:
        return [f"audio: {error}"]
    hashes = FileHashes(out)
    items = plan(guide)
    entries = {entry.path: entry for entry in manifest.files}
    problems: list[Problem] = []
    for item in items:
        problems += _item_problems(item, entries.get(item.path), hashes)
    problems += _stray_problems(items, manifest, out)
    problems += _pack_problems(guide, items, manifest, hashes)
    where = _display(out)
    return [f"audio: {where}/{path} {text}; run spasm-guide build-audio"
            for path, text in problems]


# -------------------------------------------------------------------------- CLI


def _base_url(text: str) -> str:
    try:
        return normalise_base_url(text) or ""
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(subparsers: Any) -> None:
    """Add ``build-audio`` to the spasm-guide command line (skill/cli.py calls this)."""
    parser = subparsers.add_parser(
        "build-audio",
        help="write the guide's MP3 files, manifest, playlist, cover, feed and zip",
        description="Voice every page, section and the whole guide as Alexa-playable MP3 "
                    "(MPEG-2 layer III, 48 kbps, 22,050 Hz, mono) at -16 LUFS with true "
                    "peaks at most -1 dBTP, then write manifest.json, guide.m3u, cover.png, "
                    "guide.zip and (with --base-url) feed.xml. Only files whose text, engine "
                    "or voice changed are rebuilt.",
    )
    parser.add_argument(
        "--engine", choices=("auto", *ENGINE_NAMES), default="auto",
        help="text-to-speech engine (default: auto = gtts when online, else piper, flite, "
             "espeak; the committed audio uses flite, whose voice may be published)")
    parser.add_argument(
        "--jobs", type=positive_int, default=None, metavar="N",
        help="texts synthesized in parallel threads (default: the CPU count, at most 4, "
             "for piper and espeak; 4 for gtts, which waits on the network)")
    parser.add_argument(
        "--force", action="store_true",
        help="rebuild every file even if unchanged (default: off, unchanged files are skipped)")
    parser.add_argument(
        "--base-url", type=_base_url, default=None, metavar="URL",
        help="where the output folder is published; playlist and feed links become "
             "absolute under it (default: none, links are relative)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT_DIR, metavar="DIR",
        help=f"output folder (default: {_display(DEFAULT_OUT_DIR)}, the committed audio)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run build-audio: 0 built, 1 the build failed, 2 no engine, 130 interrupted."""
    try:
        engine = get_engine(args.engine)
    except EngineUnavailable as error:
        print(f"spasm-guide build-audio: {error}", file=sys.stderr)
        return 2
    if args.engine == "auto":
        fallback = piper_voice_fallback(engine)
        if fallback:
            print(f"spasm-guide build-audio: warning: {fallback}", file=sys.stderr)
        print(f"engine: auto chose {engine.name} (voice {engine.voice})", file=sys.stderr)
    try:
        report = build(engine=engine, out_dir=args.out, jobs=args.jobs, force=args.force,
                       base_url=args.base_url, progress=sys.stderr)
    except KeyboardInterrupt:
        print("build-audio: interrupted; the manifest lists only complete files",
              file=sys.stderr)
        return 130
    except (BuildError, ContentError, OSError) as error:
        print(f"spasm-guide build-audio: {error}", file=sys.stderr)
        return 1
    print(report.summary(), file=sys.stderr)
    return 0
