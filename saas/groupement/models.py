"""The purchasing group (groupement de commandes) and what its coordinator runs for it.

These rows are platform-level, not tenant-owned: they are about several collectivities at once and are
read only through the coordinator's console (``saas.groupement.access``). They hold names, amounts and
devices, never a collectivity's dossiers.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, utcnow
from saas.identity.models import Person
from saas.signing.book.models import StepStatus
from saas.storage.models import Blob
from saas.tenancy.models import Tenant, enum_column


class PurchasingGroup(Base):
    """The group that bought the platform together; one per installation (see docs/groupement.md)."""

    __tablename__ = "purchasing_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "Groupement de commandes — équipement numérique des élus"
    name: Mapped[str] = mapped_column(sa.String(200))
    #: the collectivity that runs the shared contract (the Region); its storage key holds the agreement
    coordinator_tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id"))
    #: the group agreement (convention constitutive) as uploaded, stored with the coordinator's key
    agreement_blob_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_blob.id"))
    agreement_filename: Mapped[str | None] = mapped_column(sa.String(255))
    agreement_uploaded_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    coordinator: Mapped[Tenant] = relationship()
    agreement_blob: Mapped[Blob | None] = relationship()
    memberships: Mapped[list["Membership"]] = relationship(back_populates="group", order_by="Membership.id")


class Membership(Base):
    """A collectivity's membership of the group, from its joining deliberation to its withdrawal."""

    __tablename__ = "purchasing_membership"
    __table_args__ = (
        sa.UniqueConstraint("group_id", "tenant_id"),
        sa.CheckConstraint("seats >= 0", name="seats_not_negative"),
        sa.CheckConstraint("withdrawn_on IS NULL OR withdrawn_on >= joined_on", name="withdrawal_after_joining"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_group.id"))
    #: the member collectivity (a plain reference: this row belongs to the group, not to the tenant)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id"))
    #: reference of the member assembly's deliberation to join, e.g. "Délibération n° 44 du 8 juillet 2013"
    joining_reference: Mapped[str] = mapped_column(sa.String(200))
    #: date of that deliberation; joining requires it (Code de la commande publique L2113-7)
    joined_on: Mapped[date] = mapped_column()
    #: licences (seats) bought for the member's elected members
    seats: Mapped[int] = mapped_column(default=0)
    #: the group agreement signed on this date by ``agreement_signed_by`` (recorded, not an e-signature)
    agreement_signed_on: Mapped[date | None] = mapped_column()
    agreement_signed_by: Mapped[str | None] = mapped_column(sa.String(200))
    #: last day of membership after a withdrawal
    withdrawn_on: Mapped[date | None] = mapped_column()
    #: the financial effect of the withdrawal as the agreement's clause settles it
    withdrawal_effect: Mapped[str | None] = mapped_column(sa.Text)
    #: what the withdrawing member pays (positive) or receives (negative), in cents
    withdrawal_amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[PurchasingGroup] = relationship(back_populates="memberships")
    tenant: Mapped[Tenant] = relationship()

    def is_active(self, on: date) -> bool:
        return self.joined_on <= on and (self.withdrawn_on is None or on <= self.withdrawn_on)


class SigningStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SIGNED = "signed"
    REFUSED = "refused"
    CANCELLED = "cancelled"


class AgreementSigning(Base):
    """One round of electronic signature of the group agreement: every member's signatory signs the same PDF
    in turn, each through the signature book of their own collectivity, the coordinator's usually last.

    ``prepared_blob`` is the agreement with every member's signature field prepared once (stored with the
    coordinator's key); ``signed_blob`` the PDF signed by all, also with the coordinator's key.
    """

    __tablename__ = "purchasing_agreement_signing"
    __table_args__ = (
        sa.Index(
            "uq_purchasing_agreement_signing_in_progress",
            "group_id",
            unique=True,
            sqlite_where=sa.text("status = 'in_progress'"),
            postgresql_where=sa.text("status = 'in_progress'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_group.id"), index=True)
    #: the uploaded agreement this round signs
    agreement_blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    prepared_blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"))
    signed_blob_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_blob.id"))
    status: Mapped[SigningStatus] = enum_column(SigningStatus, default=SigningStatus.IN_PROGRESS)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the last member signed, one refused, or the round was cancelled
    closed_at: Mapped[datetime | None] = mapped_column()

    signers: Mapped[list["AgreementSigner"]] = relationship(
        back_populates="signing", order_by="AgreementSigner.position", cascade="all, delete-orphan"
    )
    signed_blob: Mapped[Blob | None] = relationship(foreign_keys=[signed_blob_id])
    prepared_blob: Mapped[Blob] = relationship(foreign_keys=[prepared_blob_id])


class AgreementSigner(Base):
    """A member's signatory in a round, at their place in the order, and the signature request opened in the
    member's collectivity when their turn comes. Its status mirrors that request's step, so the console reads
    no tenant's rows; the refusal's reason is the member's message to the coordinator."""

    __tablename__ = "purchasing_agreement_signer"
    __table_args__ = (sa.UniqueConstraint("signing_id", "position"), sa.UniqueConstraint("signing_id", "membership_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    signing_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_agreement_signing.id"))
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_membership.id"))
    #: 1 signs first
    position: Mapped[int] = mapped_column()
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    #: what the stamp says, e.g. "Maire"
    role: Mapped[str] = mapped_column(sa.String(200))
    #: the signature field of the prepared PDF this signatory fills
    field_name: Mapped[str] = mapped_column(sa.String(100))
    #: the request in the member's signature book, once their turn came (unique: opened once)
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signature_request.id"), unique=True)
    #: as the step of that request: waiting (not their turn yet), pending, signed, refused, cancelled
    status: Mapped[StepStatus] = enum_column(StepStatus, default=StepStatus.WAITING)
    signed_at: Mapped[datetime | None] = mapped_column()
    refused_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(sa.Text)

    signing: Mapped[AgreementSigning] = relationship(back_populates="signers")
    membership: Mapped[Membership] = relationship()
    person: Mapped[Person] = relationship()


class Contract(Base):
    """A public contract (marché) awarded for the group, split in lots."""

    __tablename__ = "purchasing_contract"
    __table_args__ = (
        sa.UniqueConstraint("group_id", "reference"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_group.id"))
    #: the contract's number, e.g. "2013-RFC-042"
    reference: Mapped[str] = mapped_column(sa.String(60))
    title: Mapped[str] = mapped_column(sa.String(300))
    #: the supplier (titulaire)
    supplier: Mapped[str] = mapped_column(sa.String(200))
    #: notification of the award
    awarded_on: Mapped[date | None] = mapped_column()
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lots: Mapped[list["Lot"]] = relationship(back_populates="contract", order_by="Lot.number")


class Lot(Base):
    """A lot of a contract: its units and its amounts, in cents (integers, never floats)."""

    __tablename__ = "purchasing_lot"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "number"),
        sa.CheckConstraint(
            "units >= 0 AND equipment_cents >= 0 AND licences_cents_per_year >= 0 AND support_cents_per_year >= 0",
            name="amounts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_contract.id"), index=True)
    #: lot number in the tender, 1, 2…
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    #: units ordered (tablets, licences…)
    units: Mapped[int] = mapped_column(default=0)
    #: equipment, invoiced once, in cents
    equipment_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: software licences, invoiced every year, in cents
    licences_cents_per_year: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: support and maintenance, invoiced every year, in cents
    support_cents_per_year: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    contract: Mapped[Contract] = relationship(back_populates="lots")


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Milestone(Base):
    """A step of the procurement calendar; overdue when its planned date passed and it is not done."""

    __tablename__ = "purchasing_milestone"
    __table_args__ = (sa.UniqueConstraint("group_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_group.id"))
    #: order on the timeline, 1..n
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300))
    #: first planned day, for a step that spans a period (e.g. June for the specification)
    planned_start: Mapped[date | None] = mapped_column()
    #: the date the step must be done by
    planned_date: Mapped[date] = mapped_column()
    #: the day it was actually done
    actual_date: Mapped[date | None] = mapped_column()
    status: Mapped[MilestoneStatus] = enum_column(MilestoneStatus, default=MilestoneStatus.PLANNED)

    def is_overdue(self, today: date) -> bool:
        return self.status != MilestoneStatus.DONE and self.planned_date < today


class DeviceStatus(enum.StrEnum):
    IN_STOCK = "in_stock"
    ASSIGNED = "assigned"
    LOST = "lost"
    WIPED = "wiped"
    RETURNED = "returned"


class Device(Base):
    """A device (tablet) of the group: assigned to a person, never to a mandate.

    ``person_id`` is the current holder while assigned, and the last holder afterwards (lost, wiped,
    returned). The partial unique index makes "one assigned device per person" hold in the database,
    whatever the number of mandates and even when two requests race.
    """

    __tablename__ = "purchasing_device"
    __table_args__ = (
        sa.Index(
            "uq_purchasing_device_assigned_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("status = 'assigned'"),
            postgresql_where=sa.text("status = 'assigned'"),
        ),
        sa.CheckConstraint("status <> 'assigned' OR person_id IS NOT NULL", name="assigned_has_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_group.id"))
    #: the manufacturer's serial number, unique across the platform
    serial: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: e.g. "Tablette 10 pouces, 64 Go"
    model: Mapped[str] = mapped_column(sa.String(200))
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("purchasing_lot.id"))
    status: Mapped[DeviceStatus] = enum_column(DeviceStatus, default=DeviceStatus.IN_STOCK)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: when the status last changed
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lot: Mapped[Lot | None] = relationship()
    person: Mapped[Person | None] = relationship()


class SharingKey(enum.StrEnum):
    EQUAL = "equal"
    EQUIPPED_MEMBERS = "equipped_members"
    POPULATION = "population"
    FIXED = "fixed"


class Statement(Base):
    """The cost sharing of one contract for one period, under one key: issued once, never changed."""

    __tablename__ = "purchasing_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_group.id"))
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_contract.id"), index=True)
    #: the period invoiced, e.g. "2014"
    period: Mapped[str] = mapped_column(sa.String(20))
    key: Mapped[SharingKey] = enum_column(SharingKey)
    #: the one-off equipment amounts are invoiced in this period (usually the first year only)
    includes_equipment: Mapped[bool] = mapped_column(default=False)
    #: the weight of each member under the key, as the statement shows it: {tenant id: "n/d"}
    weights: Mapped[dict] = mapped_column(sa.JSON)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    contract: Mapped[Contract] = relationship()
    lines: Mapped[list["StatementLine"]] = relationship(
        back_populates="statement", order_by="[StatementLine.tenant_id, StatementLine.id]"
    )


class StatementLine(Base):
    """One member's share of one invoiced item: the shares of an item add up exactly to its amount."""

    __tablename__ = "purchasing_statement_line"
    __table_args__ = (sa.UniqueConstraint("statement_id", "tenant_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(sa.ForeignKey("purchasing_statement.id"))
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id"))
    #: what is invoiced, e.g. "Lot 1 — licences"
    item: Mapped[str] = mapped_column(sa.String(320))
    #: the item's invoiced amount, in cents
    invoiced_cents: Mapped[int] = mapped_column(sa.BigInteger)
    #: this member's share of it, in cents
    share_cents: Mapped[int] = mapped_column(sa.BigInteger)

    statement: Mapped[Statement] = relationship(back_populates="lines")
    tenant: Mapped[Tenant] = relationship()
