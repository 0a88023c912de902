"""What a tenant trusts, and the validation contexts built from it for signing (B-LT) and for reports.

Trusted by default: every CA the tenant's embedded PKI ever had and the root of its remote timestamp
authority. A tenant adds others (RGS** authorities, a partner's CA) as PEM in
``signing_settings.trust_anchors_pem`` (``set_trust_anchors``, ``quorum signing trust``).

The embedded PKI publishes no CRL endpoint: for B-LT, ``tenant_crl`` has the tenant CA issue a CRL at
signing time (listing nothing: the embedded PKI revokes by renewing the CA), which goes into the
document security store so the signature validates offline, in pyHanko's "require revocation data"
mode. Reports never fetch anything over the network (an uploaded PDF's certificates name URLs of the
uploader's choosing): they use the data embedded in the file.
"""

from datetime import UTC, datetime, timedelta

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko_certvalidator import ValidationContext

from saas.core.extensions import db
from saas.tenancy.models import Tenant
from saas.trust import pki, timestamps
from saas.trust.models import CertificateKind, SigningSettings

#: how long a CRL issued at signing time stays current
CRL_VALIDITY = timedelta(days=7)


class TrustError(Exception):
    """Trust anchors that cannot be saved; the message is in French."""


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def configured_anchors(tenant: Tenant) -> list[x509.Certificate]:
    settings = timestamps.settings_for(tenant)
    if settings is None or not settings.trust_anchors_pem:
        return []
    return x509.load_pem_x509_certificates(settings.trust_anchors_pem.encode())


def trust_anchors(tenant: Tenant) -> list[x509.Certificate]:
    """The tenant's CAs, its remote TSA's root and the anchors it configured."""
    return timestamps.trust_roots(tenant) + configured_anchors(tenant)


def set_trust_anchors(tenant: Tenant, pem: str | None) -> SigningSettings:
    """Replace the configured anchors (None or empty: only the defaults); checked to be CA certificates."""
    settings = timestamps.settings_for(tenant) or SigningSettings(tenant_id=tenant.id)
    if pem and pem.strip():
        try:
            certificates = x509.load_pem_x509_certificates(pem.encode())
        except ValueError as error:
            raise TrustError("Les certificats de confiance ne sont pas un PEM valide.") from error
        for certificate in certificates:
            try:
                is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            except x509.ExtensionNotFound:
                is_ca = False
            if not is_ca:
                name = certificate.subject.rfc4514_string()
                raise TrustError(f"« {name} » n'est pas un certificat d'autorité (CA) : il ne peut pas servir d'ancre.")
        settings.trust_anchors_pem = pem.strip() + "\n"
    else:
        settings.trust_anchors_pem = None

    db.session.add(settings)
    db.session.flush()
    return settings


def tenant_crl(tenant: Tenant) -> bytes:
    """A DER CRL of the tenant's current CA, issued now, revoking nothing (see the module docstring)."""
    ca = pki.tenant_ca(tenant)
    now = datetime.now(UTC).replace(microsecond=0)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key()), critical=False)
        .sign(ca.private_key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.DER)


def _is_embedded(tenant: Tenant, certificate: x509.Certificate) -> bool:
    return any(certificate.issuer == ca.subject for ca in pki.certificates(tenant, CertificateKind.CA))


def signing_context(tenant: Tenant, signer_certificate: x509.Certificate) -> ValidationContext:
    """Validation context used while signing at B-LT/B-LTA: pyHanko validates the signer's chain (and the
    time-stamp's) with it and embeds what it used. Embedded PKI: the tenant CRL, and revocation data is
    required for every certificate. Other keys: their CRL/OCSP services are fetched ("hard-fail"); the
    URLs are those of the collectivity's own certificates and authority, not of an uploaded file. A
    remote TSA that publishes no revocation data cannot give B-LT with an embedded signer: refused."""
    embedded = _is_embedded(tenant, signer_certificate)
    return ValidationContext(
        trust_roots=[_asn1(root) for root in trust_anchors(tenant)],
        crls=[tenant_crl(tenant)],
        allow_fetching=True,
        revocation_mode="require" if embedded else "hard-fail",
    )


def report_context(tenant: Tenant, extra_anchors: list[x509.Certificate] = ()) -> ValidationContext:
    """Validation context of reports: the tenant's anchors, no fetching, revocation data from the file."""
    return ValidationContext(
        trust_roots=[_asn1(root) for root in [*trust_anchors(tenant), *extra_anchors]],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
