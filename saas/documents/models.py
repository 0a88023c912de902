"""Documents of a report (the draft deliberation, its summary note, its annexes) and their versions.

A report carries its documents through its circuit and onto every agenda that refers to it (a committee
sitting, then the council).

A document is never deleted (council records are kept): it may be withdrawn, and replacing its file adds a
version; every version stays downloadable. The file itself is a storage ``Blob`` (content-addressed,
encrypted), so the same annex given to two reports is stored once.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.reports.models import Report
from saas.storage.models import Blob
from saas.tenancy.models import enum_column


class DocumentKind(enum.StrEnum):
    #: the draft deliberation (projet de délibération) itself
    REPORT = "report"
    #: note explicative de synthèse (L2121-12 CGCT), required in communes of 3 500 and more and EPCIs
    SUMMARY_NOTE = "summary_note"
    ANNEX = "annex"


KIND_LABELS = {
    DocumentKind.REPORT: "rapport",
    DocumentKind.SUMMARY_NOTE: "note explicative de synthèse",
    DocumentKind.ANNEX: "annexe",
}


class Document(TenantOwned, Base):
    """One document of a report; its current version is the one with the highest number."""

    __tablename__ = "document"
    __table_args__ = (
        # annexes are numbered 1..n on their report; reports and summary notes have no position
        sa.UniqueConstraint("report_id", "position"),
        sa.CheckConstraint("(position IS NULL) = (kind <> 'annex')", name="only_annexes_have_a_position"),
        # one report document and one summary note per report (a withdrawn one may be followed by another)
        sa.Index(
            "uq_document_single_kind",
            "report_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("kind <> 'annex' AND NOT withdrawn"),
            postgresql_where=sa.text("kind <> 'annex' AND NOT withdrawn"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"), index=True)
    kind: Mapped[DocumentKind] = enum_column(DocumentKind)
    title: Mapped[str] = mapped_column(sa.String(300))
    #: order among the report's annexes (1..n); empty for the report and the summary note
    position: Mapped[int | None] = mapped_column()
    withdrawn: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship()
    versions: Mapped[list["DocumentVersion"]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )

    @property
    def current_version(self) -> "DocumentVersion":
        return self.versions[-1]


class DocumentVersion(TenantOwned, Base):
    """One uploaded file of a document, as published: checked and cleaned of active content."""

    __tablename__ = "document_version"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"), index=True)
    #: 1 for the first upload, then 2, 3… for each replacement
    number: Mapped[int] = mapped_column()
    blob_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_blob.id"), index=True)
    #: the name the file had on the uploader's computer, used for downloads
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: size and SHA-256 (hex) of the published (cleaned) file, as in its blob
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    page_count: Mapped[int] = mapped_column()
    #: [[count, width, height], …]: each page's CropBox size in points, equal neighbours counted once, as the
    #: upload check measured them (None before it recorded them, or for too many different sizes)
    page_sizes: Mapped[list | None] = mapped_column(sa.JSON)
    pdf_version: Mapped[str] = mapped_column(sa.String(10))
    #: what the check removed: [{"kind", "label", "count"}], empty when published byte-identical
    removed_active_content: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: uploaded once the convocation was sent: members must be told (re-notification is recorded here)
    added_after_convocation: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: why it was replaced, as the secretary wrote it
    note: Mapped[str | None] = mapped_column(sa.Text)

    document: Mapped[Document] = relationship(back_populates="versions")
    blob: Mapped[Blob] = relationship()
    uploaded_by: Mapped[Person | None] = relationship()


class DocumentReading(PersonOwned, Base):
    """A person's first download of one document version; readable by the person from any tenant (the inbox
    counts what is still unread). A replaced document has a new version, hence is unread again."""

    __tablename__ = "document_reading"
    __table_args__ = (sa.UniqueConstraint("person_id", "document_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_version.id"), index=True)
    #: when the person first downloaded this version (later downloads change nothing)
    first_read_at: Mapped[datetime] = mapped_column(default=utcnow)
