"""Convocations: one per person per sitting (or an invitation for staff and guests), and the notices sent
after it (new convocation, supplement, cancellation)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.sittings.models import AgendaItem, Sitting
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


class NoticeKind(enum.StrEnum):
    #: the date, time, place or modalities changed after convening: a new convocation (also a postponement)
    NEW_CONVOCATION = "new_convocation"
    #: an item added after convening: a convocation complémentaire
    SUPPLEMENT = "supplement"
    #: the sitting is cancelled
    CANCELLATION = "cancellation"


NOTICE_TITLES = {
    NoticeKind.NEW_CONVOCATION: "Nouvelle convocation",
    NoticeKind.SUPPLEMENT: "Convocation complémentaire",
    NoticeKind.CANCELLATION: "Annulation de la séance",
}


class SittingNotice(TenantOwned, Base):
    """A documented sending after the first convocation (a new convocation, a supplement, a cancellation):
    what changed and why, sent to every person convened or invited, one mail each (saas.sittings.convocations.jobs),
    time-stamped like the first convocation; never updated, never deleted."""

    __tablename__ = "sitting_notice"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    #: 1, 2… in the order of the sitting's notices
    number: Mapped[int] = mapped_column()
    kind: Mapped[NoticeKind] = enum_column(NoticeKind)
    #: why, as the secretariat wrote it; in the mail, the PDF and the proof
    reason: Mapped[str | None] = mapped_column(sa.Text)
    #: a new convocation that moves the sitting to a later date (report de la séance)
    postponed: Mapped[bool] = mapped_column(default=False)
    #: the date and place the members had been convened to before this notice (UTC)
    previous_starts_at: Mapped[datetime] = mapped_column()
    previous_place: Mapped[str] = mapped_column(sa.String(300))
    #: the item a supplement adds
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id"))
    #: the secretary who sent it
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: when it left (the notice period of a new convocation or a supplement counts from here)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()
