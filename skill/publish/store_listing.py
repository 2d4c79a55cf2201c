"""skill.json, the skill store listing, and its icons: generated from content/.

Certification checks the listing as much as the skill: a name, a one-line summary,
a description and keywords per locale, up to three example phrases that the
interaction model really understands, a category, small (108 px) and large
(512 px) PNG icons, and the privacy and compliance answers. interaction_model.py writes
this file beside the interaction model; the icons are drawn by audio/artwork.py
from the guide's name and kept in skill-package/assets/.

The privacy policy URL is left out until one exists (see README, Publishing): the
store asks for one because the skill keeps a listener's place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audio import artwork
from audio.files import write_atomic
from content import Guide
from content.publishing import Publishing, publishing

ICON_SIZES = {"smallIconUri": 108, "largeIconUri": 512}
ASSETS = "assets"
CATEGORY = "HEALTH_AND_FITNESS"
# Asked in every locale: the first opens the skill, the others are questions the
# model has as samples of the reading intents (a test keeps them true).
EXAMPLE_QUESTIONS = ("what causes it", "how is it treated")
MAX_SUMMARY = 160  # the store's limits, in characters
MAX_NAME = 50


def icon_name(size: int) -> str:
    return f"icon-{size}.png"


def example_phrases(content: Guide) -> list[str]:
    return [f"Alexa, open {content.invocation}",
            *(f"Alexa, ask {content.invocation} {question}" for question in EXAMPLE_QUESTIONS)]


def _locale_info(content: Guide, details: Publishing) -> dict[str, Any]:
    return {
        "name": content.name,
        "summary": content.sections[0].summary,
        "description": details.description,
        "examplePhrases": example_phrases(content),
        "keywords": list(details.keywords),
        **{key: f"file://{ASSETS}/{icon_name(size)}" for key, size in ICON_SIZES.items()},
    }


def skill_manifest(content: Guide, locales: tuple[str, ...],
                   endpoint: dict[str, Any] | None = None,
                   details: Publishing | None = None) -> dict[str, Any]:
    """skill.json: the publishing details the ASK CLI deploys with the model.

    ``endpoint`` is the one `ask deploy` wrote (the Lambda's ARN); it is kept, not
    generated, so regenerating never unhooks a deployed skill.
    """
    details = details or publishing()
    info = _locale_info(content, details)
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": {locale: info for locale in locales},
                "isAvailableWorldwide": True,
                "testingInstructions": (
                    f"Say 'open {content.invocation}', then 'what causes it', 'next' and "
                    "'what does brainstem mean'. The skill keeps only the listener's place "
                    "in the guide and chosen speed, under the anonymous Alexa user id."),
                "category": CATEGORY,
                "distributionCountries": [],
            },
            "privacyAndCompliance": {
                "allowsPurchases": False,
                "usesPersonalInfo": False,
                "isChildDirected": False,
                "isExportCompliant": True,
                "containsAds": False,
                "shoppingKit": {"isShoppingActionsEnabled": False,
                                "isAmazonAssociatesOnAmazonShoppingEnabled": False},
                "locales": {locale: {} for locale in locales},
            },
            # endpoint after interfaces, where `ask deploy` adds it, so the bytes match
            "apis": {"custom": {"interfaces": [{"type": "AUDIO_PLAYER"}],
                                **({"endpoint": endpoint} if endpoint else {})}},
        }
    }


def _icon_paths(package: Path) -> dict[Path, int]:
    return {package / ASSETS / icon_name(size): size for size in ICON_SIZES.values()}


def stale_icons(content: Guide, package: Path) -> list[Path]:
    """Icons missing, or drawn from another name or layout than ``content``'s."""
    stale = []
    for path, size in _icon_paths(package).items():
        try:
            current = artwork.drawn_from(path.read_bytes()) == artwork.source(content.name, size)
        except OSError:
            current = False
        if not current:
            stale.append(path)
    return stale


def write_icons(content: Guide, package: Path) -> list[Path]:
    """Draw the stale icons again; returns those written."""
    stale = stale_icons(content, package)
    sizes = _icon_paths(package)
    for path in stale:
        write_atomic(path, artwork.png(content.name, sizes[path]))
    return stale
