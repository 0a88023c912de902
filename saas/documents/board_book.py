"""The board book (recueil): one PDF for a whole sitting, so a member reads the dossier in one file.

Cover and agenda are generated with WeasyPrint from templates/documents/board_book_cover.html; then come,
for every item still on the agenda and in its order, the current version of its report, summary note and
annexes. The files are read through storage (decrypted and authenticated), copied to a private temporary
folder of the instance (never held whole in memory) and merged with pikepdf, with one bookmark per item
("n. title") and one child bookmark per document. The result is stored like any file: content-addressed
and encrypted, so rebuilding identical inputs yields the same blob.

A ``BoardBook`` row per sitting says what was built from which inputs. ``inputs_hash`` covers the sitting's
cover data and, item by item, the item's id, number and title and each document's title and version
SHA-256: ``request_board_book`` starts a build only when it changed, so a page view or a repeated request
costs nothing.
"""

import hashlib
import json
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
import sqlalchemy as sa
from babel.dates import format_datetime
from flask import current_app

from saas.database import utcnow
from saas.documents.models import KIND_LABELS, BoardBook, BoardBookStatus, Document, DocumentVersion
from saas.documents.operations import documents_of
from saas.documents.printing import render_pdf
from saas.extensions import db
from saas.sittings.models import AgendaItem, Sitting
from saas.sittings.operations import active_items
from saas.storage.models import Blob
from saas.storage.operations import open_range, store

WORKSPACE = "board-books"


STATUS_LABELS = {
    BoardBookStatus.PENDING: "en attente",
    BoardBookStatus.BUILDING: "en cours de constitution",
    BoardBookStatus.READY: "prêt",
    BoardBookStatus.FAILED: "échec",
}


class BoardBookError(Exception):
    """A build that cannot succeed (a document unreadable by the merge); the message is in French."""


@dataclass
class Part:
    """An agenda item and the current versions of its documents, in book order."""

    item: AgendaItem
    documents: list[tuple[Document, DocumentVersion]]


def book_parts(sitting: Sitting) -> list[Part]:
    """Items still on the agenda, in order, each with its documents (report, summary note, annexes)."""
    return [
        Part(item, [(d, d.current_version) for d in documents_of(item) if not d.withdrawn and d.versions])
        for item in active_items(sitting)
    ]


def inputs_hash(sitting: Sitting, parts: list[Part]) -> str:
    """What the book is made of; equal hashes mean byte-identical books."""
    data = {
        # in UTC: a sitting just created holds its local time, the same sitting read back holds UTC
        "sitting": [sitting.id, sitting.starts_at.astimezone(UTC).isoformat(), sitting.place, sitting.assembly.name],
        "items": [
            [p.item.id, p.item.position, p.item.title, [[d.title, v.sha256] for d, v in p.documents]] for p in parts
        ],
    }
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def contains_confidential(sitting: Sitting) -> bool:
    """A book with a closed-session item is for those who may read closed-session items only."""
    return any(item.confidential for item in active_items(sitting))


def find_board_book(sitting: Sitting) -> BoardBook | None:
    return db.session.execute(sa.select(BoardBook).where(BoardBook.sitting_id == sitting.id)).scalar_one_or_none()


def request_board_book(sitting: Sitting) -> BoardBook:
    """The sitting's board book, with a build queued (after commit) only if its inputs changed since the
    last request. Never commits."""
    from saas.documents.jobs import build_board_book_job

    digest = inputs_hash(sitting, book_parts(sitting))
    book = find_board_book(sitting)
    if book is not None and book.inputs_hash == digest and book.status != BoardBookStatus.FAILED:
        return book
    if book is None:
        book = BoardBook(
            tenant_id=sitting.tenant_id, sitting_id=sitting.id, inputs_hash=digest, status=BoardBookStatus.PENDING
        )
        try:
            with db.session.begin_nested():
                db.session.add(book)
                db.session.flush()
        except sa.exc.IntegrityError:
            book = find_board_book(sitting)  # created meanwhile by a concurrent request
            if book is None:
                raise
    book.inputs_hash = digest
    book.status = BoardBookStatus.PENDING
    book.progress_done, book.progress_total = 0, 0
    book.blob_id, book.built_at, book.error = None, None, None
    book.requested_at = utcnow()
    db.session.flush()
    build_board_book_job.delay(sitting.id, tenant_id=sitting.tenant_id, job_id=f"board-book-{sitting.id}-{digest[:16]}")
    return book


# --- Building -------------------------------------------------------------------------------------


def render_cover(sitting: Sitting, parts: list[Part]) -> bytes:
    """Cover and agenda as PDF bytes (WeasyPrint); its own bookmarks are dropped when merging."""
    tenant = sitting.tenant
    when = format_datetime(
        sitting.starts_at, "EEEE d MMMM y 'à' HH'h'mm", locale="fr", tzinfo=ZoneInfo(tenant.timezone)
    )
    return render_pdf(
        "board_book_cover.html", tenant=tenant, sitting=sitting, when=when, parts=parts, kind_labels=KIND_LABELS
    )


def _copy_out(version: DocumentVersion, target: Path) -> None:
    """The decrypted file on disk, chunk by chunk (flat memory whatever its size)."""
    with target.open("xb") as out:
        if version.blob.size:
            for piece in open_range(version.blob, 0, version.blob.size - 1):
                out.write(piece)


def build_board_book(sitting: Sitting, progress=None) -> Blob:
    """Build and store the book of ``sitting``; ``progress(done, total)`` is called after each step.
    Raises BoardBookError (French) when a stored document cannot be merged."""
    parts = book_parts(sitting)
    total = 1 + sum(len(p.documents) for p in parts)
    report = progress or (lambda done, total: None)
    folder = Path(current_app.instance_path) / WORKSPACE
    folder.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix="book-", dir=folder))
    try:
        with ExitStack() as stack:
            book = stack.enter_context(pikepdf.Pdf.open(_write(workspace / "cover.pdf", render_cover(sitting, parts))))
            done = 1
            report(done, total)
            outline_entries = []
            for part in parts:
                children = []
                for number, (document, version) in enumerate(part.documents):
                    path = workspace / f"{part.item.id}-{number}.pdf"
                    _copy_out(version, path)
                    try:
                        source = stack.enter_context(pikepdf.Pdf.open(path))
                    except pikepdf.PdfError:
                        raise BoardBookError(
                            f"Le document « {document.title} » du point {part.item.position} n'a pas pu être lu."
                        ) from None
                    children.append((document.title, len(book.pages)))
                    book.pages.extend(source.pages)
                    done += 1
                    report(done, total)
                if children:
                    outline_entries.append((f"{part.item.position}. {part.item.title}", children))
            _write_outline(book, outline_entries)
            for key in ("/CreationDate", "/ModDate"):
                if key in book.docinfo:
                    del book.docinfo[key]
            book.docinfo["/Title"] = f"Recueil — {sitting.assembly.name}"
            output = workspace / "book.pdf"
            book.save(output, deterministic_id=True)
        with output.open("rb") as stream:
            return store(sitting.tenant_id, stream)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _write_outline(book: pikepdf.Pdf, entries) -> None:
    with book.open_outline() as outline:
        del outline.root[:]
        for title, children in entries:
            entry = pikepdf.OutlineItem(title, children[0][1])
            entry.children.extend(pikepdf.OutlineItem(name, page) for name, page in children)
            outline.root.append(entry)
