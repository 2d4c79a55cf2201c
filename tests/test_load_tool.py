"""bench/load.py: it refuses anything but loopback, and a short run counts what it sends."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from werkzeug.serving import make_server

from skill.web.app import create_app

LOAD = Path(__file__).resolve().parent.parent / "bench" / "load.py"


@pytest.fixture(scope="module")
def load() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_load", LOAD)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["bench_load"]


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8000/alexa", ("127.0.0.1", 8000, "/alexa")),
    ("http://127.5.5.5/alexa", ("127.5.5.5", 80, "/alexa")),
    ("http://[::1]:9/alexa", ("::1", 9, "/alexa")),
    ("http://localhost:8000/alexa", ("localhost", 8000, "/alexa")),
])
def test_loopback_urls_are_accepted(load: ModuleType, url: str, expected: tuple) -> None:
    assert load.loopback_url(url) == expected


@pytest.mark.parametrize("url", ["http://example.com/alexa", "http://10.0.0.1/alexa",
                                 "https://127.0.0.1/alexa", "http://0.0.0.0/alexa",
                                 "http://192.168.1.2:8000/alexa", "ftp://127.0.0.1/"])
def test_other_urls_are_refused(load: ModuleType, url: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert load.main(["--url", url, "--seconds", "1", "--clients", "1"]) == 2
    assert "refusing" in capsys.readouterr().err


@pytest.fixture
def server(tmp_path: Path) -> Iterator[int]:
    """The app on a loopback port in a thread: quicker to start than gunicorn."""
    httpd = make_server("127.0.0.1", 0, create_app(verify=False, data_dir=tmp_path),
                        threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(timeout=5)


def test_a_short_run_reports_figures_and_no_errors(load: ModuleType, server: int,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{server}/alexa"
    assert load.main(["--url", url, "--clients", "3", "--seconds", "1"]) == 0
    out = capsys.readouterr().out
    for words in ("throughput", "p50", "p90", "p99", "errors      0", "launch"):
        assert words in out, out
