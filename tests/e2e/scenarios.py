"""The shared end-to-end conversations (conversations.json) and how their replies are judged.

The same steps run through two independent clients: virtual-alexa against the
real web server (test_virtual_alexa.py) and the in-process chat engine
(tests/test_e2e_chat.py). Expectations are written against the content
(section ids, page numbers, glossary terms), so editing the wording of the
guide does not break them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content import guide
from handlers import narration
from tests.helpers import resume_offer, ssml_text

CONVERSATIONS_FILE = Path(__file__).with_name("conversations.json")


@dataclass(frozen=True)
class Reply:
    """What the skill answered to one step, whichever client carried it."""

    ssml: str
    ended: bool
    intent: str = ""

    @property
    def text(self) -> str:
        return ssml_text(self.ssml)


def conversations() -> dict[str, dict[str, Any]]:
    with CONVERSATIONS_FILE.open(encoding="utf-8") as file:
        return json.load(file)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _section(section_id: str):
    content = guide()
    return content.sections[content.section_index(section_id)]


def problems(expect: dict[str, Any], reply: Reply) -> list[str]:
    """Everything about the reply that does not match the step's expectations."""
    content = guide()
    text = reply.text
    found: list[str] = []

    def need(phrase: str, why: str) -> None:
        if _flat(phrase) not in text:
            found.append(f"{why}: expected {phrase!r} in {text!r}")

    if "intent" in expect and reply.intent != expect["intent"]:
        found.append(f"understood as {reply.intent!r}, expected {expect['intent']!r}")
    if "ended" in expect and reply.ended != expect["ended"]:
        found.append(f"session ended={reply.ended}, expected {expect['ended']}")
    for phrase in expect.get("says", []):
        need(phrase, "says")
    for fragment in expect.get("ssml", []):
        if fragment not in reply.ssml:
            found.append(f"ssml: expected {fragment!r} in {reply.ssml!r}")
    if "reads" in expect:
        section, page = _section(expect["reads"]["section"]), expect["reads"]["page"]
        need(section.pages[page - 1], f"page {page} of {section.id}")
        heading = content.message("section_heading", title=section.title)
        if page == 1:
            need(heading, "section heading on its first page")
    if "answers" in expect:
        topic = content.topic(expect["answers"])
        if topic is None:
            found.append(f"no answer {expect['answers']!r}")
        else:
            text_of = topic.answer.text if topic.answer else topic.home.pages[0]
            offer = topic.answer.offer if topic.answer else topic.home.offer
            need(text_of, f"answer {topic.id}")
            need(offer, f"offer after {topic.id}")
    for kind, said in (("not_covered", content.scope.not_covered_reply),
                       ("safety", content.scope.safety_reply),
                       ("off_topic", content.scope.off_topic_reply)):
        if expect.get(kind):
            need(said, kind.replace("_", " "))
    if "where" in expect:
        section, page = _section(expect["where"]["section"]), expect["where"]["page"]
        number = content.sections.index(section) + 1
        need(content.message("where_am_i", number=number, title=section.title, page=page,
                             pages=len(section.pages)), "where am I")
    if "resume_offer" in expect:
        need(resume_offer(expect["resume_offer"]), "offer to resume")
    if "notice" in expect:
        heard = _flat(content.notice) in text
        if heard != expect["notice"]:
            found.append(f"notice heard={heard}, expected {expect['notice']}")
    if expect.get("lists_sections"):
        for section in content.sections:
            need(section.title, "section list")
    if "lists_words" in expect:
        first, last = expect["lists_words"]
        words = [entry.term for entry in content.glossary[first - 1:last]]
        need(narration.spoken_list(words), f"glossary words {first} to {last}")
    if "defines" in expect:
        entry = content.find_term(expect["defines"])
        if entry is None:
            found.append(f"no glossary entry {expect['defines']!r}")
        else:
            need(entry.meaning, f"meaning of {entry.term}")
    return found


def check(name: str, replies: list[tuple[dict[str, Any], Reply | None]]) -> None:
    """Fail with every mismatch in one conversation, step by step."""
    report = []
    for index, (step, reply) in enumerate(replies):
        expect = step.get("expect")
        if not expect:
            continue
        if reply is None:
            report.append(f"step {index} {step}: no reply")
            continue
        report += [f"step {index} ({step.get('text') or step['do']}): {p}"
                   for p in problems(expect, reply)]
    assert not report, f"conversation {name!r}:\n" + "\n".join(report)
