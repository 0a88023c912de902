"""The report (projet de délibération) before any sitting, and the services that draft reports.

A report's documents (saas.documents) belong to it; agenda items refer to it (a committee sitting, then the
council). An item whose documents the secretariat uploaded directly has a report of its own, made then.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.identity.models import Person
from saas.tenancy.models import Assembly, Tenant, enum_column

#: an @ctes subject code of level 2 ("matière"), e.g. "7.1" or "7.10" (docs: shared/domain/formats.md)
SUBJECT_CODE_PATTERN = r"^[1-9]\.[0-9]{1,2}$"


class ReportStatus(enum.StrEnum):
    #: being written by its drafter; may be edited
    DRAFT = "draft"
    #: its circuit runs; frozen
    IN_CIRCUIT = "in_circuit"
    #: refused back to its drafter: may be edited, then submitted again as a new version
    REFUSED = "refused"
    #: its circuit is complete: ready to be placed on an agenda
    READY = "ready"


#: the statuses in which the drafter may edit the report
EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.REFUSED})


class Service(TenantOwned, Base):
    """A service of the collectivity (direction, pôle…), configurable by its admins; drafters draft in one."""

    __tablename__ = "service"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "name"),
        sa.Index("ix_service_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "Direction des finances"
    name: Mapped[str] = mapped_column(sa.String(200))
    #: the head of the service, asked by circuit steps whose actor is "drafter_service_head"; optional
    head_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: an archived service keeps its reports but takes no new ones
    archived: Mapped[bool] = mapped_column(default=False)

    head_person: Mapped[Person | None] = relationship()


class Report(TenantOwned, Base):
    """A draft deliberation: drafted in a service, validated through a circuit, then placed on an agenda.

    Council records are never hard-deleted (retention rule): there is no delete operation.
    """

    __tablename__ = "report"
    __table_args__ = (
        sa.Index("ix_report_tenant_id_id", "tenant_id", "id"),
        sa.Index("ix_report_tenant_id_drafter_id", "tenant_id", "drafter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the person who drafts it (holds a drafter grant for ``service``); empty for a report the secretariat
    #: made by uploading a document straight onto an agenda item without anyone named
    drafter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id"))
    #: the object of the deliberation, e.g. "Équipement numérique — dématérialisation des documents"
    title: Mapped[str] = mapped_column(sa.String(499))
    #: @ctes subject code (level 2), see SUBJECT_CODE_PATTERN; required of drafters, possibly empty for a
    #: report made from an agenda item that had none
    subject_code: Mapped[str | None] = mapped_column(sa.String(5))
    #: the member who presents it to the assembly; optional until the agenda is drawn
    rapporteur_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: the assembly that will deliberate
    assembly_id: Mapped[int] = mapped_column(sa.ForeignKey("assembly.id"))
    #: the sitting it aims at, if already known (its date drives the circuit's deadlines)
    sitting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sitting.id"))
    status: Mapped[ReportStatus] = enum_column(ReportStatus, default=ReportStatus.DRAFT)
    #: raised by one each time a refused report is submitted again
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship()
    drafter: Mapped[Person | None] = relationship(foreign_keys=[drafter_id])
    rapporteur: Mapped[Person | None] = relationship(foreign_keys=[rapporteur_id])
    service: Mapped[Service] = relationship()
    assembly: Mapped[Assembly] = relationship()

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE
