"""The board book (recueil): one PDF for a whole sitting, so a member reads the dossier in one file.

Cover and agenda are generated with WeasyPrint from templates/documents/board_book_cover.html; then come,
for every item still on the agenda and in its order, the current version of its report, summary note and
annexes. The files are read through storage (decrypted and authenticated) and copied to a private temporary
folder of the instance, once per distinct content; qpdf's job interface (through pikepdf) merges them into a
file of that folder, with one bookmark per item ("n. title") and one child bookmark per document, and the
result is stored from that file like any other: content-addressed and encrypted, so rebuilding identical
inputs yields the same blob.

Memory stays flat whatever the size of the documents: a qpdf job reads each page's streams from its source
file only while writing the book. Copying pages between ``pikepdf.Pdf`` objects (``pages.extend``) would
not: pikepdf opens files in qpdf's "immediate copy" mode, which reads every copied stream into memory (the
whole dossier, +514 MiB for a 500 MB annex, docs/performance.md). Streams are copied as they are, neither
decoded nor compressed (the documents were checked and cleaned at upload), and a document present twice in
the book (the same annex in two items) is written once and shared.

A ``BoardBook`` row per sitting says what was built from which inputs. ``inputs_hash`` covers the sitting's
cover data and, item by item, the item's id, number and title and each document's title and version
SHA-256: ``request_board_book`` starts a build only when it changed, so a page view or a repeated request
costs nothing.
"""

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pikepdf
import sqlalchemy as sa
from flask import current_app

from saas.core import display
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.core.printing import render_pdf
from saas.documents.board_book.models import BoardBook, BoardBookStatus
from saas.documents.models import KIND_LABELS, Document, DocumentVersion
from saas.documents.operations import documents_of, placed_items
from saas.jobs.queues import enqueue
from saas.sittings.models import AgendaItem, Sitting
from saas.sittings.operations import active_items
from saas.storage.models import Blob
from saas.storage.operations import discard_if_unreferenced, open_range, store

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
        Part(item, [(d, d.current_version) for d in documents_of(item.report) if not d.withdrawn and d.versions])
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
    superseded = book.blob
    book.blob, book.built_at, book.error = None, None, None
    book.requested_at = utcnow()
    db.session.flush()
    if superseded is not None:
        discard_if_unreferenced(superseded)  # an outdated book is no longer offered: its file goes too
    enqueue(
        "saas.documents.board_book.jobs.build_board_book_job",
        sitting.id,
        tenant_id=sitting.tenant_id,
        job_id=f"board-book-{sitting.id}-{digest[:16]}",
    )
    return book


# --- Building -------------------------------------------------------------------------------------


def render_cover(sitting: Sitting, parts: list[Part]) -> bytes:
    """Cover and agenda as PDF bytes (WeasyPrint); its own bookmarks are dropped when merging."""
    tenant = sitting.tenant
    when = display.format_datetime(sitting.starts_at, "full", tenant, locale=display.DOCUMENT_LOCALE)
    return render_pdf(
        "board_book_cover.html", tenant=tenant, sitting=sitting, when=when, parts=parts, kind_labels=KIND_LABELS
    )


def _copy_out(blob: Blob, target: Path) -> None:
    """The decrypted file on disk, chunk by chunk (flat memory whatever its size)."""
    with target.open("xb") as out:
        if blob.size:
            for piece in open_range(blob, 0, blob.size - 1):
                out.write(piece)


def _page_count(path: Path, document: Document, item: AgendaItem) -> int:
    """The number of pages of a copied-out document (parsing its structure, not its streams)."""
    try:
        with pikepdf.open(path, access_mode=pikepdf.AccessMode.stream) as source:
            return len(source.pages)
    except pikepdf.PdfError:
        raise BoardBookError(f"Le document « {document.title} » du point {item.position} n'a pas pu être lu.") from None


def build_board_book(sitting: Sitting, progress=None) -> Blob:
    """Build and store the book of ``sitting``; ``progress(done, total)`` is called after each document is
    ready and, last, once the book is stored. Raises BoardBookError (French) when a stored document cannot
    be merged."""
    parts = book_parts(sitting)
    total = 1 + sum(len(p.documents) for p in parts)
    report = progress or (lambda done, total: None)
    folder = Path(current_app.instance_path) / WORKSPACE
    folder.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix="book-", dir=folder))
    try:
        files: dict[str, tuple[Path, int]] = {}  # SHA-256 -> (copied-out file, pages)
        sources: list[tuple[Part, list[tuple[str, Path, int]]]] = []
        done = 0
        for part in parts:
            documents = []
            for document, version in part.documents:
                if version.sha256 not in files:
                    path = workspace / f"{version.sha256}.pdf"
                    _copy_out(version.blob, path)
                    files[version.sha256] = (path, _page_count(path, document, part.item))
                documents.append((document.title, *files[version.sha256]))
                done += 1
                report(done, total)
            sources.append((part, documents))
        cover = workspace / "cover.pdf"
        cover.write_bytes(render_cover(sitting, parts))
        output = workspace / "book.pdf"
        _merge(cover, sources, output, title=f"Recueil — {sitting.assembly.name}")
        with output.open("rb") as stream:
            blob = store(sitting.tenant_id, stream)
        report(total, total)
        return blob
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _merge(cover: Path, sources: list[tuple[Part, list[tuple[str, Path, int]]]], output: Path, title: str) -> None:
    """Write cover + documents to ``output`` with bookmarks; deterministic (same inputs, same bytes)."""
    files = [cover, *(path for _part, documents in sources for _title, path, _pages in documents)]
    job = pikepdf.Job(  # qpdf's job JSON; the job holds the source files open until the book is written
        {
            "empty": "",
            "pages": [{"file": str(path)} for path in files],
            "outputFile": str(output),
            "deterministicId": "",
            "compressStreams": "n",
            "decodeLevel": "none",
        }
    )
    with job.create_pdf() as book:
        page = len(book.pages) - sum(pages for _part, documents in sources for _title, _path, pages in documents)
        entries = []
        for part, documents in sources:
            children = []
            for name, _path, pages in documents:
                children.append((name, page))
                page += pages
            if children:
                entries.append((f"{part.item.position}. {part.item.title}", children))
        _write_outline(book, entries)
        book.docinfo["/Title"] = title
        job.write_pdf(book)


def _write_outline(book: pikepdf.Pdf, entries) -> None:
    with book.open_outline() as outline:
        del outline.root[:]
        for title, children in entries:
            entry = pikepdf.OutlineItem(title, children[0][1])
            entry.children.extend(pikepdf.OutlineItem(name, page) for name, page in children)
            outline.root.append(entry)


def inputs_changed(version: DocumentVersion, **_) -> None:
    """Receiver of ``documents.operations.version_added``: the board book of every sitting the report is
    placed on is asked for again."""
    for item in placed_items(version.document.report):
        request_board_book(item.sitting)
