"""Adding and replacing the documents of a report: upload → check → store → version row → audit.

The secretariat may upload straight onto an agenda item (``add_item_document``): the document goes to the
item's report, made then if the item had none (saas.reports.operations.report_for_item).

The upload is copied in chunks to a private temporary directory in the instance folder (flat memory,
hard size limit), checked by ``check_pdf`` in its sandboxed process, and only the cleaned file is stored.
The temporary directory is removed on every path. Nothing is written to the database before the file has
passed the check, and a stored object belongs to the transaction: if the caller rolls back, storage
deletes the object again (saas.storage.operations). Operations flush and audit but never commit.
"""

import shutil
import tempfile
import unicodedata
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from saas.audit.operations import record
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.documents.intake.check import DEFAULT_LIMITS, MIB, PdfReport, check_pdf
from saas.documents.models import KIND_LABELS, UPLOADED_KINDS, Document, DocumentKind, DocumentVersion
from saas.documents.supplements.operations import notify_supplement
from saas.documents.uploads import uploads_dir
from saas.identity.models import Person
from saas.reports.models import Report
from saas.reports.operations import report_for_item
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.proof.operations import ProofError
from saas.storage.operations import store
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Tenant

CHUNK = MIB
#: once a sitting is closed its dossier is the record of what was debated: it no longer changes
FROZEN = {SittingStatus.CLOSED, SittingStatus.ARCHIVED}


UNKNOWN_KIND = "Type de document inconnu : rapport, note de synthèse ou annexe."


class DocumentError(DomainError):
    """A refusal shown to the user as is (French)."""


class DocumentTooLarge(DocumentError):
    """The upload went past MAX_REQUEST_MB (HTTP 413)."""

    status = 413


#: sent with each new version (``replaced``: of an existing document), inside the transaction, once it is
#: recorded: the annotations move to it, the board book is asked for again (connected in ``create_app``)
version_added = Namespace().signal("document-version-added")


def summary_note_required(tenant: Tenant) -> bool:
    """Whether the law requires a summary note for this collectivity (L2121-12, L5211-1 CGCT)."""
    return tenant_rules(tenant).summary_note_required


def size_limit() -> int:
    return int(current_app.config["MAX_REQUEST_MB"]) * MIB


@contextmanager
def _workspace():
    directory = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads_dir()))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _receive(stream: BinaryIO, target: Path, limit: int) -> None:
    """Copy ``stream`` to ``target`` chunk by chunk, refusing it as soon as it passes ``limit`` bytes."""
    written = 0
    with target.open("xb") as out:
        while chunk := stream.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise DocumentTooLarge(f"Ce fichier dépasse la taille maximale acceptée ({limit // MIB} Mo).")
            out.write(chunk)


def clean_filename(filename: str | None) -> str:
    """The base name of the uploaded file, printable, at most 255 characters, ending in .pdf."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    if not name.lower().endswith(".pdf"):
        name = f"{name or 'document'}.pdf"
    if len(name) > 255:
        name = name[: 255 - 4] + ".pdf"
    return name


def _clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DocumentError("Le titre du document est obligatoire.")
    if len(title) > 300:
        raise DocumentError("Le titre du document ne peut dépasser 300 caractères.")
    return title


def placed_items(report: Report) -> list[AgendaItem]:
    """The agenda items (not withdrawn) that examine ``report``, the latest sitting first."""
    return list(
        db.session.execute(
            sa.select(AgendaItem)
            .join(Sitting, Sitting.id == AgendaItem.sitting_id)
            .where(AgendaItem.report_id == report.id, AgendaItem.withdrawn_at.is_(None))
            .order_by(Sitting.starts_at.desc(), AgendaItem.id.desc())
        ).scalars()
    )


def latest_sitting(report: Report) -> Sitting | None:
    """The latest sitting ``report`` is placed on (the one its signature and its readers refer to)."""
    items = placed_items(report)
    return items[0].sitting if items else None


def _check_open(report: Report) -> None:
    if any(item.sitting.status in FROZEN for item in placed_items(report)):
        raise DocumentError("La séance est close : ses documents ne peuvent plus être modifiés.")


def _publish(tenant_id: int, stream: BinaryIO) -> tuple[PdfReport, int]:
    """Receive, check and store the upload; returns the check's report and the blob id."""
    limit = size_limit()
    with _workspace() as directory:
        source, cleaned = directory / "source.pdf", directory / "cleaned.pdf"
        _receive(stream, source, limit)
        report = check_pdf(source, cleaned, limits=replace(DEFAULT_LIMITS, max_file_bytes=limit))
        source.unlink()
        with cleaned.open("rb") as published:
            blob = store(tenant_id, published)
    return report, blob.id


def _add_version(document: Document, report: PdfReport, blob_id: int, filename, actor, note=None):
    number = max((v.number for v in document.versions), default=0) + 1
    version = DocumentVersion(
        tenant_id=document.tenant_id,
        number=number,
        blob_id=blob_id,
        filename=clean_filename(filename),
        size=report.size,
        sha256=report.sha256,
        page_count=report.pages,
        page_sizes=report.page_sizes,
        pdf_version=report.pdf_version,
        removed_active_content=[{"kind": r.kind, "label": r.label, "count": r.count} for r in report.removed],
        added_after_convocation=any(
            item.sitting.status != SittingStatus.DRAFT for item in placed_items(document.report)
        ),
        uploaded_by_id=actor.id if actor else None,
        note=(note or "").strip() or None,
    )
    document.versions.append(version)
    return version


def add_item_document(
    item: AgendaItem, kind, title: str | None, stream: BinaryIO, filename: str | None, actor: Person | None
):
    """The secretariat's upload onto an agenda item: a new document of the item's report."""
    if item.withdrawn_at is not None:
        raise DocumentError("Ce point a été retiré de l'ordre du jour : on ne peut plus y joindre de document.")
    return add_document(report_for_item(item, actor=actor), kind, title, stream, filename, actor)


def add_document(report: Report, kind, title: str | None, stream: BinaryIO, filename: str | None, actor: Person | None):
    """A new document of ``report`` with its first version. Raises DocumentError, DocumentTooLarge or
    PdfRejected (French messages); nothing is left behind then."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise DocumentError(UNKNOWN_KIND) from None
    if kind not in UPLOADED_KINDS:
        raise DocumentError(UNKNOWN_KIND)
    title = _clean_title(title)
    _check_open(report)
    if kind != DocumentKind.ANNEX and _single(report, kind) is not None:
        raise DocumentError(f"Ce rapport a déjà un(e) {KIND_LABELS[kind]} : déposez-en une nouvelle version.")
    check, blob_id = _publish(report.tenant_id, stream)
    position = None
    if kind == DocumentKind.ANNEX:
        last = db.session.execute(
            sa.select(sa.func.max(Document.position)).where(Document.report_id == report.id)
        ).scalar_one()
        position = (last or 0) + 1
    document = Document(tenant_id=report.tenant_id, report=report, kind=kind, title=title, position=position)
    version = _add_version(document, check, blob_id, filename, actor)
    try:
        with db.session.begin_nested():
            db.session.add(document)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DocumentError("Un autre document vient d'être déposé sur ce rapport : réessayez.") from None
    _audit("document.added", document, version, actor)
    _after_sending(version, actor)
    version_added.send(version, replaced=False)
    return document


def replace_document(document: Document, stream: BinaryIO, filename: str | None, actor: Person | None, note=None):
    """A new version of ``document``; the previous ones stay reachable."""
    if document.withdrawn:
        raise DocumentError("Ce document a été retiré : il ne peut plus être remplacé.")
    if document.kind not in UPLOADED_KINDS:
        raise DocumentError("Une délibération est établie par Quorum : elle se corrige par un nouvel acte.")
    _check_open(document.report)
    check, blob_id = _publish(document.tenant_id, stream)
    version = _add_version(document, check, blob_id, filename, actor, note)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise DocumentError("Une autre version de ce document vient d'être déposée : réessayez.") from None
    _audit("document.replaced", document, version, actor)
    _after_sending(version, actor)
    version_added.send(version, replaced=True)
    return version


def add_act_version(report: Report, title: str, stream: BinaryIO, filename: str, actor: Person | None):
    """The generated PDF of an act (saas.acts) as a new version of the report's "deliberation" document, made
    at its first act. Checked and stored like an upload, but after the sitting: neither the closed sitting's
    freeze nor the supplement's re-notification applies, and no ``version_added`` (nothing to re-anchor)."""
    check, blob_id = _publish(report.tenant_id, stream)
    document = _single(report, DocumentKind.DELIBERATION)
    if document is None:
        document = Document(
            tenant_id=report.tenant_id, report=report, kind=DocumentKind.DELIBERATION, title=_clean_title(title)
        )
        db.session.add(document)
    version = _add_version(document, check, blob_id, filename, actor)
    version.added_after_convocation = False
    db.session.flush()
    _audit("document.act_generated", document, version, actor)
    return version


def _after_sending(version: DocumentVersion, actor: Person | None) -> None:
    """Once the convocations went out, a new version is time-stamped and re-notified (a supplement)."""
    try:
        notify_supplement(version, actor)
    except ProofError as error:
        raise DocumentError(f"{error} Le document n'a pas été enregistré : réessayez.") from error


def _single(report: Report, kind: DocumentKind) -> Document | None:
    return db.session.execute(
        sa.select(Document).where(Document.report_id == report.id, Document.kind == kind, ~Document.withdrawn)
    ).scalar_one_or_none()


def _audit(action: str, document: Document, version: DocumentVersion, actor: Person | None) -> None:
    record(
        action,
        tenant_id=document.tenant_id,
        actor_id=actor.id if actor else None,
        obj=document,
        data={
            "report_id": document.report_id,
            "kind": document.kind.value,
            "version": version.number,
            "sha256": version.sha256,
            "size": version.size,
            "removed": [r["kind"] for r in version.removed_active_content],
            "added_after_convocation": version.added_after_convocation,
        },
    )


def documents_of(report: Report | None) -> list[Document]:
    """The report's documents: report, summary note, then annexes in order (none for no report)."""
    if report is None:
        return []
    order = sa.case({"report": 0, "summary_note": 1, "deliberation": 3}, value=Document.kind, else_=2)
    return list(
        db.session.execute(
            sa.select(Document).where(Document.report_id == report.id).order_by(order, Document.position, Document.id)
        ).scalars()
    )


def versions_seen(report: Report) -> list[dict]:
    """The current versions of the report's documents in force, as [{"id", "sha256"}]: what a validator
    sees when they act (every circuit action records it)."""
    return [
        {"id": document.current_version.id, "sha256": document.current_version.sha256}
        for document in documents_of(report)
        if not document.withdrawn
    ]
