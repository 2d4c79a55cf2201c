"""Verify that an HTTP request really comes from Alexa.

An Alexa skill hosted as a web service (rather than on Lambda) must check every
request itself, otherwise anyone could call the endpoint and impersonate Alexa.
The checks follow Amazon's "Host a custom skill as a web service" rules:

1. The ``SignatureCertChainUrl`` header points at Amazon's certificate bucket.
2. The certificate chain downloaded from there is currently valid, chains to a
   trusted root and names ``echo-api.amazon.com``.
3. The ``Signature-256`` header is a valid signature of the raw body by that
   certificate's key.
4. The request timestamp is recent (limits replay of captured requests).
5. Optionally, the request is addressed to this skill's application id.

``ask-sdk-webservice-support`` implements this too, but it depends on
``oscrypto``, which does not import here, so this module uses ``cryptography``
(whose ``x509.verification`` does RFC 5280 / CA-B Forum path validation).

Every failure, whatever the input, surfaces as :class:`VerificationError` so the
caller can answer HTTP 400 without distinguishing cases.
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
import ssl
import threading
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import certifi
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.verification import PolicyBuilder, Store

__all__ = [
    "ALEXA_CERT_DOMAIN",
    "CertificateFetcher",
    "RequestVerifier",
    "UrlFetcher",
    "VerificationError",
]

ALEXA_CERT_DOMAIN = "echo-api.amazon.com"
"""The name Amazon's signing certificate must carry in its subjectAltName."""

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"

_CERT_HOST = "s3.amazonaws.com"
_CERT_PATH_PREFIX = "/echo.api/"

FAILURE_MEMORY = timedelta(seconds=60)
"""How long a certificate URL that failed is refused without trying it again."""
_MAX_FAILURES = 256

MAX_DOWNLOADS = 2
"""Certificate downloads running at once in one server process; a request that would
start another is refused at once. Anyone can pass the checks before the download (any
base64 will do for a signature), so each new URL they name costs this server a fetch."""
DOWNLOAD_WAIT_SECONDS = 2.0
"""How long a request waits for its download; the download itself may go on to finish
(and fill the cache) on its own thread, still counted against MAX_DOWNLOADS."""

CertificateFetcher = Callable[[str], bytes]
"""Downloads the PEM chain at a (pre-validated) URL; injectable so tests stay offline."""


class VerificationError(Exception):
    """The request is not a genuine, fresh Alexa request for this skill.

    ``reason`` is a short, non-sensitive explanation suitable for logs.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Busy(VerificationError):
    """Every download slot is taken; says nothing about the URL, so it is not remembered."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: the URL was validated, wherever it redirects to was not."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass(frozen=True)
class UrlFetcher:
    """Default :data:`CertificateFetcher`: a bounded HTTPS GET.

    The URL comes from an untrusted header (even if its host was checked), so
    the download is limited in time and size to stop a slow or huge response
    from tying up a worker. URL validation is :class:`RequestVerifier`'s job.
    """

    timeout: float = 2.0
    max_bytes: int = 64 * 1024

    def __call__(self, url: str) -> bytes:
        context = ssl.create_default_context(cafile=certifi.where())
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), _NoRedirect
        )
        try:
            with opener.open(url, timeout=self.timeout) as response:
                data = response.read(self.max_bytes + 1)
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts are OSErrors
            raise VerificationError("could not download certificate chain") from exc
        if len(data) > self.max_bytes:
            raise VerificationError("certificate chain too large")
        return data


@cache
def _certifi_store() -> Store:
    """certifi's roots, parsed once on first use (parsing ~150 certs is not free).

    Certificates that ``cryptography`` rejects or warns about (e.g. a legacy
    root with a negative serial) are skipped; Amazon's roots are unaffected.
    """
    marker = b"-----BEGIN CERTIFICATE-----"
    with open(certifi.where(), "rb") as bundle:
        pem = bundle.read()
    roots = []
    for block in pem.split(marker)[1:]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                roots.append(x509.load_pem_x509_certificate(marker + block))
            except ValueError:
                continue
    return Store(roots)


@dataclass(frozen=True)
class _ParsedChain:
    leaf: x509.Certificate
    intermediates: list[x509.Certificate]

    @property
    def expires(self) -> datetime:
        return self.leaf.not_valid_after_utc


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works for Flask headers and plain dicts."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value


def _check_cert_url(url: str | None) -> str:
    """The URL to download: ``https://s3.amazonaws.com`` and the normalised path, nothing else.

    The path is checked after normalising, so the download must be of that same normalised
    path: ``/attacker-bucket/../echo.api/x.pem`` as sent could be resolved differently by
    whatever handles it. A query or fragment is refused: Amazon sends neither, and each
    distinct one would otherwise be a fresh, uncached download.
    """
    if not url:
        raise VerificationError("missing SignatureCertChainUrl header")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("malformed certificate URL") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL must use https")
    if parts.hostname != _CERT_HOST or parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL has the wrong host")
    if port not in (None, 443):
        raise VerificationError("certificate URL has the wrong port")
    if "?" in url or "#" in url:
        raise VerificationError("certificate URL has a query or fragment")
    path = posixpath.normpath(parts.path)
    if not path.startswith(_CERT_PATH_PREFIX):
        raise VerificationError("certificate URL has the wrong path")
    return f"https://{_CERT_HOST}{path}"


def _parse_body(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError) as exc:  # includes bad UTF-8
        raise VerificationError("request body is not valid JSON") from exc
    if not isinstance(envelope, dict):
        raise VerificationError("request body is not a JSON object")
    return envelope


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass
class RequestVerifier:
    """Checks Alexa web-service requests; one instance can serve all threads.

    ``skill_id=None`` disables the application-id check (Amazon requires it
    for certification, so production should set it). ``trusted_roots=None``
    trusts certifi's bundle, which includes Amazon's roots. ``clock`` must
    return an aware datetime (naive values are taken as UTC).
    """

    skill_id: str | None = None
    fetcher: CertificateFetcher = field(default_factory=UrlFetcher)
    trusted_roots: list[x509.Certificate] | None = None
    clock: Callable[[], datetime] = _utcnow
    max_skew_seconds: int = 150
    max_cached_chains: int = 16
    max_downloads: int = MAX_DOWNLOADS
    download_wait: float = DOWNLOAD_WAIT_SECONDS

    _cache: OrderedDict[str, _ParsedChain] = field(
        default_factory=OrderedDict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )
    _failures: OrderedDict[str, tuple[datetime, str]] = field(
        default_factory=OrderedDict, init=False, repr=False, compare=False
    )
    _in_flight: dict[str, threading.Event] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _store: Store | None = field(default=None, init=False, repr=False, compare=False)
    _downloads: threading.BoundedSemaphore = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Misconfiguration should fail at start-up, not as a 400 on every request.
        if self.skill_id is not None and not self.skill_id:
            raise ValueError("skill_id must be None (check disabled) or a non-empty id")
        if self.trusted_roots is not None:
            if not self.trusted_roots:
                raise ValueError("trusted_roots must be None (use certifi) or non-empty")
            self._store = Store(list(self.trusted_roots))
        if self.max_skew_seconds < 0 or self.max_cached_chains < 1:
            raise ValueError("max_skew_seconds must be >= 0 and max_cached_chains >= 1")
        if self.max_downloads < 1 or not self.download_wait > 0:
            raise ValueError("max_downloads must be >= 1 and download_wait > 0")
        self._downloads = threading.BoundedSemaphore(self.max_downloads)

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Return if ``body`` is a genuine, fresh Alexa request; else raise VerificationError.

        ``body`` must be the raw request bytes exactly as received: the
        signature covers them, not any re-serialisation of the JSON.
        """
        try:
            self._verify(headers, body)
        except VerificationError:
            raise
        except Exception as exc:  # fail closed on anything unforeseen
            raise VerificationError("request could not be verified") from exc

    def _verify(self, headers: Mapping[str, str], body: bytes) -> None:
        # Cheap, local checks first so forged requests cost no download or RSA work.
        now = _as_utc(self.clock())
        cert_url = _check_cert_url(_header(headers, CERT_URL_HEADER))
        envelope = _parse_body(body)
        self._check_timestamp(envelope, now)
        self._check_application_id(envelope)
        signature = _decode_signature(_header(headers, SIGNATURE_HEADER))
        chain = self._trusted_chain(cert_url, now)
        _check_signature(chain.leaf, signature, body)

    def _check_timestamp(self, envelope: dict[str, Any], now: datetime) -> None:
        raw = _dig(envelope, "request", "timestamp")
        if not isinstance(raw, str):
            raise VerificationError("missing request timestamp")
        try:
            sent = _as_utc(datetime.fromisoformat(raw))
        except ValueError as exc:
            raise VerificationError("unparseable request timestamp") from exc
        if abs(now - sent) > timedelta(seconds=self.max_skew_seconds):
            raise VerificationError("request timestamp outside tolerance")

    def _check_application_id(self, envelope: dict[str, Any]) -> None:
        """context.System's application id must match, and the session's too if there is one.

        Alexa sends the context with every request; the skill's own id check reads it there.
        """
        if self.skill_id is None:
            return
        context_id = _dig(envelope, "context", "System", "application", "applicationId")
        session_id = _dig(envelope, "session", "application", "applicationId")
        if context_id is None:
            raise VerificationError("request has no context.System.application.applicationId")
        if context_id != self.skill_id or session_id not in (None, self.skill_id):
            raise VerificationError("request is for a different skill")

    def _trusted_chain(self, url: str, now: datetime) -> _ParsedChain:
        """The chain at ``url``, validated at ``now``; downloads only on a cache miss.

        Validation is repeated on every request (it is fast) so the cache only
        saves the download; entries expire with the leaf certificate. A failed
        download or an untrusted chain is remembered for FAILURE_MEMORY, and only
        one download per URL runs at a time (others wait for its outcome), so
        requests naming one URL cannot make this server fetch it again and again.
        """
        while True:
            with self._lock:
                chain = self._cached(url, now)
                failure = self._failure(url, now) if chain is None else None
                download = self._in_flight.get(url)
                leading = chain is None and failure is None and download is None
                if leading:
                    download = self._in_flight[url] = threading.Event()
            if failure is not None:
                raise VerificationError(failure)
            if chain is not None:
                self._validate_chain(chain, now)
                return chain
            if leading:
                return self._download(url, now, download)
            download.wait()  # the fetcher is bounded in time; then look again

    def _cached(self, url: str, now: datetime) -> _ParsedChain | None:
        """Call with the lock held."""
        chain = self._cache.get(url)
        if chain is not None and now >= chain.expires:
            del self._cache[url]
            chain = None
        if chain is not None:
            self._cache.move_to_end(url)
        return chain

    def _failure(self, url: str, now: datetime) -> str | None:
        """Why ``url`` failed within FAILURE_MEMORY, if it did. Call with the lock held."""
        remembered = self._failures.get(url)
        if remembered is None:
            return None
        until, reason = remembered
        if now >= until:
            del self._failures[url]
            return None
        return reason

    def _download(self, url: str, now: datetime, done: threading.Event) -> _ParsedChain:
        """Fetch, parse and validate; record the chain or the failure; then wake the waiters."""
        try:
            chain = _parse_chain(self._fetch(url))
            self._validate_chain(chain, now)
        except _Busy:
            raise  # not the URL's fault: it may be tried again at once
        except VerificationError as error:
            with self._lock:
                self._failures[url] = (now + FAILURE_MEMORY, error.reason)
                _trim(self._failures, _MAX_FAILURES)
            raise
        else:
            with self._lock:
                self._cache[url] = chain
                _trim(self._cache, self.max_cached_chains)
            return chain
        finally:
            with self._lock:
                del self._in_flight[url]
            done.set()

    def _fetch(self, url: str) -> bytes:
        """The fetcher's bytes, on a thread of their own, waited for at most download_wait.

        Refused at once when max_downloads are already running: a flood of new URLs then
        costs nothing but the refusal, and never holds the request threads.
        """
        if not self._downloads.acquire(blocking=False):
            raise _Busy("too many certificate downloads at once")
        outcome: list[Any] = []
        done = threading.Event()

        def download() -> None:
            try:
                outcome.append(self.fetcher(url))
            except Exception as exc:
                outcome.append(exc)
            finally:
                self._downloads.release()
                done.set()

        threading.Thread(target=download, name="certificate download", daemon=True).start()
        if not done.wait(self.download_wait):
            raise VerificationError("certificate download took too long")
        data = outcome[0]
        if isinstance(data, VerificationError):
            raise data
        if isinstance(data, Exception):
            raise VerificationError("could not download certificate chain") from data
        if not isinstance(data, bytes):
            raise VerificationError("certificate fetcher returned no bytes")
        return data

    def _validate_chain(self, chain: _ParsedChain, now: datetime) -> None:
        store = self._store if self._store is not None else _certifi_store()
        verifier = (
            PolicyBuilder()
            .store(store)
            .time(now)
            .build_server_verifier(x509.DNSName(ALEXA_CERT_DOMAIN))
        )
        try:
            verifier.verify(chain.leaf, chain.intermediates)
        except Exception as exc:  # expiry, untrusted root, wrong SAN, bad extensions...
            raise VerificationError("certificate chain is not trusted") from exc


def _trim(entries: OrderedDict[str, Any], limit: int) -> None:
    """Keep the ``limit`` newest entries (newest last)."""
    while len(entries) > limit:
        entries.popitem(last=False)


def _parse_chain(pem: bytes) -> _ParsedChain:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise VerificationError("certificate chain is not valid PEM") from exc
    return _ParsedChain(leaf=certs[0], intermediates=certs[1:])


def _decode_signature(value: str | None) -> bytes:
    if not value:
        raise VerificationError("missing Signature-256 header")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError("Signature-256 header is not base64") from exc


def _check_signature(leaf: x509.Certificate, signature: bytes, body: bytes) -> None:
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationError("signing certificate does not hold an RSA key")
    try:
        key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise VerificationError("request signature does not match") from exc
