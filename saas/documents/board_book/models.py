"""The board book of a sitting: one PDF built in the background from the sitting's documents."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.sittings.models import Sitting
from saas.storage.models import Blob
from saas.tenancy.models import enum_column


class BoardBookStatus(enum.StrEnum):
    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class BoardBook(TenantOwned, Base):
    """The board book of a sitting: one row per sitting, rebuilt in place when its inputs change."""

    __tablename__ = "board_book"
    __table_args__ = (sa.UniqueConstraint("sitting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"))
    #: SHA-256 (hex) of the inputs the current or coming build is made of (see the module docstring)
    inputs_hash: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[BoardBookStatus] = enum_column(BoardBookStatus)
    #: steps done and to do: the cover, then one per document
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    #: the PDF once ready; empty while a build of new inputs is pending, so nobody reads an outdated book
    blob_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_blob.id"))
    built_at: Mapped[datetime | None] = mapped_column()
    #: why the last build failed (French), shown to the secretariat
    error: Mapped[str | None] = mapped_column(sa.Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    blob: Mapped[Blob | None] = relationship()

    @property
    def progress(self) -> tuple[int, int]:
        return self.progress_done, self.progress_total
