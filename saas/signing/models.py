"""Tables of the signing area: the tenant's certificates with their sealed keys, its signing settings, the
signers' production keys (PKCS#12, PKCS#11), single-use signing authorisations and batches."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.storage.models import Blob
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


class SigningAuthorisation(TenantOwned, Base):
    """Sole control: a signer's fresh second factor, turned into a short-lived, single-use permission to
    sign exactly these documents (their SHA-256), once."""

    __tablename__ = "signing_authorisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    #: SHA-256 (hex) of each document the signer agreed to sign
    documents: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    #: set when it was used; it never serves twice
    used_at: Mapped[datetime | None] = mapped_column()


class BatchStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


class ItemStatus(enum.StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    ALREADY_SIGNED = "already_signed"
    FAILED = "failed"


class SigningBatch(TenantOwned, Base):
    """Documents one signer signs after one second factor (e.g. the 40 deliberations of a sitting)."""

    __tablename__ = "signing_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    authorisation_id: Mapped[int] = mapped_column(sa.ForeignKey("signing_authorisation.id"))
    status: Mapped[BatchStatus] = enum_column(BatchStatus, default=BatchStatus.PENDING)
    #: what the stamps say besides the signer's name and the collectivity
    role: Mapped[str] = mapped_column(sa.String(200))
    #: PAdES level asked for (B-T, B-LT, B-LTA)
    level: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    items: Mapped[list["SigningBatchItem"]] = relationship(
        back_populates="batch", order_by="SigningBatchItem.position", cascade="all, delete-orphan"
    )

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.status != ItemStatus.PENDING)


class SigningBatchItem(TenantOwned, Base):
    """One document of a batch: the stored PDF to sign, its field, and the signed PDF or the reason why not."""

    __tablename__ = "signing_batch_item"
    __table_args__ = (sa.UniqueConstraint("batch_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("signing_batch.id"), index=True)
    position: Mapped[int] = mapped_column()
    #: the PDF to sign (fields prepared) and, once done, the signed one
    source_blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    signed_blob_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_blob.id"))
    field_name: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[ItemStatus] = enum_column(ItemStatus, default=ItemStatus.PENDING)
    #: French reason of a failure
    message: Mapped[str | None] = mapped_column(sa.Text)
    batch: Mapped[SigningBatch] = relationship(back_populates="items")


# --- Signature book (parapheur) -------------------------------------------------------------------


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    SIGNED = "signed"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class StepStatus(enum.StrEnum):
    #: an earlier signer has not signed yet: in nobody's book
    WAITING = "waiting"
    #: the signer's turn: in their book
    PENDING = "pending"
    SIGNED = "signed"
    REFUSED = "refused"
    #: the request was refused or cancelled before this signer's turn
    CANCELLED = "cancelled"


class SignatureRequest(TenantOwned, Base):
    """A document to sign by several people in order (the signature book). Its PDF is copied when it is
    requested, every signature field prepared at once; each signature adds an incremental update and the
    result becomes ``current_blob``. The document version it came from is never modified."""

    __tablename__ = "signature_request"
    __table_args__ = (sa.Index("ix_signature_request_tenant_id_sitting_id", "tenant_id", "sitting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    #: the file name downloads get
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: the document version it was requested from; empty for an uploaded PDF
    document_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_version.id"))
    #: the sitting it belongs to (batch signing of a sitting's deliberations); may be empty
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sitting.id"))
    #: the PDF with every signature field prepared, before any signature
    prepared_blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    #: the PDF as signed so far (the prepared one until the first signature)
    current_blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    status: Mapped[RequestStatus] = enum_column(RequestStatus, default=RequestStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when it was signed by all, refused or cancelled
    closed_at: Mapped[datetime | None] = mapped_column()

    steps: Mapped[list["SignatureStep"]] = relationship(
        back_populates="request", order_by="SignatureStep.position", cascade="all, delete-orphan"
    )
    current_blob: Mapped[Blob] = relationship(foreign_keys=[current_blob_id])
    requested_by: Mapped[Person | None] = relationship(foreign_keys=[requested_by_id])


class SignatureStep(PersonOwned, Base):
    """One signer of a request, at their place in the order. Person-owned: the signer reads their own steps
    from any collectivity (their signature book), like their mandates and convocations."""

    __tablename__ = "signature_step"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "position"),
        sa.Index("ix_signature_step_tenant_id_request_id", "tenant_id", "request_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("signature_request.id"))
    #: 1 signs first, then 2…
    position: Mapped[int] = mapped_column()
    #: what the stamp says of the signer, e.g. "Président", "Secrétaire de séance"
    role: Mapped[str] = mapped_column(sa.String(200))
    #: the prepared signature field of the PDF this signer fills
    field_name: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[StepStatus] = enum_column(StepStatus, default=StepStatus.WAITING)
    signed_at: Mapped[datetime | None] = mapped_column()
    refused_at: Mapped[datetime | None] = mapped_column()
    #: why the signer refused (required to refuse)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    #: the signer's remark, visible to the requester and the other signers
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: the document of a batch that is signing (or signed) this step
    batch_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signing_batch_item.id"))

    request: Mapped[SignatureRequest] = relationship(back_populates="steps")
    person: Mapped[Person] = relationship(foreign_keys="SignatureStep.person_id")
