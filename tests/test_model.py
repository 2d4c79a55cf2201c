"""The Alexa interaction model: generated from content, unambiguous, and understood
the same way by the chat's resolver."""

from __future__ import annotations

import importlib
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from content import guide
from skill import model
from skill.utterances import FALLBACK, resolver, tidy

MODEL_DIR = model.SKILL_PACKAGE / "interactionModels" / "custom"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")


def _language_model(locale: str = "en-US") -> dict[str, Any]:
    text = (MODEL_DIR / f"{locale}.json").read_text(encoding="utf-8")
    return json.loads(text)["interactionModel"]["languageModel"]


def _intents() -> list[dict[str, Any]]:
    return _language_model()["intents"]


def _samples() -> list[tuple[str, str]]:
    return [(intent["name"], sample) for intent in _intents() for sample in intent["samples"]]


def test_committed_skill_package_matches_content() -> None:
    assert model.stale_files() == [], "run: spasm-guide model"


ENDPOINT = {"uri": "arn:aws:lambda:us-east-1:123456789012:function:facial-spasm-guide"}


@pytest.fixture
def deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of skill-package/ whose skill.json `ask deploy` gave an endpoint, as it writes it."""
    package = tmp_path / "skill-package"
    shutil.copytree(model.SKILL_PACKAGE, package)
    manifest = json.loads((package / "skill.json").read_text(encoding="utf-8"))
    manifest["manifest"]["apis"]["custom"]["endpoint"] = ENDPOINT
    (package / "skill.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    monkeypatch.setattr(model, "SKILL_PACKAGE", package)
    return package


def test_a_deployed_endpoint_does_not_make_the_model_stale(deployed: Path) -> None:
    assert model.stale_files() == []


def test_regenerating_keeps_the_deployed_endpoint(deployed: Path) -> None:
    manifest = deployed / "skill.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("spoken guide", "Hello"),
                        encoding="utf-8")
    assert model.write_model() == [manifest]
    written = json.loads(manifest.read_text(encoding="utf-8"))
    assert written["manifest"]["apis"]["custom"]["endpoint"] == ENDPOINT
    assert "Hello" not in manifest.read_text(encoding="utf-8")


def test_model_has_five_english_locales() -> None:
    assert {path.stem for path in MODEL_DIR.glob("*.json")} == set(LOCALES)
    manifest = json.loads((model.SKILL_PACKAGE / "skill.json").read_text(encoding="utf-8"))
    assert set(manifest["manifest"]["publishingInformation"]["locales"]) == set(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name(locale: str) -> None:
    assert _language_model(locale)["invocationName"] == "facial spasm guide"


@pytest.mark.parametrize("builtin", [
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent", "AMAZON.StartOverIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
    "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
])
def test_required_builtin_intent_is_declared(builtin: str) -> None:
    assert builtin in {intent["name"] for intent in _intents()}


def test_intent_names_are_unique() -> None:
    names = [intent["name"] for intent in _intents()]
    assert len(names) == len(set(names))


def test_no_phrase_belongs_to_two_intents() -> None:
    """Samples and the built-in phrases the chat knows: each means exactly one intent."""
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, sample in _samples():
        owners[tidy(sample)].add(intent)
    for phrases in guide().intents:
        for phrase in phrases.builtin_phrases:
            owners[tidy(phrase)].add(phrases.name)
    shared = {phrase: sorted(intents) for phrase, intents in owners.items() if len(intents) > 1}
    assert shared == {}


def test_every_slot_in_a_sample_is_declared() -> None:
    for intent in _intents():
        declared = {slot["name"] for slot in intent.get("slots", [])}
        used = {name for sample in intent["samples"] for name in re.findall(r"\{(\w+)\}", sample)}
        assert used == declared, intent["name"]


def test_slot_types_list_every_section_and_term() -> None:
    types = {t["name"]: t["values"] for t in _language_model()["types"]}
    assert [v["name"]["value"] for v in types["SectionName"]] == [s.name for s in guide().sections]
    assert [v["name"]["value"] for v in types["GlossaryTerm"]] == [e.term for e in guide().glossary]


def _slot_values() -> dict[str, list[tuple[str, str]]]:
    """Every spoken form of each slot, with its canonical value: (form, canonical)."""
    types = {t["name"]: t["values"] for t in _language_model()["types"]}
    forms = {slot: [(form, value["name"]["value"]) for value in types[kind]
                    for form in (value["name"]["value"], *value["name"]["synonyms"])]
             for slot, kind in (("section", "SectionName"), ("term", "GlossaryTerm"))}
    forms["number"] = [("three", "3"), ("5", "5"), ("first", "1")]
    forms["ordinal"] = [("first", "1"), ("third", "3"), ("5", "5")]
    return forms


@pytest.mark.parametrize(("intent", "sample"), _samples(), ids=lambda v: v)
def test_sample_resolves_to_its_own_intent(intent: str, sample: str) -> None:
    """With every value its slot can take: a sample that another intent also matches
    is ambiguous. Only a section's own question may win over its name, as both read it."""
    slots = re.findall(r"\{(\w+)\}", sample)
    assert len(slots) <= 1, "samples use at most one slot"
    values = _slot_values()[slots[0]] if slots else [("", "")]
    for form, canonical in values:
        said = sample.replace("{" + slots[0] + "}", form) if slots else sample
        resolution = resolver().resolve(said)
        if slots and resolution.intent == intent:
            assert resolution.slots[slots[0]].resolved == canonical, said
            continue
        section = guide().section_for_intent(resolution.intent)
        allowed = slots == ["section"] and section is not None and section.name == canonical
        assert resolution.intent == intent or allowed, f"{said!r} -> {resolution.intent}"


def test_a_slot_sample_with_an_unknown_value_is_not_a_match() -> None:
    assert resolver().resolve("tell me about the weather").slots["section"].resolved is None
    assert resolver().resolve("completely unrelated words here").intent == FALLBACK


@pytest.mark.parametrize(("said", "section_id"), [
    ("what causes it", "causes"),
    ("why does it happen", "causes"),
    ("how do you treat it", "treatment"),
    ("is it dangerous", "overview"),
    ("who should I see", "get_help"),
    ("tell me about botox", "treatment"),
    ("symptoms", "symptoms"),
    ("What is hemifacial spasm?", "overview"),
    ("what is microvascular decompression", "treatment"),
])
def test_real_questions_reach_the_right_section(said: str, section_id: str) -> None:
    """By the section's own question intent, or by its name in a slot."""
    resolution = resolver().resolve(said)
    section = guide().section_for_intent(resolution.intent)
    if section is None:
        assert resolution.intent == "ReadSectionIntent"
        section = guide().find_section(resolution.slots["section"].resolved or "")
    assert section is not None and section.id == section_id


@pytest.mark.parametrize(("said", "section_id", "page"), [
    ("what causes it", "causes", 1),
    ("can it kill me", "overview", 4),
    ("will it spread", "overview", 3),
    ("which artery causes it", "causes", 3),
    ("will it get worse", "symptoms", 2),
    ("does botox help", "treatment", 2),
    ("what is microvascular decompression", "treatment", 3),
])
def test_questions_reach_the_page_that_answers_them(said: str, section_id: str, page: int) -> None:
    place = guide().place_for_intent(resolver().resolve(said).intent)
    assert place == (guide().section_index(section_id), page - 1)


def test_each_answering_page_has_an_intent_in_the_model() -> None:
    names = {intent["name"] for intent in model.interaction_model(guide())["interactionModel"][
        "languageModel"]["intents"]}
    overview = guide().section("overview")
    assert {overview.answer_intent_name(a) for a in overview.answers} <= names
    assert "ReadOverviewPage4Intent" in names


@pytest.mark.parametrize(("message", "phrase", "intent"), [
    ("first_options", "what causes it", "ReadCausesIntent"),
    ("first_options", "read everything", "ReadAllIntent"),
    ("more_pages", "next", "AMAZON.NextIntent"),
    ("section_end", "list the sections", "ListSectionsIntent"),
    ("guide_end", "start over", "AMAZON.StartOverIntent"),
    ("guide_end", "stop", "AMAZON.StopIntent"),
    ("pick_section", "section two", "SectionNumberIntent"),
    ("pick_section", "next", "AMAZON.NextIntent"),
    ("sections_more", "more", "AMAZON.NextIntent"),
    ("sections_more", "section two", "SectionNumberIntent"),
    ("brief_on", "more detail", "DetailIntent"),
    ("detail_on", "brief", "BriefIntent"),
    ("help_general", "slower", "SlowerIntent"),
    ("help_general", "faster", "FasterIntent"),
    ("help_in_section", "back", "AMAZON.PreviousIntent"),
    ("help_in_section", "repeat", "AMAZON.RepeatIntent"),
    ("short_choices", "help", "AMAZON.HelpIntent"),
    ("resume_yes_no", "yes", "AMAZON.YesIntent"),
    ("resume_yes_no", "no", "AMAZON.NoIntent"),
    ("glossary_prompt", "what does brainstem mean", "DefineTermIntent"),
    ("glossary_prompt", "next", "AMAZON.NextIntent"),
    ("glossary_more", "more", "AMAZON.NextIntent"),
    ("term_unknown", "next", "AMAZON.NextIntent"),
    ("term_unknown_heard", "next", "AMAZON.NextIntent"),
    ("term_on_page", "next", "AMAZON.NextIntent"),
    ("paused", "yes", "AMAZON.YesIntent"),
])
def test_what_the_skill_tells_people_to_say_is_understood(message: str, phrase: str,
                                                          intent: str) -> None:
    assert phrase in guide().messages[message].lower()
    assert resolver().resolve(phrase).intent == intent


def test_ask_resources_point_at_the_lambda_handler() -> None:
    resources = json.loads((model.PROJECT_ROOT / "ask-resources.json").read_text(encoding="utf-8"))
    profile = resources["profiles"]["default"]
    assert Path(model.PROJECT_ROOT, profile["skillMetadata"]["src"]).resolve() == model.SKILL_PACKAGE
    handler = profile["skillInfrastructure"]["userConfig"]["handler"]
    assert handler == "skill.lambda_function.lambda_handler"
    module_name, function = handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module_name), function))
