"""Deliberations (the acts of a sitting) and the per-collectivity counter that numbers them.

An act is never deleted nor changed once made: a correction is a new act (a new number) referring to the first,
which is only marked corrected. Its PDF is a version of the report's document of kind "deliberation", so the
circuit for acts to sign (``actes-a-signer``) signs it like any main document.
"""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.documents.models import DocumentVersion
from saas.identity.models import Person
from saas.reports.models import Report
from saas.sittings.models import AgendaItem, Sitting
from saas.sittings.outcomes import Outcome
from saas.tenancy.models import enum_column

#: the number of an act when the collectivity set no format: "2026-044"
DEFAULT_NUMBER_FORMAT = "{year}-{seq:03d}"


class ActCounter(TenantOwned, Base):
    """The counter of a collectivity's acts for one year: a number is taken by ``UPDATE … RETURNING`` in the
    transaction that makes the act, so that it never repeats and never skips (a rolled-back act gives it back)."""

    __tablename__ = "act_counter"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the calendar year of the decisions numbered (in the collectivity's time zone)
    year: Mapped[int] = mapped_column()
    #: the last sequence number given this year (0 before the first act)
    last_sequence: Mapped[int] = mapped_column(default=0)
    #: how a number is written, with ``{year}`` and ``{seq}`` (e.g. "{year}-{seq:03d}" → "2026-044"); a new
    #: year starts with the previous year's format; a number once given is never rewritten
    number_format: Mapped[str] = mapped_column(sa.String(60), default=DEFAULT_NUMBER_FORMAT)


class Deliberation(TenantOwned, Base):
    """An act of an assembly on one agenda item: numbered, generated, signed through a circuit."""

    __tablename__ = "deliberation"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "number"),
        sa.UniqueConstraint("tenant_id", "year", "sequence"),
        sa.Index("ix_deliberation_tenant_id_decided_on", "tenant_id", "decided_on"),
        # one original act per agenda item (a signal or a job delivered twice makes one); corrections add more
        sa.Index(
            "uq_deliberation_original_item",
            "agenda_item_id",
            unique=True,
            sqlite_where=sa.text("corrects_id IS NULL"),
            postgresql_where=sa.text("corrects_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the act's number as written, e.g. "2026-044"
    number: Mapped[str] = mapped_column(sa.String(60))
    #: the year and sequence the number was made from (the counter's)
    year: Mapped[int] = mapped_column()
    sequence: Mapped[int] = mapped_column()
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"), index=True)
    #: the item's order number in the sitting (R2121-9), as it was when decided
    item_position: Mapped[int | None] = mapped_column()
    #: the report the item examined (it carries the act's PDF as its "deliberation" document)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    #: the object of the act, e.g. "Équipement numérique - Dématérialisation des documents et procédures"
    title: Mapped[str] = mapped_column(sa.String(500))
    #: the day of the sitting, in the collectivity's time zone
    decided_on: Mapped[date] = mapped_column()
    #: @ctes subject code (matière), e.g. "8.5"
    subject_code: Mapped[str | None] = mapped_column(sa.String(5))
    #: adopted, rejected or noted (prend acte)
    outcome: Mapped[Outcome] = enum_column(Outcome)
    #: the ItemOutcome the act was made from, as JSON (saas.acts.snapshots.outcome_to_json)
    outcome_snapshot: Mapped[dict] = mapped_column(sa.JSON)
    #: the generated text of the act, paragraphs separated by blank lines
    text: Mapped[str] = mapped_column(sa.Text)
    #: the generated PDF/A: a version of the report's "deliberation" document
    document_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_version.id"))
    #: the act this one corrects (the first stays as it was, marked corrected)
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deliberation.id"), index=True)
    #: why the correction was made (on a correcting act)
    correction_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: when a correcting act was made for this one
    corrected_at: Mapped[datetime | None] = mapped_column()
    #: who made the act (empty when made by the votes' signal or a job)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sitting: Mapped[Sitting] = relationship()
    agenda_item: Mapped[AgendaItem] = relationship()
    report: Mapped[Report] = relationship()
    document_version: Mapped[DocumentVersion | None] = relationship()
    corrects: Mapped["Deliberation | None"] = relationship(remote_side=[id])
    created_by: Mapped[Person | None] = relationship()
