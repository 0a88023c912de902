"""Annotations of a document version: highlights, notes, ink and text boxes (W3C Web Annotation model).

An annotation belongs to its author (``PersonOwned``): "Mes notes" reads them across collectivities, and
nobody else reads a private one. Sharing is stored so that "who may see it" is one query: the scope, the
assembly of the document, the author's political group there (for the group scope) and the named people.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.tenancy.models import enum_column


class AnnotationKind(enum.StrEnum):
    HIGHLIGHT = "highlight"
    NOTE = "note"
    INK = "ink"
    TEXT = "text"


class SharingScope(enum.StrEnum):
    PRIVATE = "private"
    PEOPLE = "people"
    GROUP = "group"
    ASSEMBLY = "assembly"


class Annotation(PersonOwned, Base):
    """One annotation; ``person_id`` is its author. Soft-deleted, so devices in sync learn of deletions."""

    __tablename__ = "annotation"
    __table_args__ = (
        sa.Index("ix_annotation_tenant_id_document_id_updated_at", "tenant_id", "document_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("document.id"))
    #: the version it is anchored on (the current one, once re-anchoring moved it)
    document_version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_version.id"), index=True)
    #: the assembly of the document's sitting: the audience of the group and assembly scopes
    assembly_id: Mapped[int] = mapped_column(sa.ForeignKey("assembly.id"))
    #: 1-based page number
    page: Mapped[int] = mapped_column()
    kind: Mapped[AnnotationKind] = enum_column(AnnotationKind)
    color: Mapped[str] = mapped_column(sa.String(7))
    #: [[x1, y1, x2, y2], …] in PDF points, origin at the bottom left of the page's CropBox
    rects: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: ink strokes [[[x, y], …], …] in PDF points (kind "ink" only)
    ink: Mapped[list] = mapped_column(sa.JSON, default=list)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: W3C TextQuoteSelector {"exact", "prefix", "suffix"}: what re-anchoring looks for in a new version
    quote: Mapped[dict | None] = mapped_column(sa.JSON)
    #: W3C TextPositionSelector {"start", "end"} within the page's text (best effort)
    position: Mapped[dict | None] = mapped_column(sa.JSON)
    sharing_scope: Mapped[SharingScope] = enum_column(SharingScope, default=SharingScope.PRIVATE)
    #: the author's political group in the assembly when shared with the group
    political_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("political_group.id"))
    #: the shared annotation this one answers
    reply_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("annotation.id"), index=True)
    #: optimistic concurrency: every update must name the revision it read
    revision: Mapped[int] = mapped_column(default=1)
    #: re-anchoring on a new version failed: kept with its text, shown apart
    orphaned: Mapped[bool] = mapped_column(default=False)
    #: where it was before it was orphaned: {"version_number", "page"}
    orphaned_from: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: last change of any kind (sync cursors compare it)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column()

    author: Mapped[Person] = relationship()
    shared_with: Mapped[list["AnnotationShare"]] = relationship(
        back_populates="annotation", cascade="all, delete-orphan", order_by="AnnotationShare.person_id"
    )

    __mapper_args__ = {"version_id_col": revision}


class AnnotationShare(TenantOwned, Base):
    """A colleague named on an annotation shared with people."""

    __tablename__ = "annotation_share"
    __table_args__ = (
        sa.UniqueConstraint("annotation_id", "person_id"),
        sa.Index("ix_annotation_share_person_id_annotation_id", "person_id", "annotation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    annotation_id: Mapped[int] = mapped_column(sa.ForeignKey("annotation.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))

    annotation: Mapped[Annotation] = relationship(back_populates="shared_with")
