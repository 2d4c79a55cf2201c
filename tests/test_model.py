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
from content.text import normalise
from skill.publish import interaction_model as model
from skill.understanding.resolver import FALLBACK, resolver

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
        owners[normalise(sample)].add(intent)
    for phrases in guide().intents:
        for phrase in phrases.builtin_phrases:
            owners[normalise(phrase)].add(phrases.name)
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


def _intent_names() -> list[str]:
    return [intent["name"] for intent in _intents() if intent["samples"]]


@pytest.mark.parametrize("intent", _intent_names())
def test_every_sample_resolves_to_its_own_intent(intent: str) -> None:
    """With every value its slot can take: a sample that another intent also matches is
    ambiguous. Only a section's own question may win over its name, as both answer it, and
    a question written out in full over a glossary pattern ("what is {term}")."""
    samples = next(i["samples"] for i in _intents() if i["name"] == intent)
    for sample in samples:
        slots = re.findall(r"\{(\w+)\}", sample)
        assert len(slots) <= 1, "samples use at most one slot"
        for form, canonical in _slot_values()[slots[0]] if slots else [("", "")]:
            said = sample.replace("{" + slots[0] + "}", form) if slots else sample
            resolution = resolver().resolve(said)
            if slots and resolution.intent == intent:
                assert resolution.slots[slots[0]].resolved == canonical, said
                continue
            topic = guide().topic_for_intent(resolution.intent)
            allowed = topic is not None and (
                (slots == ["section"] and topic.answer is None and topic.home.name == canonical)
                or (slots == ["term"] and said in topic.questions))
            assert resolution.intent == intent or allowed, f"{said!r} -> {resolution.intent}"


def test_a_slot_sample_with_an_unknown_value_is_not_a_match() -> None:
    assert resolver().resolve("tell me about the weather").slots["section"].resolved is None
    assert resolver().resolve("completely unrelated words here").intent == FALLBACK


@pytest.mark.parametrize(("said", "topic_id"), [
    ("what causes it", "causes"),
    ("What is hemifacial spasm?", "overview"),
    ("can it kill me", "dangerous"),
    ("will it spread", "spread"),
    ("which artery causes it", "artery"),
    ("will it get worse", "worse"),
    ("does botox help", "botox"),
    ("what is microvascular decompression", "surgery"),
    ("who should I see", "who_to_see"),
    ("what are the symptoms of hemifacial spasm", "symptoms"),
])
def test_questions_reach_their_own_answer(said: str, topic_id: str) -> None:
    topic = guide().topic_for_intent(resolver().resolve(said).intent)
    assert topic is not None and topic.id == topic_id


@pytest.mark.parametrize("said", ["what are the symptoms of hemifacial spasm",
                                  "what are the causes of facial spasm",
                                  "take me to the treatment section"])
def test_a_slot_pattern_does_not_swallow_a_question(said: str) -> None:
    """'what are {term}' and '{ordinal} section' once captured these."""
    assert resolver().resolve(said).intent not in ("DefineTermIntent", "SectionNumberIntent")


def test_every_answer_has_an_intent_with_thirty_samples() -> None:
    counts = {intent["name"]: len(intent["samples"]) for intent in _intents()}
    assert {topic.intent_name: counts.get(topic.intent_name, 0) for topic in guide().topics()
            if counts.get(topic.intent_name, 0) < 30} == {}


def test_not_covered_questions_have_their_own_intents() -> None:
    names = {intent["name"] for intent in _intents()}
    expected = {group.intent_name for group in guide().scope.not_covered}
    assert expected | {"OffTopicIntent", "SafetyIntent"} <= names


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
    assert handler == "skill.aws_lambda.handler.lambda_handler"
    module_name, function = handler.rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module_name), function))
