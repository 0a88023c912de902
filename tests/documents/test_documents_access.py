"""Who may do what with documents: 404 for anything the caller may not see or may not manage."""

import io

import pytest
from werkzeug.datastructures import FileStorage

from saas.core.database import SYSTEM, context
from saas.sittings.models import SittingStatus
from tests.documents import pdfs
from tests.documents.conftest import file_url, post_form, replace, upload
from tests.helpers import bearer


@pytest.fixture
def document_id(client, council, tmp_path):
    response = upload(client, council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes())
    assert response.status_code == 201
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


def test_member_of_another_tenant_gets_404_everywhere(client, council, document_id, tmp_path):
    own = routes(council.tenant.slug, council.item.id, document_id)
    through_own_tenant = routes(council.other_tenant.slug, council.item.id, document_id)
    for method, url in own + through_own_tenant:
        response = call(client, method, url, council.stranger, tmp_path)
        assert response.status_code == 404, (method, url, response.status_code)
    assert client.get(own[1][1], headers=council.member).status_code == 200  # the routes do exist


def test_member_reads_and_downloads_but_cannot_upload(client, council, document_id, tmp_path):
    listing = client.get(routes(council.tenant.slug, council.item.id, document_id)[1][1], headers=council.member)
    assert [d["id"] for d in listing.json["documents"]] == [document_id]
    assert client.get(file_url(council, document_id), headers=council.member).status_code == 200
    data = pdfs.clean_pdf(tmp_path / "b.pdf", pages=2).read_bytes()
    assert upload(client, council, data, headers=council.member).status_code == 404
    assert replace(client, council, document_id, data, headers=council.member).status_code == 404


def test_admin_of_the_tenant_may_upload(client, council, create_person, give_grant, tmp_path):
    admin = create_person()
    give_grant(admin, council.tenant)
    response = upload(client, council, pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes(), headers=bearer(admin))
    assert response.status_code == 201


def test_closed_session_item_is_hidden_from_guests(client, session, council, document_id):
    with context(session, SYSTEM):
        council.item.confidential = True
        session.flush()
    readable = [url for method, url in routes(council.tenant.slug, council.item.id, document_id) if method == "GET"]
    for path in readable:
        assert client.get(path, headers=council.guest).status_code == 404
        assert client.get(path, headers=council.member).status_code == 200


def test_guest_sees_public_items(client, council, document_id):
    assert client.get(file_url(council, document_id), headers=council.guest).status_code == 200


def test_documents_are_frozen_once_the_sitting_is_closed(client, session, council, document_id, tmp_path):
    with context(session, SYSTEM):
        council.sitting.status = SittingStatus.CLOSED
        session.flush()
    response = replace(client, council, document_id, pdfs.clean_pdf(tmp_path / "b.pdf", pages=2).read_bytes())
    assert response.status_code == 422
    assert response.json["message"] == "La séance est close : ses documents ne peuvent plus être modifiés."
