"""A bounded load test for POST /alexa: `make load` (or .venv/bin/python bench/load.py).

By default it starts `spasm-guide serve --no-verify` itself on a free loopback port
with a throw-away data folder, runs 50 clients for 30 seconds, stops the server and
prints throughput, p50/p90/p99 latency in milliseconds and the error count.
Each client is a different listener holding one keep-alive connection and talking
as people do: launch, section questions and names, section numbers, next, where am I,
and now and then the end of a session. Exit status 1 if any request failed.

  --clients N    concurrent clients (default 50)
  --seconds S    how long to send (default 30; every client stops by itself)
  --url URL      use a server already running, e.g. http://127.0.0.1:8000/alexa
                 (loopback addresses only: this tool never loads anyone else's server)
  --workers W, --threads T   for the server it starts (default 2 and 4, as `serve`)
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from content import guide, slot_names  # noqa: E402  (the project, whether installed or not)

APPLICATION_ID = "amzn1.ask.skill.load-test"
START_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
SECTION_INTENTS = tuple(section.intent_name for section in guide().sections)
SECTION_NAMES = tuple(section.name for section in guide().sections)


def loopback_url(url: str) -> tuple[str, int, str]:
    """host, port and path of a loopback http:// URL; ValueError for anything else."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"{url!r}: only http:// URLs on this machine")
    host = parts.hostname
    if host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise ValueError
        except ValueError:
            raise ValueError(f"{url!r}: only loopback addresses (127.0.0.0/8, ::1, localhost)"
                             ) from None
    return host, parts.port or 80, parts.path or "/alexa"


# --- what a listener says -------------------------------------------------------------------

def _envelope(user: str, session: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    application = {"applicationId": APPLICATION_ID}
    return {
        "version": "1.0",
        "session": {**session, "application": application, "user": {"userId": user}},
        "context": {"System": {"application": application, "user": {"userId": user},
                               "device": {"deviceId": "load", "supportedInterfaces": {}}}},
        "request": {"requestId": f"load.{uuid.uuid4()}", "locale": "en-US",
                    "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **request},
    }


def _intent(name: str, slots: dict[str, str] | None = None) -> dict[str, Any]:
    intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = {k: {"name": k, "value": v, "confirmationStatus": "NONE"}
                           for k, v in slots.items()}
    return {"type": "IntentRequest", "dialogState": "COMPLETED", "intent": intent}


def next_request(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A kind of request and its body, in a mix like real listening."""
    roll = rng.random()
    if roll < 0.30:
        return "next", _intent("AMAZON.NextIntent")
    if roll < 0.50:
        return "section question", _intent(rng.choice(SECTION_INTENTS))
    if roll < 0.65:
        return "section by name", _intent("ReadSectionIntent",
                                          {slot_names.SECTION: rng.choice(SECTION_NAMES)})
    if roll < 0.75:
        return "section number", _intent("SectionNumberIntent",
                                         {slot_names.NUMBER: str(rng.randint(1, len(SECTION_NAMES)))})
    if roll < 0.90:
        return "where am I", _intent("WhereAmIIntent")
    return "end session", {"type": "SessionEndedRequest", "reason": "USER_INITIATED"}


# --- clients --------------------------------------------------------------------------------

@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, kind: str, elapsed_ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(elapsed_ms)
            self.kinds[kind] = self.kinds.get(kind, 0) + 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def client(number: int, host: str, port: int, path: str, deadline: float, tally: Tally,
           seed: int) -> None:
    """One listener with one connection, sending until the deadline; results in `tally`."""
    rng = random.Random(seed * 1000 + number)
    user = f"amzn1.ask.account.load-{number}-{uuid.uuid4().hex[:8]}"
    connection: http.client.HTTPConnection | None = None
    session: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        if session is None:
            session = {"new": True, "sessionId": f"load.{uuid.uuid4()}", "attributes": {}}
            kind, request = "launch", {"type": "LaunchRequest"}
        else:
            kind, request = next_request(rng)
        body = json.dumps(_envelope(user, session, request)).encode("utf-8")
        if connection is None:
            connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=body,
                               headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            tally.error(f"{kind}: {type(error).__name__}")
            connection.close()
            connection, session = None, None
            continue
        tally.answered(kind, (time.perf_counter() - started) * 1000)
        if response.status != 200:
            tally.error(f"{kind}: HTTP {response.status}")
            session = None
            continue
        try:
            answer = json.loads(data)
            said = answer["response"]
        except (ValueError, KeyError, TypeError):
            tally.error(f"{kind}: not an Alexa response")
            session = None
            continue
        if kind != "end session" and "outputSpeech" not in said:
            tally.error(f"{kind}: nothing said")
        if kind == "end session" or said.get("shouldEndSession") is not False:
            session = None
        else:
            session.update(new=False, attributes=answer.get("sessionAttributes") or {})
    if connection is not None:
        connection.close()


def percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return math.nan
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


# --- the server it starts -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, workers: int, threads: int, log: Any) -> tuple[
        subprocess.Popen[bytes], int]:
    """`spasm-guide serve --no-verify` on a free loopback port, once it answers /healthz."""
    env = {**os.environ, "SPASM_GUIDE_LOG_FORMAT": "json"}  # logging on, as in production
    return launch(lambda port: [
        sys.executable, "-m", "skill.cli", "serve", "--no-verify", "--host", "127.0.0.1",
        "--port", str(port), "--data-dir", str(data_dir), "--workers", str(workers),
        "--threads", str(threads)], log, env=env)


def launch(command: Callable[[int], list[str]], log: Any, cwd: Path = ROOT,
           env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """Start command(port) on a free loopback port; return once GET /healthz says 200."""
    port = free_port()
    process = subprocess.Popen(
        command(port), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
        start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited at start-up")
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError("the server did not answer /healthz in time")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for number, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, number)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def server_outcomes(log_path: Path) -> dict[str, int]:
    """How the server's own JSON log lines say the requests ended."""
    outcomes: dict[str, int] = {}
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            outcomes["unparsable line"] = outcomes.get("unparsable line", 0) + 1
            continue
        if entry.get("logger") == "spasm_guide.request":
            outcome = str(entry.get("outcome"))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


# --- main -----------------------------------------------------------------------------------

def run(host: str, port: int, path: str, clients: int, seconds: float, seed: int) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, daemon=True,
                                args=(n, host, port, path, deadline, tally, seed))
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:  # each stops at the deadline, plus at most one request's timeout
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    return tally


def report(tally: Tally, clients: int, seconds: float, target: str) -> str:
    ordered = sorted(tally.latencies_ms)
    errors = sum(tally.errors.values())
    lines = [
        f"target      {target}",
        f"clients     {clients} for {seconds:g} s",
        f"requests    {len(ordered)} ({', '.join(f'{k} {v}' for k, v in sorted(tally.kinds.items()))})",
        f"throughput  {len(ordered) / seconds:.1f} requests/s",
        f"latency ms  p50 {percentile(ordered, 0.50):.1f}  p90 {percentile(ordered, 0.90):.1f}  "
        f"p99 {percentile(ordered, 0.99):.1f}  max {ordered[-1] if ordered else math.nan:.1f}",
        f"errors      {errors}",
    ]
    lines += [f"  {count} x {what}" for what, count in sorted(tally.errors.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/load.py", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--url", help="a running server's /alexa URL (loopback only)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 1000 or not 0 < args.seconds <= 3600:
        parser.error("--clients must be 1..1000 and --seconds 0..3600")
    if args.url:
        try:
            host, port, path = loopback_url(args.url)
        except ValueError as error:
            sys.stderr.write(f"bench/load.py: refusing {error}\n")
            return 2
        tally = run(host, port, path, args.clients, args.seconds, args.seed)
        target = args.url
    else:
        with tempfile.TemporaryDirectory(prefix="spasm-load-") as folder:
            log_path = Path(folder) / "server.log"
            with log_path.open("wb") as log:
                try:
                    process, port = start_server(Path(folder) / "data", args.workers,
                                                 args.threads, log)
                except RuntimeError as error:
                    sys.stderr.write(f"bench/load.py: {error}\n")
                    sys.stderr.write(log_path.read_text(errors="replace")[-2000:])
                    return 2
                try:
                    tally = run("127.0.0.1", port, "/alexa", args.clients, args.seconds,
                                args.seed)
                finally:
                    stop_server(process)
            target = (f"spasm-guide serve on 127.0.0.1:{port} "
                      f"({args.workers} workers x {args.threads} threads)")
            logged = server_outcomes(log_path)
    print(report(tally, args.clients, args.seconds, target))
    if not args.url:
        print(f"server log  {sum(logged.values())} request lines: "
              + ", ".join(f"{k} {v}" for k, v in sorted(logged.items())))
    return 1 if tally.errors or not tally.latencies_ms else 0


if __name__ == "__main__":
    sys.exit(main())
