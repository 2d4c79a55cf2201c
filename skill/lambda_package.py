"""Lay out the Lambda deployment folder that ask-resources.json points at (build/lambda).

Code, content, the audio manifest reader, a requirements.txt of the entry's pins, a
content snapshot so a cold start skips the YAML parser, and compiled bytecode so it
skips the compiler too. Usage:
    python -m skill.lambda_package build/lambda
"""

from __future__ import annotations

import compileall
import py_compile
import re
import shutil
import sys
import tomllib
from pathlib import Path

from audio.files import write_atomic
from content.loader import CONTENT_DIR, SNAPSHOT_NAME, snapshot_text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("skill", "handlers", "content")
AUDIO_FILES = ("__init__.py", "catalog.py", "tracks.py", "manifest.json")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", SNAPSHOT_NAME)


# What the Lambda entry imports (their own dependencies follow: ask-sdk-runtime,
# python-dateutil, six). boto3 is left out because the Lambda runtime has it.
LAMBDA_REQUIREMENTS = ("ask-sdk-core", "ask-sdk-model", "ask-sdk-dynamodb-persistence-adapter")


def requirements() -> str:
    """Only what the entry needs, pinned as pyproject pins them.

    ASK CLI's python-pip build installs this file into the upload; the web server,
    TLS and audio-building dependencies would add tens of megabytes, built for the
    deployer's OS, that the entry never imports.
    """
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["dynamodb"]]
    return "\n".join(pin for pin in pins if _name(pin) in LAMBDA_REQUIREMENTS) + "\n"


def _name(pin: str) -> str:
    return re.split(r"[<>=!~;\[ ]", pin, maxsplit=1)[0].strip().lower()


# Left in every folder build() makes: only such a folder is deleted to rebuild it.
MARKER = ".made-by-lambda-package"


class NotOurFolder(Exception):
    """The destination holds something this tool did not make, so it is not deleted."""


def build(destination: Path) -> Path:
    destination = Path(destination)
    if destination.exists():
        _check_ours(destination)
        shutil.rmtree(destination)
    for package in PACKAGES:
        shutil.copytree(PROJECT_ROOT / package, destination / package, ignore=IGNORED)
    (destination / "audio").mkdir(parents=True)
    for name in AUDIO_FILES:
        shutil.copy2(PROJECT_ROOT / "audio" / name, destination / "audio" / name)
    write_atomic(destination / "requirements.txt", requirements().encode())
    write_atomic(destination / "content" / SNAPSHOT_NAME, snapshot_text(CONTENT_DIR).encode())
    compile_bytecode(destination)
    (destination / MARKER).touch()
    return destination


def _check_ours(destination: Path) -> None:
    """Refuse to delete a folder a mistyped argument may name (say, the project itself)."""
    if destination.is_dir() and ((destination / MARKER).is_file() or not any(destination.iterdir())):
        return
    raise NotOurFolder(f"refusing to replace {destination}: not made by skill.lambda_package "
                       f"(no {MARKER}); remove it yourself or choose another folder")


def compile_bytecode(destination: Path) -> None:
    """Ship __pycache__ so a cold start does not compile every module from source.

    Lambda's file system is read-only, so bytecode the runtime compiles is never kept:
    every cold start would pay the compiler again. Unchecked-hash .pyc files stay
    valid after zipping (zip keeps mtimes only to two seconds, which would void
    timestamp-checked ones); the folder is rebuilt from scratch on every change.
    Files are named for this Python (cpython-311); another runtime ignores them.
    """
    ok = compileall.compile_dir(destination, quiet=1, workers=1,
                                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    if not ok:
        raise RuntimeError(f"could not compile the Python files in {destination}")


def main(argv: list[str]) -> int:
    try:
        print(build(Path(argv[0]) if argv else PROJECT_ROOT / "build" / "lambda"))
    except NotOurFolder as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
