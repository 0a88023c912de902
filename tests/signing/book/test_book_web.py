"""The signature book on the web: the secretariat puts a sitting's documents in the book, the Mayor then
the secretary of the sitting sign from "Mon parapheur" with their code; refusals; batch signing."""

import io
from datetime import UTC, datetime

import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, commit, context
from saas.core.extensions import db
from saas.jobs import queues as jobs
from saas.mail.models import OutboundMail
from saas.signing.book.models import RequestStatus, SignatureRequest, StepStatus
from saas.signing.models import ItemStatus, SigningBatch
from tests.fixtures.pdfs import deliberation_pdf
from tests.fixtures.signing import fresh_code, new_request, sign_as
from tests.fixtures.verifiers import pdfsig
from tests.fixtures.web import csrf_token, login


def _requests(session, city) -> list[SignatureRequest]:
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        return list(session.execute(sa.select(SignatureRequest).order_by(SignatureRequest.id)).scalars())


def test_secretariat_requests_then_mayor_and_secretary_sign_in_order(client, session, city, tmp_path):
    slug = city.tenant.slug
    login(client, city.secretariat)
    url = f"/t/{slug}/s/{city.sitting.id}/signatures"
    page = client.get(url).get_data(as_text=True)
    assert "Délibération n° 44" in page and city.mayor.full_name in page
    form = {
        "csrf_token": csrf_token(client, url),
        "version": str(city.version.id),
        "signer-1": str(city.mayor.id),
        "role-1": "Maire",
        "signer-2": str(city.secretary.id),
        "role-2": "Secrétaire de séance",
    }
    assert client.post(url, data=form).status_code == 302
    (request,) = _requests(session, city)
    assert request.document_version_id == city.version.id and request.sitting_id == city.sitting.id

    login(client, city.secretary)
    assert f"/t/{slug}/parapheur/{request.id}" not in client.get("/parapheur").get_data(as_text=True)
    assert client.get(f"/t/{slug}/parapheur/{request.id}").status_code == 404  # not before the Mayor signs

    login(client, city.mayor)
    page = client.get("/parapheur").get_data(as_text=True)
    assert f"/t/{slug}/parapheur/{request.id}" in page and "Ville de Besançon" in page
    page_url = f"/t/{slug}/parapheur/{request.id}"
    token = csrf_token(client, page_url)
    refused = client.post(f"{page_url}/signer", data={"csrf_token": token, "code": "000000"})
    assert refused.status_code == 422 and "Code de vérification incorrect" in refused.get_data(as_text=True)
    signed = client.post(f"{page_url}/signer", data={"csrf_token": token, "code": fresh_code(city.mayor)})
    assert signed.status_code == 302

    login(client, city.secretary)
    assert f"/t/{slug}/parapheur/{request.id}" in client.get("/parapheur").get_data(as_text=True)
    token = csrf_token(client, page_url)
    assert client.post(f"{page_url}/commenter", data={"csrf_token": token, "comment": "Vu."}).status_code == 302
    signed = client.post(f"{page_url}/signer", data={"csrf_token": token, "code": fresh_code(city.secretary)})
    assert signed.status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert "signé par tous" in page and "Vu." in page

    download = client.get(f"{page_url}/fichier")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    (tmp_path / "signed.pdf").write_bytes(download.data)
    assert pdfsig(tmp_path / "signed.pdf").count("Signature is Valid") == 2


def test_refusing_needs_a_reason_shown_on_the_form(client, session, city):
    request = new_request(session, city)
    login(client, city.mayor)
    page_url = f"/t/{city.tenant.slug}/parapheur/{request.id}"
    token = csrf_token(client, page_url)
    response = client.post(f"{page_url}/refuser", data={"csrf_token": token, "reason": "  "})
    assert response.status_code == 422 and "Indiquez le motif du refus." in response.get_data(as_text=True)
    assert client.post(f"{page_url}/refuser", data={"csrf_token": token, "reason": "Erreur"}).status_code == 302
    assert client.post(f"{page_url}/refuser", data={"csrf_token": token, "reason": "Encore"}).status_code == 422
    with context(session, SYSTEM):
        keys = session.execute(sa.select(OutboundMail.key).where(OutboundMail.key.like("signature-request:%"))).all()
    assert sorted(key for (key,) in keys) == [
        f"signature-request:{request.id}:refused",
        f"signature-request:{request.id}:turn:1",
    ]


def test_a_member_who_is_not_a_signer_sees_nothing(client, session, city):
    request = new_request(session, city)
    login(client, city.member)
    assert "Aucun document n'attend votre signature." in client.get("/parapheur").get_data(as_text=True)
    for url in (
        f"/t/{city.tenant.slug}/parapheur/{request.id}",
        f"/t/{city.tenant.slug}/parapheur/{request.id}/fichier",
    ):
        assert client.get(url).status_code == 404
    assert client.get(f"/t/{city.tenant.slug}/parapheur/demandes").status_code == 404
    assert client.get(f"/t/{city.tenant.slug}/s/{city.sitting.id}/signatures").status_code == 404


def test_a_batch_signs_several_deliberations_with_one_code(client, session, city, app):
    requests = [new_request(session, city, title=f"Délibération n° {n}") for n in (44, 45, 46)]
    login(client, city.mayor)
    token = csrf_token(client, "/parapheur")
    form = {"csrf_token": token, "code": fresh_code(city.mayor), "request": [str(r.id) for r in requests]}
    response = client.post(f"/t/{city.tenant.slug}/parapheur/lot", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    batch_url = response.headers["Location"]
    if app.config["REDIS_URL"]:  # queued in Redis: a worker cannot see this test's uncommitted rows, run it here
        batch_id = int(batch_url.rsplit("/", 1)[1])
        jobs.run("saas.signing.book.jobs.sign_book_batch", city.tenant.id, [batch_id])
    page = client.get(batch_url).get_data(as_text=True)
    assert 'data-batch-status="done"' in page and "3 document(s) traité(s) sur 3" in page
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        batch = session.execute(sa.select(SigningBatch)).scalar_one()
        assert [item.status for item in batch.items] == [ItemStatus.SIGNED] * 3
        for request in requests:
            session.refresh(request)
            assert [s.status for s in request.steps] == [StepStatus.SIGNED, StepStatus.PENDING]
            assert request.status == RequestStatus.PENDING and request.current_blob_id != request.prepared_blob_id
    login(client, city.secretary)
    page = client.get("/parapheur").get_data(as_text=True)
    assert all(f"/parapheur/{r.id}" in page for r in requests)


def test_an_uploaded_pdf_goes_into_the_book(client, session, city):
    login(client, city.secretariat)
    url = f"/t/{city.tenant.slug}/parapheur/nouvelle"
    pdf = deliberation_pdf(city.tenant.name, 12, "Convention", ["Adoptée."])
    form = {
        "csrf_token": csrf_token(client, url),
        "title": "Convention de groupement",
        "file": (io.BytesIO(pdf), "convention.pdf"),
        "signer-1": str(city.mayor.id),
        "role-1": "Maire",
    }
    assert client.post(url, data=form, content_type="multipart/form-data").status_code == 302
    (request,) = _requests(session, city)
    assert request.title == "Convention de groupement" and request.document_version_id is None
    form = {**form, "csrf_token": csrf_token(client, url), "file": (io.BytesIO(b"not a pdf"), "x.pdf")}
    refused = client.post(url, data=form, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert len(_requests(session, city)) == 1


def test_the_secretariat_follows_and_withdraws_a_request(client, session, city):
    request = new_request(session, city)
    login(client, city.secretariat)
    listing = client.get(f"/t/{city.tenant.slug}/parapheur/demandes").get_data(as_text=True)
    assert f'data-request="{request.id}"' in listing and "en attente de signature" in listing
    assert f"/t/{city.tenant.slug}/s/{city.sitting.id}/signatures" in listing
    page_url = f"/t/{city.tenant.slug}/parapheur/{request.id}"
    response = client.post(f"{page_url}/retirer", data={"csrf_token": csrf_token(client, page_url)})
    assert response.status_code == 302
    assert 'data-status="cancelled"' in client.get(page_url).get_data(as_text=True)
    login(client, city.mayor)
    assert "Aucun document n'attend votre signature." in client.get("/parapheur").get_data(as_text=True)
    assert client.post(f"{page_url}/retirer", data={"csrf_token": csrf_token(client, page_url)}).status_code == 404


def test_signers_must_hold_a_mandate_or_grant_in_the_collectivity(client, session, city, create_person):
    outsider = create_person()
    login(client, city.secretariat)
    url = f"/t/{city.tenant.slug}/s/{city.sitting.id}/signatures"
    form = {"csrf_token": csrf_token(client, url), "version": str(city.version.id), "signer-1": str(outsider.id)}
    response = client.post(url, data={**form, "role-1": "Maire"})
    assert response.status_code == 422
    assert "Choisissez les signataires parmi les élus et agents" in response.get_data(as_text=True)
    form["signer-1"] = str(city.mayor.id)
    response = client.post(url, data={**form, "role-1": " "})
    assert response.status_code == 422 and "La qualité du signataire est obligatoire." in response.get_data(
        as_text=True
    )
    assert _requests(session, city) == []


def test_the_book_shows_times_in_each_collectivity_s_own_zone(client, session, city):
    """Times are kept in UTC and shown where the collectivity is: Paris in winter (UTC+1) and summer
    (UTC+2), and La Réunion (UTC+4) once the collectivity says it is there."""
    request = new_request(session, city)
    sign_as(session, city, request, city.mayor)
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        request.created_at = datetime(2026, 1, 15, 5, 57, tzinfo=UTC)
        request.steps[0].signed_at = datetime(2026, 7, 15, 5, 57, tzinfo=UTC)
        commit(db.session)
    login(client, city.secretary)
    page = client.get("/parapheur").get_data(as_text=True)
    assert "mis à la signature le 15/01/2026 06:57" in page
    assert "Signé par Hélène Marchand le 15/07/2026 07:57" in page
    assert "UTC" not in page
    detail = client.get(f"/t/{city.tenant.slug}/parapheur/{request.id}").get_data(as_text=True)
    assert 'a signé (<time datetime="2026-07-15T05:57:00+00:00">15/07/2026 07:57</time>)' in detail
    with context(session, SYSTEM):
        city.tenant.timezone = "Indian/Reunion"
        commit(db.session)
    page = client.get("/parapheur").get_data(as_text=True)
    assert "mis à la signature le 15/01/2026 09:57" in page and "le 15/07/2026 09:57" in page
    assert ">15/07/2026 09:57</time>" in client.get(f"/t/{city.tenant.slug}/parapheur/{request.id}").get_data(
        as_text=True
    )
