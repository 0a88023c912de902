"""Sittings, their agenda items, attendance answers and proxies.

Council records are never deleted (rules.md, retention): an item is withdrawn, a proxy revoked, an
attendance answer changed; every change is also an audit event.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.identity.models import Person
from saas.tenancy.models import Assembly, Tenant, enum_column


class SittingStatus(enum.StrEnum):
    DRAFT = "draft"
    CONVENED = "convened"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"


#: the only status changes allowed: a sitting moves forward, never back (its convocation was sent)
TRANSITIONS = {
    SittingStatus.DRAFT: {SittingStatus.CONVENED, SittingStatus.CANCELLED},
    SittingStatus.CONVENED: {SittingStatus.IN_PROGRESS, SittingStatus.CANCELLED},
    SittingStatus.IN_PROGRESS: {SittingStatus.CLOSED},
    SittingStatus.CLOSED: {SittingStatus.ARCHIVED},
    SittingStatus.ARCHIVED: set(),
    SittingStatus.CANCELLED: set(),
}

STATUS_LABELS = {
    SittingStatus.DRAFT: "en préparation",
    SittingStatus.CONVENED: "convoquée",
    SittingStatus.IN_PROGRESS: "en cours",
    SittingStatus.CLOSED: "close",
    SittingStatus.ARCHIVED: "archivée",
    SittingStatus.CANCELLED: "annulée",
}


class Sitting(TenantOwned, Base):
    """A meeting of one assembly (séance), convened for a date, a time and a place."""

    __tablename__ = "sitting"
    __table_args__ = (
        sa.Index("ix_sitting_tenant_id_assembly_id_starts_at", "tenant_id", "assembly_id", "starts_at"),
        sa.CheckConstraint("NOT urgency OR urgency_reason IS NOT NULL", name="urgency_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(sa.ForeignKey("assembly.id"))
    #: opening time, kept in UTC, shown in the tenant's time zone
    starts_at: Mapped[datetime] = mapped_column()
    #: where the sitting is held, e.g. "Salle du conseil, hôtel de ville"
    place: Mapped[str] = mapped_column(sa.String(300))
    #: members may attend remotely (visioconférence) and answer "remote"
    remote_allowed: Mapped[bool] = mapped_column(default=False)
    #: convened in urgency (shorter notice); the assembly rules on the urgency at the opening
    urgency: Mapped[bool] = mapped_column(default=False)
    #: why the urgency; required when urgency is set
    urgency_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: the first sitting after the council's renewal (L2121-7: its own notice period)
    first_after_renewal: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SittingStatus] = enum_column(SittingStatus, default=SittingStatus.DRAFT)
    #: the sitting whose quorum was not reached: this one, convened at least three days later for the same
    #: items, deliberates without quorum (L2121-17, L3121-14, L4132-13) and its convocation says so
    reconvened_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sitting.id"))
    #: the member the assembly appointed secretary of the sitting at the opening (L2121-15)
    secretary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: when the president opened and closed the sitting (UTC)
    opened_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    #: when and why the sitting was cancelled; the members were told and the proof is kept
    cancelled_at: Mapped[datetime | None] = mapped_column()
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship()
    assembly: Mapped[Assembly] = relationship()
    reconvened_from: Mapped["Sitting | None"] = relationship(remote_side=[id])
    secretary: Mapped[Person | None] = relationship()


class AgendaItem(TenantOwned, Base):
    """An item of the agenda; withdrawn items keep their row but leave the numbering."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        sa.UniqueConstraint("sitting_id", "position"),
        sa.CheckConstraint("(position IS NULL) = (withdrawn_at IS NOT NULL)", name="withdrawn_has_no_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    #: number on the agenda, 1..n without gaps among items not withdrawn; empty once withdrawn
    position: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(500))
    #: the report (projet de délibération) the item examines, with its documents; empty for an item without
    #: documents (communications, questions diverses) until the secretariat uploads one
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"), index=True)
    #: the member who presents the item
    rapporteur_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: @ctes subject code (matière), e.g. "9.1"
    subject_code: Mapped[str | None] = mapped_column(sa.String(5))
    #: e.g. "Avis favorable unanime de la Commission n° 1"
    committee_opinion: Mapped[str | None] = mapped_column(sa.Text)
    #: examined in closed session: only members and staff see it
    confidential: Mapped[bool] = mapped_column(default=False)
    #: an appointment (nomination, désignation): always voted by secret ballot (L2121-21)
    appointment: Mapped[bool] = mapped_column(default=False)
    #: when the item was withdrawn from the agenda (never deleted)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    rapporteur: Mapped[Person | None] = relationship()
    #: by name: reports (saas.reports) sit above sittings, which do not import them
    report: Mapped["Report | None"] = relationship("Report")  # noqa: F821


class AttendanceAnswer(enum.StrEnum):
    PRESENT = "present"
    REMOTE = "remote"
    ABSENT = "absent"
    PROXY = "proxy"
    REPLACED = "replaced"
