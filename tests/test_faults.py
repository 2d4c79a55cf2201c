"""Faults: many requests at once for one listener, a server killed mid-stream, a locked database.

Saved state is a convenience: under any of these the listener still gets an answer,
and the database is never left corrupt.
"""

from __future__ import annotations

import http.client
import json
import logging
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from content import guide
from content.loader import SPEED_RATES
from handlers.state import DETAIL_LEVELS
from skill.engine import storage
from skill.web.app import create_app
from tests.envelopes import USER_ID, check_answer, check_http, intent, launch, post, saved_rows
from tests.helpers import run_together
from tests.server import Server

ROOT = Path(__file__).resolve().parent.parent
COMPARED = ("section", "page", "started", "finished", "speed", "detail")


def assert_sane(attributes: dict[str, Any]) -> None:
    """A saved record a later request can use as it is."""
    sections = guide().sections
    assert isinstance(attributes["section"], int) and 0 <= attributes["section"] < len(sections)
    pages = len(sections[attributes["section"]].pages)
    assert isinstance(attributes["page"], int) and 0 <= attributes["page"] < pages
    assert isinstance(attributes["speed"], int) and 0 <= attributes["speed"] < len(SPEED_RATES)
    assert attributes["detail"] in DETAIL_LEVELS
    assert isinstance(attributes["started"], bool) and isinstance(attributes["finished"], bool)


def open_checked(database: Path) -> list[dict[str, Any]]:
    """Open the database as a new process would; it must pass integrity_check."""
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute("SELECT attributes FROM listener_state").fetchall()
    finally:
        connection.close()
    return [json.loads(row[0]) for row in rows]


# --- many requests at once -----------------------------------------------------------------

STEPS = ["AMAZON.NextIntent", "AMAZON.PreviousIntent", "FasterIntent", "SlowerIntent",
         "BriefIntent", "DetailIntent", "NextSectionIntent", "AMAZON.StartOverIntent",
         "WhereAmIIntent", "LastSectionIntent"]


def test_concurrent_requests_for_one_user_never_corrupt_state(tmp_path: Path) -> None:
    # Two apps on one file, as two gunicorn workers are; four threads on each.
    apps = [create_app(verify=False, data_dir=tmp_path) for _ in range(2)]
    failures: list[str] = []

    def listener(number: int) -> None:
        client = apps[number % 2].test_client()
        for turn in range(25):
            name = STEPS[(number + turn) % len(STEPS)]
            body = launch() if turn == 0 else intent(name)
            try:
                check_http(post(client, body), allowed=(200,))
            except Exception as error:  # collected: an assert in a thread would be lost
                failures.append(f"{name}: {error!r}")

    run_together(listener)
    assert not failures, failures[:3]
    (saved,) = open_checked(tmp_path / "state.sqlite3")
    assert_sane(saved)
    # And the next request reads it back without trouble.
    check_http(post(apps[0].test_client(), intent("WhereAmIIntent")), allowed=(200,))


# --- a real server, killed mid-stream --------------------------------------------------------

@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:  # whatever happened in the test, nothing is left running
        server.stop()


def _next_request(previous: dict[str, Any] | None) -> dict[str, Any]:
    if previous is None:
        return launch()
    attributes = previous.get("sessionAttributes") or {}
    state = attributes.get("listener", {})
    name = "AMAZON.StartOverIntent" if state.get("finished") else "AMAZON.NextIntent"
    return intent(name, attributes=attributes)


def _saved_part(state: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(state.get(key) for key in COMPARED)


@pytest.mark.slow
def test_sigkill_mid_stream_loses_at_most_the_last_update(tmp_path: Path,
                                                          servers: list[Server]) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "server.log"
    server = Server(data_dir, log)
    servers.append(server)
    acked: list[dict[str, Any]] = []
    in_flight: list[dict[str, Any]] = []
    stop = threading.Event()
    failures: list[BaseException] = []  # an assertion in the sender thread would be lost

    def stream() -> None:
        try:
            send_until_stopped()
        except BaseException as failure:
            failures.append(failure)

    def send_until_stopped() -> None:
        connection = server.connect()
        previous = None
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline:
            body = _next_request(previous)
            in_flight[:] = [body]
            try:
                previous = server.post(body, connection)
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            acked.append(previous)

    sender = threading.Thread(target=stream)
    sender.start()
    deadline = time.monotonic() + 20
    while len(acked) < 40 and sender.is_alive() and time.monotonic() < deadline:
        time.sleep(0.005)
    server.signal(signal.SIGKILL)  # master and worker at once, mid-stream
    server.process.wait(timeout=10)
    stop.set()
    sender.join(timeout=15)
    assert not failures, failures
    assert len(acked) >= 40, "the stream did not get going"

    # What the database may hold: the last acknowledged update, the one before it, or the
    # update that was in flight (replayed here in-process: it depends only on its session).
    allowed = {_saved_part(answer["sessionAttributes"]["listener"]) for answer in acked[-2:]}
    replay = create_app(verify=False, data_dir=tmp_path / "replay").test_client()
    allowed.add(_saved_part(check_http(post(replay, in_flight[0]), allowed=(200,))
                            ["sessionAttributes"]["listener"]))

    (saved,) = open_checked(data_dir / "state.sqlite3")
    assert_sane(saved)
    assert _saved_part(saved) in allowed, (saved, allowed)

    # Restarted on the same files, the server reads the place back.
    again = Server(data_dir, tmp_path / "server2.log")
    servers.append(again)
    answer = again.post(launch(), again.connect())
    check_answer(answer)
    assert (answer["sessionAttributes"]["listener"]["section"], answer["sessionAttributes"][
        "listener"]["page"]) == (saved["section"], saved["page"])
    again.stop()
    assert again.process.returncode == 0
    (after,) = open_checked(data_dir / "state.sqlite3")
    assert_sane(after)
    # The service logged JSON lines only, and no user id.
    text = (tmp_path / "server2.log").read_text()
    assert [json.loads(line) for line in text.splitlines()]
    assert USER_ID not in text


# --- clients that stop sending ----------------------------------------------------------------

def stalled_post(port: int) -> socket.socket:
    """A POST /alexa whose headers promise 1,000 bytes of body, of which one arrives."""
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    client.sendall(b"POST /alexa HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
                   b"\r\nContent-Length: 1000\r\n\r\n{")
    return client


@pytest.mark.slow
def test_clients_that_stop_sending_a_body_get_a_408_and_healthz_still_answers(
        tmp_path: Path, servers: list[Server]) -> None:
    server = Server(tmp_path / "data", tmp_path / "server.log", SPASM_GUIDE_REQUEST_TIMEOUT="1")
    servers.append(server)
    stalled = [stalled_post(server.port) for _ in range(4)]  # twice the server's threads
    try:
        health = server.connect()
        health.request("GET", "/healthz")
        assert health.getresponse().status == 200  # while the stalled clients stay connected
        for client in stalled:
            assert client.recv(64).startswith(b"HTTP/1.1 408 ")
    finally:
        for client in stalled:
            client.close()


@pytest.mark.slow
def test_the_server_opens_no_gunicorn_control_socket(tmp_path: Path,
                                                     servers: list[Server]) -> None:
    home = tmp_path / "home"  # where gunicorn 25+ would make .gunicorn/gunicorn.ctl
    home.mkdir()
    server = Server(tmp_path / "data", tmp_path / "server.log", HOME=str(home),
                    XDG_RUNTIME_DIR=str(tmp_path / "no-such-folder"))
    servers.append(server)
    server.stop()  # the master has started (or not) its control socket before it stops
    assert list(home.iterdir()) == []
    assert "Control socket" not in (tmp_path / "server.log").read_text()


# --- a locked database -----------------------------------------------------------------------

def test_a_locked_database_is_retried_then_answered_without_saving(
        client: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    database = tmp_path / "state.sqlite3"
    check_http(post(client, launch()), allowed=(200,))
    check_http(post(client, intent("AMAZON.NextIntent")), allowed=(200,))
    before = saved_rows(database)
    assert len(before) == 1

    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the lock
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING):
            result = post(client, intent("AMAZON.NextIntent"))
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    check_http(result, allowed=(200,))
    # Every attempt waited out the busy timeout before giving up: the retry happened.
    attempts = storage.RETRIES + 1
    assert elapsed >= 0.9 * attempts * storage.BUSY_TIMEOUT_MS / 1000
    assert elapsed < 10
    assert any("could not save state" in r.getMessage() for r in caplog.records)
    assert saved_rows(database) == before  # nothing half-written

    # With the lock gone, the next request saves again.
    check_http(post(client, intent("AMAZON.NextIntent")), allowed=(200,))
    assert saved_rows(database) != before
    open_checked(database)
