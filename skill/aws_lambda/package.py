"""Lay out the Lambda deployment folder that ask-resources.json points at (build/lambda).

Only what Lambda runs: the modules skill/aws_lambda/handler.py imports (found by
modulefinder, which also sees imports inside functions), the content YAML with a
snapshot so a cold start skips the YAML parser, the audio manifest, the pinned
dependencies copied from this environment, and compiled bytecode for all of it.
No web server, listening page, templates, voice mode or command line; no boto3
or botocore (the Lambda Python runtime has them). Usage:
    python -m skill.aws_lambda.package build/lambda
"""

from __future__ import annotations

import compileall
import modulefinder
import py_compile
import shutil
import sys
import tomllib
import warnings
from collections.abc import Iterator
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

from audio.files import write_atomic
from content.errors import SetupError
from content.loader import CONTENT_DIR, SNAPSHOT_NAME, snapshot_text

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENTRY = PROJECT_ROOT / "skill" / "aws_lambda" / "handler.py"
# The entry runs as a script to modulefinder, so its own packages are not imports it sees.
ENTRY_PACKAGES = (PROJECT_ROOT / "skill" / "__init__.py", ENTRY.parent / "__init__.py")
DATA_FILES = ("content/*.yaml", "content/sections/*.yaml", "audio/output/manifest.json")
# What the Lambda entry imports from PyPI; their own dependencies follow.
LAMBDA_REQUIREMENTS = ("ask-sdk-core", "ask-sdk-model", "ask-sdk-dynamodb-persistence-adapter")
# The Lambda Python runtime has these (and the adapter's boto3 needs nothing else).
SUPPLIED_BY_LAMBDA = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})
VENDORED_LIST = "vendored.txt"


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def project_modules() -> list[Path]:
    """The project's .py files the entry imports, directly or inside functions."""
    finder = modulefinder.ModuleFinder(path=[str(PROJECT_ROOT)])
    finder.run_script(str(ENTRY))
    files = {Path(module.__file__).resolve() for module in finder.modules.values()
             if module.__file__ and Path(module.__file__).resolve().is_relative_to(PROJECT_ROOT)}
    return sorted({*files, ENTRY.resolve(), *(path.resolve() for path in ENTRY_PACKAGES)})


def pinned_roots() -> list[Requirement]:
    """The entry's requirements, pinned as pyproject pins them."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["dynamodb"]]
    wanted = {_canonical(name) for name in LAMBDA_REQUIREMENTS}
    return [Requirement(pin) for pin in pins if _canonical(Requirement(pin).name) in wanted]


def dependencies() -> list[Distribution]:
    """Installed distributions of the entry's requirements and theirs, less the runtime's own.

    Raises RuntimeError when one is missing or its installed version is not the pinned one.
    """
    found: dict[str, Distribution] = {}
    queue = list(pinned_roots())
    while queue:
        requirement = queue.pop(0)
        name = _canonical(requirement.name)
        if name in found or name in SUPPLIED_BY_LAMBDA:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            installed = distribution(requirement.name)
        except PackageNotFoundError:
            raise RuntimeError(f"{requirement.name} is not installed: pip install "
                               "'facial-spasm-guide[dynamodb]'") from None
        if not requirement.specifier.contains(installed.version, prereleases=True):
            raise RuntimeError(f"{requirement.name} {installed.version} is installed; the "
                               f"Lambda needs {requirement}")
        found[name] = installed
        queue += [Requirement(text) for text in installed.requires or ()]
    return sorted(found.values(), key=lambda d: _canonical(d.metadata["Name"]))


def _installed_files(dist: Distribution) -> Iterator[tuple[Path, str]]:
    """(source, path relative to site-packages) of a distribution's importable files."""
    for file in dist.files or ():
        relative = str(file)
        if relative.startswith("..") or "__pycache__" in relative or relative.endswith(".pyc"):
            continue  # scripts outside site-packages; bytecode is compiled afresh
        yield Path(dist.locate_file(file)), relative


def vendor(destination: Path) -> list[str]:
    """Copy every dependency's files into ``destination``; returns "name==version" lines."""
    lines = []
    for dist in dependencies():
        for source, relative in _installed_files(dist):
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        lines.append(f"{dist.metadata['Name']}=={dist.version}")
    return lines


# Left in every folder build() makes: only such a folder is deleted to rebuild it.
MARKER = ".made-by-lambda-package"


class NotOurFolder(SetupError):
    """The destination holds something this tool did not make, so it is not deleted."""


def build(destination: Path) -> Path:
    """Make the folder afresh: project modules, data, dependencies, snapshot, bytecode."""
    destination = Path(destination)
    if destination.exists():
        _check_ours(destination)
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for source in project_modules():
        _copy(source, destination)
    for pattern in DATA_FILES:
        for source in sorted(PROJECT_ROOT.glob(pattern)):
            _copy(source, destination)
    vendored = vendor(destination)
    write_atomic(destination / VENDORED_LIST, ("\n".join(vendored) + "\n").encode())
    write_atomic(destination / "content" / SNAPSHOT_NAME, snapshot_text(CONTENT_DIR).encode())
    compile_bytecode(destination)
    (destination / MARKER).touch()
    return destination


def _copy(source: Path, destination: Path) -> None:
    target = destination / source.resolve().relative_to(PROJECT_ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _check_ours(destination: Path) -> None:
    """Refuse to delete a folder a mistyped argument may name (say, the project itself)."""
    if destination.is_dir() and ((destination / MARKER).is_file() or not any(destination.iterdir())):
        return
    raise NotOurFolder(f"refusing to replace {destination}: not made by skill.aws_lambda.package "
                       f"(no {MARKER}); remove it yourself or choose another folder")


def compile_bytecode(destination: Path) -> None:
    """Ship __pycache__ so a cold start does not compile every module from source.

    Lambda's file system is read-only, so bytecode the runtime compiles is never kept:
    every cold start would pay the compiler again. Unchecked-hash .pyc files stay
    valid after zipping (zip keeps mtimes only to two seconds, which would void
    timestamp-checked ones); the folder is rebuilt from scratch on every change.
    Files are named for this Python (cpython-311); another runtime ignores them.
    """
    with warnings.catch_warnings():  # ask-sdk-model's docstrings have invalid escapes: not ours
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)  # the same on Python 3.11
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
