"""Shared fixtures: a skill with its own database, a conversation, a web client, typed
chat input, and the audio engines (espeak-ng, a faked Google TTS).

Everything runs on loopback or in-process; nothing here touches the network.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
import requests
from ask_sdk_core.skill import CustomSkill
from flask import Flask
from flask.testing import FlaskClient

from audio.engines import EngineUnavailable, EspeakEngine, PiperEngine
from skill.config import OFFLINE_ENV
from skill.engine.builder import build_skill
from skill.engine.conversation import Conversation
from skill.engine.storage import SQLiteAdapter
from skill.web.app import create_app
from tests.helpers import google_like_mp3

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _is_loopback_address(name: object) -> bool:
    try:
        return ipaddress.ip_address(str(name)).is_loopback
    except ValueError:
        return False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (CI set, as .ci/run does) a skipped test is a failure: a machine missing
    espeak-ng or chromium would otherwise pass with checks quietly left out. On a
    developer's machine a skip stays a skip, with its reason in the summary."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == pytest.ExitCode.OK:
        reporter.ensure_newline()
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI every check must run",
                            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Force offline mode (SPASM_GUIDE_OFFLINE, as skill/config.py reads it: no engine
    probes the network) and refuse any connection beyond this machine; yields the attempts.

    A refused connection raises OSError, as a dead network would, and is recorded;
    the test fails at teardown if it tried any. Tests that inspect the attempts ask
    for this fixture by name.
    """
    monkeypatch.setenv(OFFLINE_ENV, "1")
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def guarded_connect(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            attempts.append(address)
            raise OSError(f"test socket guard: network access to {address!r} is forbidden")
        real_connect(self, address)

    real_getaddrinfo = socket.getaddrinfo

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        # A name lookup leaves the machine too (DNS), before any connect.
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (None, "") and name not in LOOPBACK and not _is_loopback_address(name):
            attempts.append(name)
            raise socket.gaierror(f"test socket guard: looking up {name!r} is forbidden")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
    assert attempts == [], f"tests tried to reach the network: {attempts}"


@pytest.fixture(autouse=True)
def root_logging() -> Iterator[None]:
    """cli.main configures the root logger (level and a stderr handler); put it back, so
    one test's command-line run cannot change what later tests log or capture."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite3"


@pytest.fixture
def storage(database: Path) -> SQLiteAdapter:
    return SQLiteAdapter(database)


@pytest.fixture
def skill(storage: SQLiteAdapter) -> CustomSkill:
    return build_skill(storage)


@pytest.fixture
def conversation(skill: CustomSkill) -> Iterator[Conversation]:
    """A listener talking to the skill as the terminal chat does."""
    talk = Conversation(skill, user_id="test-listener")
    yield talk
    talk.end()


@pytest.fixture
def launched(conversation: Conversation) -> Conversation:
    """A conversation just past the welcome."""
    conversation.launch()
    return conversation


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Callable[[Iterable[str]], None]:
    """Feed lines to the chat's input(), then end of input, like a closed terminal."""

    def feed(lines: Iterable[str]) -> None:
        remaining = iter(lines)

        def fake_input(prompt: str = "") -> str:
            try:
                return next(remaining)
            except StopIteration:
                raise EOFError from None

        monkeypatch.setattr("builtins.input", fake_input)

    return feed


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The web app with verification off, as `spasm-guide serve --no-verify` runs it."""
    return create_app(verify=False, data_dir=tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def espeak() -> EspeakEngine:
    try:
        return EspeakEngine()
    except EngineUnavailable as error:
        pytest.skip(f"espeak-ng binary missing: {error}")


@pytest.fixture(scope="session")
def steady_piper() -> PiperEngine:
    """Piper without its random variation: a test that listens hears the same audio each run."""
    try:
        engine = PiperEngine(steady=True)
    except EngineUnavailable as error:
        pytest.skip(f"piper voice not installed: {error}")
    engine.synthesize("Ready.")  # load the model once for the session
    return engine


@pytest.fixture
def fake_google(monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, list[requests.PreparedRequest]]:
    """Replace requests' transport with a canned batchexecute answer: (audio, requests sent).

    Google being faked, offline mode is lifted so the gTTS engine will start; the
    socket guard of `no_network` still refuses any real connection.
    """
    monkeypatch.delenv(OFFLINE_ENV, raising=False)
    audio = google_like_mp3()
    sent: list[requests.PreparedRequest] = []

    def send(self: requests.Session, request: requests.PreparedRequest, **_: object):
        sent.append(request)
        payload = base64.b64encode(audio).decode("ascii")
        body = ")]}'\n\n" + f'[["wrb.fr","jQ1olc","[\\"{payload}\\"]",null,null,null,"generic"]]'
        response = requests.Response()
        response.status_code = 200
        response._content = body.encode("utf-8")
        response._content_consumed = True
        response.request = request
        response.url = request.url or ""
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    return audio, sent
