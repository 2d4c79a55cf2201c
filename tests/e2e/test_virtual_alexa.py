"""End to end through an independent Alexa client: virtual-alexa (node) against the real server.

The server runs as `spasm-guide serve` (gunicorn) on a free loopback port with
its own data folder; virtual-alexa matches each utterance against the
interaction model in skill-package/ and POSTs the request envelopes it builds,
as Alexa would. The conversations and their expectations are shared with
tests/test_e2e_chat.py (conversations.json).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from content import guide
from tests.e2e.scenarios import Reply, check, conversations
from tests.helpers import FACTS, ssml_text

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("drive.js")
START_TIMEOUT = 15.0
DRIVE_TIMEOUT = 30.0


def _node() -> str:
    """node, with virtual-alexa installed; a skip on a bare machine, a failure in CI."""
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node is not installed: `make test` needs Node.js for the virtual-alexa tests"
    elif not (ROOT / "node_modules" / "virtual-alexa" / "package.json").is_file():
        missing = "node_modules/virtual-alexa is missing: run `npm install` (make test does)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    assert node is not None
    return node


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_command() -> list[str]:
    script = Path(sys.executable).with_name("spasm-guide")
    return [str(script)] if script.exists() else [sys.executable, "-m", "skill.cli"]


def _log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real web service, verification off, one worker, stopped after the module."""
    _node()
    base = tmp_path_factory.mktemp("e2e-server")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPASM_GUIDE_")}
    # gunicorn's control socket defaults to ~/.gunicorn; keep each test server's own.
    env.update(XDG_RUNTIME_DIR=str(base), SPASM_GUIDE_LOG_LEVEL="WARNING")
    log = base / "server.log"
    command = [*_serve_command(), "serve", "--no-verify", "--host", "127.0.0.1",
               "--port", str(port), "--data-dir", str(base / "data"), "--workers", "1"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{_log_tail(log)}")
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer /healthz in {START_TIMEOUT} s:\n{_log_tail(log)}")
            time.sleep(0.1)
        yield Server(f"{base_url}/alexa", log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def drive(server: Server, user: str, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the steps through virtual-alexa; one parsed JSON line back per step."""
    payload = json.dumps({"user": user, "steps": steps})
    done = subprocess.run([_node(), str(DRIVER), server.url], input=payload, cwd=ROOT,
                          capture_output=True, text=True, timeout=DRIVE_TIMEOUT, check=False)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    errors = [line for line in lines if "error" in line]
    assert done.returncode == 0 and not errors, (
        f"drive.js exited {done.returncode}: {errors or done.stderr[-2000:]}\n"
        f"server log:\n{_log_tail(server.log)}")
    assert len(lines) == len(steps), done.stdout
    return lines


@pytest.mark.parametrize("name", sorted(conversations()))
def test_conversation(server: Server, name: str) -> None:
    steps = conversations()[name]["steps"]
    results = drive(server, f"amzn1.ask.account.e2e-{name}", steps)
    replies = [(step, None if "ssml" not in result else
                Reply(ssml=result["ssml"], ended=result["ended"], intent=result["intent"] or ""))
               for step, result in zip(steps, results, strict=True)]
    check(name, replies)
    for result in results:
        if result.get("ssml"):
            assert result["ssml"].startswith("<speak>") and result["ssml"].endswith("</speak>")
        if result.get("ended") is False:
            assert result["reprompt"], f"an open session needs a reprompt: {result}"


def test_every_fact_is_in_the_first_reply_through_the_endpoint(server: Server) -> None:
    """Each fact's question, as Alexa would send it, answered in the first reply."""
    steps = [{"do": "launch"}, *({"do": "say", "text": fact.question} for fact in FACTS)]
    results = drive(server, "amzn1.ask.account.e2e-facts", steps)
    missing = [fact.id for fact, result in zip(FACTS, results[1:], strict=True)
               if not fact.found_in(ssml_text(result["ssml"]))]
    assert missing == []


def test_resume_keeps_the_place_in_the_session_too(server: Server) -> None:
    """The session attributes virtual-alexa carries back match what the server saved."""
    results = drive(server, "amzn1.ask.account.e2e-session", [
        {"do": "launch"},
        {"do": "say", "text": "what causes it"},
        {"do": "say", "text": "next"},
    ])
    listener = results[-1]["sessionAttributes"]["listener"]
    assert (listener["section"], listener["page"]) == (guide().section_index("causes"), 1)


def test_unmatched_utterance_is_reported_not_hidden(server: Server) -> None:
    """drive.js fails loudly on phrases the model cannot match (as virtual-alexa throws)."""
    payload = json.dumps([{"do": "launch"}, {"do": "say", "text": "xyzzy plugh"}])
    done = subprocess.run([_node(), str(DRIVER), server.url], input=payload, cwd=ROOT,
                          capture_output=True, text=True, timeout=DRIVE_TIMEOUT, check=False)
    assert done.returncode == 1
    last = json.loads(done.stdout.splitlines()[-1])
    assert "Unable to match utterance" in last["error"]
