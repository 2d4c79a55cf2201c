"""Generate the Alexa interaction model and skill manifest from content/.

The committed files under skill-package/ are build output: edit content/ and
run `spasm-guide model`. A test fails when they are out of date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from audio.files import write_atomic
from content import Guide, guide, slot_names
from content.loader import sample_owners
from skill.publish.store_listing import skill_manifest, stale_icons, write_icons

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SKILL_PACKAGE = PROJECT_ROOT / "skill-package"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
# Built-ins Alexa requires or that navigation needs, even without extra samples.
REQUIRED_BUILTINS = (
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent", "AMAZON.StartOverIntent", "AMAZON.YesIntent", "AMAZON.NoIntent",
    "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
)


def _slots_in(samples: tuple[str, ...]) -> list[dict[str, str]]:
    used = {name for sample in samples for name in slot_names.TYPES if "{" + name + "}" in sample}
    return [{"name": name, "type": slot_names.TYPES[name]} for name in sorted(used)]


def _intent(name: str, samples: tuple[str, ...]) -> dict[str, Any]:
    intent: dict[str, Any] = {"name": name, "samples": list(samples)}
    slots = _slots_in(samples)
    if slots:
        intent["slots"] = slots
    return intent


def _slot_value(value: str, synonyms: tuple[str, ...]) -> dict[str, Any]:
    return {"name": {"value": value, "synonyms": list(synonyms)}}


def interaction_model(content: Guide) -> dict[str, Any]:
    """The languageModel for one English locale (all five share it)."""
    intents = [_intent(name, samples) for name, samples in sample_owners(content)]
    declared = {i["name"] for i in intents}
    intents += [_intent(name, ()) for name in REQUIRED_BUILTINS if name not in declared]
    section_values = [
        _slot_value(s.name, tuple(dict.fromkeys((s.title, *s.synonyms)))) for s in content.sections
    ]
    term_values = [_slot_value(e.term, e.synonyms) for e in content.glossary]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": content.invocation,
                "intents": intents,
                "types": [
                    {"name": slot_names.SECTION_TYPE, "values": section_values},
                    {"name": slot_names.TERM_TYPE, "values": term_values},
                ],
            }
        }
    }


def deployed_endpoint(path: Path) -> dict[str, Any] | None:
    """apis.custom.endpoint from the current skill.json, if `ask deploy` wrote one there."""
    try:
        endpoint = json.loads(path.read_text(encoding="utf-8"))["manifest"]["apis"]["custom"][
            "endpoint"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return endpoint if isinstance(endpoint, dict) and endpoint else None


def generated_files(content: Guide | None = None) -> dict[Path, str]:
    """Every generated file under skill-package/, with its exact text."""
    content = content or guide()
    model = _dump(interaction_model(content))
    manifest = SKILL_PACKAGE / "skill.json"
    files = {manifest: _dump(skill_manifest(content, LOCALES, deployed_endpoint(manifest)))}
    for locale in LOCALES:
        files[SKILL_PACKAGE / "interactionModels" / "custom" / f"{locale}.json"] = model
    return files


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_model() -> list[Path]:
    """Regenerate skill-package/; returns the files that changed."""
    changed = write_icons(guide(), SKILL_PACKAGE)
    for path, text in generated_files().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text.encode("utf-8"))
            changed.append(path)
    return changed


def stale_files() -> list[Path]:
    """Generated files that no longer match content/."""
    return stale_icons(guide(), SKILL_PACKAGE) + [
        path for path, text in generated_files().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
