"""How people have asked (content/asked/): a writer's file that the resolver cannot learn
from is refused with the file and the label, not learnt wrongly."""

from __future__ import annotations

from pathlib import Path

import pytest

from content import ContentError
from content.asked import Asked, asked, check_outcomes, load_asked
from skill.understanding.own_words import understander


def write(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "writer-x.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_writer_is_read() -> None:
    assert len(asked()) >= 7
    assert all(writer.phrasings for writer in asked())


def test_every_label_is_something_the_guide_does() -> None:
    tolerant = understander()
    check_outcomes(asked(), set(tolerant.resolution_of))


def test_an_unknown_label_names_file_and_label(tmp_path: Path) -> None:
    write(tmp_path, 'asked:\n  treatmnet:\n    - "how do they treat it"\n')
    with pytest.raises(ContentError, match=r"writer-x.yaml: asked.treatmnet: is not an answer"):
        check_outcomes(load_asked(tmp_path), {"treatment"})


def test_a_label_without_phrasings_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "asked:\n  treatment: how do they treat it\n")
    with pytest.raises(ContentError, match=r"asked.treatment: must be a list"):
        load_asked(tmp_path)


def test_a_file_without_asked_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "- just a list\n")
    with pytest.raises(ContentError, match=r"writer-x.yaml"):
        load_asked(tmp_path)


def test_the_writer_is_named_by_the_file(tmp_path: Path) -> None:
    assert Asked(tmp_path / "writer-9.yaml", ()).writer == "writer-9"

