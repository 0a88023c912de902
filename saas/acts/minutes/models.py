"""Tables of the minutes (procès-verbal, L2121-15), of the list of deliberations (L2121-25) and of the municipal
councillors of an EPCI's member communes who do not sit in it (L5211-40-2).

Nothing here is ever deleted: the debates of an item are edited (each change audited) until the minutes are
approved, then frozen; a list is generated again as a new version; a councillor who leaves is archived.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.identity.models import Person
from saas.signing.book.models import SignatureRequest
from saas.sittings.models import AgendaItem, Sitting
from saas.storage.models import Blob
from saas.tenancy.models import enum_column


class MinutesStatus(enum.StrEnum):
    #: being written: the debates may change
    DRAFT = "draft"
    #: ready for approval: proposed to the next sitting, still editable until approved
    READY = "ready"
    #: approved by the assembly at a later sitting: frozen, in the signature book
    APPROVED = "approved"
    #: signed by the president and the secretary of the sitting
    SIGNED = "signed"


MINUTES_STATUS_LABELS = {
    MinutesStatus.DRAFT: "en rédaction",
    MinutesStatus.READY: "prêt pour approbation",
    MinutesStatus.APPROVED: "approuvé, à signer",
    MinutesStatus.SIGNED: "approuvé et signé",
}


class Minutes(TenantOwned, Base):
    """The minutes of one sitting: drafted from the sitting's data plus the debates typed per item."""

    __tablename__ = "minutes"
    __table_args__ = (sa.UniqueConstraint("sitting_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"))
    status: Mapped[MinutesStatus] = enum_column(MinutesStatus, default=MinutesStatus.DRAFT)
    #: when the secretariat declared it ready for approval
    ready_at: Mapped[datetime | None] = mapped_column()
    #: the agenda item "Approbation du procès-verbal…" proposed on a later sitting
    approval_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id"), index=True)
    #: when the assembly adopted that item (the approval)
    approved_at: Mapped[datetime | None] = mapped_column()
    #: the last day to put it online (L2121-15: within a week of the approval), in local days
    online_due_on: Mapped[date | None] = mapped_column()
    #: the day the secretariat says it was put online (the publication itself is another area's)
    online_on: Mapped[date | None] = mapped_column()
    #: the PDF/A frozen at the approval, the one signed
    blob_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_blob.id"))
    #: its request in the signature book (the president, then the secretary of the sitting)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signature_request.id"), index=True)
    #: when the last signature was applied
    signed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    approval_item: Mapped[AgendaItem | None] = relationship()
    blob: Mapped[Blob | None] = relationship()
    request: Mapped[SignatureRequest | None] = relationship()


class MinutesDebate(TenantOwned, Base):
    """The substance of the debates on one item (teneur des discussions), typed by the secretary of the
    sitting or the secretariat; changed in place until approval, every change audited with its text."""

    __tablename__ = "minutes_debate"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "agenda_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"))
    #: the text, paragraphs separated by blank lines; may be emptied, never deleted
    text: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[Person | None] = relationship()


class DeliberationList(TenantOwned, Base):
    """One generated version of a sitting's list of deliberations (L2121-25), with its deadlines."""

    __tablename__ = "deliberation_list"
    __table_args__ = (sa.UniqueConstraint("sitting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    #: 1 for the first generation, then 2… (a version is never replaced)
    version: Mapped[int] = mapped_column()
    #: the PDF/A
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    #: last day to post it and put it online (L2121-25: within a week of the sitting); empty where no rule
    online_due_on: Mapped[date | None] = mapped_column()
    #: the day the secretariat says it was posted and put online
    online_on: Mapped[date | None] = mapped_column()
    #: EPCI only: last day to send it to the councillors of member communes who do not sit (L5211-40-2)
    councillors_due_on: Mapped[date | None] = mapped_column()
    #: when it was sent to them (the mails are queued; each has its own key)
    councillors_sent_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    blob: Mapped[Blob] = relationship()


class OutsideCouncillor(TenantOwned, Base):
    """A municipal councillor of a member commune of the EPCI who does not sit in its council: receives the
    list of deliberations (L5211-40-2). Entered or imported by the EPCI's admin; archived, never deleted."""

    __tablename__ = "outside_councillor"
    __table_args__ = (sa.Index("ix_outside_councillor_tenant_id_email", "tenant_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "Prénom Nom"
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    #: the member commune whose council they sit in
    commune: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when they stopped being sent the lists (end of mandate, now sitting in the EPCI…)
    archived_at: Mapped[datetime | None] = mapped_column()
