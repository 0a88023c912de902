"""Convocations: one per person per sitting (or an invitation for staff and guests)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, utcnow
from saas.identity.models import Person
from saas.sittings.models import Sitting
from saas.tenancy.models import enum_column


class ConvocationKind(enum.StrEnum):
    CONVOCATION = "convocation"
    INVITATION = "invitation"


class Convocation(PersonOwned, Base):
    """What one person was sent for one sitting; readable by that person from any tenant."""

    __tablename__ = "convocation"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    kind: Mapped[ConvocationKind] = enum_column(ConvocationKind)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the rendered PDF, once the job made it (the same bytes as attached to the mail)
    pdf_blob_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_blob.id"))

    sitting: Mapped[Sitting] = relationship()
    person: Mapped[Person] = relationship()
