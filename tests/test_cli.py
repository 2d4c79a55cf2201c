"""The command line's set-up errors: one clear line naming the flag or variable, exit 2,
nothing started or changed; and help that names each command's environment variables."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import skill.web.server
from skill import cli
from skill.config import ConfigError, Settings, from_environment
from skill.web.server import bind_address

SCRIPT = Path(sys.executable).with_name("spasm-guide")


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """gunicorn replaced by a record of each start, so a test sees whether serve got that far."""
    calls: list[dict[str, Any]] = []

    def record(**options: Any) -> int:
        calls.append(options)
        return 0

    monkeypatch.setattr(skill.web.server, "serve", record)
    return calls


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another program is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("mine\n", encoding="utf-8")
    return path


def one_line(text: str, *words: str) -> None:
    assert text.count("\n") == 1, text
    assert "Traceback" not in text and 'File "' not in text, text
    for word in words:
        assert word in text, text


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """argparse's own refusal: exit 2, and the last line of stderr."""
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


# ------------------------------------------------------------------ SPASM_GUIDE_PORT


def test_a_bad_port_variable_is_read_only_when_asked_for() -> None:
    settings = from_environment({"SPASM_GUIDE_PORT": "abc"})
    assert settings.data_dir == Settings().data_dir
    with pytest.raises(ConfigError, match=r"SPASM_GUIDE_PORT: 'abc' is not a port number \(1-65535\)"):
        _ = settings.port


def test_a_bad_port_variable_does_not_stop_ask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SPASM_GUIDE_PORT", "abc")
    assert cli.main(["ask", "--data-dir", str(tmp_path), "what", "causes", "it"]) == 0
    assert capsys.readouterr().err == ""


def test_a_bad_port_variable_stops_serve_with_its_name(
        monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SPASM_GUIDE_PORT", "abc")
    assert cli.main(["serve", "--data-dir", str(tmp_path)]) == 2
    one_line(capsys.readouterr().err,
             "spasm-guide serve: SPASM_GUIDE_PORT: 'abc' is not a port number (1-65535)")
    assert started == []


def test_port_flag_overrides_a_bad_port_variable(
        monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]], tmp_path: Path) -> None:
    monkeypatch.setenv("SPASM_GUIDE_PORT", "abc")
    assert cli.main(["serve", "--port", "8000", "--host", "127.0.0.1",
                     "--data-dir", str(tmp_path)]) == 0
    assert started[0]["port"] == 8000


# ---------------------------------------------------------------------- serve


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_serve_refuses_a_port_out_of_range(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(["serve", "--port", port], capsys)
    assert error.endswith(f"argument --port: '{port}' is not a port number (1-65535)")


def test_serve_on_a_taken_port_is_one_line_and_exit_2(
        taken_port: int, started: list[dict[str, Any]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["serve", "--host", "127.0.0.1", "--port", str(taken_port), "--data-dir", str(tmp_path)]
    assert cli.main(argv) == 2
    one_line(capsys.readouterr().err, f"cannot listen on 127.0.0.1:{taken_port}",
             "Address already in use")
    assert started == []


def test_serve_on_an_address_of_no_interface_here_is_one_line_and_exit_2(
        started: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 192.0.2.0/24 is reserved for documentation: no machine has it, and binding sends nothing.
    argv = ["serve", "--host", "192.0.2.1", "--port", "8000", "--data-dir", str(tmp_path)]
    assert cli.main(argv) == 2
    one_line(capsys.readouterr().err, "cannot listen on 192.0.2.1:8000", "SPASM_GUIDE_HOST")
    assert started == []


def test_an_ipv6_host_is_bracketed_for_gunicorn() -> None:
    assert bind_address("::1", 8000) == "[::1]:8000"
    assert bind_address("127.0.0.1", 8000) == "127.0.0.1:8000"


@pytest.mark.parametrize("flag", ["--workers", "--threads"])
def test_serve_refuses_zero_workers_or_threads(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    error = usage_error(["serve", flag, "0"], capsys)
    assert error.endswith(f"argument {flag}: must be a whole number of 1 or more, not '0'")


def test_serve_help_names_its_variables(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for variable in ("SPASM_GUIDE_HOST", "SPASM_GUIDE_PORT", "SPASM_GUIDE_SKILL_ID",
                     "SPASM_GUIDE_VERIFY", "SPASM_GUIDE_DATA_DIR"):
        assert variable in shown
    assert "None" not in shown
    assert "(SPASM_GUIDE_PORT; default: 8000)" in shown


# ------------------------------------------------------------------ --data-dir


@pytest.mark.parametrize("command", [["ask", "hello"], ["chat"]])
def test_a_data_dir_that_is_a_file_stops_before_the_conversation(
        command: list[str], a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([command[0], "--data-dir", str(a_file), *command[1:]]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    one_line(err, f"spasm-guide {command[0]}: cannot keep saved places in {a_file}",
             "--data-dir", "it is a file, not a folder")
    assert a_file.read_text(encoding="utf-8") == "mine\n"


def test_a_data_dir_under_a_file_cannot_be_created(a_file: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ask", "--data-dir", str(a_file / "data"), "hello"]) == 2
    one_line(capsys.readouterr().err, "it cannot be created (Not a directory)")


def test_a_data_dir_holding_something_else_than_a_database_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "state.sqlite3").write_bytes(b"not a database, just bytes " * 10)
    assert cli.main(["ask", "--data-dir", str(tmp_path), "hello"]) == 2
    one_line(capsys.readouterr().err, "could not open the database: file is not a database")


# ------------------------------------------------------------------------ pipes


@pytest.mark.skipif(not SCRIPT.exists(), reason="spasm-guide is not installed in this venv")
def test_ctrl_c_is_exit_130_without_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_ask", interrupted)
    assert cli.main(["ask", "next"]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path: Path) -> None:
    process = subprocess.Popen([str(SCRIPT), "ask", "--data-dir", str(tmp_path), "what causes it"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that has read enough, before anything is written
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert err == ""


# ------------------------------------------------------------------ inside serve


@pytest.fixture
def gunicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """gunicorn itself replaced by a record of its options: serve's own checks still run."""
    runs: list[dict[str, Any]] = []

    class Recorded:
        def __init__(self, options: dict[str, Any], app_options: dict[str, Any]) -> None:
            self.options = options

        def run(self) -> None:
            runs.append(self.options)

    monkeypatch.setattr(skill.web.server, "_Gunicorn", Recorded)
    return runs


@pytest.mark.parametrize(("name", "value"), [
    *(("SPASM_GUIDE_REQUEST_TIMEOUT", value) for value in ("abc", "0", "-1", "nan", "inf", "301")),
    *(("SPASM_GUIDE_MAX_CONNECTIONS", value) for value in ("abc", "0", "2.5", "100001")),
    ("SPASM_GUIDE_MAX_CLIENT_CONNECTIONS", "-3"),
])
def test_a_bad_server_limit_stops_serve_with_its_name(
        name: str, value: str, monkeypatch: pytest.MonkeyPatch, gunicorn: list[dict[str, Any]],
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(name, value)
    argv = ["serve", "--host", "127.0.0.1", "--port", "8000", "--skill-id", "amzn1.ask.skill.x",
            "--data-dir", str(tmp_path)]
    assert cli.main(argv) == 2
    one_line(capsys.readouterr().err, name, repr(value))
    assert gunicorn == []


def test_serve_turns_gunicorns_control_socket_off(gunicorn: list[dict[str, Any]],
                                                  tmp_path: Path) -> None:
    argv = ["serve", "--host", "127.0.0.1", "--port", "8000", "--skill-id", "amzn1.ask.skill.x",
            "--data-dir", str(tmp_path)]
    assert cli.main(argv) == 0
    assert gunicorn[0]["control_socket_disable"] is True


def test_a_setting_an_older_gunicorn_lacks_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(skill.web.server, "NEWER_SETTINGS", ("from_a_future_gunicorn",))
    application = skill.web.server._Gunicorn({"from_a_future_gunicorn": True, "workers": 3}, {})
    assert application.cfg.workers == 3


@pytest.fixture
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_verify_beyond_loopback_is_refused(gunicorn: list[dict[str, Any]], free_port: int,
                                              tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["serve", "--no-verify", "--host", "0.0.0.0", "--port", str(free_port),
            "--data-dir", str(tmp_path)]
    assert cli.main(argv) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()  # one line, no warning before it
    assert line.startswith("spasm-guide serve: --no-verify") and "0.0.0.0" in line
    assert gunicorn == []


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.5.5.5", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.0.2.1", False), ("myhost.example", False)])
def test_only_loopback_hosts_count_as_loopback(host: str, loopback: bool) -> None:
    assert skill.web.server.is_loopback(host) is loopback


@pytest.mark.parametrize(("skill_id", "warnings"), [(None, 1), ("amzn1.ask.skill.x", 0)])
def test_verifying_without_a_skill_id_warns_once(
        skill_id: str | None, warnings: int, gunicorn: list[dict[str, Any]], free_port: int,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SPASM_GUIDE_SKILL_ID", raising=False)
    argv = ["serve", "--host", "127.0.0.1", "--port", str(free_port), "--data-dir", str(tmp_path)]
    assert cli.main(argv + (["--skill-id", skill_id] if skill_id else [])) == 0
    assert capsys.readouterr().err.count("requests for any Alexa skill") == warnings
