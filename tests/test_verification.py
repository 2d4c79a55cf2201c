"""Tests for skill.web.verification and .certificates: Alexa web-service request verification.

A private test CA stands in for Amazon's (see tests/alexa_certs.py); the
certificate download is faked, except for the default fetcher's own tests,
which use a throwaway HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.datastructures import Headers

from skill.web.certificates import FAILURE_MEMORY, UrlFetcher, VerificationError
from skill.web.verification import RequestVerifier
from tests.alexa_certs import (
    CERT_URL,
    LEAF_LIFETIME,
    SKILL_ID,
    Chain,
    FakeClock,
    FakeFetcher,
    Keys,
    generate_key,
    generate_keys,
    make_chain,
    request_body,
    request_envelope,
    sign,
    signed_headers,
)

NOW = datetime(2026, 11, 25, 16, 0, 0, tzinfo=UTC)


# --- fixtures ---------------------------------------------------------------


@pytest.fixture(scope="session")
def keys() -> Keys:
    return generate_keys()


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    return generate_key()


@pytest.fixture(scope="module")
def chain(keys: Keys) -> Chain:
    return make_chain(keys, now=NOW)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def fetcher(chain: Chain) -> FakeFetcher:
    return FakeFetcher(chain.pem)


@pytest.fixture
def verifier(chain: Chain, fetcher: FakeFetcher, clock: FakeClock) -> RequestVerifier:
    return RequestVerifier(
        skill_id=SKILL_ID, fetcher=fetcher, trusted_roots=[chain.root], clock=clock
    )


@pytest.fixture
def body() -> bytes:
    return request_body(timestamp=NOW)


@pytest.fixture
def headers(body: bytes, chain: Chain) -> dict[str, str]:
    return signed_headers(body, chain.leaf_key)


def rejects(verifier: RequestVerifier, headers: dict[str, str], body: bytes, reason: str) -> None:
    """Assert that verification fails with a reason containing ``reason``."""
    with pytest.raises(VerificationError, match=reason):
        verifier.verify(headers, body)


def rejects_chain(
    verifier: RequestVerifier, headers: dict[str, str], body: bytes, because: str
) -> None:
    """Assert the chain is refused, and that cryptography refused it ``because`` (not by luck)."""
    with pytest.raises(VerificationError, match="not trusted") as excinfo:
        verifier.verify(headers, body)
    assert because in str(excinfo.value.__cause__)


# --- the happy path -----------------------------------------------------------


def test_correctly_signed_request_is_accepted(verifier, headers, body, fetcher):
    verifier.verify(headers, body)
    assert fetcher.urls == [CERT_URL]


def test_header_names_are_case_insensitive_in_plain_dicts(verifier, headers, body):
    verifier.verify({name.lower(): value for name, value in headers.items()}, body)


def test_flask_headers_are_accepted(verifier, headers, body):
    verifier.verify(Headers(headers), body)


def test_url_scheme_host_and_default_port_are_case_insensitive(verifier, body, chain):
    url = "HTTPS://S3.AmazonAWS.com:443/echo.api/../echo.api/echo-api-cert.pem"
    verifier.verify(signed_headers(body, chain.leaf_key, cert_url=url), body)


# --- rule 1: certificate URL --------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://s3.amazonaws.com/echo.api/cert.pem", id="scheme"),
        pytest.param("https://notamazon.com/echo.api/cert.pem", id="host"),
        pytest.param("https://s3.amazonaws.com.evil.example/echo.api/cert.pem", id="host-suffix"),
        pytest.param("https://evil@s3.amazonaws.com/echo.api/cert.pem", id="userinfo"),
        pytest.param("https://s3.amazonaws.com:563/echo.api/cert.pem", id="port"),
        pytest.param("https://s3.amazonaws.com:notaport/echo.api/cert.pem", id="bad-port"),
        pytest.param("https://s3.amazonaws.com/EcHo.aPi/cert.pem", id="path-mixed-case"),
        pytest.param("https://s3.amazonaws.com/ECHO.API/cert.pem", id="path-upper-case"),
        pytest.param("https://s3.amazonaws.com/invalid.path/cert.pem", id="path-other"),
        pytest.param("https://s3.amazonaws.com/echo.api/../invalid.path/cert.pem", id="dot-dot"),
        pytest.param("https://s3.amazonaws.com/cert.pem", id="path-root"),
        pytest.param("https://s3.amazonaws.com/echo.api/cert.pem?x=1", id="query"),
        pytest.param("https://s3.amazonaws.com/echo.api/cert.pem?", id="empty-query"),
        pytest.param("https://s3.amazonaws.com/echo.api/cert.pem#x", id="fragment"),
    ],
)
def test_bad_certificate_url_is_refused_before_download(verifier, body, chain, fetcher, url):
    headers = signed_headers(body, chain.leaf_key, cert_url=url)
    rejects(verifier, headers, body, "certificate URL")
    assert fetcher.calls == 0


def test_the_normalised_url_is_downloaded_not_the_one_sent(verifier, body, chain, fetcher):
    url = "https://s3.amazonaws.com/attacker-bucket/../echo.api/x.pem"
    verifier.verify(signed_headers(body, chain.leaf_key, cert_url=url), body)
    assert fetcher.urls == ["https://s3.amazonaws.com/echo.api/x.pem"]


def test_two_spellings_of_one_url_share_one_download(verifier, body, chain, fetcher):
    for url in (CERT_URL, "HTTPS://S3.AmazonAWS.com:443/echo.api/./echo-api-cert-test.pem"):
        verifier.verify(signed_headers(body, chain.leaf_key, cert_url=url), body)
    assert fetcher.urls == [CERT_URL]


def test_missing_certificate_url_header_is_refused(verifier, headers, body):
    del headers["SignatureCertChainUrl"]
    rejects(verifier, headers, body, "missing SignatureCertChainUrl")


# --- rules 2 and 3: certificate download, cache and chain -------------------


@pytest.mark.parametrize(
    ("leaf_from", "leaf_until"),
    [
        pytest.param(NOW - timedelta(days=60), NOW - timedelta(seconds=1), id="expired"),
        pytest.param(NOW + timedelta(seconds=1), NOW + timedelta(days=60), id="not-yet-valid"),
    ],
)
def test_leaf_outside_validity_period_is_refused(
    verifier, fetcher, keys, body, headers, leaf_from, leaf_until
):
    fetcher.pem = make_chain(
        keys, now=NOW, leaf_not_before=leaf_from, leaf_not_after=leaf_until
    ).pem
    rejects_chain(verifier, headers, body, "not valid at validation time")


def test_leaf_without_echo_api_san_is_refused(verifier, fetcher, keys, body, headers):
    fetcher.pem = make_chain(keys, now=NOW, dns_names=["echo-api.amazon.com.evil.example"]).pem
    rejects_chain(verifier, headers, body, "no matching subjectAltName")


def test_chain_from_untrusted_root_is_refused(verifier, fetcher, keys, other_key, body, headers):
    # Same root name as the trusted one, different key: an impostor CA.
    fetcher.pem = make_chain(dataclasses.replace(keys, root=other_key), now=NOW).pem
    rejects_chain(verifier, headers, body, "signature does not match")


def test_leaf_alone_without_intermediate_is_refused(verifier, fetcher, chain, body, headers):
    fetcher.pem = chain.pem.split(b"-----END CERTIFICATE-----")[0] + b"-----END CERTIFICATE-----\n"
    rejects(verifier, headers, body, "not trusted")


def test_garbage_certificate_download_is_refused(verifier, fetcher, body, headers):
    fetcher.pem = b"<html>AccessDenied</html>"
    rejects(verifier, headers, body, "not valid PEM")


def test_fetcher_failure_becomes_verification_error(verifier, body, headers):
    def broken_fetcher(url: str) -> bytes:
        raise RuntimeError("network down")

    verifier.fetcher = broken_fetcher
    rejects(verifier, headers, body, "could not download")


def test_default_trust_store_does_not_trust_the_test_ca(fetcher, body, headers, clock):
    verifier = RequestVerifier(fetcher=fetcher, clock=clock)  # certifi roots
    rejects(verifier, headers, body, "not trusted")


def test_chain_is_downloaded_once_for_two_requests(verifier, fetcher, headers, body):
    verifier.verify(headers, body)
    verifier.verify(headers, body)
    assert fetcher.calls == 1


def test_chain_is_downloaded_again_after_cached_leaf_expires(
    verifier, fetcher, keys, chain, clock, headers, body
):
    verifier.verify(headers, body)
    clock.advance(LEAF_LIFETIME)
    fetcher.pem = make_chain(keys, now=clock.now).pem  # Amazon has renewed its certificate
    later_body = request_body(timestamp=clock.now)

    verifier.verify(signed_headers(later_body, chain.leaf_key), later_body)

    assert fetcher.calls == 2


def test_cache_is_bounded(chain, fetcher, clock, body):
    verifier = RequestVerifier(
        fetcher=fetcher, trusted_roots=[chain.root], clock=clock, max_cached_chains=2
    )
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{n}.pem" for n in (1, 2, 3, 1)]
    for url in urls:
        verifier.verify(signed_headers(body, chain.leaf_key, cert_url=url), body)
    assert fetcher.calls == 4  # cert-1 was evicted by cert-3


class FailingFetcher:
    """A download that always fails, counting the attempts."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, url: str) -> bytes:
        self.calls += 1
        raise OSError("S3 unreachable")


@pytest.fixture
def failing(verifier: RequestVerifier) -> FailingFetcher:
    verifier.fetcher = fetcher = FailingFetcher()
    return fetcher


def fresh(chain: Chain, clock: FakeClock) -> tuple[dict[str, str], bytes]:
    """Headers and body of a request signed now, by the clock."""
    body = request_body(timestamp=clock.now)
    return signed_headers(body, chain.leaf_key), body


def test_a_failed_download_is_not_retried_within_a_minute(verifier, failing, chain, clock):
    rejects(verifier, *fresh(chain, clock), "could not download")
    clock.advance(FAILURE_MEMORY - timedelta(seconds=1))
    rejects(verifier, *fresh(chain, clock), "could not download")
    assert failing.calls == 1


def test_a_failed_download_is_tried_again_after_a_minute(verifier, failing, chain, clock):
    rejects(verifier, *fresh(chain, clock), "could not download")
    clock.advance(FAILURE_MEMORY)
    rejects(verifier, *fresh(chain, clock), "could not download")
    assert failing.calls == 2


def test_an_untrusted_chain_is_remembered_too(verifier, fetcher, headers, body):
    fetcher.pem = b"<html>AccessDenied</html>"
    rejects(verifier, headers, body, "not valid PEM")
    rejects(verifier, headers, body, "not valid PEM")
    assert fetcher.calls == 1


def test_concurrent_requests_for_one_url_share_one_download(verifier, fetcher, headers, body):
    release = threading.Event()

    def slow_fetch(url: str) -> bytes:
        release.wait(timeout=10)
        return fetcher(url)

    verifier.fetcher = slow_fetch
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = [pool.submit(verifier.verify, headers, body) for _ in range(4)]
        time.sleep(0.2)  # let them all ask while the first download is held
        release.set()
        for result in results:
            result.result(timeout=10)
    assert fetcher.calls == 1


# --- downloads: capped, and never waited for long ----------------------------------


@pytest.fixture
def held() -> Iterator[threading.Event]:
    """What a test's downloads wait for; set at the end whatever happened, so none lingers."""
    release = threading.Event()
    yield release
    release.set()


def at(url_number: int, chain: Chain, clock: FakeClock) -> tuple[dict[str, str], bytes]:
    """A fresh request naming a certificate URL of its own."""
    body = request_body(timestamp=clock.now)
    url = f"https://s3.amazonaws.com/echo.api/cert-{url_number}.pem"
    return signed_headers(body, chain.leaf_key, cert_url=url), body


@pytest.fixture
def one_slot_taken(verifier, held, chain, clock, fetcher) -> Iterator[RequestVerifier]:
    """A verifier with one download slot, taken by a request for cert-1 until `held` is set."""
    verifier = dataclasses.replace(verifier, max_downloads=1)
    blocked = threading.Event()
    verifier.fetcher = lambda url: (blocked.set(), held.wait(timeout=10), fetcher(url))[2]
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(verifier.verify, *at(1, chain, clock))
        assert blocked.wait(timeout=10)
        yield verifier
        held.set()
        first.result(timeout=10)


def test_a_download_beyond_the_cap_is_refused_at_once(one_slot_taken, chain, clock, fetcher):
    rejects(one_slot_taken, *at(2, chain, clock), "too many certificate downloads")
    assert fetcher.urls == []  # cert-1 is still held


def test_a_url_refused_for_lack_of_a_slot_is_not_remembered(one_slot_taken, held, chain, clock):
    rejects(one_slot_taken, *at(2, chain, clock), "too many certificate downloads")
    held.set()
    for _ in range(100):  # the slot comes free once cert-1's download thread ends
        try:
            one_slot_taken.verify(*at(2, chain, clock))  # downloaded and accepted
            return
        except VerificationError as error:
            assert "too many certificate downloads" in error.reason
            time.sleep(0.05)
    raise AssertionError("the download slot never came free")


def test_a_request_stops_waiting_for_a_slow_download(verifier, held, chain, clock):
    verifier = dataclasses.replace(verifier, download_wait=0.05)
    verifier.fetcher = lambda url: (held.wait(timeout=10), b"")[1]
    rejects(verifier, *at(1, chain, clock), "took too long")


def test_a_download_that_took_too_long_is_remembered(verifier, held, chain, clock):
    verifier = dataclasses.replace(verifier, download_wait=0.05)
    calls: list[str] = []
    verifier.fetcher = lambda url: (calls.append(url), held.wait(timeout=10), b"")[2]
    rejects(verifier, *at(1, chain, clock), "took too long")
    rejects(verifier, *at(1, chain, clock), "took too long")
    assert len(calls) == 1


def test_concurrent_requests_are_all_accepted(verifier, fetcher, headers, body):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: verifier.verify(headers, body), range(32)))
    assert 1 <= fetcher.calls <= 8


# --- rule 4: signature -----------------------------------------------------------


def test_missing_signature_is_refused(verifier, headers, body):
    del headers["Signature-256"]
    rejects(verifier, headers, body, "missing Signature-256")


def test_signature_that_is_not_base64_is_refused(verifier, headers, body):
    headers["Signature-256"] = "not*base64!"
    rejects(verifier, headers, body, "not base64")


def test_signature_by_a_different_key_is_refused(verifier, headers, body, other_key):
    headers["Signature-256"] = sign(body, other_key)
    rejects(verifier, headers, body, "signature does not match")


def test_body_changed_after_signing_is_refused(verifier, headers, body):
    tampered = body.replace(b"LaunchRequest", b"IntentRequest")
    assert tampered != body
    rejects(verifier, headers, tampered, "signature does not match")


# --- rule 5: timestamp -----------------------------------------------------------


def _signed(chain: Chain, body: bytes) -> dict[str, str]:
    return signed_headers(body, chain.leaf_key)


def test_timestamp_149_seconds_old_is_accepted(verifier, chain):
    body = request_body(timestamp=NOW - timedelta(seconds=149))
    verifier.verify(_signed(chain, body), body)


@pytest.mark.parametrize("offset", [-151, 151], ids=["151s-old", "151s-in-future"])
def test_timestamp_outside_tolerance_is_refused(verifier, chain, offset):
    body = request_body(timestamp=NOW + timedelta(seconds=offset))
    rejects(verifier, _signed(chain, body), body, "outside tolerance")


def test_missing_timestamp_is_refused(verifier, chain):
    body = request_body(timestamp=None)
    rejects(verifier, _signed(chain, body), body, "missing request timestamp")


def test_unparseable_timestamp_is_refused(verifier, chain):
    envelope = request_envelope(timestamp=NOW)
    envelope["request"]["timestamp"] = "yesterday"
    body = json.dumps(envelope).encode()
    rejects(verifier, _signed(chain, body), body, "unparseable")


# --- rule 6: application id ------------------------------------------------------


def test_foreign_application_id_is_refused(verifier, chain):
    body = request_body(timestamp=NOW, application_id="amzn1.ask.skill.someone-else")
    rejects(verifier, _signed(chain, body), body, "different skill")


@pytest.mark.parametrize("drop", [("context",), ("context", "System", "application")],
                         ids=["no-context", "no-application"])
def test_without_the_context_application_id_is_refused(verifier, chain, fetcher, drop):
    envelope = request_envelope(timestamp=NOW)
    *path, last = drop
    parent = envelope
    for key in path:
        parent = parent[key]
    del parent[last]
    body = json.dumps(envelope).encode()
    rejects(verifier, _signed(chain, body), body, "no context.System.application")
    assert fetcher.calls == 0


def test_application_id_is_not_checked_without_a_skill_id(chain, fetcher, clock):
    verifier = RequestVerifier(fetcher=fetcher, trusted_roots=[chain.root], clock=clock)
    body = request_body(timestamp=NOW, application_id="amzn1.ask.skill.someone-else")
    verifier.verify(_signed(chain, body), body)


# --- malformed input -------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"{not json", id="malformed"),
        pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
        pytest.param(b"[]", id="not-an-object"),
    ],
)
def test_malformed_json_body_is_refused(verifier, chain, raw):
    rejects(verifier, _signed(chain, raw), raw, "JSON")


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param({}, b"", id="nothing"),
        pytest.param({"SignatureCertChainUrl": CERT_URL}, None, id="body-none"),
        pytest.param({"SignatureCertChainUrl": 42}, b"{}", id="url-not-str"),
        pytest.param({1: "x", "SignatureCertChainUrl": CERT_URL}, b"{}", id="key-not-str"),
    ],
)
def test_odd_input_only_ever_raises_verification_error(verifier, headers, body):
    with pytest.raises(VerificationError):
        verifier.verify(headers, body)


# --- the default fetcher (loopback HTTP server only) ---------------------------

_LIMIT = UrlFetcher().max_bytes


class _Handler(http.server.BaseHTTPRequestHandler):
    release = threading.Event()

    def do_GET(self) -> None:
        if self.path == "/slow":
            self.release.wait(timeout=5)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/at-limit")
            self.end_headers()
            return
        size = _LIMIT + 1 if self.path == "/over-limit" else _LIMIT
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(b"x" * size)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def base_url(local_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return local_server


def test_default_fetcher_has_a_timeout_and_a_size_limit():
    fetcher = RequestVerifier().fetcher
    assert isinstance(fetcher, UrlFetcher)
    assert fetcher.timeout == 2.0
    assert fetcher.max_bytes == 64 * 1024


def test_default_fetcher_accepts_a_response_at_the_size_limit(base_url):
    assert len(UrlFetcher()(base_url + "/at-limit")) == _LIMIT


def test_default_fetcher_refuses_a_response_over_the_size_limit(base_url):
    with pytest.raises(VerificationError, match="too large"):
        UrlFetcher()(base_url + "/over-limit")


def test_default_fetcher_gives_up_after_its_timeout(base_url):
    started = time.monotonic()
    with pytest.raises(VerificationError, match="could not download"):
        UrlFetcher(timeout=0.2)(base_url + "/slow")
    assert time.monotonic() - started < 2


def test_default_fetcher_does_not_follow_redirects(base_url):
    with pytest.raises(VerificationError, match="could not download"):
        UrlFetcher()(base_url + "/redirect")
