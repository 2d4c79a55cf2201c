"""The tests' own network guard (tests/conftest.py): nothing may leave this machine."""

from __future__ import annotations

import socket

import pytest


def test_a_name_lookup_beyond_loopback_is_refused_and_recorded(no_network: list[object]) -> None:
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 443)
    assert no_network == ["example.com"]
    no_network.clear()  # recorded, as it should be; the teardown check is for real leaks


def test_a_connection_beyond_loopback_is_refused_and_recorded(no_network: list[object]) -> None:
    with socket.socket() as sock, pytest.raises(OSError, match="socket guard"):
        sock.connect(("192.0.2.1", 443))  # TEST-NET-1: never routed
    assert no_network == [("192.0.2.1", 443)]
    no_network.clear()


def test_loopback_names_still_resolve() -> None:
    assert socket.getaddrinfo("localhost", 80)
    assert socket.getaddrinfo("127.0.0.1", 80)
