"""How well the guide understands people's own words: `make eval`.

Runs the held-out evaluation set (tests/eval/phrasings.yaml: phrasings written by
someone who never read the samples, never used as samples) through

- the tolerant resolver that chat, ask and listen use, and
- the interaction model's samples matched exactly, the way the old chat did (a floor
  for Alexa, whose own language understanding generalises beyond its samples),

and prints, for each: in scope answered in the first reply, out of scope told plainly,
wrong answers, and "did you mean" questions. Also for the phrasings that are neither a
sample nor said word for word by one of the writers the resolver learns from
(content/asked/): short common questions ("what causes it") coincide by nature. The
writers' own figures, each held out in turn, come from bench/tune_understanding.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from content import guide
from content.asked import asked
from skill.understanding.own_words import (
    ANSWER,
    CONFIRM,
    Understanding,
    comparable,
    understander,
)
from skill.understanding.resolver import FALLBACK, Resolution, resolver

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "tests" / "eval" / "phrasings.yaml"
OUT_OF_SCOPE = {"not_covered", "off_topic"}
# Section answers under the names the evaluation set uses for them.
SECTION_TARGETS = {"overview": "what_is", "get_help": "when_to_see"}
# Answers the sets have no target of their own for, and the target they answer.
PART_OF = {"treatment_aim": "treatment", "manage": "when_to_see"}
NAVIGATION = {
    "AMAZON.NextIntent": "next", "AMAZON.PreviousIntent": "previous",
    "AMAZON.RepeatIntent": "repeat", "WhereAmIIntent": "where_am_i",
    "ListSectionsIntent": "list_sections", "ReadAllIntent": "read_all",
    "SlowerIntent": "slower", "FasterIntent": "faster", "NormalSpeedIntent": "normal_speed",
    "BriefIntent": "brief", "DetailIntent": "detail", "AMAZON.HelpIntent": "help",
    "AMAZON.StopIntent": "stop", "AMAZON.CancelIntent": "stop", "AMAZON.PauseIntent": "pause",
    "WaitIntent": "pause", "AMAZON.StartOverIntent": "start_over", "GlossaryIntent": "glossary",
    "AMAZON.YesIntent": "yes", "AMAZON.NoIntent": "no", "NoticeIntent": "notice",
    "OffTopicIntent": "off_topic", "SafetyIntent": "safety", FALLBACK: "not_covered",
    "NextSectionIntent": "next", "PreviousSectionIntent": "previous",
}


@dataclass(frozen=True)
class Phrasing:
    said: str
    expect: str

    @property
    def in_scope(self) -> bool:
        return self.expect not in OUT_OF_SCOPE


def load(path: Path) -> list[Phrasing]:
    return [Phrasing(str(p["said"]), str(p["expect"]))
            for p in yaml.safe_load(path.read_text(encoding="utf-8"))["phrasings"]]


def heard_first(resolution: Resolution) -> set[str]:
    """What the listener hears first, as the evaluation set's targets (a section asked
    for by name or number starts with its answer, so it counts as either)."""
    name = resolution.intent
    content = guide()
    if name.startswith("NotCovered"):
        return {"not_covered"}
    if name in NAVIGATION:
        return {NAVIGATION[name]}
    topic = content.topic_for_intent(name)
    if topic is not None:
        if topic.answer is None:
            return _section_targets(topic.section)
        return {topic.answer.id, PART_OF.get(topic.answer.id, topic.answer.id)}
    slot = next(iter(resolution.slots.values()), None)
    value = slot.resolved if slot else None
    if name == "DefineTermIntent":
        entry = content.find_term(value) if value else None
        return ({f"define:{form.lower()}" for form in (entry.term, *entry.synonyms)} if entry
                else {"not_covered"})
    if name == "ReadSectionIntent" and value and (section := content.find_section(value)):
        return _section_targets(content.section_index(section.id))
    if name == "SectionNumberIntent" and value and value.isdigit():
        number = int(value)
        return _section_targets(number - 1) if 1 <= number <= len(content.sections) else set()
    return {name}


def _section_targets(index: int) -> set[str]:
    section = guide().sections[index]
    return {f"section:{index + 1}", SECTION_TARGETS.get(section.id, section.id)}


@dataclass
class Tally:
    in_scope: int = 0
    answered: int = 0
    out_of_scope: int = 0
    told_plainly: int = 0
    wrong: int = 0
    asked_back: int = 0

    def figures(self) -> dict[str, float]:
        total = self.in_scope + self.out_of_scope
        return {"in_scope_answered": self.answered / max(self.in_scope, 1),
                "out_of_scope_told_plainly": self.told_plainly / max(self.out_of_scope, 1),
                "wrong_answers": self.wrong / max(total, 1),
                "did_you_mean": self.asked_back / max(total, 1)}


def score(phrasings: list[Phrasing], understand: object, show: bool = False) -> Tally:
    tally = Tally()
    for phrasing in phrasings:
        outcome = understand(phrasing.said)  # type: ignore[operator]
        got = heard_first(outcome.resolution) if outcome.band == ANSWER else set()
        if outcome.band != ANSWER and outcome.band != CONFIRM:
            got = {"not_covered"}
        right = phrasing.expect in got or (phrasing.expect in OUT_OF_SCOPE and got & OUT_OF_SCOPE)
        if phrasing.in_scope:
            tally.in_scope += 1
            tally.answered += bool(right)
        else:
            tally.out_of_scope += 1
            tally.told_plainly += bool(right)
        asked_back = outcome.band == CONFIRM
        tally.asked_back += asked_back
        wrong = not right and not asked_back and not (phrasing.in_scope and "not_covered" in got)
        tally.wrong += wrong
        if show and not right:
            label = "did you mean" if asked_back else ("WRONG" if wrong else "missed")
            print(f"  {label:12} {phrasing.said!r}: expected {phrasing.expect}, "
                  f"got {sorted(got) or outcome.resolution.intent} ({outcome.score:.2f})")
    return tally


def exact_match(text: str) -> Understanding:
    resolution = resolver().resolve(text)
    band = ANSWER if resolution.intent != FALLBACK else "not_covered"
    return Understanding(band, resolution)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list every phrasing not answered right")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    phrasings = load(HELD_OUT)
    started = time.perf_counter()
    tolerant = understander()
    load_seconds = time.perf_counter() - started
    timings: list[float] = []

    def timed(text: str) -> Understanding:
        began = time.perf_counter()
        outcome = tolerant.understand(text)
        timings.append(time.perf_counter() - began)
        return outcome

    samples = set(tolerant.samples.texts)
    unseen = [p for p in phrasings if comparable(p.said) not in samples]
    written = {comparable(said) for writer in asked() for said, _ in writer.phrasings}
    new = [p for p in unseen if comparable(p.said) not in written]
    results = {"tolerant resolver (chat, ask, listen)": score(phrasings, timed, args.show),
               f"  the {len(unseen)} that are not a sample": score(unseen, tolerant.understand),
               f"  the {len(new)} neither a sample nor a writer's": score(new, tolerant.understand),
               "interaction model, exact sample match": score(phrasings, exact_match)}
    kinds = Counter("out of scope" if not p.in_scope else "in scope" for p in phrasings)
    print(f"held-out set: {len(phrasings)} phrasings ({kinds['in scope']} in scope, "
          f"{kinds['out of scope']} out of scope); {HELD_OUT.relative_to(ROOT)}")
    print(f"{'':42} {'in scope':>9} {'told':>7} {'wrong':>7} {'did you':>8}")
    print(f"{'':42} {'answered':>9} {'plainly':>7} {'answers':>7} {'mean':>8}")
    report = {"set": "held-out", "phrasings": len(phrasings), **kinds}
    for name, tally in results.items():
        figures = tally.figures()
        report[name] = figures
        print(f"{name:42} {figures['in_scope_answered']:>9.1%} {figures['out_of_scope_told_plainly']:>7.1%}"
              f" {figures['wrong_answers']:>7.1%} {figures['did_you_mean']:>8.1%}")
    p50 = statistics.median(timings) * 1000
    print(f"tolerant resolver: load {load_seconds:.2f} s, {p50:.1f} ms per utterance (median)")
    report["ms_per_utterance_p50"] = p50
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
