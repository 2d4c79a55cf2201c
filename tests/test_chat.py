"""The terminal front-end: `spasm-guide chat` and `spasm-guide ask`."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from content import guide
from skill import cli
from tests.helpers import resume_offer

CAUSES = guide().section("causes")
SCRIPT = Path(sys.executable).with_name("spasm-guide")


def run_chat(data_dir: Path, typed: Callable[[Iterable[str]], None],
             capsys: pytest.CaptureFixture[str], *lines: str) -> list[str]:
    """The guide's lines of one chat session."""
    typed(lines)
    assert cli.main(["chat", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    return [line.removeprefix("guide: ") for line in out.splitlines() if line.startswith("guide: ")]


def test_chat_answers_what_is_typed(tmp_path: Path, typed: Callable, capsys: pytest.CaptureFixture[str]
                                    ) -> None:
    replies = run_chat(tmp_path, typed, capsys, "what causes it", "next", "where am I", "stop")
    assert len(replies) == 5
    assert replies[0].startswith(guide().welcome)
    assert replies[1].startswith(CAUSES.pages[0])
    assert replies[2].startswith(CAUSES.pages[1])
    assert replies[3].startswith(f"You're in section 2, {CAUSES.title}, page 2")
    assert replies[4] == guide().message("stopped")


def test_chat_resumes_where_the_last_chat_stopped(tmp_path: Path, typed: Callable,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run_chat(tmp_path, typed, capsys, "what causes it", "next", "stop")
    replies = run_chat(tmp_path, typed, capsys, "yes")
    assert resume_offer("causes") in replies[0]
    assert replies[1].startswith(CAUSES.pages[1])


def test_chat_quit_leaves_like_stop(tmp_path: Path, typed: Callable,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    replies = run_chat(tmp_path, typed, capsys, "quit", "never read")
    assert replies[-1] == guide().goodbye


def test_chat_empty_line_repeats_the_choices(tmp_path: Path, typed: Callable,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    replies = run_chat(tmp_path, typed, capsys, "what causes it", "", "stop")
    assert replies[2] == CAUSES.offer


def test_ask_prints_the_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "--data-dir", str(tmp_path), "what", "causes", "it"]) == 0
    assert CAUSES.pages[0] in capsys.readouterr().out


@pytest.mark.skipif(not SCRIPT.exists(), reason="spasm-guide is not installed in this venv")
def test_installed_command_answers_a_question(tmp_path: Path) -> None:
    env = {**os.environ, "SPASM_GUIDE_DATA_DIR": str(tmp_path)}
    done = subprocess.run([str(SCRIPT), "ask", "what causes it"], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert CAUSES.pages[0] in done.stdout
    assert "Traceback" not in done.stderr
