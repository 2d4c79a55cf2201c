"""Shared fixtures: a skill with its own database, a conversation, a web client.

Everything runs on loopback or in-process; nothing here touches the network.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from ask_sdk_core.skill import CustomSkill
from flask import Flask
from flask.testing import FlaskClient

from skill.builder import build_skill
from skill.conversation import Conversation
from skill.storage import SQLiteAdapter
from skill.web import create_app


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to reach beyond this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and not (
                str(host).startswith("127.") or host in ("::1", "localhost")):
            raise AssertionError(f"test tried to reach the network: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


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
def app(tmp_path: Path) -> Flask:
    """The web app with verification off, as `spasm-guide serve --no-verify` runs it."""
    return create_app(verify=False, data_dir=tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
