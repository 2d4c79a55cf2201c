"""A broken content edit or a corrupt audio manifest: one clear line, never a traceback.

Content is parsed once, at start-up: a broken edit stops `create_app`, `serve` and
`check` with a message naming the file and field; a running app is not affected.
"""

from __future__ import annotations

import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import content.loader
import skill.publish.interaction_model
import skill.web.server
from content import ContentError, guide
from skill import cli
from skill.web.app import create_app
from tests.envelopes import check_http, intent, launch, post


@pytest.fixture
def content_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The guide's content as an editable copy, used in place of the real one."""
    copy = tmp_path / "content"
    shutil.copytree(content.loader.CONTENT_DIR, copy,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(content.loader, "CONTENT_DIR", copy)
    guide.cache_clear()
    yield copy
    guide.cache_clear()


def break_section(content_dir: Path) -> None:
    section = sorted((content_dir / "sections").glob("*.yaml"))[1]
    section.write_text(section.read_text(encoding="utf-8").replace("pages:", "pages: [oops",
                                                                   1), encoding="utf-8")


def assert_one_clear_line(text: str, *words: str) -> None:
    assert text.count("\n") == 1, text
    assert "Traceback" not in text and 'File "' not in text
    for word in words:
        assert word in text, text


def test_create_app_with_broken_content_fails_at_start(content_copy: Path,
                                                       tmp_path: Path) -> None:
    break_section(content_copy)
    with pytest.raises(ContentError) as caught:
        create_app(verify=False, data_dir=tmp_path / "data")
    assert "sections/" in str(caught.value) and "YAML error at line" in str(caught.value)


def test_check_reports_broken_content_in_one_line(content_copy: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    break_section(content_copy)
    assert cli.main(["check"]) == 2
    assert_one_clear_line(capsys.readouterr().err, "spasm-guide check: ", "sections/", "YAML error")


def test_check_reports_a_missing_field_by_name(content_copy: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    messages = content_copy / "messages.yaml"
    messages.write_text("\n".join(line for line in messages.read_text(encoding="utf-8")
                                  .splitlines() if not line.startswith("question:")) + "\n",
                        encoding="utf-8")
    assert cli.main(["check"]) == 2
    assert_one_clear_line(capsys.readouterr().err, "messages.yaml", "question")


def test_check_reports_a_misspelt_message_name(content_copy: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    messages = content_copy / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8") + "helpp_general: Say help.\n",
                        encoding="utf-8")
    assert cli.main(["check"]) == 2
    assert_one_clear_line(capsys.readouterr().err, "messages.yaml", "helpp_general", "misspelt")


def test_serve_with_broken_content_stops_before_starting(
        content_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def must_not_start(**kwargs: Any) -> int:
        raise AssertionError("the server started with broken content")

    monkeypatch.setattr(skill.web.server, "serve", must_not_start)
    break_section(content_copy)
    assert cli.main(["serve", "--no-verify", "--port", "8000", "--data-dir", str(tmp_path)]) == 2
    assert_one_clear_line(capsys.readouterr().err, "spasm-guide serve: ", "sections/")


def test_a_running_app_keeps_answering_after_a_broken_edit(content_copy: Path,
                                                           tmp_path: Path) -> None:
    client = create_app(verify=False, data_dir=tmp_path / "data").test_client()
    check_http(post(client, launch()), allowed=(200,))
    break_section(content_copy)  # on disk only: content was parsed at start-up
    for body in (intent("ReadSectionIntent", {"section": "causes"}), intent("AMAZON.NextIntent")):
        check_http(post(client, body), allowed=(200,))


@pytest.mark.parametrize("error", [
    ValueError("audio/output/manifest.json: Expecting value: line 1 column 1 (char 0)"),
    KeyError("sections"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
])
def test_check_reports_a_corrupt_audio_manifest_in_one_line(
        error: Exception, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def check_audio() -> list[str]:
        raise error

    fake = types.ModuleType("audio.build.check")
    fake.__dict__.update(check_audio=check_audio)
    monkeypatch.setitem(sys.modules, "audio.build.check", fake)
    monkeypatch.setattr(skill.publish.interaction_model, "stale_files", list)  # only the audio is in question
    assert cli.main(["check"]) == 1
    out, err = capsys.readouterr()
    assert_one_clear_line(out, "problem: audio could not be checked", type(error).__name__)
    assert "Traceback" not in err
