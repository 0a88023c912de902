"""The tenant's embedded PKI: a root CA, a timestamp authority and one certificate per signer.

This is the embedded default of issue 4 ("Keys"): it lets a collectivity time-stamp and sign without
buying anything, but it is NOT a qualified trust service (eIDAS/RGS). Every certificate says so in its
subject (OU) so that no validator, human or software, can mistake it for one.

Private keys are PKCS#8 sealed with AES-GCM under a key derived (HKDF) from MASTER_KEY for this tenant
and this certificate's serial, so a stolen database dump holds no usable key, and a sealed key moved to
another row or tenant no longer opens.
"""

import dataclasses
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from saas.core.database import current_context, utcnow, write_apart
from saas.core.extensions import db
from saas.core.secrets import seal, unseal
from saas.identity.models import Person
from saas.tenancy.models import Tenant
from saas.trust.models import CertificateKind, TenantCertificate

#: the organizational unit of every certificate of the built-in PKI; within the 64 bytes of X.520 so that it
#: is never cut (validation recognises the first 40 characters, also on certificates issued before)
NOT_QUALIFIED = "PKI intégrée Quorum - certificat NON QUALIFIÉ (ni eIDAS/RGS)"
#: RFC 9336 id-kp-documentSigning
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
KEY_SIZE = 3072
VALIDITY = {CertificateKind.CA: 20 * 365, CertificateKind.TSA: 10 * 365, CertificateKind.SIGNER: 3 * 365}
#: a certificate this close to its end is renewed rather than used
RENEW_BEFORE = timedelta(days=30)


class PKIError(Exception):
    """A PKI operation that cannot be done; the message is in French, for the user."""


@dataclasses.dataclass(frozen=True)
class KeyPair:
    """An unsealed certificate and key, ready to sign; never stored as such."""

    row: TenantCertificate
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    #: issued by this call (not yet committed), rather than found
    created: bool = False

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def _purpose(tenant_id: int, serial: str) -> bytes:
    return f"pki-key:{tenant_id}:{serial}".encode()


def _seal_key(tenant: Tenant, serial: str, key: rsa.RSAPrivateKey) -> str:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return seal(pem.decode(), _purpose(tenant.id, serial))


def _unseal(row: TenantCertificate) -> KeyPair:
    pem = unseal(row.sealed_key, _purpose(row.tenant_id, row.serial)).encode()
    # the key was generated here and comes back authenticated (AES-GCM): the RSA consistency check
    # (about 0.2 s for RSA-3072) would only repeat what generation guaranteed
    key = serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
    return KeyPair(row, x509.load_pem_x509_certificate(row.certificate_pem.encode()), key)


def _fit(value: str, limit: int = 64) -> str:
    """``value`` cut to ``limit`` UTF-8 bytes (X.520 upper bound), never inside a character."""
    return value.encode()[:limit].decode(errors="ignore")


def _name(tenant: Tenant, common_name: str, email: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(tenant.name)),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _fit(NOT_QUALIFIED)),
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)),
    ]
    if tenant.siren:
        # organizationIdentifier as in ETSI EN 319 412-1: "SIREN" isn't a registered scheme, "NTRFR-" is.
        attributes.insert(2, x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRFR-{tenant.siren}"))
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attributes)


def _check_context(tenant: Tenant) -> None:
    """Keys of a tenant are only handled from that tenant's context (or the system's): from another one
    the tenant's certificates are invisible, and "creating the missing CA" would be a silent mistake."""
    ctx = current_context(db.session)
    if not (ctx.system or ctx.tenant_id == tenant.id):
        raise PKIError("Les clés de cette collectivité ne sont pas accessibles depuis ce contexte.")


def _current(tenant: Tenant, slot: str) -> TenantCertificate | None:
    """The newest certificate of ``slot`` still comfortably valid, if any."""
    _check_context(tenant)
    row = db.session.scalars(
        sa.select(TenantCertificate)
        .where(TenantCertificate.tenant_id == tenant.id, TenantCertificate.slot == slot)
        .order_by(TenantCertificate.generation.desc())
        .limit(1)
    ).first()
    if row is None or row.not_after - RENEW_BEFORE <= utcnow():
        return None
    return row


def _next_generation(tenant: Tenant, slot: str) -> int:
    latest = db.session.scalar(
        sa.select(sa.func.max(TenantCertificate.generation)).where(
            TenantCertificate.tenant_id == tenant.id, TenantCertificate.slot == slot
        )
    )
    return (latest or 0) + 1


def _issue(
    tenant: Tenant,
    kind: CertificateKind,
    slot: str,
    subject: x509.Name,
    extensions: list[tuple[x509.ExtensionType, bool]],
    issuer: KeyPair | None,
    person: Person | None = None,
) -> KeyPair:
    """Create a key and its certificate (self-signed when ``issuer`` is None) and add the sealed row."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    now = datetime.now(UTC).replace(microsecond=0)
    not_after = now + timedelta(days=VALIDITY[kind])
    if issuer is not None:
        # a certificate never outlives the CA that vouches for it
        not_after = min(not_after, issuer.certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.certificate.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.private_key.public_key()), critical=False
        )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    certificate = builder.sign(issuer.private_key if issuer else key, hashes.SHA256())
    serial = format(certificate.serial_number, "x")
    row = TenantCertificate(
        tenant_id=tenant.id,
        kind=kind,
        slot=slot,
        generation=_next_generation(tenant, slot),
        person_id=person.id if person else None,
        serial=serial,
        subject=certificate.subject.rfc4514_string()[:500],
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        sealed_key=_seal_key(tenant, serial, key),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )
    try:
        # first use (or renewal) may come from a page load stamping a member's first opening
        with write_apart(db.session), db.session.begin_nested():
            db.session.add(row)
    except sa.exc.IntegrityError as error:
        # another request created this slot's certificate at the same moment: use theirs
        existing = _current(tenant, slot)
        if existing is None:
            raise PKIError("Un autre traitement vient de créer ce certificat ; veuillez réessayer.") from error
        return _unseal(existing)
    return KeyPair(row, certificate, key, created=True)


def _key_usage(**granted: bool) -> x509.KeyUsage:
    names = (
        "digital_signature content_commitment key_encipherment data_encipherment key_agreement"
        " key_cert_sign crl_sign encipher_only decipher_only"
    ).split()
    return x509.KeyUsage(**{name: granted.get(name, False) for name in names})


def tenant_ca(tenant: Tenant) -> KeyPair:
    """The tenant's root CA, created on first use."""
    row = _current(tenant, "ca")
    if row is not None:
        return _unseal(row)
    return _issue(
        tenant,
        CertificateKind.CA,
        "ca",
        _name(tenant, f"AC {tenant.name} (non qualifiée)"),
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (_key_usage(key_cert_sign=True, crl_sign=True), True),
        ],
        issuer=None,
    )


def tenant_tsa(tenant: Tenant) -> KeyPair:
    """The tenant's built-in timestamp authority, created on first use (its CA too, if needed)."""
    row = _current(tenant, "tsa")
    if row is not None:
        return _unseal(row)
    return _issue(
        tenant,
        CertificateKind.TSA,
        "tsa",
        _name(tenant, f"Horodatage {tenant.name} (non qualifié)"),
        [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (_key_usage(digital_signature=True, content_commitment=True), True),
            # RFC 3161 § 2.3: the only EKU, and critical
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
        ],
        issuer=tenant_ca(tenant),
    )


def ensure_tenant_pki(tenant: Tenant) -> tuple[KeyPair, KeyPair]:
    """The CA and the timestamp authority, created if missing (``quorum pki init`` and provisioning)."""
    return tenant_ca(tenant), tenant_tsa(tenant)


def _mailbox_name(email: str) -> list[tuple[x509.SubjectAlternativeName, bool]]:
    """The e-mail as subjectAltName; an address with accents before the @ (SMTPUTF8) cannot be an rfc822Name,
    which is ASCII only: the certificate then names the person by its subject alone."""
    if not email.isascii():
        return []
    return [(x509.SubjectAlternativeName([x509.RFC822Name(email)]), False)]


def issue_signer_certificate(tenant: Tenant, person: Person) -> KeyPair:
    """The signing certificate of ``person`` within ``tenant``, issued on first use.

    Key usage digitalSignature + nonRepudiation (pyHanko's default check for signers) and the EKUs
    documentSigning (RFC 9336) and emailProtection, with the e-mail as subjectAltName when it is ASCII.
    """
    slot = f"signer:{person.id}"
    row = _current(tenant, slot)
    if row is not None:
        return _unseal(row)
    return _issue(
        tenant,
        CertificateKind.SIGNER,
        slot,
        _name(tenant, person.full_name),
        [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (_key_usage(digital_signature=True, content_commitment=True), True),
            (x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]), False),
            *_mailbox_name(person.email),
        ],
        issuer=tenant_ca(tenant),
        person=person,
    )


def certificates(tenant: Tenant, kind: CertificateKind) -> list[x509.Certificate]:
    """Every certificate of ``kind`` the tenant ever had (old CAs still verify old timestamps)."""
    _check_context(tenant)
    rows = db.session.scalars(
        sa.select(TenantCertificate)
        .where(TenantCertificate.tenant_id == tenant.id, TenantCertificate.kind == kind)
        .order_by(TenantCertificate.id)
    )
    return [x509.load_pem_x509_certificate(row.certificate_pem.encode()) for row in rows]
