"""Sittings, their agenda items, attendance answers and proxies.

Council records are never deleted (rules.md, retention): an item is withdrawn, a proxy revoked, an
attendance answer changed; every change is also an audit event.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.tenancy.models import Assembly, Tenant, enum_column


class SittingStatus(enum.StrEnum):
    DRAFT = "draft"
    CONVENED = "convened"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    ARCHIVED = "archived"


#: the only status changes allowed: a sitting moves forward, never back (its convocation was sent)
TRANSITIONS = {
    SittingStatus.DRAFT: {SittingStatus.CONVENED},
    SittingStatus.CONVENED: {SittingStatus.IN_PROGRESS},
    SittingStatus.IN_PROGRESS: {SittingStatus.CLOSED},
    SittingStatus.CLOSED: {SittingStatus.ARCHIVED},
    SittingStatus.ARCHIVED: set(),
}

STATUS_LABELS = {
    SittingStatus.DRAFT: "en préparation",
    SittingStatus.CONVENED: "convoquée",
    SittingStatus.IN_PROGRESS: "en cours",
    SittingStatus.CLOSED: "close",
    SittingStatus.ARCHIVED: "archivée",
}


class AttendanceAnswer(enum.StrEnum):
    PRESENT = "present"
    REMOTE = "remote"
    ABSENT = "absent"
    PROXY = "proxy"
    REPLACED = "replaced"


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship()
    assembly: Mapped[Assembly] = relationship()


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
    #: the member who presents the item
    rapporteur_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: @ctes subject code (matière), e.g. "9.1"
    subject_code: Mapped[str | None] = mapped_column(sa.String(5))
    #: e.g. "Avis favorable unanime de la Commission n° 1"
    committee_opinion: Mapped[str | None] = mapped_column(sa.Text)
    #: examined in closed session: only members and staff see it
    confidential: Mapped[bool] = mapped_column(default=False)
    #: when the item was withdrawn from the agenda (never deleted)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    rapporteur: Mapped[Person | None] = relationship()


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


class ProofKind(enum.StrEnum):
    MANIFEST = "manifest"
    DELIVERY = "delivery"
    OPENING = "opening"
    #: a document added or replaced after sending (complément), re-notified to every recipient
    SUPPLEMENT = "supplement"


class ProofRecord(TenantOwned, Base):
    """One time-stamped statement about a sitting's convocation; never updated, never deleted."""

    __tablename__ = "proof_record"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "kind", "person_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    kind: Mapped[ProofKind] = enum_column(ProofKind)
    #: the member a delivery or an opening is about; none for a manifest or a supplement (NULLs never
    #: collide, so several of them may exist)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: how it went ("email"), or which sending it is: "envoi" for a manifest, "v<version id>" for a
    #: supplement, "email-v<version id>" for the delivery of a supplement's mail
    channel: Mapped[str] = mapped_column(sa.String(20))
    #: the exact text that was time-stamped (canonical JSON, UTF-8)
    statement: Mapped[str] = mapped_column(sa.Text)
    #: DER RFC 3161 TimeStampResp over SHA-256(statement)
    token: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def statement_bytes(self) -> bytes:
        return self.statement.encode("utf-8")

    @property
    def file_name(self) -> str:
        """Its name in the evidence package (manifests are numbered by ``evidence_zip``)."""
        if self.kind == ProofKind.DELIVERY:
            return f"remise-{self.person_id}-{self.channel}.json"
        if self.kind == ProofKind.OPENING:
            return f"ouverture-{self.person_id}.json"
        if self.kind == ProofKind.SUPPLEMENT:
            return f"complement-{self.channel}.json"
        return "manifeste.json"
