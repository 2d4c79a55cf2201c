"""Each server worker: an event loop reads whole requests, then a thread runs the WSGI app.

Why: with a thread per connection (gunicorn's gthread worker) a client that sends half a
request and waits holds a thread, and eight of them stopped the server. Here one asyncio
loop per worker process (uvloop, uvicorn's HTTP protocol and httptools' parser, under
gunicorn's master) reads every connection; only a request that has fully arrived reaches
the Flask app, on a small thread pool. So:

- ``GuardedProtocol`` gives each request a deadline from its first byte (or from the
  connection, if nothing comes) to its last: headers and body alike, trickled or not.
  A request not in by then gets 408 and the connection is closed. An idle kept-alive
  connection is closed after KEEPALIVE_SECONDS and holds no thread meanwhile.
- It also caps the connections one address may hold open in a worker (503 beyond it),
  well below the worker's capacity (``limit_concurrency``; 503 beyond it too).
- httptools refuses malformed framing (chunk sizes, CRLFs, trailers) with 400 before
  the app runs; ``BufferedWsgi`` applies one body limit to Content-Length and chunked
  bodies alike (413 over it) and hands the app the body whole.
- A response is made on the thread, then written by the loop: a client that reads
  slowly holds memory for its response (at most one audio file), not a thread.

Our own answers (400, 408, 413, 503) carry the same security headers as the app's.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import unquote_to_bytes

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from skill.config import from_environment
from skill.web.app import MAX_BODY_BYTES, SECURITY_HEADERS

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 5
"""How long an idle kept-alive connection stays open (it holds no thread meanwhile)."""
MAX_HEAD_BYTES = 32 * 1024
"""Request line and headers together; httptools itself would take any size."""

_REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Content Too Large",
            431: "Request Header Fields Too Large", 503: "Service Unavailable"}
_SECURITY = [(name.lower().encode("latin-1"), value.encode("latin-1"))
             for name, value in SECURITY_HEADERS.items()]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Limits:
    """What one worker process allows; see README's Configuration table."""

    request_timeout: float = 5.0
    max_connections: int = 1000
    max_client_connections: int = 64
    max_body_bytes: int = MAX_BODY_BYTES


def error_response(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 answer that closes the connection: JSON error, security headers."""
    body = b'{"error":"%s"}\n' % message.encode("ascii")
    head = [b"HTTP/1.1 %d %s" % (status, _REASONS[status].encode("ascii")),
            b"content-type: application/json", b"content-length: %d" % len(body),
            b"connection: close", *(name + b": " + value for name, value in _SECURITY)]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline per request and a cap per address.

    ``limits`` is set on a subclass made by ``Worker``; the address counts are per worker
    process, where one event loop runs every connection.
    """

    limits: ClassVar[Limits] = Limits()
    _open: ClassVar[Counter[str]] = Counter()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes: int | None = 0  # None while a body is arriving
        self._address: str | None = self.client[0] if self.client else ""
        if self._open[self._address] >= self.limits.max_client_connections:
            self._address = None  # not counted
            transport.write(error_response(503, "too many connections from this address"))
            # Closed at once, the connection would reset, and the client might never read
            # the 503: end our side, and let the whole thing go a moment later.
            transport.pause_reading()
            transport.write_eof()
            self.loop.call_later(1.0, transport.close)
            return
        self._open[self._address] += 1
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._address is not None:
            self._open[self._address] -= 1
            if not self._open[self._address]:
                del self._open[self._address]
            self._address = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        in_head = self._head_bytes is not None
        super().data_received(data)
        if not in_head or self._head_bytes is None or self.transport.is_closing():
            return  # a body is arriving, or these bytes finished the headers
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self.transport.write(error_response(431, "request headers are too large"))
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._head_bytes = None
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        """Malformed HTTP (bad chunk framing, header syntax): before the app, ever."""
        self.transport.write(error_response(400, "malformed HTTP request"))
        self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the connection's first request is timed from connecting
            self._arm()

    def on_message_complete(self) -> None:
        self._disarm()
        self._head_bytes = 0
        super().on_message_complete()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.limits.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        """The request did not arrive in time: 408 (unless an answer has begun), then close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(error_response(408, "request took too long to arrive"))
        self.transport.close()


class BufferedWsgi:
    """An ASGI app that reads the whole body in the loop, then runs a WSGI app on a thread."""

    def __init__(self, app: WsgiApp, threads: int, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.executor = ThreadPoolExecutor(max(1, threads), thread_name_prefix="wsgi")

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any],
                       send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        body = await self._body(scope, receive, send)
        if body is None:
            return
        loop = asyncio.get_running_loop()
        try:
            status, headers, content = await loop.run_in_executor(
                self.executor, self._run, _environ(scope, body))
        except Exception:
            log.exception("unexpected error outside the app")
            status, headers, content = 500, [(b"content-type", b"application/json")], \
                b'{"error":"internal error"}\n'
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _body(self, scope: dict[str, Any], receive: Callable[..., Any],
                    send: Callable[..., Any]) -> bytes | None:
        """The whole body, or None when the client left or it is over the limit (413 sent)."""
        declared = next((value for name, value in scope["headers"] if name == b"content-length"),
                        None)
        if declared is not None and int(declared) > self.max_body_bytes:  # httptools: digits only
            await _refuse(send, 413, "request body is over the limit")
            return None
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            body += message.get("body", b"")
            if len(body) > self.max_body_bytes:
                await _refuse(send, 413, "request body is over the limit")
                return None
            if not message.get("more_body", False):
                return bytes(body)

    def _run(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Call the WSGI app on a pool thread; the whole answer, for the loop to write."""
        started: list[Any] = []
        chunks: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Callable[[bytes], None]:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return chunks.append

        result = self.app(environ, start_response)
        try:
            chunks.extend(chunk for chunk in result if chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        encoded = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                   for name, value in headers]
        return int(status.split(" ", 1)[0]), encoded, b"".join(chunks)


async def _refuse(send: Callable[..., Any], status: int, message: str) -> None:
    body = b'{"error":"%s"}\n' % message.encode("ascii")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close"),
                            *_SECURITY]})
    await send({"type": "http.response.body", "body": body})


def _environ(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
    """PEP 3333 environ for a request whose body has arrived whole (so no Transfer-Encoding)."""
    path = unquote_to_bytes(scope.get("raw_path") or scope["path"].encode("utf-8"))
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode("utf-8").decode("latin-1"),
        "PATH_INFO": path.decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1")
        # An underscore would let "X_Forwarded" pass for "X-Forwarded" (servers drop them).
        if "_" in name or name in ("content-length", "transfer-encoding"):
            continue
        value = raw_value.decode("latin-1")
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class Worker(UvicornWorker):
    """gunicorn worker: one event loop with GuardedProtocol, a thread pool for the app.

    gunicorn's master still starts, watches and restarts the workers and shares the socket.
    """

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "uvloop", "lifespan": "off", "interface": "asgi3",
        "server_header": False, "access_log": False,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = from_environment()
        limits = Limits(request_timeout=settings.request_timeout,
                        max_connections=settings.max_connections,
                        max_client_connections=settings.max_client_connections)
        self.config.http = type("WorkerProtocol", (GuardedProtocol,), {"limits": limits})
        self.config.limit_concurrency = limits.max_connections
        self.config.timeout_keep_alive = KEEPALIVE_SECONDS
        self.limits = limits
        # uvicorn's own lines (say, a malformed request) through our handler and format.
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.handlers, uvicorn_log.propagate = [], True
        uvicorn_log.setLevel(logging.WARNING)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = BufferedWsgi(self.wsgi, self.cfg.threads, self.limits.max_body_bytes)
