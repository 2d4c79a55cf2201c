"""Command-line options that several commands share, declared once so they read alike.

`serve`, `chat`, `ask` and `listen` all keep saved places; `serve` and `build-audio`
both count things. Each option's help and default live here, not in each command.
"""

from __future__ import annotations

import argparse

from skill.config import from_environment

DEFAULT_USER = "local-listener"


def positive_int(text: str) -> int:
    """argparse type: a whole number of 1 or more (serve's --workers and --threads,
    build-audio's --jobs)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return value


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    """--data-dir: where the SQLite database of saved places lives."""
    parser.add_argument("--data-dir", default=str(from_environment().data_dir),
                        help="folder for the saved-state database (SPASM_GUIDE_DATA_DIR)")


def add_listener_options(parser: argparse.ArgumentParser) -> None:
    """--data-dir and --user: the saved place a local conversation starts from."""
    add_data_dir(parser)
    parser.add_argument("--user", default=DEFAULT_USER,
                        help="whose saved place to use, so several people can share a computer")
