"""The signature book's forms refuse on the form: the French message under the field it is about (or above
the form), status 422, and nothing written — the one refusal handler rolls back (a wrong code is the one
thing kept: it counts towards the throttle)."""

import io
import re

import sqlalchemy as sa

from saas.core.database import TenantContext, context
from saas.signing.book.models import RequestStatus, SignatureRequest, StepStatus
from saas.signing.models import SigningBatch
from tests.fixtures.signing import new_request
from tests.fixtures.web import csrf_token, login


def _errors_under(page: str, field_id: str) -> str:
    """The text of the error list under the field ``field_id`` (empty if there is none)."""
    match = re.search(rf'<ul class="field__errors" id="{re.escape(field_id)}-errors">(.*?)</ul>', page, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def _requests(session, city) -> list[SignatureRequest]:
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        return list(session.execute(sa.select(SignatureRequest).order_by(SignatureRequest.id)).scalars())


def _steps(session, city, request: SignatureRequest) -> list[tuple[StepStatus, str | None, str | None]]:
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        session.expire_all()
        fresh = session.get(SignatureRequest, request.id)
        return [(step.status, step.reason, step.comment) for step in fresh.steps]


def test_a_wrong_code_is_shown_under_the_code_field_and_nothing_is_signed(client, session, city):
    request = new_request(session, city)
    login(client, city.mayor)
    page_url = f"/t/{city.tenant.slug}/parapheur/{request.id}"
    response = client.post(f"{page_url}/signer", data={"csrf_token": csrf_token(client, page_url), "code": "000000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Code de vérification incorrect" in _errors_under(page, "code")
    assert 'aria-invalid="true"' in page and 'id="code"' in page
    assert _steps(session, city, request)[0][0] == StepStatus.PENDING
    assert _requests(session, city)[0].status == RequestStatus.PENDING


def test_an_empty_reason_is_shown_under_the_reason_field_and_nothing_is_refused(client, session, city):
    request = new_request(session, city)
    login(client, city.mayor)
    page_url = f"/t/{city.tenant.slug}/parapheur/{request.id}"
    response = client.post(f"{page_url}/refuser", data={"csrf_token": csrf_token(client, page_url), "reason": " "})
    assert response.status_code == 422
    assert "Indiquez le motif du refus." in _errors_under(response.get_data(as_text=True), "reason")
    assert _steps(session, city, request)[0][:2] == (StepStatus.PENDING, None)


def test_an_empty_comment_is_shown_under_the_comment_field_and_nothing_is_kept(client, session, city):
    request = new_request(session, city)
    login(client, city.mayor)
    page_url = f"/t/{city.tenant.slug}/parapheur/{request.id}"
    response = client.post(f"{page_url}/commenter", data={"csrf_token": csrf_token(client, page_url), "comment": ""})
    assert response.status_code == 422
    assert "Le commentaire est vide." in _errors_under(response.get_data(as_text=True), "comment-text")
    assert _steps(session, city, request)[0][2] is None


def test_an_upload_without_its_file_is_refused_under_the_file_field(client, session, city):
    login(client, city.secretariat)
    url = f"/t/{city.tenant.slug}/parapheur/nouvelle"
    form = {"csrf_token": csrf_token(client, url), "title": "Convention", "signer-1": str(city.mayor.id)}
    response = client.post(url, data={**form, "role-1": "Maire"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Joignez le fichier PDF." in _errors_under(page, "file")
    assert 'value="Convention"' in page and f'<option selected value="{city.mayor.id}">' in page  # kept as typed
    response = client.post(
        url,
        data={**form, "role-1": "Maire", "title": " ", "file": (io.BytesIO(b"%PDF-1.7"), "c.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "Le titre est obligatoire." in response.get_data(as_text=True)
    assert _requests(session, city) == []


def test_a_sitting_request_with_no_document_ticked_says_so_under_the_list(client, session, city):
    login(client, city.secretariat)
    url = f"/t/{city.tenant.slug}/s/{city.sitting.id}/signatures"
    page = client.get(url).get_data(as_text=True)
    assert f'<option selected value="{city.mayor.id}">' in page  # the president is proposed first
    assert 'type="checkbox"' in page and 'class="field field--check"' in page  # one checkbox per document
    form = {"csrf_token": csrf_token(client, url), "signer-1": str(city.mayor.id), "role-1": "Maire"}
    response = client.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Cochez au moins un document à faire signer." in _errors_under(page, "version")
    assert 'value="Maire"' in page
    assert _requests(session, city) == []


def test_a_refused_batch_says_why_above_its_collectivity_and_starts_nothing(client, session, city):
    requests = [new_request(session, city, title=f"Délibération n° {n}") for n in (44, 45)]
    login(client, city.mayor)
    form = {"csrf_token": csrf_token(client, "/parapheur"), "code": "000000", "request": [str(r.id) for r in requests]}
    response = client.post(f"/t/{city.tenant.slug}/parapheur/lot", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r"data-refusal>[^<]*Code de vérification incorrect", page)
    assert all(f'name="request" value="{r.id}" checked' in page for r in requests)  # ticked as they were
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        assert session.execute(sa.select(sa.func.count()).select_from(SigningBatch)).scalar_one() == 0
    assert all(_steps(session, city, r)[0][0] == StepStatus.PENDING for r in requests)
    form["request"] = ["1", "99999999999999999999"]
    assert client.post(f"/t/{city.tenant.slug}/parapheur/lot", data=form).status_code == 404
