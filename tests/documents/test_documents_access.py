"""Who may do what with documents: 404 for anything the caller may not see or may not manage."""

import io

import pytest
from werkzeug.datastructures import FileStorage

from saas.core.database import SYSTEM, context
from saas.sittings.models import SittingStatus
from tests.fixtures import pdfs
from tests.fixtures.documents import file_url, replace, upload
from tests.fixtures.sittings import convene
from tests.fixtures.web import bearer, post_form


@pytest.fixture
def document_id(client, session, draft_council, tmp_path):
    """A report uploaded while the sitting is in preparation, then the sitting convened."""
    response = upload(client, draft_council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes())
    assert response.status_code == 201
    convene(session, draft_council.sitting)
    return response.json["id"]


def routes(slug, item_id, document_id):
    """Every documents route, as (method, url)."""
    return [
        ("POST", f"/api/v1/tenants/{slug}/items/{item_id}/documents"),
        ("GET", f"/api/v1/tenants/{slug}/items/{item_id}/documents"),
        ("POST", f"/api/v1/tenants/{slug}/documents/{document_id}/versions"),
        ("GET", f"/api/v1/tenants/{slug}/documents/{document_id}/versions"),
        ("GET", f"/api/v1/tenants/{slug}/documents/{document_id}/versions/1/file"),
    ]


def call(client, method, url, headers, tmp_path):
    if method == "GET":
        return client.get(url, headers=headers)
    data = pdfs.clean_pdf(tmp_path / "x.pdf").read_bytes()
    form = {"kind": "annex", "title": "Intrus", "file": FileStorage(io.BytesIO(data), "x.pdf")}
    return post_form(client, url, form, headers)


def test_member_of_another_tenant_gets_404_everywhere(client, draft_council, document_id, tmp_path):
    own = routes(draft_council.tenant.slug, draft_council.item.id, document_id)
    through_own_tenant = routes(draft_council.other_tenant.slug, draft_council.item.id, document_id)
    for method, url in own + through_own_tenant:
        response = call(client, method, url, draft_council.stranger, tmp_path)
        assert response.status_code == 404, (method, url, response.status_code)
    assert client.get(own[1][1], headers=draft_council.member).status_code == 200  # the routes do exist


def test_member_reads_and_downloads_but_cannot_upload(client, draft_council, document_id, tmp_path):
    listing = client.get(
        routes(draft_council.tenant.slug, draft_council.item.id, document_id)[1][1], headers=draft_council.member
    )
    assert [d["id"] for d in listing.json["documents"]] == [document_id]
    assert client.get(file_url(draft_council, document_id), headers=draft_council.member).status_code == 200
    data = pdfs.clean_pdf(tmp_path / "b.pdf", pages=2).read_bytes()
    assert upload(client, draft_council, data, headers=draft_council.member).status_code == 404
    assert replace(client, draft_council, document_id, data, headers=draft_council.member).status_code == 404


def test_a_sitting_in_preparation_keeps_its_documents_for_its_secretariat(client, draft_council, tmp_path):
    document_id = upload(client, draft_council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()).json["id"]
    readable = [
        url for method, url in routes(draft_council.tenant.slug, draft_council.item.id, document_id) if method == "GET"
    ]
    for path in readable:
        assert client.get(path, headers=draft_council.member).status_code == 404, path
        assert client.get(path, headers=draft_council.guest).status_code == 404, path
        assert client.get(path, headers=draft_council.secretary).status_code == 200, path


def test_admin_of_the_tenant_may_upload(client, draft_council, create_person, give_grant, tmp_path):
    admin = create_person()
    give_grant(admin, draft_council.tenant)
    response = upload(client, draft_council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes(), headers=bearer(admin))
    assert response.status_code == 201


def test_closed_session_item_is_hidden_from_guests(client, session, draft_council, document_id):
    with context(session, SYSTEM):
        draft_council.item.confidential = True
        session.flush()
    readable = [
        url for method, url in routes(draft_council.tenant.slug, draft_council.item.id, document_id) if method == "GET"
    ]
    for path in readable:
        assert client.get(path, headers=draft_council.guest).status_code == 404
        assert client.get(path, headers=draft_council.member).status_code == 200


def test_guest_sees_public_items(client, draft_council, document_id):
    assert client.get(file_url(draft_council, document_id), headers=draft_council.guest).status_code == 200


def test_documents_are_frozen_once_the_sitting_is_closed(client, session, draft_council, document_id, tmp_path):
    with context(session, SYSTEM):
        draft_council.sitting.status = SittingStatus.CLOSED
        session.flush()
    response = replace(client, draft_council, document_id, pdfs.clean_pdf(tmp_path / "b.pdf", pages=2).read_bytes())
    assert response.status_code == 422
    assert response.json["message"] == "La séance est close : ses documents ne peuvent plus être modifiés."
