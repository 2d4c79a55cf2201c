"""skill-package/skill.json against the ASK manifest rules that can be checked offline.

What certification checks first: every locale's name, summary, description, keywords
and example phrases within the store's limits; icons of exactly 108 and 512 px PNG
that exist in the package; a known category; the privacy answers; and example
phrases that are real samples of the interaction model, so they work when tried.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from content import guide
from skill.publish import interaction_model as model
from skill.publish import store_listing as skill_manifest

PACKAGE = model.SKILL_PACKAGE
LISTING_LIMITS = {"name": 50, "summary": 160, "description": 4000}
PRIVACY_ANSWERS = ("allowsPurchases", "usesPersonalInfo", "isChildDirected",
                   "isExportCompliant", "containsAds")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads((PACKAGE / "skill.json").read_text(encoding="utf-8"))["manifest"]


@pytest.fixture(scope="module")
def locales(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return manifest["publishingInformation"]["locales"]


@pytest.fixture(scope="module")
def samples() -> set[str]:
    """Every sample utterance of the generated interaction model, lower case."""
    language = model.interaction_model(guide())["interactionModel"]["languageModel"]
    return {sample.lower() for intent in language["intents"] for sample in intent["samples"]}


def test_manifest_version_and_locales(manifest: dict[str, Any]) -> None:
    assert manifest["manifestVersion"] == "1.0"
    assert set(manifest["publishingInformation"]["locales"]) == set(model.LOCALES)


@pytest.mark.parametrize("field", sorted(LISTING_LIMITS))
def test_listing_texts_are_present_and_within_limits(locales: dict[str, dict[str, Any]],
                                                     field: str) -> None:
    for locale, info in locales.items():
        assert 0 < len(info[field].strip()) <= LISTING_LIMITS[field], (locale, field)


def test_keywords_are_from_content_and_within_limits(locales: dict[str, dict[str, Any]]) -> None:
    for info in locales.values():
        assert 0 < len(info["keywords"]) <= 30
        assert "hemifacial spasm" in info["keywords"]
        assert all(keyword.strip() for keyword in info["keywords"])


def test_example_phrases_start_with_the_wake_word_and_open_the_skill(
        locales: dict[str, dict[str, Any]]) -> None:
    for info in locales.values():
        phrases = info["examplePhrases"]
        assert 1 <= len(phrases) <= 3
        assert all(phrase.startswith("Alexa, ") for phrase in phrases)
        assert phrases[0] == f"Alexa, open {guide().invocation}"


def test_example_questions_are_samples_of_the_model(locales: dict[str, dict[str, Any]],
                                                    samples: set[str]) -> None:
    """"Alexa, ask <invocation> <utterance>" works only when <utterance> is a sample."""
    prefix = f"Alexa, ask {guide().invocation} "
    for info in locales.values():
        for phrase in info["examplePhrases"][1:]:
            assert phrase.startswith(prefix)
            assert phrase.removeprefix(prefix).lower() in samples, phrase


@pytest.mark.parametrize(("key", "size"), sorted(skill_manifest.ICON_SIZES.items()))
def test_icons_are_pngs_of_the_required_size_in_the_package(
        locales: dict[str, dict[str, Any]], key: str, size: int) -> None:
    for info in locales.values():
        uri = info[key]
        assert uri.startswith("file://")
        path: Path = PACKAGE / uri.removeprefix("file://")
        with Image.open(path) as image:
            assert (image.format, image.size) == ("PNG", (size, size))


def test_category_is_health_and_fitness(manifest: dict[str, Any]) -> None:
    assert manifest["publishingInformation"]["category"] == "HEALTH_AND_FITNESS"


def test_privacy_and_compliance_are_all_answered(manifest: dict[str, Any]) -> None:
    privacy = manifest["privacyAndCompliance"]
    assert all(isinstance(privacy[answer], bool) for answer in PRIVACY_ANSWERS)
    assert set(privacy["locales"]) == set(model.LOCALES)


def test_icons_are_current_for_the_guide_name() -> None:
    assert skill_manifest.stale_icons(guide(), PACKAGE) == []


def test_a_renamed_guide_makes_the_icons_stale(tmp_path: Path) -> None:
    skill_manifest.write_icons(guide(), tmp_path)
    renamed = dataclasses.replace(guide(), name="Another Guide")
    assert len(skill_manifest.stale_icons(renamed, tmp_path)) == len(skill_manifest.ICON_SIZES)
