"""Documents on the sitting page: the secretariat uploads and replaces, members download, others get 404."""

import io

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from saas.core.database import SYSTEM, context
from saas.documents.board_book.jobs import build_board_book_job
from saas.documents.board_book.models import BoardBook, BoardBookStatus
from saas.documents.models import Document
from saas.identity.models import GrantKind, MandateRole
from saas.jobs.queues import run
from tests.fixtures import pdfs
from tests.fixtures.documents import counts
from tests.fixtures.sittings import convene
from tests.fixtures.web import csrf_token, login, post_form


@pytest.fixture
def people(draft_council, create_person, give_grant, give_mandate):
    """Web logins (the draft_council fixture's people are API tokens): a secretary, a member, a stranger."""
    secretary, member, stranger = (create_person() for _ in range(3))
    give_grant(secretary, draft_council.tenant, kind=GrantKind.SECRETARY, assembly=draft_council.tenant.assemblies[0])
    give_mandate(member, draft_council.tenant)
    give_mandate(stranger, draft_council.other_tenant)
    return secretary, member, stranger


def run_queued_build(draft_council):
    """In the production column the build went to Redis (RQ); run it here, where the test data is. In the
    embedded column it already ran right after the upload's commit, and a second run changes nothing."""
    run(build_board_book_job.name, draft_council.tenant.id, [draft_council.sitting.id])


def page(draft_council):
    return f"/t/{draft_council.tenant.slug}/s/{draft_council.sitting.id}"


def web_upload(client, draft_council, data, title="Rapport n° 44", kind="report", slug=None, token=None):
    url = f"/t/{slug or draft_council.tenant.slug}/items/{draft_council.item.id}/documents"
    form = {
        "kind": kind,
        "title": title,
        "file": FileStorage(io.BytesIO(data), "rapport.pdf"),
        "csrf_token": token or csrf_token(client, page(draft_council)),
    }
    return post_form(client, url, form, {})


def test_secretary_uploads_replaces_and_downloads(client, session, draft_council, people, tmp_path):
    secretary, _member, _stranger = people
    convene(session, draft_council.sitting)
    login(client, secretary)
    response = web_upload(client, draft_council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes())
    assert response.status_code == 302
    run_queued_build(draft_council)
    html = client.get(page(draft_council)).get_data(as_text=True)
    assert "Rapport n° 44" in html and "version 1" in html and "ajouté après la convocation" in html
    assert 'data-board-book="ready"' in html
    with context(session, SYSTEM):
        document = session.execute(sa.select(Document)).scalar_one()
    history = f"/t/{draft_council.tenant.slug}/documents/{document.id}"
    form = {
        "file": FileStorage(io.BytesIO(pdfs.clean_pdf(tmp_path / "b.pdf", pages=2).read_bytes()), "v2.pdf"),
        "note": "Chiffres corrigés",
        "csrf_token": csrf_token(client, history),
    }
    assert post_form(client, f"{history}/versions", form, {}).status_code == 302
    listing = client.get(history).get_data(as_text=True)
    assert 'data-version="2"' in listing and 'data-version="1"' in listing and "Chiffres corrigés" in listing
    full = client.get(f"{history}/versions/2/file")
    assert full.status_code == 200 and full.data.startswith(b"%PDF")
    assert full.headers["Content-Disposition"].startswith("inline")
    part = client.get(f"{history}/versions/2/file", headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.data == b"%PDF"


def test_refusals_are_in_french_and_leave_nothing(client, session, draft_council, people):
    login(client, people[0])
    response = web_upload(client, draft_council, b"not a pdf at all")
    assert response.status_code == 422
    assert "PDF" in response.get_data(as_text=True)
    assert counts(session, draft_council.tenant) == (0, 0, 0)


def test_too_large_upload_gets_413(app, client, session, draft_council, people, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_REQUEST_MB", 1)
    login(client, people[0])
    response = web_upload(client, draft_council, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10))
    assert response.status_code == 413
    assert "taille maximale" in response.get_data(as_text=True)
    assert counts(session, draft_council.tenant) == (0, 0, 0)


def test_member_downloads_but_cannot_upload(client, session, draft_council, people, tmp_path):
    secretary, member, _stranger = people
    convene(session, draft_council.sitting)
    login(client, secretary)
    assert web_upload(client, draft_council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()).status_code == 302
    run_queued_build(draft_council)
    login(client, member)
    token = csrf_token(client, page(draft_council))
    html = client.get(page(draft_council)).get_data(as_text=True)
    assert "Rapport n° 44" in html and "data-upload" not in html
    assert client.get(f"/t/{draft_council.tenant.slug}/s/{draft_council.sitting.id}/board-book.pdf").status_code == 200
    data = pdfs.clean_pdf(tmp_path / "b.pdf").read_bytes()
    assert web_upload(client, draft_council, data, token=csrf_token(client, page(draft_council))).status_code == 404
    with context(session, SYSTEM):
        document_id = session.execute(sa.select(Document.id)).scalar_one()
    form = {"file": FileStorage(io.BytesIO(data), "v2.pdf"), "csrf_token": token}
    replace_url = f"/t/{draft_council.tenant.slug}/documents/{document_id}/versions"
    assert post_form(client, replace_url, form, {}).status_code == 404
    history = client.get(f"/t/{draft_council.tenant.slug}/documents/{document_id}").get_data(as_text=True)
    assert 'data-version="1"' in history and "Remplacer le document" not in history
    assert counts(session, draft_council.tenant)[:2] == (1, 1)


def test_another_tenant_gets_404(client, session, draft_council, people, tmp_path):
    secretary, _member, stranger = people
    convene(session, draft_council.sitting)
    login(client, secretary)
    assert web_upload(client, draft_council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()).status_code == 302
    run_queued_build(draft_council)
    with context(session, SYSTEM):
        assert session.execute(sa.select(BoardBook.status)).scalar_one() == BoardBookStatus.READY
        document_id = session.execute(sa.select(Document.id)).scalar_one()
    login(client, stranger)
    for slug in (draft_council.tenant.slug, draft_council.other_tenant.slug):
        urls = [f"/t/{slug}/documents/{document_id}", f"/t/{slug}/documents/{document_id}/versions/1/file"]
        urls += [
            f"/t/{slug}/s/{draft_council.sitting.id}/board-book",
            f"/t/{slug}/s/{draft_council.sitting.id}/board-book.pdf",
        ]
        for url in urls:
            assert client.get(url).status_code == 404, url


def test_book_with_a_closed_session_item_is_not_for_guests(
    client, session, draft_council, people, create_person, give_mandate, tmp_path
):
    secretary, member, _stranger = people
    guest = create_person()
    give_mandate(guest, draft_council.tenant, role=MandateRole.GUEST)
    with context(session, SYSTEM):
        draft_council.item.confidential = True
        session.flush()
    convene(session, draft_council.sitting)
    login(client, secretary)
    assert web_upload(client, draft_council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()).status_code == 302
    run_queued_build(draft_council)
    book = f"/t/{draft_council.tenant.slug}/s/{draft_council.sitting.id}/board-book.pdf"
    login(client, member)
    assert client.get(book).status_code == 200
    login(client, guest)
    assert client.get(book).status_code == 404
    assert "data-board-book" not in client.get(page(draft_council)).get_data(as_text=True)


def test_the_secretary_is_told_what_was_removed(client, session, draft_council, people, tmp_path):
    login(client, people[0])
    response = web_upload(
        client, draft_council, pdfs.javascript_link_pdf(tmp_path / "liens.pdf").read_bytes(), kind="annex"
    )
    assert response.status_code == 302
    html = client.get(page(draft_council)).get_data(as_text=True)
    assert "Document ajouté au point 1." in html
    assert (
        "Retiré du fichier avant publication : Lien vers un autre fichier (GoToR), "
        "Lien vers une adresse autre que web ou e-mail (javascript:, file:…)." in html
    )


def test_html_before_the_pdf_is_refused_in_french(client, session, draft_council, people, tmp_path):
    login(client, people[0])
    response = web_upload(client, draft_council, pdfs.polyglot_pdf(tmp_path / "page.pdf").read_bytes())
    assert response.status_code == 422
    assert "Ce fichier contient des données avant le début du PDF" in response.get_data(as_text=True)
    assert counts(session, draft_council.tenant) == (0, 0, 0)
