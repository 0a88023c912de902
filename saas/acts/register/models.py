"""Tables of the register (R2121-9): its signed exports, one per sitting or per year of an assembly.

The register itself is not stored: it is read from the deliberations (saas.acts.models) in date order. An
export is a PDF/A made at one moment and put into the signature book; exports are never deleted, a later one
(new acts, a correction) is simply newer.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.identity.models import Person
from saas.signing.book.models import SignatureRequest
from saas.storage.models import Blob
from saas.tenancy.models import Assembly, enum_column


class ExportScope(enum.StrEnum):
    #: the acts of one sitting and its closing page
    SITTING = "sitting"
    #: the acts of one calendar year of the assembly, each sitting with its closing page
    YEAR = "year"


class RegisterExport(TenantOwned, Base):
    """One export of the register, as PDF/A, signed PAdES through the signature book."""

    __tablename__ = "register_export"
    __table_args__ = (
        sa.Index("ix_register_export_tenant_id_assembly_id", "tenant_id", "assembly_id"),
        sa.CheckConstraint(
            "(scope = 'sitting' AND sitting_id IS NOT NULL) OR (scope = 'year' AND year IS NOT NULL)",
            name="scope_named",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the assembly whose register it is
    assembly_id: Mapped[int] = mapped_column(sa.ForeignKey("assembly.id"))
    #: one sitting, or one year
    scope: Mapped[ExportScope] = enum_column(ExportScope)
    #: the sitting exported (scope "sitting")
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    #: the calendar year exported, in the collectivity's time zone (scope "year")
    year: Mapped[int | None] = mapped_column()
    #: how many acts it holds
    acts: Mapped[int] = mapped_column(default=0)
    #: the PDF/A as rendered, before any signature
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    #: the signature book's request that signs it (its current file is the signed export)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signature_request.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assembly: Mapped[Assembly] = relationship()
    blob: Mapped[Blob] = relationship()
    request: Mapped[SignatureRequest | None] = relationship()
    created_by: Mapped[Person | None] = relationship()
