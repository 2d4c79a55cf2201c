"""The guide's content: the medical facts, plain language, page length, and a loader
that tells a writer exactly which file and field to fix."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import textstat
import yaml

from content import ContentError, guide, load_guide, loader
from skill import cli
from tests.helpers import FACTS, Fact

MAX_GRADE = 8
MAX_WORDS = 75


def _fact_id(fact: Fact) -> str:
    return fact.id


# --- facts --------------------------------------------------------------------------------


@pytest.mark.parametrize("fact", [f for f in FACTS if f.where == "pages"], ids=_fact_id)
def test_fact_is_on_one_page(fact: Fact) -> None:
    pages = [page for section in guide().sections for page in section.pages]
    assert any(fact.found_in(page) for page in pages), f"missing: {fact.statement}"


@pytest.mark.parametrize("fact", [f for f in FACTS if f.where == "notice"], ids=_fact_id)
def test_fact_is_in_the_notice(fact: Fact) -> None:
    assert fact.found_in(guide().notice), f"missing: {fact.statement}"


def test_facts_file_is_not_trivially_satisfied() -> None:
    """A fact must not be found in text that does not carry it."""
    assert not any(fact.found_in("Welcome. Say next.") for fact in FACTS)
    assert not next(f for f in FACTS if f.id == "pica").found_in("a topical cream")


# --- plain language ----------------------------------------------------------------------


@pytest.mark.parametrize("section", guide().sections, ids=lambda s: s.id)
def test_section_reads_at_grade_eight_or_below(section: Any) -> None:
    assert textstat.flesch_kincaid_grade(" ".join(section.pages)) <= MAX_GRADE


@pytest.mark.parametrize("section", guide().sections, ids=lambda s: s.id)
def test_summary_reads_at_grade_eight_or_below(section: Any) -> None:
    assert textstat.flesch_kincaid_grade(section.summary) <= MAX_GRADE


@pytest.mark.parametrize("topic", [t for t in guide().topics() if t.answer], ids=lambda t: t.id)
def test_answer_reads_at_grade_eight_or_below(topic: Any) -> None:
    assert textstat.flesch_kincaid_grade(topic.answer.text) <= MAX_GRADE


def test_scope_replies_read_at_grade_eight_or_below() -> None:
    scope = guide().scope
    for reply in (scope.not_covered_reply, scope.off_topic_reply, scope.safety_reply):
        assert textstat.flesch_kincaid_grade(reply) <= MAX_GRADE, reply


@pytest.mark.parametrize("topic", [t for t in guide().topics() if t.answer], ids=lambda t: t.id)
def test_answer_is_short_enough_to_hear_once(topic: Any) -> None:
    """About 25 seconds at most, offer included."""
    assert len(f"{topic.answer.text} {topic.answer.offer}".split()) <= 60


@pytest.mark.parametrize("entry", guide().glossary, ids=lambda e: e.term)
def test_glossary_meaning_reads_at_grade_eight_or_below(entry: Any) -> None:
    assert textstat.flesch_kincaid_grade(entry.meaning) <= MAX_GRADE


@pytest.mark.parametrize("section", guide().sections, ids=lambda s: s.id)
def test_pages_are_short_enough_to_hear_once(section: Any) -> None:
    assert [len(page.split()) for page in section.pages if len(page.split()) > MAX_WORDS] == []


@pytest.mark.parametrize("section", guide().sections, ids=lambda s: s.id)
def test_summary_is_one_sentence(section: Any) -> None:
    summary = section.summary
    assert summary.endswith(".")
    assert sum(summary.count(mark) for mark in ".?!") == 1


@pytest.mark.parametrize("term", [
    "facial nerve", "cranial nerve seven", "brainstem", "blood vessel", "artery",
    "posterior inferior cerebellar artery", "anterior inferior cerebellar artery",
    "anticonvulsant", "botulinum toxin", "microvascular decompression", "neurologist",
])
def test_glossary_explains(term: str) -> None:
    entry = guide().find_term(term)
    assert entry is not None
    assert len(entry.meaning.split()) >= 5


# --- loader validation -------------------------------------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the content files, to break in one way per test."""
    target = tmp_path / "content"
    shutil.copytree(loader.CONTENT_DIR, target,
                    ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _edit(path: Path, change: Callable[[Any], Any]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(change(data) or data, sort_keys=False), encoding="utf-8")


def _section_file(root: Path) -> Path:
    return root / "sections" / "2-causes.yaml"


def test_unchanged_copy_loads(content_copy: Path) -> None:
    assert load_guide(content_copy) == guide()


def _drop_summary(data: dict) -> None:
    del data["summary"]


def _empty_pages(data: dict) -> None:
    data["pages"] = []


def _title_as_list(data: dict) -> None:
    data["title"] = ["What", "causes it"]


def _long_page(data: dict) -> None:
    data["pages"][1] = " ".join(["word"] * (MAX_WORDS + 5))


def _two_sentence_summary(data: dict) -> None:
    data["summary"] = "It is a nerve. It is pressed."


@pytest.mark.parametrize(("change", "field"), [
    (_drop_summary, "summary"),
    (_empty_pages, "pages"),
    (_title_as_list, "title"),
    (_long_page, "pages[2]"),
    (_two_sentence_summary, "summary"),
], ids=["missing field", "empty pages", "wrong type", "too-long page", "two-sentence summary"])
def test_broken_section_names_file_and_field(content_copy: Path, change: Callable, field: str) -> None:
    _edit(_section_file(content_copy), change)
    with pytest.raises(ContentError) as caught:
        load_guide(content_copy)
    assert caught.value.path.name == "2-causes.yaml"
    assert caught.value.field == field
    assert "2-causes.yaml" in str(caught.value)
    assert field in str(caught.value)


def test_yaml_syntax_error_names_file_and_line(content_copy: Path) -> None:
    path = _section_file(content_copy)
    path.write_text("id: causes\ntitle: [What causes it\nname: causes\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_guide(content_copy)
    assert "2-causes.yaml" in str(caught.value)
    assert "YAML error at line" in str(caught.value)


def test_duplicate_section_id_is_reported(content_copy: Path) -> None:
    source = _section_file(content_copy)
    copy = source.with_name("6-causes-again.yaml")
    shutil.copy(source, copy)
    with pytest.raises(ContentError) as caught:
        load_guide(content_copy)
    assert caught.value.field == "id"
    assert "sections" in str(caught.value)
    assert "'causes' is used twice" in str(caught.value)


def test_unknown_slot_placeholder_is_reported(content_copy: Path) -> None:
    def add_sample(data: dict) -> None:
        data["intents"]["ReadSectionIntent"]["samples"].append("tell me about {topic}")

    _edit(content_copy / "intents.yaml", add_sample)
    with pytest.raises(ContentError) as caught:
        load_guide(content_copy)
    assert caught.value.path.name == "intents.yaml"
    assert caught.value.field == "intents.ReadSectionIntent"
    assert "{topic}" in str(caught.value)


def _say_list_sections(text: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["list_sections"] = text
    return change


@pytest.mark.parametrize(("text", "problem"), [
    ("The sections are: {names}.", "uses {names}, but can only use {items}"),
    ("The sections are: {items.", "stray brace"),
], ids=["field the skill does not fill", "unclosed brace"])
def test_message_braces_the_skill_cannot_fill_are_reported(content_copy: Path, text: str,
                                                           problem: str) -> None:
    _edit(content_copy / "messages.yaml", _say_list_sections(text))
    with pytest.raises(ContentError) as caught:
        load_guide(content_copy)
    assert caught.value.field == "list_sections"
    assert problem in str(caught.value)


def test_a_message_may_leave_out_a_field(content_copy: Path) -> None:
    _edit(content_copy / "messages.yaml", _say_list_sections("Here are the sections."))
    assert load_guide(content_copy).message("list_sections", items="x") == "Here are the sections."


def test_code_asking_for_a_message_with_other_fields_fails_loudly() -> None:
    with pytest.raises(TypeError, match="list_sections"):
        guide().message("list_sections", names="1, Overview")


def _answers(answers: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["answers"] = answers
    return change


def _answer(**changes: Any) -> list[dict[str, Any]]:
    answer = {"id": "pressure", "questions": ["what presses on it"], "answer": "A vessel.",
              "offer": "Want more?", "more": 2}
    answer.update(changes)
    return [{k: v for k, v in answer.items() if v is not None}]


@pytest.mark.parametrize(("answers", "field", "problem"), [
    (_answer(more=9), "answers[1].more", "from 1 to 2, or a section id"),
    (_answer(more=True), "answers[1].more", "from 1 to 2, or a section id"),
    (_answer(questions=None), "answers[1].questions", "list of one or more texts"),
    (_answer(answer=None), "answers[1].answer", "must be some text"),
    (_answer(offer=None), "answers[1].offer", "must be some text"),
    (_answer(id="Bad Id"), "answers[1].id", "lower-case letters"),
    (_answer(questions=["what presses on {that}"]), "answers[1].questions[1]", "only use {it}"),
    ("page 2", "answers", "must be a list"),
], ids=["past the last page", "not a number", "no questions", "no answer", "no offer",
        "bad id", "unknown placeholder", "not a list"])
def test_a_broken_answer_is_reported(content_copy: Path, answers: Any, field: str,
                                     problem: str) -> None:
    _edit(_section_file(content_copy), _answers(answers))
    with pytest.raises(ContentError) as caught:
        load_guide(content_copy)
    assert caught.value.field == field
    assert problem in str(caught.value)


def test_an_answer_offering_an_unknown_section_is_reported(content_copy: Path) -> None:
    _edit(_section_file(content_copy), _answers(_answer(more="nowhere")))
    with pytest.raises(ContentError, match="'nowhere' is not a section id"):
        load_guide(content_copy)


def test_an_answer_id_used_twice_is_reported(content_copy: Path) -> None:
    _edit(_section_file(content_copy), _answers(_answer(id="treatment")))
    with pytest.raises(ContentError, match="'treatment' is used twice"):
        load_guide(content_copy)


def test_a_question_asked_in_two_places_is_reported(content_copy: Path) -> None:
    _edit(_section_file(content_copy), _answers(_answer(questions=["how is it treated"])))
    with pytest.raises(ContentError, match="'how is it treated' is asked in two places"):
        load_guide(content_copy)


def test_a_question_with_it_is_heard_with_every_name_of_the_condition() -> None:
    causes = guide().section("causes")
    assert {f"what causes {name}" for name in guide().subjects} <= set(causes.questions)


def _scope_offers(topic_id: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        data["off_topic"]["instead"] = ["causes", topic_id]
    return change


def test_scope_offering_an_unknown_answer_is_reported(content_copy: Path) -> None:
    _edit(content_copy / "scope.yaml", _scope_offers("cures"))
    with pytest.raises(ContentError, match="'cures' is not a section or answer id"):
        load_guide(content_copy)


def _drop_guide_end(data: dict) -> None:
    del data["guide_end"]


def _drop_third_meaning(data: dict) -> None:
    del data["terms"][2]["meaning"]


@pytest.mark.parametrize(("name", "change", "field"), [
    ("messages.yaml", _drop_guide_end, "guide_end"),
    ("glossary.yaml", _drop_third_meaning, "terms[3].meaning"),
], ids=["missing message", "glossary entry without meaning"])
def test_missing_field_is_reported(content_copy: Path, name: str, change: Callable, field: str) -> None:
    _edit(content_copy / name, change)
    with pytest.raises(ContentError) as caught:
        load_guide(content_copy)
    assert caught.value.path.name == name
    assert caught.value.field == field


def test_missing_file_is_reported(content_copy: Path) -> None:
    (content_copy / "messages.yaml").unlink()
    with pytest.raises(ContentError, match=r"messages\.yaml: file is missing"):
        load_guide(content_copy)


@pytest.fixture
def packaged_content(content_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Make the copy the content the whole program uses, then put the real one back."""
    monkeypatch.setattr(loader, "CONTENT_DIR", content_copy)
    guide.cache_clear()
    yield content_copy
    guide.cache_clear()


def test_check_command_reports_broken_content_without_traceback(
        packaged_content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(_section_file(packaged_content), _empty_pages)
    assert cli.main(["check"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("spasm-guide check: ") and "2-causes.yaml: pages:" in err
    assert "Traceback" not in out + err
