"""The board book: cover + every document in agenda order, bookmarks per item, rebuilt only on change."""

import io

import pikepdf
import pytest
import sqlalchemy as sa

from saas.database import SYSTEM, TenantContext, commit, context
from saas.documents import operations
from saas.documents.board_book import book_parts, render_cover, request_board_book
from saas.documents.jobs import build_board_book_job
from saas.documents.models import BoardBook, BoardBookStatus
from saas.jobs.queues import run
from saas.sittings import operations as sitting_operations
from saas.storage.operations import read_all
from tests.documents import pdfs
from tests.documents.conftest import sitting_items


@pytest.fixture
def dossier(session, storage, create_tenant, create_sitting, tmp_path):  # noqa: F811
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
            operations.add_document(item, kind, title, io.BytesIO(data), f"{n}.pdf", actor=None)
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
    with context(session, TenantContext(tenant_id=tenant.id)):
        report = operations.documents_of(items[1])[0]
        data = pdfs.clean_pdf(tmp_path / "v2.pdf", pages=6).read_bytes()
        operations.replace_document(report, io.BytesIO(data), "v2.pdf", actor=None, note="Chiffres corrigés")
        book = request_board_book(sitting)
        assert session.info.get("after_commit")  # a build is queued
        assert book.status == BoardBookStatus.PENDING and book.blob_id is None
        commit(session)
    rebuilt = build(session, tenant, sitting)
    assert rebuilt.id == book.id and rebuilt.blob_id != old_blob
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

    from saas.database import SYSTEM, context
    from saas.documents.board_book import inputs_hash
    from saas.sittings import operations as sittings

    tenant = create_tenant()
    with context(session, SYSTEM):
        local = datetime(2027, 3, 15, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
        sitting = sittings.create_sitting(tenant, tenant.assemblies[0], starts_at=local, place="Salle", actor=None)
        before = inputs_hash(sitting, book_parts(sitting))
        session.expire(sitting)
        assert inputs_hash(sitting, book_parts(sitting)) == before
