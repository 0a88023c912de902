"""The board book: cover + every document in agenda order, bookmarks per item, rebuilt only on change."""

import io
import os
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from pikepdf import Name

from saas.core.database import SYSTEM, TenantContext, commit, context
from saas.documents import operations
from saas.documents.board_book.jobs import build_board_book_job
from saas.documents.board_book.models import BoardBook, BoardBookStatus
from saas.documents.board_book.operations import book_parts, build_board_book, render_cover, request_board_book
from saas.jobs.queues import run
from saas.sittings import operations as sitting_operations
from saas.storage.backends import backend
from saas.storage.models import Blob
from saas.storage.operations import read_all
from tests.fixtures import pdfs
from tests.fixtures.sittings import sitting_items

MIB = 1 << 20


@pytest.fixture
def dossier(session, storage, create_tenant, create_sitting, tmp_path):
    """A sitting of three items: item 1 has a report (3 p.) and an annex (2 p.), item 2 a report (4 p.),
    item 3 a summary note (1 p.)."""
    tenant = create_tenant(population=10000)
    sitting = create_sitting(tenant, convene=False, items=3)
    with context(session, TenantContext(tenant_id=tenant.id)):
        items = sitting_items(session, sitting)
        items.sort(key=lambda item: item.position)
        plan = [
            (items[0], "report", "Rapport n° 44", 3),
            (items[0], "annex", "Plan de financement", 2),
            (items[1], "report", "Rapport n° 45", 4),
            (items[2], "summary_note", "Note de synthèse", 1),
        ]
        for n, (item, kind, title, pages) in enumerate(plan):
            data = pdfs.clean_pdf(tmp_path / f"{n}.pdf", pages=pages).read_bytes()
            operations.add_item_document(item, kind, title, io.BytesIO(data), f"{n}.pdf", actor=None)
        session.flush()
    return tenant, sitting, items


def build(session, tenant, sitting):
    """Request, commit, then run the job here (in the embedded column it already ran after the commit;
    a second run is a no-op, which is part of what is tested)."""
    with context(session, TenantContext(tenant_id=tenant.id)):
        book = request_board_book(sitting)
        commit(session)
    run(build_board_book_job.name, tenant.id, [sitting.id])
    with context(session, SYSTEM):
        return session.execute(sa.select(BoardBook).where(BoardBook.id == book.id)).scalar_one()


def opened(session, book) -> pikepdf.Pdf:
    with context(session, SYSTEM):
        return pikepdf.open(io.BytesIO(read_all(book.blob)))


def outline_of(pdf):
    with pdf.open_outline() as outline:
        return [(entry.title, [child.title for child in entry.children]) for entry in outline.root]


def cover_pages(session, tenant, sitting) -> int:
    """Pages of the cover and agenda, rendered on their own."""
    with context(session, TenantContext(tenant_id=tenant.id)):
        return len(pikepdf.open(io.BytesIO(render_cover(sitting, book_parts(sitting)))).pages)


def test_book_holds_cover_then_every_document_in_order_with_bookmarks(session, dossier):
    tenant, sitting, items = dossier
    book = build(session, tenant, sitting)
    assert book.status == BoardBookStatus.READY
    assert book.progress == (5, 5)  # the cover and four documents
    pdf = opened(session, book)
    first_document = cover_pages(session, tenant, sitting)
    assert first_document >= 1
    assert len(pdf.pages) == first_document + 3 + 2 + 4 + 1
    assert outline_of(pdf) == [
        ("1. Point 1", ["Rapport n° 44", "Plan de financement"]),
        ("2. Point 2", ["Rapport n° 45"]),
        ("3. Point 3", ["Note de synthèse"]),
    ]
    # the annex starts right after the report's three pages
    assert b"page 1" in pdf.pages[first_document + 3].Contents.read_bytes()


def test_same_inputs_reuse_the_row_and_blob_without_a_job(session, dossier):
    tenant, sitting, _items = dossier
    book = build(session, tenant, sitting)
    blob_id, built_at = book.blob_id, book.built_at
    with context(session, TenantContext(tenant_id=tenant.id)):
        again = request_board_book(sitting)
        assert again.id == book.id
        assert not session.info.get("after_commit")  # no job queued
        commit(session)
    with context(session, SYSTEM):
        session.refresh(book)
        assert (book.blob_id, book.built_at, book.status) == (blob_id, built_at, BoardBookStatus.READY)


def test_a_replaced_document_rebuilds_the_book(session, dossier, tmp_path):
    tenant, sitting, items = dossier
    book = build(session, tenant, sitting)
    old_blob = book.blob_id
    with context(session, SYSTEM):
        old_object = session.get(Blob, old_blob).object_key
    with context(session, TenantContext(tenant_id=tenant.id)):
        report = operations.documents_of(items[1].report)[0]
        kept = [version.blob.object_key for version in report.versions]
        data = pdfs.clean_pdf(tmp_path / "v2.pdf", pages=6).read_bytes()
        operations.replace_document(report, io.BytesIO(data), "v2.pdf", actor=None, note="Chiffres corrigés")
        book = request_board_book(sitting)
        assert session.info.get("after_commit")  # a build is queued
        assert book.status == BoardBookStatus.PENDING and book.blob_id is None
        commit(session)
    rebuilt = build(session, tenant, sitting)
    assert rebuilt.id == book.id and rebuilt.blob_id != old_blob
    # the outdated book is a derived file: its row and its object are gone; the documents are all kept
    with context(session, SYSTEM):
        assert session.get(Blob, old_blob) is None
    assert not backend().exists(old_object)
    assert all(backend().exists(key) for key in kept)
    pdf = opened(session, rebuilt)
    assert len(pdf.pages) == cover_pages(session, tenant, sitting) + 3 + 2 + 6 + 1


def test_withdrawn_item_is_left_out(session, dossier):
    tenant, sitting, items = dossier
    with context(session, TenantContext(tenant_id=tenant.id)):
        sitting_operations.withdraw_item(items[1], actor=None)
        session.flush()
    pdf = opened(session, build(session, tenant, sitting))
    assert outline_of(pdf) == [
        ("1. Point 1", ["Rapport n° 44", "Plan de financement"]),
        ("2. Point 3", ["Note de synthèse"]),
    ]
    assert len(pdf.pages) == cover_pages(session, tenant, sitting) + 3 + 2 + 1


def test_outdated_job_writes_nothing(session, dossier, tmp_path):
    """A build queued for inputs that changed since is skipped; the newer request's build wins."""
    tenant, sitting, items = dossier
    with context(session, TenantContext(tenant_id=tenant.id)):
        book = request_board_book(sitting)
        book.inputs_hash = "0" * 64  # as if a newer request had been made for other inputs
        session.flush()
        session.info.pop("after_commit", None)
        commit(session)
    run(build_board_book_job.name, tenant.id, [sitting.id])
    with context(session, SYSTEM):
        session.refresh(book)
        assert book.status == BoardBookStatus.PENDING and book.blob_id is None


def test_same_sitting_in_local_time_or_utc_gives_the_same_inputs(session, create_tenant):
    """A sitting created with a local time and the same sitting read back in UTC are one book."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from saas.core.database import SYSTEM, context
    from saas.documents.board_book.operations import inputs_hash
    from saas.sittings import operations as sittings

    tenant = create_tenant()
    with context(session, SYSTEM):
        local = datetime(2027, 3, 15, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
        sitting = sittings.create_sitting(tenant, tenant.assemblies[0], starts_at=local, place="Salle", actor=None)
        before = inputs_hash(sitting, book_parts(sitting))
        session.expire(sitting)
        assert inputs_hash(sitting, book_parts(sitting)) == before


def test_same_inputs_give_the_same_bytes(session, dossier):
    """Two builds of the same dossier store one blob: the book is deterministic (no date, a content ID)."""
    tenant, sitting, _items = dossier
    with context(session, TenantContext(tenant_id=tenant.id)):
        first = build_board_book(sitting)
        second = build_board_book(sitting)
        assert (second.id, second.sha256) == (first.id, first.sha256)


def test_a_document_in_two_items_is_written_once(session, dossier, tmp_path):
    """The same annex on two items gets a bookmark in each, and its pages share their content in the book."""
    tenant, sitting, items = dossier
    data = pdfs.clean_pdf(tmp_path / "shared.pdf", pages=2).read_bytes()
    with context(session, TenantContext(tenant_id=tenant.id)):
        for item in items[1:]:
            operations.add_item_document(item, "annex", "Convention commune", io.BytesIO(data), "c.pdf", actor=None)
        session.flush()
    pdf = opened(session, build(session, tenant, sitting))
    assert outline_of(pdf) == [
        ("1. Point 1", ["Rapport n° 44", "Plan de financement"]),
        ("2. Point 2", ["Rapport n° 45", "Convention commune"]),
        ("3. Point 3", ["Note de synthèse", "Convention commune"]),
    ]
    first = cover_pages(session, tenant, sitting)
    in_item_2, in_item_3 = first + 3 + 2 + 4, first + 3 + 2 + 4 + 2 + 1
    assert len(pdf.pages) == in_item_3 + 2
    for page in range(2):
        assert pdf.pages[in_item_2 + page].Contents.objgen == pdf.pages[in_item_3 + page].Contents.objgen


def large_pdf(path: Path, megabytes: int) -> Path:
    """Pages of uncompressed random image data (nothing to compress or deduplicate), ``megabytes`` in all."""
    pdf = pikepdf.Pdf.new()
    side = 1024
    for _ in range(megabytes // 3):
        image = pdf.make_stream(
            os.urandom(side * side * 3), Type=Name.XObject, Subtype=Name.Image, Width=side, Height=side,
            ColorSpace=Name.DeviceRGB, BitsPerComponent=8,
        )  # fmt: skip
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    pdf.save(path, compress_streams=False)
    return path


def peak_growth(action) -> int:
    """How far this process's resident memory rose above its level before ``action`` (VmHWM reset)."""

    def resident(key: str) -> int:
        line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(key + ":"))
        return int(line.split()[1]) * 1024

    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = resident("VmHWM")
    action()
    return resident("VmHWM") - before


def test_building_keeps_memory_flat_whatever_the_documents_weigh(session, dossier, tmp_path):
    """A 60 MB annex costs the building process a few MiB, not its size: streams go file to file."""
    tenant, sitting, items = dossier
    build(session, tenant, sitting)  # warm-up: WeasyPrint's fonts, qpdf, the storage client
    path = large_pdf(tmp_path / "large.pdf", 60)
    with context(session, TenantContext(tenant_id=tenant.id)):
        with path.open("rb") as stream:
            operations.add_item_document(items[0], "annex", "Plans", stream, "plans.pdf", actor=None)
        session.flush()
    path.unlink()
    with context(session, TenantContext(tenant_id=tenant.id)):
        growth = peak_growth(lambda: build_board_book(sitting))
    assert growth < 20 * MIB, f"the build grew the process by {growth / MIB:.0f} MiB"
