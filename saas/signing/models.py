"""Tables of the signing area: single-use signing authorisations and batches of documents signed after one
second factor."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.tenancy.models import enum_column


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
