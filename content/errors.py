"""The project's one exception root, here in the base layer so content/ can raise it too.

`spasm-guide` catches GuideError once (skill/cli.py) and prints one line,
`spasm-guide <command>: <message>`, then exits with the error's `exit_code`.
"""

from __future__ import annotations


class GuideError(Exception):
    """A failure the program can explain in one line: str(error) is that line.

    exit_code: 2 when the fix is in the set-up (a setting, a flag, a content file), as
    argparse uses 2 for bad usage; 1 for any other failure.
    """

    exit_code = 1


class SetupError(GuideError):
    """The fix is in the set-up: a setting, a flag, a content file, a folder."""

    exit_code = 2
