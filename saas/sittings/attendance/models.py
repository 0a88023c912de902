"""Attendance answers and proxies (procurations, L2121-20). Council records are never deleted: an answer
is changed, a proxy revoked; every change is also an audit event."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.sittings.models import AttendanceAnswer, Sitting
from saas.tenancy.models import enum_column


class Attendance(PersonOwned, Base):
    """A person's answer for a sitting; readable by the person from any tenant (the inbox)."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    answer: Mapped[AttendanceAnswer] = enum_column(AttendanceAnswer)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    person: Mapped[Person] = relationship()


class Proxy(TenantOwned, Base):
    """A written proxy (procuration, L2121-20) from a giver (mandant) to a holder (mandataire).

    The partial unique indexes make "one proxy per holder" and "one proxy per giver" hold even when two
    requests race: revoked proxies are kept and no longer count.
    """

    __tablename__ = "proxy"
    __table_args__ = (
        sa.Index(
            "uq_proxy_active_holder",
            "sitting_id",
            "holder_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.Index(
            "uq_proxy_active_giver",
            "sitting_id",
            "giver_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
        sa.CheckConstraint("giver_id <> holder_id", name="giver_is_not_holder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    giver_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    holder_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    #: illness duly established: the three-consecutive-sittings limit does not apply
    illness: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()

    sitting: Mapped[Sitting] = relationship()
    giver: Mapped[Person] = relationship(foreign_keys=[giver_id])
    holder: Mapped[Person] = relationship(foreign_keys=[holder_id])
