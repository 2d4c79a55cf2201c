"""Files as the generators write and name them: crash-safe writes, checksums, paths as
people type them.

Used by the audio build and by the interaction-model, store-listing and Lambda generators.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    The temp file lives in the same directory (``os.replace`` is only atomic within
    one filesystem), is fsynced before the rename, and the directory is fsynced
    after it so the rename itself survives a power cut. The temp file is created
    with mode 0o666 so the umask, not this function, decides the final permissions.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Not every platform/filesystem lets a directory be opened or fsynced.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory if inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``: how the manifest identifies a file's bytes and texts."""
    return hashlib.sha256(data).hexdigest()
