"""Benchmark the audio build: real-time factor per offline engine, and no-change rebuilds.

    .venv/bin/python bench/audio_build.py

Prints figures and asserts nothing (``make bench`` runs it). Everything builds into
temporary folders from the packaged content; nothing touches the network or
the committed audio/output/. The load average is printed too: on a shared machine it
explains most of the variation between runs.

Real-time factor = synthesis wall time / seconds of speech produced (lower is
faster), measured for 1 and 2 threads because the build's --jobs default per
engine (``DEFAULT_JOBS`` and ``default_jobs`` in audio/build/run.py) comes from
these numbers. On 2 cores Piper with 2 threads matched 1 thread when the machine
was idle, and was 1.1-1.7x faster when other work competed for the CPU (real-time
factor 0.15 against 0.17-0.26): onnxruntime and the phonemizer release the GIL, so
every engine gets as many threads as cores, at most 4. espeak-ng and flite are a
process per text. gTTS waits on the network, so it gets 4 threads whatever the cores.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audio.build.hashes import STATE_NAME
from audio.build.run import build
from audio.engines import Engine, EngineUnavailable, get_engine
from content import guide

OFFLINE_ENGINES = ("piper", "espeak")
JOBS = (1, 2)
NO_CHANGE_RUNS = 7

FRESH_PROCESS = """
import sys, time
started = time.perf_counter()
from audio.build.run import build
report = build(out_dir=sys.argv[1], engine=sys.argv[2])
assert not report.built, report.built
print(time.perf_counter() - started)
"""


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def engines() -> list[Engine]:
    found = []
    for name in OFFLINE_ENGINES:
        try:
            engine = get_engine(name)
            engine.synthesize("Warm up.")  # loads Piper's model outside the timings
            found.append(engine)
        except EngineUnavailable as error:
            print(f"{name:7} not available: {error}")
    return found


def real_time_factors(engine: Engine) -> None:
    for jobs in JOBS:
        with tempfile.TemporaryDirectory() as out:
            report = build(guide(), out, engine=engine, jobs=jobs)
        print(f"{engine.name:7} jobs={jobs}: {report.spoken_seconds:6.1f} s of speech in "
              f"{report.synthesis_seconds:6.2f} s, real-time factor "
              f"{report.real_time_factor or 0:.3f}; whole build {report.elapsed_seconds:.2f} s")


def milliseconds(samples: list[float]) -> str:
    return (f"median {statistics.median(samples) * 1000:.1f} ms "
            f"(min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f}, "
            f"{len(samples)} runs)")


def no_change_rebuild(engine: Engine) -> None:
    """Build once, then time builds that find nothing to do."""
    with tempfile.TemporaryDirectory() as out:
        build(guide(), out, engine=engine)
        warm, cold = [], []
        for _ in range(NO_CHANGE_RUNS):
            started = time.perf_counter()
            build(guide(), out, engine=engine)
            warm.append(time.perf_counter() - started)
            (Path(out) / STATE_NAME).unlink()  # as after a fresh checkout: hash every file
            started = time.perf_counter()
            build(guide(), out, engine=engine)
            cold.append(time.perf_counter() - started)
        fresh = [float(subprocess.run(
            [sys.executable, "-c", FRESH_PROCESS, out, engine.name],
            check=True, capture_output=True, text=True).stdout) for _ in range(3)]
    print(f"no-change rebuild ({engine.name}), stat cache warm: {milliseconds(warm)}")
    print(f"no-change rebuild ({engine.name}), every file hashed: {milliseconds(cold)}")
    print(f"no-change rebuild in a new process (imports, content, build): {milliseconds(fresh)}")


def main() -> int:
    print(load())
    found = engines()
    for engine in found:
        real_time_factors(engine)
    if found:
        no_change_rebuild(found[-1])
    print(load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
