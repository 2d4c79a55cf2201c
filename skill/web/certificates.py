"""Amazon's signing certificate chain: where it may come from, its download, cache and trust.

verification.py asks for the chain named by a request's ``SignatureCertChainUrl`` header.
The header is untrusted, so everything about the chain is checked here (Amazon's "Host a
custom skill as a web service" rules):

1. The URL is ``https://s3.amazonaws.com/echo.api/...`` once normalised; only that normalised
   URL is downloaded.
2. The download is bounded in time and size, follows no redirect, and at most a few run at
   once per server process: anyone can name a new URL for free.
3. The chain is currently valid, chains to a trusted root and names ``echo-api.amazon.com``
   (``cryptography``'s ``x509.verification``: RFC 5280 / CA-B Forum path validation).

A chain is cached until its leaf expires, and a URL that failed is refused for a minute
without another try. Every failure is a :class:`VerificationError`.
"""

from __future__ import annotations

import posixpath
import ssl
import threading
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import certifi
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store

from content.errors import GuideError

ALEXA_CERT_DOMAIN = "echo-api.amazon.com"
"""The name Amazon's signing certificate must carry in its subjectAltName."""

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


class VerificationError(GuideError):
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
    from tying up a worker. URL validation is :func:`check_cert_url`'s job.
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


def check_cert_url(url: str | None) -> str:
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


@dataclass(eq=False)  # one per process, with its own locks: equal only to itself
class CertificateChains:
    """Trusted chains by URL for one server process; one instance can serve all threads.

    ``roots=None`` trusts certifi's bundle, which includes Amazon's roots. The caller
    (RequestVerifier) checks the numbers are sensible.
    """

    fetcher: CertificateFetcher
    roots: list[x509.Certificate] | None = None
    max_cached: int = 16
    max_downloads: int = MAX_DOWNLOADS
    download_wait: float = DOWNLOAD_WAIT_SECONDS

    _cache: OrderedDict[str, _ParsedChain] = field(default_factory=OrderedDict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _failures: OrderedDict[str, tuple[datetime, str]] = field(default_factory=OrderedDict,
                                                              init=False)
    _in_flight: dict[str, threading.Event] = field(default_factory=dict, init=False)
    _store: Store | None = field(default=None, init=False)
    _downloads: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        if self.roots is not None:
            self._store = Store(list(self.roots))
        self._downloads = threading.BoundedSemaphore(self.max_downloads)

    def signing_certificate(self, url: str, now: datetime) -> x509.Certificate:
        """The leaf of the chain at ``url`` (checked by check_cert_url), trusted at ``now``.

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
                self._validate(chain, now)
                return chain.leaf
            if leading:
                return self._download(url, now, download).leaf
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
            self._validate(chain, now)
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
                _trim(self._cache, self.max_cached)
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

    def _validate(self, chain: _ParsedChain, now: datetime) -> None:
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
