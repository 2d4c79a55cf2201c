"""Reading content files with errors a writer can act on: every problem names the file
and the field, and nothing else escapes for a bad edit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from content.errors import SetupError

CONTENT_DIR = Path(__file__).resolve().parent
# Ids of sections, answers and groups: they name files and intents.
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


class ContentError(SetupError):
    """A content file is missing, unreadable or has a field a writer must fix."""

    def __init__(self, path: Path, field: str, problem: str) -> None:
        self.path, self.field, self.problem = path, field, problem
        where = f"{_display(path)}: {field}: " if field else f"{_display(path)}: "
        super().__init__(where + problem)


class Fields:
    """Typed access to one YAML mapping, with errors that name file and field."""

    def __init__(self, path: Path, data: Any, prefix: str = "") -> None:
        if not isinstance(data, dict):
            raise ContentError(path, prefix, "expected a set of 'name: value' fields")
        self.path, self.data, self.prefix = path, data, prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(self.path, self._name(key), "must be some text, and is missing or empty")
        return " ".join(value.split())

    def identifier(self, key: str) -> str:
        value = self.text(key)
        if not IDENTIFIER.match(value):
            raise ContentError(self.path, self._name(key), "use lower-case letters, digits and _ only")
        return value

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(key, None if required else [])
        if value is None:
            value = [] if not required else None
        if not isinstance(value, list) or (required and not value):
            raise ContentError(self.path, self._name(key), "must be a list of one or more texts")
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise ContentError(self.path, f"{self._name(key)}[{index + 1}]", "must be text")
        return tuple(" ".join(item.split()) for item in value)

    def mapping(self, key: str) -> Fields:
        return Fields(self.path, self.data.get(key), self._name(key))

    def records(self, key: str, what: str) -> list[Fields]:
        """A list of one or more mappings, each named by its place ("terms[2]")."""
        items = self.data.get(key)
        if not isinstance(items, list) or not items:
            raise ContentError(self.path, self._name(key), f"must be a list of {what}")
        return [Fields(self.path, item, f"{self._name(key)}[{index}]")
                for index, item in enumerate(items, start=1)]


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(CONTENT_DIR.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path) -> Any:
    import yaml  # here, not at the top: a snapshot start never needs the parser

    # libyaml's C parser when PyYAML has it: ten times faster than the Python one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except FileNotFoundError:
        raise ContentError(path, "", "file is missing") from None
    except UnicodeDecodeError:
        raise ContentError(path, "", "is not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        problem = getattr(error, "problem", None) or "cannot be read"
        raise ContentError(path, "", f"YAML error at {where}: {problem}") from None


