"""Tables of the trust area: the tenant's certificates with their sealed keys, its signing and timestamp
settings, and the signers' production keys (PKCS#12, PKCS#11)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.database import Base, TenantOwned, utcnow
from saas.tenancy.models import enum_column


class CertificateKind(enum.StrEnum):
    CA = "ca"
    TSA = "tsa"
    SIGNER = "signer"


class TenantCertificate(TenantOwned, Base):
    """One certificate of the tenant's embedded (not qualified) PKI and its private key, sealed at rest.

    ``slot`` names what the certificate is for ("ca", "tsa", "signer:<person id>") and ``generation``
    counts its renewals: the unique pair makes two concurrent "first uses" collide in the database
    instead of silently giving the tenant two root CAs.
    """

    __tablename__ = "tenant_certificate"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "slot", "generation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CertificateKind] = enum_column(CertificateKind)
    #: "ca", "tsa" or "signer:<person id>"
    slot: Mapped[str] = mapped_column(sa.String(40))
    #: 1 for the first certificate of a slot, +1 at each renewal
    generation: Mapped[int] = mapped_column(default=1)
    #: the signer, for kind=signer
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    #: serial number, lower-case hexadecimal
    serial: Mapped[str] = mapped_column(sa.String(40))
    #: RFC 4514 subject, for people reading the table
    subject: Mapped[str] = mapped_column(sa.String(500))
    certificate_pem: Mapped[str] = mapped_column(sa.Text)
    #: PKCS#8 private key sealed with AES-GCM under a key derived from MASTER_KEY (never in clear)
    sealed_key: Mapped[str] = mapped_column(sa.Text)
    not_before: Mapped[datetime] = mapped_column()
    not_after: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningSettings(TenantOwned, Base):
    """Per-tenant signing settings; no row means the built-in defaults (embedded timestamp authority)."""

    __tablename__ = "signing_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id"), unique=True)
    #: RFC 3161 timestamp authority URL; empty: the tenant's built-in timestamp authority
    tsa_url: Mapped[str | None] = mapped_column(sa.String(500))
    #: PEM trust anchor(s) of that remote authority, written into evidence packages
    tsa_trust_pem: Mapped[str | None] = mapped_column(sa.Text)
    #: PEM roots the validation report trusts besides the tenant's own CA (e.g. RGS authorities)
    trust_anchors_pem: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class KeySource(enum.StrEnum):
    PKCS12 = "pkcs12"
    PKCS11 = "pkcs11"


class SignerKey(TenantOwned, Base):
    """A production key of one signer in one collectivity: a PKCS#12 file (an RGS** certificate) or a
    PKCS#11 token/HSM slot. Without an active row the signer uses the embedded PKI. Secrets are sealed
    with a key derived from MASTER_KEY for this tenant and this row's ``key_ref``."""

    __tablename__ = "signer_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    source: Mapped[KeySource] = enum_column(KeySource)
    #: random reference bound into the sealing of this row's secrets
    key_ref: Mapped[str] = mapped_column(sa.String(40), unique=True)
    #: the signing certificate (PEM), read from the file or the token when configured
    certificate_pem: Mapped[str] = mapped_column(sa.Text)
    #: RFC 4514 subject and end of validity, for people reading the table
    subject: Mapped[str] = mapped_column(sa.String(500))
    not_after: Mapped[datetime] = mapped_column()
    #: PKCS#12 only: the file, base64, sealed
    sealed_pkcs12: Mapped[str | None] = mapped_column(sa.Text)
    #: the PKCS#12 passphrase or the PKCS#11 user PIN, sealed
    sealed_secret: Mapped[str | None] = mapped_column(sa.Text)
    #: PKCS#11 only: path of the module (.so), token label, key label (the certificate has the same label)
    pkcs11_module: Mapped[str | None] = mapped_column(sa.String(500))
    pkcs11_token: Mapped[str | None] = mapped_column(sa.String(200))
    pkcs11_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set when another key replaced this one; the active key is the one without
    replaced_at: Mapped[datetime | None] = mapped_column()
