"""The build itself: synthesize what changed, join, check, write atomically, keep the
manifest true after every file (the steps are in audio/build/__init__.py)."""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from audio import pack
from audio.build.hashes import FileHashes
from audio.build.report import BuildReport, Progress
from audio.engines import Engine, get_engine
from audio.files import sha256, write_atomic
from audio.manifest import (
    FILES_DIR,
    MANIFEST_NAME,
    OUTPUT_DIR,
    FileEntry,
    Manifest,
    ManifestError,
    ManifestMissing,
    PackRecord,
    normalise_base_url,
    read_manifest,
)
from audio.plan import Item, plan
from audio.sound import mp3
from audio.sound.loudness import MAX_TRUE_PEAK_DBTP, TARGET_LUFS, Loudness
from audio.sound.speech import Speech
from content import Guide

LANGUAGE = "eng"  # ISO 639-2, as ID3 TLAN wants
PAGE_GAP_SECONDS = 0.6
SECTION_GAP_SECONDS = 1.2
# Only the whole-guide file may exceed Alexa's limit: it is never sent to Alexa.
MAX_SECONDS = {"page": mp3.ALEXA_MAX_SECONDS, "section": mp3.ALEXA_MAX_SECONDS, "guide": float("inf")}
# Threads per engine unless --jobs says otherwise; bench/audio_build.py measures why.
DEFAULT_JOBS = {"gtts": 4}
# The files' format, as the manifest records it.
AUDIO_FORMAT: Mapping[str, Any] = {
    "mpeg": "2", "layer": 3, "bitrate_kbps": mp3.ALEXA_BITRATE_KBPS,
    "sample_rate": mp3.MP3_SAMPLE_RATE, "channels": 1,
    "loudness_lufs": TARGET_LUFS, "max_true_peak_dbtp": MAX_TRUE_PEAK_DBTP,
}
_TEMP_FILE = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")  # what write_atomic leaves if killed


class BuildError(RuntimeError):
    """The build cannot produce valid audio; the message names the file and why."""


# -------------------------------------------------------------------- audio jobs


@functools.cache
def _silence(seconds: float) -> bytes:
    """Encoded silence to put between joined recordings (same format as the pages)."""
    pcm = bytes(2 * round(mp3.MP3_SAMPLE_RATE * seconds))
    return mp3.encode_mp3(Speech(samples=pcm, sample_rate=mp3.MP3_SAMPLE_RATE),
                          target_rate=mp3.MP3_SAMPLE_RATE)


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
        frames, level = mp3.encode_normalised(speech, target_rate=mp3.MP3_SAMPLE_RATE)
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
    if info.sample_rate != mp3.MP3_SAMPLE_RATE:
        problems.append(f"{info.sample_rate} Hz, the guide's files are {mp3.MP3_SAMPLE_RATE} Hz")
    if problems:
        hint = " (split the page in content)" if item.kind == "page" else ""
        raise BuildError(f"{item.path}: " + "; ".join(problems) + hint)
    return info


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
                        guide=self.guide.name, audio=dict(AUDIO_FORMAT))

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
            self.frames[path] = mp3.strip_tags((self.out / path).read_bytes())
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
        digest = sha256(data)
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


def _describes(entry: FileEntry, item: Item, engine: Engine) -> bool:
    """True when ``entry`` is the file ``item`` would build with ``engine`` now."""
    return (entry.kind, entry.section, entry.page, entry.title, entry.track, entry.text_sha256) == (
        item.kind, item.section, item.page, item.title, item.track_tag, item.text_sha256
    ) and (entry.engine, entry.voice) == (engine.name, engine.voice)


def _to_build(items: Sequence[Item], current: Mapping[str, FileEntry], engine: Engine,
              force: bool) -> set[str]:
    """Items whose file is missing or outdated, plus every file joined from one of them."""
    todo: set[str] = set()
    for item in items:
        entry = current.get(item.path)
        if (force or entry is None or not _describes(entry, item, engine)
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


def _pack_current(record: PackRecord | None, inputs: str, hashes: FileHashes,
                 base_url: str | None) -> bool:
    """True when the pack files on disk are the ones ``record`` describes, made from ``inputs``."""
    return (record is not None and record.inputs_sha256 == inputs
            and set(record.files) == set(pack.pack_names(base_url))
            and all(hashes.matches(name, size, digest)
                    for name, (size, digest) in record.files.items()))


def _write_pack(run: _Run, force: bool) -> None:
    """Write playlist, feed and zip unless their inputs and files are unchanged."""
    episodes = pack.episodes(run.guide, run.items, run.current)
    inputs = pack.inputs_sha256(run.guide, episodes, run.base_url)
    if not force and _pack_current(run.pack, inputs, run.hashes, run.base_url):
        return
    run.pack = None  # while the pack files change, the manifest must not vouch for them
    run.checkpoint()
    files: dict[str, tuple[int, str]] = {}
    for name, data in pack.make_pack(run.guide, episodes, run.out, run.base_url).items():
        files[name] = (len(data), sha256(data))
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


def default_jobs(engine: Engine) -> int:
    """Parallel synthesis jobs that measured fastest for this engine on this machine."""
    return DEFAULT_JOBS.get(engine.name, max(1, min(4, os.cpu_count() or 1)))


def _previous(out: Path, progress: Progress) -> Manifest:
    """The last build's manifest; an unreadable one means every file is rebuilt."""
    try:
        return read_manifest(out)
    except ManifestMissing:
        return Manifest()
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

    ``guide`` defaults to the packaged content; tests pass a modified one. ``out_dir``
    defaults to audio/output/, the committed audio. Raises BuildError when a file
    cannot be made valid; what was written stays usable.
    """
    from content import guide as packaged_guide

    started = time.perf_counter()
    guide = guide or packaged_guide()
    out = Path(out_dir) if out_dir is not None else OUTPUT_DIR
    voice = get_engine(engine) if isinstance(engine, str) else engine
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
