"""RFC 3161 timestamps: from the tenant's built-in authority, or from the authority it configured.

``timestamp(tenant, data)`` returns a DER ``TimeStampResp`` (what ``openssl ts -verify -in`` reads).
The embedded default signs with the tenant's own TSA certificate (saas.trust.pki); when the tenant set
a TSA URL (production: a qualified authority) the request goes there over HTTP. Both paths go through
pyHanko's ``TimeStamper`` so the request, nonce and response checks are the same, and every token is
verified (imprint, signature, chain) before it is returned: a wrong answer is never stored as proof.
"""

import asyncio
import dataclasses
import hashlib
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp
import sqlalchemy as sa
from asn1crypto import core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper, TimeStamper, TimestampRequestError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from saas.core.extensions import db
from saas.tenancy.models import Tenant
from saas.trust import pki
from saas.trust.models import CertificateKind, SigningSettings

#: TSA policy of the built-in authority: a UUID-derived OID (ITU-T X.667, arc 2.25, needs no registration),
#: so a token of the embedded PKI is recognisable as such; see docs/signing.md
BUILT_IN_POLICY = "2.25.221208022367706483135545174365097675249"
HTTP_TIMEOUT_SECONDS = 10


class TimestampError(Exception):
    """A timestamp could not be obtained or does not verify; the message is in French, for the user."""


@dataclasses.dataclass(frozen=True)
class TimestampInfo:
    """What a verified token says: when, which serial, which authority, over which imprint."""

    gen_time: datetime
    serial: int
    tsa_name: str
    hash_algorithm: str
    policy: str


class _BuiltInTimeStamper(DummyTimeStamper):
    """pyHanko's self-contained TSA, with UTC time and Quorum's policy OID instead of test values."""

    def _build_tst_info(self, message_imprint, dt, req) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(BUILT_IN_POLICY)
        return info


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _built_in_stamper(tenant: Tenant) -> TimeStamper:
    tsa = pki.tenant_tsa(tenant)
    ca = pki.tenant_ca(tenant)
    key_der = tsa.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _BuiltInTimeStamper(
        tsa_cert=_asn1_certificate(tsa.certificate),
        tsa_key=keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[_asn1_certificate(ca.certificate)],
        fixed_dt=datetime.now(UTC),
    )


def _run(coroutine):
    try:
        return asyncio.run(coroutine)
    except (TimestampRequestError, aiohttp.ClientError, OSError, TimeoutError) as error:
        raise TimestampError(f"L'autorité d'horodatage n'a pas répondu correctement : {error}") from error


def _stamp(stamper: TimeStamper, data: bytes) -> bytes:
    """Request and check a token for ``data`` (pyHanko checks status and nonce, we check the imprint)."""
    digest = hashlib.sha256(data).digest()
    token = _run(stamper.async_timestamp(digest, "sha256"))
    imprint = token["content"]["encap_content_info"]["content"].parsed["message_imprint"]
    if imprint["hashed_message"].native != digest:
        raise TimestampError("L'autorité d'horodatage a horodaté d'autres données que celles envoyées.")
    response = tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token})
    return response.dump()


class TimestampClient:
    """A remote RFC 3161 authority reached over HTTP(S) (production: the tenant's qualified TSA)."""

    def __init__(self, url: str, timeout: int = HTTP_TIMEOUT_SECONDS):
        self.url = check_tsa_url(url)
        self.timeout = timeout

    def stamp(self, data: bytes) -> bytes:
        """DER ``TimeStampResp`` for ``data``; raises TimestampError (French) on any failure."""
        return _stamp(HTTPTimeStamper(self.url, timeout=self.timeout), data)


def check_tsa_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise TimestampError(f"Adresse d'autorité d'horodatage invalide : « {url} » (http:// ou https:// attendu).")
    return url.strip()


def settings_for(tenant: Tenant) -> SigningSettings | None:
    return db.session.scalars(sa.select(SigningSettings).where(SigningSettings.tenant_id == tenant.id)).first()


def set_tsa(tenant: Tenant, url: str | None, trust_pem: str | None = None) -> SigningSettings:
    """Use the authority at ``url`` for this tenant (None: back to the built-in one).

    ``trust_pem`` is that authority's root certificate, needed to verify its tokens and written into
    evidence packages; it is checked to be PEM before anything is saved.
    """
    if url is not None:
        url = check_tsa_url(url)
        if not trust_pem:
            raise TimestampError("Indiquez le certificat racine (PEM) de l'autorité d'horodatage.")
        try:
            x509.load_pem_x509_certificates(trust_pem.encode())
        except ValueError as error:
            raise TimestampError("Le certificat racine de l'autorité d'horodatage n'est pas un PEM valide.") from error
    settings = settings_for(tenant) or SigningSettings(tenant_id=tenant.id)
    settings.tsa_url = url
    settings.tsa_trust_pem = trust_pem if url else None
    db.session.add(settings)
    db.session.flush()
    return settings


def stamper_for(tenant: Tenant) -> TimeStamper:
    """The pyHanko time stamper of the tenant's authority (signature and document time-stamps of PAdES)."""
    settings = settings_for(tenant)
    if settings is not None and settings.tsa_url:
        return HTTPTimeStamper(settings.tsa_url, timeout=HTTP_TIMEOUT_SECONDS)
    return _built_in_stamper(tenant)


def timestamp(tenant: Tenant, data: bytes) -> bytes:
    """Time-stamp ``data`` with the tenant's authority; returns a verified DER ``TimeStampResp``."""
    settings = settings_for(tenant)
    if settings is not None and settings.tsa_url:
        response = TimestampClient(settings.tsa_url).stamp(data)
    else:
        response = _stamp(_built_in_stamper(tenant), data)
    verify_timestamp(response, data, trust_roots(tenant))
    return response


def trust_roots(tenant: Tenant) -> list[x509.Certificate]:
    """Roots that tenant's tokens chain to: every CA it ever had, and its remote authority's root."""
    roots = pki.certificates(tenant, CertificateKind.CA)
    settings = settings_for(tenant)
    if settings is not None and settings.tsa_trust_pem:
        roots += x509.load_pem_x509_certificates(settings.tsa_trust_pem.encode())
    return roots


def load_token(der: bytes):
    """The ``ContentInfo`` token from a DER ``TimeStampResp`` (status must be granted) or a bare token."""
    try:
        first = core.load(core.load(der).contents, strict=False)
        if isinstance(first, core.ObjectIdentifier):
            token = tsp.ContentInfo.load(der)
        else:
            response = tsp.TimeStampResp.load(der)
            status = response["status"]["status"].native
            if status not in {"granted", "granted_with_mods"}:
                raise TimestampError(f"L'autorité d'horodatage a refusé la demande ({status}).")
            token = response["time_stamp_token"]
        if token["content_type"].native != "signed_data":
            raise ValueError("not signed data")
        token["content"]["encap_content_info"]["content"].parsed.native  # noqa: B018 - forces full parsing
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise TimestampError("Le jeton d'horodatage est illisible (structure RFC 3161 en DER attendue).") from error
    return token


def signer_certificates(token_der: bytes) -> list[x509.Certificate]:
    """The certificate(s) that signed a token, taken from the token itself (for ``openssl -untrusted``)."""
    signed_data = load_token(token_der)["content"]
    signers = {
        (info["sid"].chosen["issuer"].dump(), info["sid"].chosen["serial_number"].native)
        for info in signed_data["signer_infos"]
        if info["sid"].name == "issuer_and_serial_number"
    }
    return [
        x509.load_der_x509_certificate(choice.chosen.dump())
        for choice in signed_data["certificates"]
        if (choice.chosen.issuer.dump(), choice.chosen.serial_number) in signers
    ]


def verify_timestamp(token: bytes, data: bytes, trust_roots: list[x509.Certificate]) -> TimestampInfo:
    """Check that ``token`` time-stamps exactly ``data`` and is signed by an authority chaining to one of
    ``trust_roots``, valid at the stamped time. Raises TimestampError (French) otherwise."""
    content = load_token(token)
    signed_data = content["content"]
    tst_info = signed_data["encap_content_info"]["content"].parsed
    gen_time = tst_info["gen_time"].native
    context = ValidationContext(
        trust_roots=[_asn1_certificate(root) for root in trust_roots], moment=gen_time, allow_fetching=False
    )

    def expected_imprint(algorithm: str) -> bytes:
        try:
            return hashlib.new(algorithm, data).digest()
        except ValueError as error:
            raise TimestampError(f"Algorithme d'empreinte non pris en charge : {algorithm}.") from error

    try:
        status = TimestampSignatureStatus(**_run(validate_tst_signed_data(signed_data, context, expected_imprint)))
    except SignatureValidationError as error:
        raise TimestampError(f"Le jeton d'horodatage est invalide : {error}") from error
    imprint_ok = expected_imprint(tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native) == bytes(
        tst_info["message_imprint"]["hashed_message"].native
    )
    if not (status.intact and imprint_ok):
        raise TimestampError("Les données ne correspondent pas au jeton d'horodatage : elles ont été modifiées.")
    if not status.valid:
        raise TimestampError("La signature du jeton d'horodatage est invalide.")
    if not status.trusted:
        raise TimestampError(
            "Le certificat de l'autorité d'horodatage ne remonte à aucune autorité de confiance fournie."
        )
    # the TSTInfo's tsa field is optional (RFC 3161 § 2.4.2); the signing certificate always names it
    tsa = tst_info["tsa"].chosen if tst_info["tsa"].native is not None else status.signing_cert.subject
    tsa_name = tsa.native.get("common_name") if isinstance(tsa, asn1_x509.Name) else None
    return TimestampInfo(
        gen_time=gen_time.astimezone(UTC),
        serial=tst_info["serial_number"].native,
        tsa_name=tsa_name or tsa.human_friendly,
        hash_algorithm=tst_info["message_imprint"]["hash_algorithm"]["algorithm"].native,
        policy=tst_info["policy"].dotted,
    )
