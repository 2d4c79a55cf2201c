"""Test-only PKI for signing fake Alexa requests.

Real Alexa requests are signed by a certificate chaining to a public root,
which tests cannot obtain. These helpers build a small private CA
(root -> intermediate -> leaf) whose certificates satisfy the strict
CA/Browser-Forum profile that ``cryptography.x509.verification`` enforces,
so the production verifier can be exercised unchanged with
``trusted_roots=[chain.root]`` and a :class:`FakeFetcher`.

Typical use (e.g. from an HTTP endpoint test)::

    keys = generate_keys()                      # slow-ish: do it once per session
    chain = make_chain(keys, now=now)
    body = request_body(timestamp=now, application_id=SKILL_ID)
    headers = signed_headers(body, keys.leaf)
    verifier = RequestVerifier(skill_id=SKILL_ID, fetcher=FakeFetcher(chain.pem),
                               trusted_roots=[chain.root], clock=lambda: now)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALEXA_DOMAIN = "echo-api.amazon.com"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"

CA_LIFETIME = timedelta(days=3650)
LEAF_LIFETIME = timedelta(days=30)


def generate_key() -> rsa.RSAPrivateKey:
    """An RSA 2048 key: the smallest size the strict verification policy accepts."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Keys:
    """One private key per level of the chain (generate once; RSA keygen is slow)."""

    root: rsa.RSAPrivateKey
    intermediate: rsa.RSAPrivateKey
    leaf: rsa.RSAPrivateKey


def generate_keys() -> Keys:
    """Fresh keys for a root, an intermediate and a leaf."""
    return Keys(root=generate_key(), intermediate=generate_key(), leaf=generate_key())


@dataclass(frozen=True)
class Chain:
    """A root -> intermediate -> leaf chain plus the leaf's signing key."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        """What Amazon serves at the SignatureCertChainUrl: leaf first, then intermediate."""
        return b"".join(
            cert.public_bytes(serialization.Encoding.PEM) for cert in (self.leaf, self.intermediate)
        )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Facial Spasm Guide Tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, is_ca: bool) -> x509.KeyUsage:
    """CAs sign certificates and CRLs; the leaf signs and enciphers keys."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=not is_ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=is_ca,
        crl_sign=is_ca,
        encipher_only=False,
        decipher_only=False,
    )


def _issue(
    *,
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    is_ca: bool,
    dns_names: Iterable[str] = (),
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(_key_usage(is_ca=is_ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]),
            critical=False,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def make_chain(
    keys: Keys,
    *,
    now: datetime,
    leaf_not_before: datetime | None = None,
    leaf_not_after: datetime | None = None,
    dns_names: Iterable[str] = (ALEXA_DOMAIN,),
    root_name: str = "Facial Spasm Guide Test Root CA",
) -> Chain:
    """Build root -> intermediate -> leaf, valid around ``now``.

    The CAs are valid from a year before ``now`` for ten years; the leaf from a
    day before ``now`` for LEAF_LIFETIME unless overridden. Chains built from the
    same ``keys`` and ``root_name`` verify against each other's root, so a
    "renewed" chain can be served later without changing the trusted roots.
    """
    ca_from = now - timedelta(days=365)
    root_subject = _name(root_name)
    intermediate_subject = _name(root_name + " Intermediate")
    root, intermediate = (
        _issue(
            subject=subject,
            public_key=key.public_key(),
            issuer=root_subject,
            issuer_key=keys.root,
            not_before=ca_from,
            not_after=ca_from + CA_LIFETIME,
            is_ca=True,
        )
        for subject, key in ((root_subject, keys.root), (intermediate_subject, keys.intermediate))
    )
    leaf_from = leaf_not_before if leaf_not_before is not None else now - timedelta(days=1)
    leaf_until = leaf_not_after if leaf_not_after is not None else leaf_from + LEAF_LIFETIME
    leaf = _issue(
        subject=_name(ALEXA_DOMAIN),
        public_key=keys.leaf.public_key(),
        issuer=intermediate_subject,
        issuer_key=keys.intermediate,
        not_before=leaf_from,
        not_after=leaf_until,
        is_ca=False,
        dns_names=dns_names,
    )
    return Chain(root=root, intermediate=intermediate, leaf=leaf, leaf_key=keys.leaf)


def sign(body: bytes, key: rsa.RSAPrivateKey) -> str:
    """The ``Signature-256`` header value: base64 RSA PKCS#1 v1.5 / SHA-256 of the raw body."""
    signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def iso_timestamp(moment: datetime) -> str:
    """Format like Alexa does: ``2026-11-25T16:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_envelope(
    *,
    timestamp: datetime | None,
    application_id: str = SKILL_ID,
    request_type: str = "LaunchRequest",
    **request_fields: Any,
) -> dict[str, Any]:
    """A minimal Alexa request envelope as a dict (``timestamp=None`` omits it)."""
    request: dict[str, Any] = {
        "type": request_type,
        "requestId": "amzn1.echo-api.request.test",
        "locale": "en-GB",
        **request_fields,
    }
    if timestamp is not None:
        request["timestamp"] = iso_timestamp(timestamp)
    application = {"applicationId": application_id}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.test",
            "application": application,
            "user": {"userId": "amzn1.ask.account.test"},
        },
        "context": {
            "System": {
                "application": application,
                "user": {"userId": "amzn1.ask.account.test"},
            }
        },
        "request": request,
    }


def request_body(
    *, timestamp: datetime | None, application_id: str = SKILL_ID, **request_fields: Any
) -> bytes:
    """:func:`request_envelope` serialised to the bytes that get signed."""
    envelope = request_envelope(
        timestamp=timestamp, application_id=application_id, **request_fields
    )
    return json.dumps(envelope).encode("utf-8")


def signed_headers(
    body: bytes, key: rsa.RSAPrivateKey, *, cert_url: str = CERT_URL
) -> dict[str, str]:
    """The two headers Alexa adds, for ``body`` signed with ``key``."""
    return {
        "SignatureCertChainUrl": cert_url,
        "Signature-256": sign(body, key),
        "Content-Type": "application/json",
    }


class FakeFetcher:
    """Stands in for the HTTPS download: serves ``pem`` for any URL and records calls.

    Assign ``pem`` to serve a renewed chain later.
    """

    def __init__(self, pem: bytes) -> None:
        self.pem = pem
        self.urls: list[str] = []

    @property
    def calls(self) -> int:
        return len(self.urls)

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.pem


class FakeClock:
    """A settable clock for ``RequestVerifier(clock=...)``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def __call__(self) -> datetime:
        return self.now
