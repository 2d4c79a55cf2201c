"""sha256 of the built files, remembered by size and mtime between builds."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from audio.files import sha256, write_atomic

# Local cache of (size, mtime) -> sha256 so a no-change build need not re-hash
# every file. Not committed: mtimes differ per checkout; without it we just hash.
STATE_NAME = ".build-state.json"


class FileHashes:
    """sha256 of files under the output folder, remembered by size and mtime.

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
            digest = sha256(path.read_bytes())
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
