"""``spasm-guide check``'s audio part: does audio/output/ say what the content says?"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from audio import pack
from audio.build.hashes import FileHashes
from audio.files import display_path
from audio.manifest import (
    FILES_DIR,
    OUTPUT_DIR,
    REBUILD,
    FileEntry,
    Manifest,
    ManifestError,
    read_manifest,
)
from audio.plan import Item, plan
from content import ContentError, Guide

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
    inputs = pack.inputs_sha256(guide, pack.episodes(guide, items, entries), manifest.base_url)
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

    out = Path(out_dir) if out_dir is not None else OUTPUT_DIR
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
    where = display_path(out)
    return [f"audio: {where}/{path} {text}; {REBUILD}"
            for path, text in problems]
