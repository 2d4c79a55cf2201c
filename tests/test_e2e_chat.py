"""The end-to-end conversations of tests/e2e/conversations.json, through the chat engine.

The same steps and expectations that virtual-alexa drives against the real
server (tests/e2e/test_virtual_alexa.py) run here in-process, through
skill.engine.conversation.Conversation: what `spasm-guide chat` uses. Both clients
must understand the phrases the same way and get the same answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from content import guide
from skill import cli
from skill.engine.conversation import Conversation
from skill.understanding.resolver import Resolution, Slot
from tests.e2e.scenarios import Reply, check, conversations
from tests.helpers import resume_offer


def run_steps(conversation: Conversation, steps: list[dict[str, Any]]) -> list[Reply | None]:
    replies: list[Reply | None] = []
    for step in steps:
        action = step["do"]
        if action == "launch":
            turn = conversation.launch()
        elif action == "say":
            turn = conversation.say(step["text"])
        elif action in ("intent", "local"):
            slots = {name: Slot(value, value) for name, value in step.get("slots", {}).items()}
            turn = conversation.send(Resolution(step["name"], slots))
        elif action == "end":
            conversation.end()
            replies.append(None)
            continue
        elif action == "new_session":
            conversation.session = None
            replies.append(None)
            continue
        else:
            raise AssertionError(f"unknown step {step}")
        replies.append(Reply(ssml=turn.ssml, ended=turn.ended, intent=turn.intent))
    return replies


@pytest.mark.parametrize("name", sorted(conversations()))
def test_conversation(conversation: Conversation, name: str) -> None:
    steps = conversations()[name]["steps"]
    replies = run_steps(conversation, steps)
    check(name, list(zip(steps, replies, strict=True)))


def test_every_step_is_a_known_kind() -> None:
    for name, conversation in conversations().items():
        assert conversation["steps"], name
        for step in conversation["steps"]:
            assert step["do"] in {"launch", "say", "intent", "local", "end", "new_session"}, (name, step)
            assert ("text" in step) == (step["do"] == "say"), (name, step)


def test_chat_command_resumes_across_runs(tmp_path: Path, typed: Callable[[Iterable[str]], None],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`spasm-guide chat` twice with the same --user and --data-dir: the place is kept."""
    def chat(lines: list[str]) -> str:
        typed(lines)
        assert cli.main(["chat", "--data-dir", str(tmp_path), "--user", "chat-e2e"]) == 0
        return " ".join(capsys.readouterr().out.split())

    causes = guide().sections[guide().section_index("causes")]
    first = chat(["what causes it", "next", "slower", "stop"])
    assert " ".join(causes.pages[1].split()) in first
    second = chat(["yes", "quit"])
    assert resume_offer("causes") in second
    assert second.count(" ".join(causes.pages[1].split())) == 1
