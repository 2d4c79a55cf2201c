"""Run the WSGI app under gunicorn, a production server, from Python.

Why not `flask run`: the development server is single-purpose, unhardened
and slow under concurrency. gunicorn's master starts, watches and restarts
several worker processes sharing one SQLite file in WAL mode; each worker is
worker.py's event loop, which reads whole requests within a deadline and
hands them to a few threads (why not gunicorn's own thread-per-connection
gthread worker: there, clients that send half a request hold every thread).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from skill import logs
from skill.config import ConfigError, from_environment
from skill.web.app import create_app

log = logging.getLogger(__name__)
# Settings that only newer gunicorns know; an older one runs without them.
NEWER_SETTINGS = ("control_socket_disable",)


class RequestLogOnly(Logger):
    """gunicorn's logger without its access log: skill/logs.py writes one line per request.

    With a logging config set, gunicorn builds every access-log line's fields even when
    the line is then dropped: about a twentieth of a request's CPU.
    """

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any], app_options: dict[str, Any]) -> None:
        self.options, self.app_options = options, app_options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in NEWER_SETTINGS and key not in self.cfg.settings:
                continue  # an older gunicorn, without the feature the setting turns off
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(**self.app_options)


def bind_address(host: str, port: int) -> str:
    """gunicorn's bind string: an IPv6 address needs brackets, or its colons read as a port."""
    return f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"


def bind_problem(host: str, port: int) -> str | None:
    """Why gunicorn could not listen on host:port, found by binding as it would; None if it can.

    Left to gunicorn, a taken port or a foreign address costs five one-second retries,
    a few error lines each, then exit 1. Checked first, it is one line at once (another
    program could still take the port in between; gunicorn then reports it its own way).
    """
    from gunicorn.util import is_ipv6, parse_address

    address = parse_address(bind_address(host, port))
    if not isinstance(address, tuple):  # a unix socket: gunicorn's own business
        return None
    family = socket.AF_INET6 if is_ipv6(address[0]) else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        return f"cannot listen on {host}:{port}: {error.strerror or error}"
    except (UnicodeError, ValueError) as error:  # e.g. a host name too long to look up
        return f"cannot listen on {host}:{port}: {error}"
    return None


def is_loopback(host: str) -> bool:
    """Only this machine can connect to host (a name other than localhost is not trusted to be)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(*, host: str, port: int, skill_id: str | None, verify: bool, data_dir: Path,
          workers: int = 2, threads: int = 4, log_format: str = "json",
          log_level: str = "INFO") -> int:
    if not verify and not is_loopback(host):
        raise ConfigError(f"--no-verify (SPASM_GUIDE_VERIFY=0) is for loopback only, not {host}: "
                          "anyone who can reach the server could pose as Alexa")
    # An unusable limit: one line now (ConfigError), not a worker failing to start.
    from_environment().check_server_limits()
    if verify and not skill_id:
        log.warning("no --skill-id (SPASM_GUIDE_SKILL_ID): requests for any Alexa skill are "
                    "accepted; Amazon's certification requires the application id check")
    options = {
        "bind": bind_address(host, port),
        "workers": max(1, workers),
        "threads": max(1, threads),
        "worker_class": "skill.web.worker.Worker",
        "timeout": 30,
        "graceful_timeout": 5,
        "accesslog": None,
        "logger_class": RequestLogOnly,
        # gunicorn's own lines and ours in one format (see skill/logs.py).
        "loglevel": log_level.lower(),
        "logconfig_dict": logs.gunicorn_config(log_format, log_level),
        # gunicorn 25+ otherwise opens $HOME/.gunicorn/gunicorn.ctl, one path shared by every
        # instance of the user, from which its workers can be stopped or added.
        "control_socket_disable": True,
    }
    app_options = {"verify": verify, "skill_id": skill_id, "data_dir": data_dir}
    _Gunicorn(options, app_options).run()
    return 0
