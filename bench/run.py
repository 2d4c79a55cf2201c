"""Benchmarks for the Facial Spasm Guide: `make bench` (or .venv/bin/python bench/run.py).

Every figure that has a goal is a ratio against a reference measured in the
same run on the same machine, so the numbers mean something on any computer:

  request cost   POST /alexa through Flask's test client, with the JSON request log that
                 `serve` writes: a launch, a section question (ReadCausesIntent) and
                 "next" inside a session, for a listener with a saved place in SQLite,
                 each vs the same request to bench/reference_skill.py behind a
                 one-route Flask app. Rounds of all are interleaved.
  cold start     fresh interpreter: import skill.aws_lambda.handler from the `make lambda`
                 folder (with its bytecode) and answer the first LaunchRequest with a
                 fresh SQLite folder, vs the same for the reference skill (compiled
                 the same way).
  HTTP load      `spasm-guide serve` on loopback at 1, 10 and 50 clients (bench/load.py's
                 server and listeners), with the CPU per request, and the reference
                 skill under the same server (gunicorn, skill/web/worker.py) for context.
  memory         server worker RSS after 1,000 and after 10,000 requests.
  audio build    bench/audio_build.py's real-time factors and no-change rebuild.
  voice          bench/voice.py: offline voice intent accuracy (two voices) and the time
                 from the end of speech to the start of the reply.

It prints a table and writes bench/results.json (figures plus the machine).
Everything is bounded: the server runs on 127.0.0.1 only and is stopped at the end.

  --quick          smaller counts, for a smoke test (figures are noisier)
  --only A,B       run some parts: request, cold, load, memory, audio
  --profile WHAT   profile `request` or `cold` with pyinstrument, write bench/profile-WHAT.html
  --strict         exit 1 when a goal is missed
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
import load  # noqa: E402  (bench/load.py: the server it starts and its listeners)

RESULTS = BENCH / "results.json"
GOAL_RATIO = 1.5
GOAL_P99_MS = 20.0
# RSS growth from 1,000 to 10,000 requests that still counts as noise, per worker.
NOISE_MIB = 1.0
SECTION_INTENT = "ReadCausesIntent"
PARTS = ("request", "cold", "load", "memory", "audio", "voice")


@dataclass
class Config:
    rounds: int = 40  # request cost: interleaved rounds ...
    per_round: int = 100  # ... of this many requests per variant
    cold_runs: int = 9
    load_seconds: float = 5.0
    load_clients: tuple[int, ...] = (1, 10, 50)
    warmup_requests: int = 1_000
    memory_requests: int = 10_000
    quick: bool = False

    @classmethod
    def smoke(cls) -> Config:
        return cls(rounds=6, per_round=50, cold_runs=3, load_seconds=1.0, warmup_requests=200,
                   memory_requests=1_000, quick=True)


# --- Alexa envelopes ------------------------------------------------------------------------


def envelope(request: dict[str, Any], user: str = "bench-listener") -> dict[str, Any]:
    """A new-session request as Alexa sends it: saved state is read from storage."""
    application = {"applicationId": "amzn1.ask.skill.bench"}
    person = {"userId": user}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "bench.session", "application": application,
                    "user": person, "attributes": {}},
        "context": {"System": {"application": application, "user": person,
                               "device": {"deviceId": "bench", "supportedInterfaces": {}}}},
        "request": {"requestId": "bench.request", "locale": "en-US",
                    "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **request},
    }


def intent(name: str) -> dict[str, Any]:
    return {"type": "IntentRequest", "dialogState": "COMPLETED",
            "intent": {"name": name, "confirmationStatus": "NONE"}}


LAUNCH = {"type": "LaunchRequest"}


# --- statistics ---------------------------------------------------------------------------


def summary_us(samples_ns: list[int]) -> dict[str, float]:
    micro = sorted(s / 1000 for s in samples_ns)
    return {"median_us": round(statistics.median(micro), 1),
            "p99_us": round(load.percentile(micro, 0.99), 1), "n": len(micro)}


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else float("nan")


# --- request cost ---------------------------------------------------------------------------


def _poster(client: Any) -> Callable[[str], None]:
    def post(body: str) -> None:
        response = client.post("/alexa", data=body, content_type="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"POST /alexa answered {response.status_code}: {response.data[:200]!r}")
    return post


def in_session(answer: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """The next request of the conversation `answer` belongs to, as Alexa sends it."""
    data = envelope(request, user="bench-returning")
    data["session"].update(new=False, attributes=answer.get("sessionAttributes") or {})
    return data


@contextlib.contextmanager
def serve_logging() -> Iterator[None]:
    """Logging as `spasm-guide serve` has it: JSON, INFO, a line per request (to /dev/null),
    so its cost is in the figures; put back afterwards."""
    from skill import logs

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    with open(os.devnull, "w") as sink:
        logs.configure("json", "INFO", stream=sink)
        try:
            yield
        finally:
            for handler in list(root.handlers):
                if handler not in handlers:
                    root.removeHandler(handler)
            root.setLevel(level)


REQUEST_KINDS = {"launch": "LaunchRequest, new session",
                 "question": f"{SECTION_INTENT}, new session",
                 "next": "AMAZON.NextIntent inside a session"}


def request_cost(config: Config) -> dict[str, Any]:
    """Per-request time through the Flask test client, project vs reference, interleaved:
    a launch, a section question and "next" in a session, for a listener with a saved place."""
    import reference_skill

    from skill.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="spasm-bench-") as tmp, serve_logging():
        app = create_app(verify=False, data_dir=tmp).test_client()
        project = _poster(app)
        reference = _poster(reference_skill.create_app().test_client())
        question = envelope(intent(SECTION_INTENT), user="bench-returning")
        answered = app.post("/alexa", json=question).get_json()
        bodies = {"launch": json.dumps(envelope(LAUNCH, user="bench-returning")),
                  "question": json.dumps(question),
                  "next": json.dumps(in_session(answered, intent("AMAZON.NextIntent")))}
        per_variant = config.rounds * config.per_round
        # A first-time listener: nothing saved yet, so the answer reads, misses and inserts a row.
        first_visits = iter([json.dumps(envelope(intent(SECTION_INTENT), user=f"bench-new-{i}"))
                             for i in range(per_variant + config.per_round)])
        variants: dict[str, Callable[[], None]] = {
            "project_first_visit": lambda: project(next(first_visits)),
        }
        for kind, body in bodies.items():
            variants[kind] = lambda body=body: project(body)
            variants[f"reference_{kind}"] = lambda body=body: reference(body)
        samples: dict[str, list[int]] = {name: [] for name in variants}
        for run in variants.values():  # warm-up: caches, connections, the saved row
            for _ in range(config.per_round):
                run()
        clock = time.perf_counter_ns
        for number in range(config.rounds):
            order = list(variants) if number % 2 == 0 else list(reversed(variants))
            for name in order:
                run, out = variants[name], samples[name]
                for _ in range(config.per_round):
                    start = clock()
                    run()
                    out.append(clock() - start)
    result: dict[str, Any] = {name: summary_us(values) for name, values in samples.items()}
    for kind in (*REQUEST_KINDS, "project_first_visit"):
        reference_figures = result[f"reference_{kind}" if kind in REQUEST_KINDS
                                   else "reference_question"]
        result[kind]["ratio_median"] = ratio(result[kind]["median_us"], reference_figures["median_us"])
        result[kind]["ratio_p99"] = ratio(result[kind]["p99_us"], reference_figures["p99_us"])
    result["requests"] = {**REQUEST_KINDS, "conditions": "saved state in SQLite, verification off, "
                          "JSON request log at INFO as `serve` writes it"}
    return result


# --- cold start -----------------------------------------------------------------------------

COLD_CODE = """
import json, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[3])
profiler = None
if sys.argv[4]:
    from pyinstrument import Profiler
    profiler = Profiler(interval=0.0002)
    profiler.start()
    start = time.perf_counter()
import importlib
module = importlib.import_module(sys.argv[1])
imported = time.perf_counter()
answer = module.lambda_handler(json.loads(sys.argv[2]), None)
answered = time.perf_counter()
if profiler is not None:
    profiler.stop()
    open(sys.argv[4], "w").write(profiler.output_html())
    print(profiler.output_text(), file=sys.stderr)
assert answer["response"]["outputSpeech"]["ssml"], answer
print(json.dumps({"import_ms": (imported - start) * 1000, "first_answer_ms": (answered - imported) * 1000,
                  "total_ms": (answered - start) * 1000}))
"""


def _cold_once(module: str, path: Path, profile_to: Path | None = None) -> dict[str, float]:
    """One fresh interpreter importing `module` from `path` and answering a launch."""
    with tempfile.TemporaryDirectory(prefix="spasm-cold-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPASM_GUIDE_")}
        env |= {"SPASM_GUIDE_DATA_DIR": tmp, "SPASM_GUIDE_LOG_LEVEL": "WARNING"}
        event = json.dumps(envelope(LAUNCH, user="bench-cold"))
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", COLD_CODE, module, event, str(path), str(profile_to or "")],
            cwd=tmp, env=env, capture_output=True, text=True, timeout=60, check=False)
        wall = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"cold start of {module} failed:\n{done.stderr[-2000:]}")
    if profile_to is not None:
        print(done.stderr)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_wall_ms"] = wall
    return figures


def cold_start(config: Config) -> dict[str, Any]:
    """Fresh interpreters, alternating project and reference; medians of each.

    The project starts from the folder `make lambda` deploys (with its content
    snapshot), as a Lambda cold start would.
    """
    from skill.aws_lambda.package import build, compile_bytecode

    with tempfile.TemporaryDirectory(prefix="spasm-lambda-") as folder:
        package = build(Path(folder) / "lambda")
        reference = Path(folder) / "reference"
        reference.mkdir()
        shutil.copy2(BENCH / "reference_skill.py", reference)
        compile_bytecode(reference)  # both sides start from shipped bytecode
        return _cold_start_from(config, package, reference)


def _cold_start_from(config: Config, package: Path, reference: Path) -> dict[str, Any]:
    modules = {"project": ("skill.aws_lambda.handler", package),
               "reference": ("reference_skill", reference)}
    for module, path in modules.values():
        _cold_once(module, path=path)  # files in the page cache, as on a warm disk
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in modules}
    for number in range(config.cold_runs):
        order = list(modules) if number % 2 == 0 else list(reversed(modules))
        for name in order:
            module, path = modules[name]
            runs[name].append(_cold_once(module, path=path))
    result: dict[str, Any] = {}
    for name, figures in runs.items():
        result[name] = {key: round(statistics.median(f[key] for f in figures), 1)
                        for key in ("import_ms", "first_answer_ms", "total_ms", "process_wall_ms")}
        result[name]["total_ms_each"] = [round(f["total_ms"], 1) for f in figures]
    # Each project run is paired with the reference run next to it in time: the median of
    # those ratios shrugs off a burst of other work on the machine better than two medians.
    pairs = [mine["total_ms"] / theirs["total_ms"]
             for mine, theirs in zip(runs["project"], runs["reference"], strict=True)]
    result["ratio"] = round(statistics.median(pairs), 2)
    result["ratio_of_medians"] = ratio(result["project"]["total_ms"], result["reference"]["total_ms"])
    result["measure"] = "import + first LaunchRequest, in a fresh process, fresh SQLite dir"
    return result


# --- the server and the load (bench/load.py's functions) ------------------------------------


@contextlib.contextmanager
def running_server(folder: Path, reference: bool = False
                   ) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`spasm-guide serve --no-verify` as bench/load.py starts it (2 workers x 4 threads,
    JSON request logs on, as in production), or with `reference` the reference skill's
    Flask app under the same server; on a free loopback port, always stopped."""
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        try:
            if reference:
                process, port = load.launch(lambda port: [
                    sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
                    "--worker-class", "skill.web.worker.Worker", "--bind", f"127.0.0.1:{port}",
                    "reference_skill:create_app()"], log, cwd=BENCH)
            else:
                process, port = load.start_server(folder / "data", workers=2, threads=4, log=log)
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its log:\n{log_path.read_text(errors='replace')[-2000:]}"
                               ) from None
        try:
            _wait_for_workers(process)
            yield process, port
        finally:
            load.stop_server(process)


def worker_pids(process: subprocess.Popen[bytes]) -> list[int]:
    """Process ids of the gunicorn workers: the children of the server we started."""
    children: list[int] = []
    for task in Path(f"/proc/{process.pid}/task").iterdir():
        with contextlib.suppress(OSError):
            children += [int(pid) for pid in (task / "children").read_text().split()]
    return sorted(children)


def _wait_for_workers(process: subprocess.Popen[bytes], expected: int = 2) -> None:
    deadline = time.monotonic() + 20
    while len(worker_pids(process)) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # let every worker finish importing before anything is timed


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (from /proc/PID/stat)."""
    ticks = 0
    for pid in pids:
        # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def load_level(port: int, workers: list[int], clients: int, seconds: float) -> dict[str, Any]:
    """One closed-loop level, with the CPU the server and the clients spent per request."""
    server_before, clients_before = cpu_seconds(workers), time.process_time()
    tally = load.run("127.0.0.1", port, "/alexa", clients, seconds, seed=clients)
    server_cpu, client_cpu = cpu_seconds(workers) - server_before, time.process_time() - clients_before
    ordered = sorted(tally.latencies_ms)
    rps = len(ordered) / seconds
    per_request = 1000 / max(len(ordered), 1)
    return {"clients": clients, "seconds": seconds, "requests": len(ordered),
            "errors": sum(tally.errors.values()), "error_kinds": dict(tally.errors),
            "rps": round(rps, 1),
            "p50_ms": round(load.percentile(ordered, 0.50), 2),
            "p99_ms": round(load.percentile(ordered, 0.99), 2),
            # Little's law: in a closed loop, mean latency = clients / throughput, so at 50
            # clients a p99 under 20 ms needs well over 2,500 requests a second.
            "littles_law_mean_ms": round(1000 * clients / rps, 2) if rps else None,
            "server_cpu_ms_per_request": round(server_cpu * per_request, 3),
            "client_cpu_ms_per_request": round(client_cpu * per_request, 3)}


def _load_levels(config: Config, reference: bool) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="spasm-load-") as tmp, \
            running_server(Path(tmp), reference) as (process, port):
        load.run("127.0.0.1", port, "/alexa", clients=4, seconds=1.0, seed=0)  # warm-up
        workers = worker_pids(process)
        return [load_level(port, workers, clients, config.load_seconds)
                for clients in config.load_clients]


def http_load(config: Config) -> dict[str, Any]:
    """Closed loop: each client sends its next request as soon as the last is answered.

    The reference skill runs under the same server and worker, to show what the server
    stack alone allows on this machine.
    """
    return {"source": "bench/load.py (listeners: launch, next, section questions and names, "
                      "numbers, where am I, session ends)",
            "server": "spasm-guide serve --no-verify, 2 workers (skill/web/worker.py) x 4 app threads, "
                      "JSON logs",
            "reference_server": "bench/reference_skill.py's Flask app, gunicorn with the same "
                                "worker (skill/web/worker.py), 2 x 4, no logs, no state",
            "cores": os.cpu_count(),
            "levels": _load_levels(config, reference=False),
            "reference_levels": _load_levels(config, reference=True)}


# --- memory ---------------------------------------------------------------------------------


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _rss(pids: list[int]) -> dict[int, dict[str, float]]:
    return {pid: {"rss_mib": round(_status_kib(pid, "VmRSS") / 1024, 2),
                  "peak_mib": round(_status_kib(pid, "VmHWM") / 1024, 2)} for pid in pids}


def _send(port: int, count: int, clients: int = 10) -> tuple[int, int]:
    """About `count` requests from bench/load.py's listeners (bounded runs, sized by the rate)."""
    sent = errors = 0
    rate = None
    while sent < count:
        seconds = 0.2 if rate is None else min(5.0, max(0.1, 0.9 * (count - sent) / rate))
        began = time.perf_counter()
        tally = load.run("127.0.0.1", port, "/alexa", clients, seconds, seed=sent)
        answered = len(tally.latencies_ms)
        if answered == 0:
            raise RuntimeError(f"the server answered nothing: {tally.errors}")
        sent, errors = sent + answered, errors + sum(tally.errors.values())
        rate = answered / (time.perf_counter() - began)
    return sent, errors


def memory(config: Config) -> dict[str, Any]:
    """Worker RSS after warm-up and after the full count: growth means something is kept."""
    with tempfile.TemporaryDirectory(prefix="spasm-mem-") as tmp, \
            running_server(Path(tmp)) as (process, port):
        workers = worker_pids(process)
        warm_count, warm_errors = _send(port, config.warmup_requests)
        warm = _rss(workers)
        more, more_errors = _send(port, config.memory_requests - warm_count)
        after = _rss(workers)
        if worker_pids(process) != workers:
            raise RuntimeError("a server worker restarted during the memory run")
    growth = [round(after[pid]["rss_mib"] - warm[pid]["rss_mib"], 2) for pid in workers]
    return {
        "workers": len(workers),
        "warmup_requests": warm_count,
        "requests": warm_count + more,
        "errors": warm_errors + more_errors,
        "warm_rss_mib": round(sum(w["rss_mib"] for w in warm.values()), 1),
        "after_rss_mib": round(sum(a["rss_mib"] for a in after.values()), 1),
        "peak_worker_mib": max(a["peak_mib"] for a in after.values()),
        "peak_total_mib": round(sum(a["peak_mib"] for a in after.values()), 1),
        "growth_per_worker_mib": growth,
        "max_growth_mib": max(growth),
        "noise_mib": NOISE_MIB,
    }


# --- audio build (bench/audio_build.py's functions) ---------------------------------------

RTF_LINE = re.compile(r"^(\w+)\s+jobs=(\d+):.*real-time factor ([\d.]+)")
REBUILD_LINE = re.compile(r"^no-change rebuild \((\w+)\), stat cache warm: median ([\d.]+) ms")


def _printed_by(module_name: str, config: Config, run: Callable[[Any], Any]
                ) -> tuple[Any, list[str]] | dict[str, str]:
    """Run another bench script's functions, keeping what they print; or say why not."""
    if config.quick:
        return {"status": "skipped with --quick (about a minute)"}
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        return {"status": f"not available ({error})"}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        outcome = run(module)
    return outcome, printed.getvalue().splitlines()


def _audio_figures(audio: Any) -> list[str]:
    found = audio.engines()
    for engine in found:
        audio.real_time_factors(engine)
    if found:
        audio.no_change_rebuild(found[-1])
    return found


def audio_build(config: Config) -> dict[str, Any]:
    ran = _printed_by("audio_build", config, _audio_figures)
    if isinstance(ran, dict):
        return ran
    found, lines = ran
    rtf = [{"engine": m[1], "jobs": int(m[2]), "real_time_factor": float(m[3])}
           for m in map(RTF_LINE.match, lines) if m]
    rebuild = [{"engine": m[1], "median_ms": float(m[2])} for m in map(REBUILD_LINE.match, lines) if m]
    return {"status": "ok" if found else "no offline engine available", "real_time_factors": rtf,
            "no_change_rebuild": rebuild, "lines": lines}


# --- offline voice (bench/voice.py) ----------------------------------------------------------


def voice(config: Config) -> dict[str, Any]:
    """Intent accuracy over synthesised utterances in two voices, and reply latency."""
    ran = _printed_by("voice", config, lambda module: module.main([]))
    if isinstance(ran, dict):
        return ran
    return {"status": "ok", "lines": ran[1]}


# --- profiling ------------------------------------------------------------------------------


def profile(what: str) -> None:
    out = BENCH / f"profile-{what}.html"
    if what == "cold":
        from skill.aws_lambda.package import build

        with tempfile.TemporaryDirectory(prefix="spasm-lambda-") as folder:
            _cold_once("skill.aws_lambda.handler", profile_to=out, path=build(Path(folder) / "lambda"))
    elif what == "request":
        from pyinstrument import Profiler

        from skill.web.app import create_app

        with tempfile.TemporaryDirectory(prefix="spasm-bench-") as tmp:
            post = _poster(create_app(verify=False, data_dir=tmp).test_client())
            body = json.dumps(envelope(intent(SECTION_INTENT), user="bench-returning"))
            for _ in range(200):
                post(body)
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(2000):
                post(body)
            profiler.stop()
        out.write_text(profiler.output_html())
        print(profiler.output_text())
    else:
        raise SystemExit(f"--profile takes request or cold, not {what!r}")
    print(f"profile written to {out.relative_to(ROOT)}")


# --- report ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "date": datetime.now(UTC).isoformat(timespec="seconds"), "commit": commit or None,
            # Other work on the machine skews absolute figures (ratios much less): look here first.
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def table(results: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    rows = [["measure", "project", "reference", "ratio", "goal", ""]]
    missed: list[str] = []

    def add(measure: str, project: str, reference: str, ratio_text: str, goal: str, ok: bool | None):
        rows.append([measure, project, reference, ratio_text, goal, "" if ok is None else _verdict(ok)])
        if ok is False:
            missed.append(measure)

    if "request_cost" in results:
        cost = results["request_cost"]
        # The goal is for a listener with a saved place; a first visit also inserts a row and
        # hears the notice (compared with the reference's question).
        labels = [(kind, f"request, {kind}", True) for kind in REQUEST_KINDS]
        for name, label, has_goal in [*labels, ("project_first_visit", "request, first visit", False)]:
            mine = cost[name]
            ref = cost[f"reference_{name}" if name in REQUEST_KINDS else "reference_question"]
            for stat in ("median", "p99"):
                value, reference_value, times = mine[f"{stat}_us"], ref[f"{stat}_us"], mine[f"ratio_{stat}"]
                add(f"{label} {stat}", f"{value:.0f} us", f"{reference_value:.0f} us", f"{times:.2f}x",
                    f"<= {GOAL_RATIO}x" if has_goal else "(info)", times <= GOAL_RATIO if has_goal else None)
    if "cold_start" in results:
        cold = results["cold_start"]
        add("cold start (import + 1st launch)", f"{cold['project']['total_ms']:.0f} ms",
            f"{cold['reference']['total_ms']:.0f} ms", f"{cold['ratio']:.2f}x", f"<= {GOAL_RATIO}x",
            cold["ratio"] <= GOAL_RATIO)
        add("  of which import", f"{cold['project']['import_ms']:.0f} ms",
            f"{cold['reference']['import_ms']:.0f} ms", "", "", None)
        add("  process wall time", f"{cold['project']['process_wall_ms']:.0f} ms",
            f"{cold['reference']['process_wall_ms']:.0f} ms", "", "", None)
    if "http_load" in results:
        load_results = results["http_load"]
        references = load_results.get("reference_levels") or [None] * len(load_results["levels"])
        for level, reference in zip(load_results["levels"], references, strict=True):
            goal_here = level["clients"] == 50
            ok = level["errors"] == 0 and (level["p99_ms"] < GOAL_P99_MS or not goal_here)
            add(f"HTTP {level['clients']} clients", _load_summary(level),
                _load_summary(reference) if reference else "", "",
                f"p99 < {GOAL_P99_MS:.0f} ms, 0 err" if goal_here else "0 errors", ok)
            add("  CPU/request: server, clients",
                f"{level['server_cpu_ms_per_request']:.2f} ms, {level['client_cpu_ms_per_request']:.2f} ms"
                f" (clients / rate = {level['littles_law_mean_ms']:.1f} ms mean)",
                f"{reference['server_cpu_ms_per_request']:.2f} ms, "
                f"{reference['client_cpu_ms_per_request']:.2f} ms" if reference else "", "", "", None)
    if "memory" in results:
        mem = results["memory"]
        add(f"memory, {mem['workers']} workers, {mem['requests']:,} req",
            f"peak {mem['peak_worker_mib']:.1f} MiB/worker ({mem['peak_total_mib']:.1f} total), "
            f"{mem['errors']} err", "", "", "0 errors", mem["errors"] == 0)
        add(f"RSS after {mem['warmup_requests']:,} -> {mem['requests']:,} req",
            f"{mem['warm_rss_mib']:.1f} -> {mem['after_rss_mib']:.1f} MiB "
            f"(max {mem['max_growth_mib']:+.2f}/worker)", "", "", f"<= {mem['noise_mib']} MiB/worker",
            mem["max_growth_mib"] <= mem["noise_mib"])
    if "audio_build" in results:
        audio = results["audio_build"]
        if audio.get("status") != "ok":
            add("audio build", audio.get("status", "?"), "", "", "", None)
        for figure in audio.get("real_time_factors", []):
            add(f"audio {figure['engine']}, {figure['jobs']} job(s)",
                f"real-time factor {figure['real_time_factor']:.3f}", "", "", "", None)
        for figure in audio.get("no_change_rebuild", []):
            add(f"audio rebuild, no change ({figure['engine']})", f"{figure['median_ms']:.1f} ms",
                "", "", "", None)
    return rows, missed


def _load_summary(level: dict[str, Any]) -> str:
    return (f"{level['rps']:.0f} req/s, p50 {level['p50_ms']:.1f} / p99 {level['p99_ms']:.1f} ms, "
            f"{level['errors']} err")


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, noisier figures")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated from {PARTS}")
    parser.add_argument("--profile", choices=("request", "cold"), help="profile one path instead")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON results")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    config = Config.smoke() if args.quick else Config()
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    steps: dict[str, tuple[str, Callable[[Config], dict[str, Any]]]] = {
        "request": ("request_cost", request_cost), "cold": ("cold_start", cold_start),
        "load": ("http_load", http_load), "memory": ("memory", memory),
        "audio": ("audio_build", audio_build), "voice": ("voice", voice),
    }
    results: dict[str, Any] = {"machine": machine(), "command": "make bench",
                               "config": asdict(config)}
    for part in PARTS:
        if part in parts:
            key, step = steps[part]
            began = time.perf_counter()
            print(f"bench: {part} ...", file=sys.stderr, flush=True)
            results[key] = step(config)
            results[key]["bench_seconds"] = round(time.perf_counter() - began, 1)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    rows, missed = table(results)
    results["goals_missed"] = missed
    info = results["machine"]
    print(f"\nFacial Spasm Guide benchmarks, {info['date']}: {info['cpu']}, {info['cores']} cores, "
          f"Python {info['python']}, {info['platform']}, load average {info['load_average_at_start'][0]}"
          f" at start\n")
    print_table(rows)
    for line in results.get("voice", {}).get("lines", []):
        print(line)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults written to {os.path.relpath(args.output)}")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
