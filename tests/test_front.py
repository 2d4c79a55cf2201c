"""The server as `make run` starts it, against hostile clients (skill/web/worker.py).

Clients that stall or trickle their requests, one address opening many connections,
a flood of new certificate URLs, malformed chunked bodies, oversized bodies. Each test
talks to a real `spasm-guide serve` on loopback; the only timed assertions are the
issue's own: /healthz answers in under 3 seconds while the attack goes on.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from skill.web.app import MAX_BODY_BYTES
from tests.server import Server

pytestmark = pytest.mark.slow

SKILL_ID = "amzn1.ask.skill.front-test"
HEALTHZ_LIMIT = 3.0  # seconds: the bound for /healthz under attack
HALF_HEADERS = b"POST /alexa HTTP/1.1\r\nHost: x\r\n"
CHUNKED_HEAD = (b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")


@pytest.fixture(scope="module")
def make_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`spasm-guide serve` with make run's settings: 2 workers x 4 threads, verification on."""
    folder = tmp_path_factory.mktemp("make-run")
    server = Server(folder / "data", folder / "server.log", ["--skill-id", SKILL_ID])
    yield server
    server.stop()


def healthz_seconds(port: int) -> float:
    """Time for GET /healthz on a new connection; it must answer 200."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200
    finally:
        connection.close()
    return time.monotonic() - started


def answer(port: int, data: bytes, timeout: float = 30) -> bytes:
    """What the server sends back to `data` until it closes the connection.

    A server that answers before reading the whole request (413) may reset the connection
    while the rest still arrives; what it sent before that is kept.
    """
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as client:
        try:
            client.sendall(data)
            while chunk := client.recv(65536):
                received += chunk
        except ConnectionResetError:
            if not received:
                raise
    return received


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def opened(port: int, data: bytes) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=30)
    client.sendall(data)
    return client


# --- stalling and trickling clients ---------------------------------------------------------

def test_32_stalling_connections_leave_healthz_answering(make_run: Server) -> None:
    half = [opened(make_run.port, HALF_HEADERS) for _ in range(16)]
    trickled = [opened(make_run.port, HALF_HEADERS) for _ in range(16)]
    stop = threading.Event()

    def trickle() -> None:  # one more header line a second, on every trickled connection
        line = 0
        while not stop.wait(1.0):
            line += 1
            for client in trickled:
                with contextlib.suppress(OSError):  # closed by the server at its deadline
                    client.sendall(b"X-Line-%d: more\r\n" % line)

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        time.sleep(1.5)  # all 32 connected and stalled or trickling
        assert [healthz_seconds(make_run.port) < HEALTHZ_LIMIT for _ in range(3)] == [True] * 3
    finally:
        stop.set()
        trickler.join()
        for client in half + trickled:
            client.close()


def test_a_request_trickled_past_its_deadline_gets_408(make_run: Server) -> None:
    client = opened(make_run.port, HALF_HEADERS)
    try:
        received = b""
        for line in range(30):  # a header line a second, for longer than the 5 s allowed
            try:
                client.sendall(b"X-Line-%d: more\r\n" % line)
            except OSError:
                break  # closed by the server
            time.sleep(1.0)
            client.setblocking(False)
            try:
                received += client.recv(4096)
            except BlockingIOError:
                pass
            finally:
                client.setblocking(True)
            if received:
                break
    finally:
        client.close()
    assert received.startswith(b"HTTP/1.1 408 ")


def test_a_connection_that_sends_nothing_is_closed(make_run: Server) -> None:
    with socket.create_connection(("127.0.0.1", make_run.port), timeout=30) as client:
        assert client.recv(4096).startswith(b"HTTP/1.1 408 ")
        assert client.recv(4096) == b""


def test_an_idle_kept_alive_connection_is_closed(make_run: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", make_run.port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert response.status == 200 and not response.will_close
        response.read()
        assert connection.sock.recv(4096) == b""  # closed by the server, not by the 30 s timeout
    finally:
        connection.close()


def test_one_address_cannot_hold_more_than_its_share(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", tmp_path / "server.log",
                    ["--no-verify", "--workers", "1", "--threads", "2"],
                    SPASM_GUIDE_MAX_CLIENT_CONNECTIONS="4")
    try:
        held = [opened(server.port, HALF_HEADERS) for _ in range(4)]
        refused = answer(server.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status(refused) == 503
        held.pop().close()
        time.sleep(0.5)  # the server notices the close
        assert healthz_seconds(server.port) < 30
        for client in held:
            client.close()
    finally:
        server.stop()


# --- a flood of certificate URLs --------------------------------------------------------------

class StallingProxy:
    """An HTTPS proxy on loopback that accepts CONNECT and then sends nothing.

    The server's certificate downloads go through it (HTTPS_PROXY), so each one meets a
    certificate host that never answers; it counts how many it held at once.
    """

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.most_at_once = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._stall, args=(client,), daemon=True).start()

    def _stall(self, client: socket.socket) -> None:
        with self.lock:
            self.held.append(client)
            self.most_at_once = max(self.most_at_once, sum(c.fileno() != -1 for c in self.held))
        try:
            client.recv(4096)  # the CONNECT request
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            while client.recv(4096):  # the TLS hello, never answered
                pass
        except OSError:
            pass
        finally:
            client.close()

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            for client in self.held:
                client.close()


@pytest.fixture
def stalling_proxy() -> Iterator[StallingProxy]:
    proxy = StallingProxy()
    yield proxy
    proxy.close()


def unsigned_request(number: int) -> tuple[bytes, dict[str, str]]:
    """A request that passes every check before the download, naming a new certificate URL."""
    application = {"applicationId": SKILL_ID}
    body = json.dumps({
        "version": "1.0",
        "context": {"System": {"application": application, "user": {"userId": "u"}}},
        "request": {"type": "LaunchRequest", "requestId": f"r{number}", "locale": "en-US",
                    "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }).encode()
    return body, {
        "Content-Type": "application/json",
        "SignatureCertChainUrl": f"https://s3.amazonaws.com/echo.api/flood-{number}.pem",
        "Signature-256": base64.b64encode(b"\0" * 256).decode(),
    }


def test_24_clients_naming_new_certificate_urls_leave_healthz_answering(
        tmp_path: Path, stalling_proxy: StallingProxy) -> None:
    server = Server(tmp_path / "data", tmp_path / "server.log", ["--skill-id", SKILL_ID],
                    HTTPS_PROXY=f"http://127.0.0.1:{stalling_proxy.port}", NO_PROXY="")
    statuses: list[int] = []
    stop = threading.Event()

    def client(number: int) -> None:
        sent = 0
        while not stop.is_set():  # a new URL every time
            body, headers = unsigned_request(number * 1000 + sent)
            sent += 1
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            try:
                connection.request("POST", "/alexa", body=body, headers=headers)
                statuses.append(connection.getresponse().status)
            finally:
                connection.close()

    clients = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(24)]
    try:
        for thread in clients:
            thread.start()
        time.sleep(1.0)
        assert [healthz_seconds(server.port) < HEALTHZ_LIMIT for _ in range(3)] == [True] * 3
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
        server.stop()
    assert statuses and set(statuses) == {400}
    # At most 2 downloads at once in each of the 2 workers reached the certificate host.
    assert 1 <= stalling_proxy.most_at_once <= 4


# --- malformed and oversized bodies -----------------------------------------------------------

MALFORMED_CHUNKS = {
    "size zz": b"zz\r\nab\r\n0\r\n\r\n",
    "size -1": b"-1\r\nab\r\n0\r\n\r\n",
    "size 0x2": b"0x2\r\nab\r\n0\r\n\r\n",
    "data longer than declared": b"2\r\nabcd\r\n0\r\n\r\n",
    "missing CRLF": b"2\r\nab0\r\n\r\n",
    "bad trailer": b"2\r\nab\r\n0\r\nno colon here\r\n\r\n",
}


@pytest.mark.parametrize("chunks", MALFORMED_CHUNKS.values(), ids=MALFORMED_CHUNKS.keys())
def test_a_malformed_chunked_body_is_400_before_the_app(make_run: Server, chunks: bytes,
                                                        tmp_path: Path) -> None:
    log = Path(make_run.log.name)
    before = log.stat().st_size
    response = answer(make_run.port, CHUNKED_HEAD + chunks)
    assert status(response) == 400
    assert b"Traceback" not in response
    time.sleep(0.2)  # a request line the app wrote would be in the log by now
    with log.open("rb") as lines:
        lines.seek(before)
        assert b"alexa request" not in lines.read()  # the app (and verification) never ran


def chunked(body: bytes) -> bytes:
    return CHUNKED_HEAD + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"


def with_length(body: bytes) -> bytes:
    return (b"POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


@pytest.mark.parametrize("framing", [chunked, with_length])
def test_a_body_of_exactly_1_mib_reaches_the_app(make_run: Server, framing) -> None:
    response = answer(make_run.port, framing(b" " * MAX_BODY_BYTES))
    assert status(response) == 400  # verification refuses it: the app read it whole
    assert b"request verification failed" in response


def test_a_chunked_body_over_1_mib_is_413(make_run: Server) -> None:
    assert status(answer(make_run.port, chunked(b" " * (MAX_BODY_BYTES + 1)))) == 413


def test_a_content_length_over_1_mib_is_413_before_the_body(make_run: Server) -> None:
    head = with_length(b" " * (MAX_BODY_BYTES + 1))[:-(MAX_BODY_BYTES + 1)]
    assert status(answer(make_run.port, head)) == 413


# --- headers ------------------------------------------------------------------------------

@pytest.mark.parametrize("request_bytes", [
    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    CHUNKED_HEAD + MALFORMED_CHUNKS["size zz"],
], ids=["the page", "the server's own 400"])
def test_answers_carry_security_headers_and_no_server_banner(make_run: Server,
                                                             request_bytes: bytes) -> None:
    head = answer(make_run.port, request_bytes).split(b"\r\n\r\n", 1)[0].lower()
    assert b"\r\ncontent-security-policy: " in head
    assert b"\r\nx-content-type-options: nosniff" in head
    assert b"\r\nx-frame-options: deny" in head
    assert b"\r\nreferrer-policy: " in head
    assert b"\r\nserver:" not in head
