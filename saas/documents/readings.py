"""What a member has read: each download of a document version (web or API) is recorded once per person
and version, so the inbox can count, and the sitting page mark, what is still unread. A replaced
document has a new current version, which nobody has read yet.
"""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from saas.audit.operations import record
from saas.core.database import write_apart
from saas.core.extensions import db
from saas.documents.models import Document, DocumentReading, DocumentVersion
from saas.identity.models import Person
from saas.sittings.models import AgendaItem
from saas.sittings.proof import operations as proof


def _reading(person_id: int, version_id: int) -> DocumentReading | None:
    return db.session.execute(
        sa.select(DocumentReading).where(
            DocumentReading.person_id == person_id, DocumentReading.document_version_id == version_id
        )
    ).scalar_one_or_none()


def record_reading(person: Person, version: DocumentVersion) -> DocumentReading:
    """The person's first reading of ``version``; a later download, or a concurrent one, adds nothing."""
    existing = _reading(person.id, version.id)
    if existing is not None:
        return existing
    reading = DocumentReading(tenant_id=version.tenant_id, person_id=person.id, document_version_id=version.id)
    try:
        with db.session.begin_nested():
            db.session.add(reading)
    except IntegrityError:
        existing = _reading(person.id, version.id)
        if existing is None:
            raise
        return existing
    record(
        "document.read",
        tenant_id=version.tenant_id,
        actor_id=person.id,
        obj=reading,
        data={"document_id": version.document_id, "version": version.number},
    )
    return reading


def note_download(person: Person, version: DocumentVersion) -> None:
    """The legal proofs a download leaves, when one is missing: the member's first opening of each sitting
    the report is placed on (time-stamped first) and their first reading of the version. Called by the
    download routes (GET): the write goes through ``write_apart`` and is skipped, with its lock, when all
    exist already."""
    items = db.session.execute(
        sa.select(AgendaItem).where(
            AgendaItem.report_id == version.document.report_id, AgendaItem.withdrawn_at.is_(None)
        )
    ).scalars()
    openings = [opening for item in items if (opening := proof.unrecorded_opening(item.sitting, person))]
    if not openings and _reading(person.id, version.id) is not None:
        return
    with write_apart(db.session):
        for opening in openings:
            proof.keep_opening(opening)
        record_reading(person, version)


def read_versions(person_id: int, item_ids: list[int]) -> set[int]:
    """The versions of the documents of these agenda items that the person has read (one query)."""
    if not item_ids:
        return set()
    return set(
        db.session.execute(
            sa.select(DocumentReading.document_version_id)
            .join(DocumentVersion, DocumentVersion.id == DocumentReading.document_version_id)
            .join(Document, Document.id == DocumentVersion.document_id)
            .join(AgendaItem, AgendaItem.report_id == Document.report_id)
            .where(DocumentReading.person_id == person_id, AgendaItem.id.in_(item_ids))
        ).scalars()
    )


def unread_by_sitting(person_id: int, sitting_ids: list[int]) -> dict[tuple[int, bool], int]:
    """(sitting id, item is confidential) -> current versions the person has not read, among the documents
    in force (not withdrawn) of the items on the agenda (not withdrawn). One query for any number of
    sittings; the caller drops the confidential counts of sittings whose closed session the person may
    not read."""
    if not sitting_ids:
        return {}
    later = aliased(DocumentVersion)
    rows = db.session.execute(
        sa.select(AgendaItem.sitting_id, AgendaItem.confidential, sa.func.count(DocumentVersion.id))
        .join(Document, Document.report_id == AgendaItem.report_id)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(
            AgendaItem.sitting_id.in_(sitting_ids),
            AgendaItem.withdrawn_at.is_(None),
            Document.withdrawn.is_(False),
            ~sa.exists().where(later.document_id == Document.id, later.number > DocumentVersion.number),
            ~sa.exists().where(
                DocumentReading.person_id == person_id, DocumentReading.document_version_id == DocumentVersion.id
            ),
        )
        .group_by(AgendaItem.sitting_id, AgendaItem.confidential)
    ).all()
    return {(sitting_id, confidential): count for sitting_id, confidential, count in rows}
