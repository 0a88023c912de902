"""The viewer page answers like the document download: the page for who may read the document, 404 for
everyone else; its Content-Security-Policy allows PDF.js's same-origin worker and nothing more."""

import io

import pytest

from saas.core.database import TenantContext, context
from saas.core.security import CONTENT_SECURITY_POLICY
from saas.documents import operations as documents
from saas.identity.models import GrantKind, MandateRole
from saas.sittings.operations import active_items
from tests.fixtures.pdfs import dossier
from tests.fixtures.web import login


@pytest.fixture
def dossier_on(session, storage, create_sitting):
    def add(tenant, convene=True):
        sitting = create_sitting(tenant, convene=convene)
        with context(session, TenantContext(tenant_id=tenant.id)):
            document = documents.add_item_document(
                active_items(sitting)[0], "report", "Rapport budget", io.BytesIO(dossier()), "budget.pdf", None
            )
        return sitting, document

    return add


def viewer_url(tenant, document) -> str:
    return f"/t/{tenant.slug}/documents/{document.id}/lire"


def test_a_member_reads_the_document_in_the_viewer_under_a_policy_that_only_adds_the_worker(
    client, create_tenant, create_person, give_mandate, dossier_on
):
    tenant = create_tenant()
    member = create_person()
    give_mandate(member, tenant)
    sitting, document = dossier_on(tenant)
    login(client, member)

    page = client.get(viewer_url(tenant, document))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/t/{tenant.slug}/documents/{document.id}/versions/1/file" in html
    assert f"/t/{tenant.slug}/documents/{document.id}/annotations" in html
    assert page.headers["Content-Security-Policy"] == f"{CONTENT_SECURITY_POLICY}; worker-src 'self'"
    assert "unsafe-eval" not in page.headers["Content-Security-Policy"]

    sitting_page = client.get(f"/t/{tenant.slug}/s/{sitting.id}").get_data(as_text=True)
    assert f'href="{viewer_url(tenant, document)}" data-read="{document.id}">Lire et annoter</a>' in sitting_page
    assert client.get("/").headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("who", ["stranger", "other_tenant_admin", "guest_of_draft", "nobody"])
def test_who_may_not_download_the_document_gets_404_from_the_viewer(
    who, client, create_tenant, create_person, give_mandate, give_grant, dossier_on
):
    tenant, other = create_tenant(), create_tenant()
    _sitting, document = dossier_on(tenant, convene=who != "guest_of_draft")
    person = create_person()
    if who == "stranger":
        give_mandate(person, other)
    elif who == "other_tenant_admin":
        give_grant(person, other, GrantKind.TENANT_ADMIN)
    elif who == "guest_of_draft":
        give_mandate(person, tenant, role=MandateRole.MEMBER)  # a draft sitting is the secretariat's own
    if who != "nobody":
        login(client, person)
        assert client.get(viewer_url(tenant, document)).status_code == 404
        assert client.get(f"/t/{tenant.slug}/documents/{document.id}/versions/1/file").status_code == 404
    else:
        assert client.get(viewer_url(tenant, document)).status_code == 302  # to the login page
