"""Verify that an HTTP request really comes from Alexa, now, for this skill.

An Alexa skill hosted as a web service (rather than on Lambda) must check every
request itself, otherwise anyone could call the endpoint and impersonate Alexa.
The checks follow Amazon's "Host a custom skill as a web service" rules:

1. The ``SignatureCertChainUrl`` header names a chain in Amazon's certificate bucket
   that is valid now, trusted, and issued to ``echo-api.amazon.com`` (certificates.py).
2. The ``Signature-256`` header is a valid signature of the raw body by that
   certificate's key.
3. The request timestamp is recent (limits replay of captured requests).
4. Optionally, the request is addressed to this skill's application id.

Why hand-written: ``ask-sdk-webservice-support`` implements this too, but it depends on
``oscrypto``, which does not import on current OpenSSL, and it reads the old SHA-1
``Signature`` header; this module uses ``cryptography``.

Every failure, whatever the input, surfaces as :class:`VerificationError` so the
caller can answer HTTP 400 without distinguishing cases.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from skill.web.certificates import (
    DOWNLOAD_WAIT_SECONDS,
    MAX_DOWNLOADS,
    CertificateChains,
    CertificateFetcher,
    UrlFetcher,
    VerificationError,
    check_cert_url,
)

__all__ = ["RequestVerifier", "VerificationError"]

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works for Flask headers and plain dicts."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return value


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

    _chains: CertificateChains = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Misconfiguration should fail at start-up, not as a 400 on every request.
        if self.skill_id is not None and not self.skill_id:
            raise ValueError("skill_id must be None (check disabled) or a non-empty id")
        if self.trusted_roots is not None and not self.trusted_roots:
            raise ValueError("trusted_roots must be None (use certifi) or non-empty")
        if self.max_skew_seconds < 0 or self.max_cached_chains < 1:
            raise ValueError("max_skew_seconds must be >= 0 and max_cached_chains >= 1")
        if self.max_downloads < 1 or not self.download_wait > 0:
            raise ValueError("max_downloads must be >= 1 and download_wait > 0")
        # The fetcher is looked up at each download, so one set on the verifier later is used.
        self._chains = CertificateChains(lambda url: self.fetcher(url), self.trusted_roots,
                                         self.max_cached_chains, self.max_downloads,
                                         self.download_wait)

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
        cert_url = check_cert_url(_header(headers, CERT_URL_HEADER))
        envelope = _parse_body(body)
        self._check_timestamp(envelope, now)
        self._check_application_id(envelope)
        signature = _decode_signature(_header(headers, SIGNATURE_HEADER))
        _check_signature(self._chains.signing_certificate(cert_url, now), signature, body)

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
