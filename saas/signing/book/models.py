"""Tables of the signature book: a request to sign one PDF, and its steps (one per signer, in order)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.storage.models import Blob
from saas.tenancy.models import enum_column


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
