"""A real `spasm-guide serve` for tests that need the server itself, on loopback only."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--no-verify", "--workers", "1", "--threads", "2"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`spasm-guide serve` in its own process group, on a free loopback port.

    By default with --no-verify, 1 worker and 2 threads; `options` replaces those flags
    (an empty list: the settings `make run` uses).
    """

    def __init__(self, data_dir: Path, log: Path, options: list[str] | None = None,
                 **environ: str) -> None:
        self.port = free_port()
        env = {**os.environ, "SPASM_GUIDE_LOG_FORMAT": "json", **environ}
        self.log = log.open("ab")
        options = SMALL if options is None else options
        self.process = subprocess.Popen(
            [sys.executable, "-m", "skill.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--data-dir", str(data_dir), *options],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            start_new_session=True)
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "server exited at start-up"
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not come up")

    def post(self, body: dict[str, Any], connection: http.client.HTTPConnection) -> Any:
        connection.request("POST", "/alexa", body=json.dumps(body),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200
        return json.loads(response.read())

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def signal(self, number: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, number)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()
