"""The sitting held: the roll call, arrivals and departures, the item on the floor, and who does not take part.

Council records are never deleted: a roll-call entry is corrected (each correction an audit event), a
presence event is only ever added, a declaration of not taking part is withdrawn (``withdrawn_at``) and can be
made again.

A deputy (suppléant, L5211-6 for the delegates of an EPCI's commune with a single seat) is a person who sits
and votes in the stead of a member in office: their name is recorded on the member's entry
(``deputy_name``) and, when they have an account in Quorum, the person (``deputy_person_id``), who need
not be a member of the assembly. The seat, the quorum and the vote stay the member's.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.identity.models import Person
from saas.sittings.models import AgendaItem, Sitting
from saas.tenancy.models import enum_column


class SeatStatus(enum.StrEnum):
    PRESENT = "present"
    #: attends by visioconference, where the sitting allows it
    REMOTE = "remote"
    ABSENT = "absent"
    #: absent, and a colleague present holds their proxy
    REPRESENTED = "represented"
    #: a deputy (suppléant) sits in their stead
    REPLACED = "replaced"


SEAT_LABELS = {
    SeatStatus.PRESENT: "présent",
    SeatStatus.REMOTE: "à distance",
    SeatStatus.ABSENT: "absent",
    SeatStatus.REPRESENTED: "représenté",
    SeatStatus.REPLACED: "remplacé par son suppléant",
}


class PresenceEventKind(enum.StrEnum):
    ARRIVAL = "arrival"
    DEPARTURE = "departure"


class RollCallEntry(TenantOwned, Base):
    """A member in office at the opening: what the secretariat confirmed, started from the member's answer."""

    __tablename__ = "roll_call_entry"
    __table_args__ = (
        sa.UniqueConstraint("sitting_id", "person_id"),
        sa.CheckConstraint("(status = 'represented') = (proxy_holder_id IS NOT NULL)", name="represented_has_holder"),
        sa.CheckConstraint("status <> 'replaced' OR deputy_name IS NOT NULL", name="replaced_has_deputy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    #: the member in office
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    #: their seat at the opening
    status: Mapped[SeatStatus] = enum_column(SeatStatus)
    #: the colleague present who holds their proxy (represented only)
    proxy_holder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: the deputy's name (replaced only), e.g. "Claire Martin"
    deputy_name: Mapped[str | None] = mapped_column(sa.String(200))
    #: the deputy as a person of Quorum, when they have an account (they need not be a member)
    deputy_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: the member's own attendance answer the entry started from (None: no answer)
    answered: Mapped[str | None] = mapped_column(sa.String(32))
    #: when the secretariat confirmed or corrected the entry; empty: still the suggestion
    confirmed_at: Mapped[datetime | None] = mapped_column()
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    proxy_holder: Mapped[Person | None] = relationship(foreign_keys=[proxy_holder_id])


class PresenceEvent(TenantOwned, Base):
    """An arrival or a departure during the sitting, with the time and the item on the floor; never deleted."""

    __tablename__ = "presence_event"
    __table_args__ = (
        sa.Index("ix_presence_event_sitting_id_at", "sitting_id", "at"),
        sa.CheckConstraint("kind = 'departure' OR proxy_holder_id IS NULL", name="only_departure_leaves_proxy"),
        sa.CheckConstraint("kind = 'arrival' OR NOT remote", name="only_arrival_is_remote"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"))
    #: the member in office who arrives or leaves
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    kind: Mapped[PresenceEventKind] = enum_column(PresenceEventKind)
    #: an arrival by visioconference
    remote: Mapped[bool] = mapped_column(default=False)
    #: a departure leaving a proxy to a colleague present
    proxy_holder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: the item on the floor when it happened (empty: before the first item)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id"))
    #: when it happened (UTC)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    item: Mapped[AgendaItem | None] = relationship()


class SittingFloor(TenantOwned, Base):
    """The state of a sitting in progress: the item on the floor, and whether the roll call can still change."""

    __tablename__ = "sitting_floor"

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), unique=True)
    #: the item being examined (empty: none yet, or the agenda is exhausted)
    current_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id"))
    #: when the first vote of the sitting started: the roll call is then fixed, arrivals and departures go on
    roll_call_locked_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    current_item: Mapped[AgendaItem | None] = relationship()


class NotTakingPart(TenantOwned, Base):
    """A member's declaration that they do not take part in an item's vote (L2131-11, conflict of interest),
    made in advance or at the sitting, by the member or the secretariat. Such a member votes neither in their
    own name nor as a proxy holder, and is not counted present for that item's quorum where the rules say so."""

    __tablename__ = "not_taking_part"
    __table_args__ = (sa.UniqueConstraint("item_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    #: e.g. "membre du conseil d'administration de l'association"
    reason: Mapped[str | None] = mapped_column(sa.Text)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: withdrawn before the vote (a declaration made by mistake); declaring again clears it
    withdrawn_at: Mapped[datetime | None] = mapped_column()

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
