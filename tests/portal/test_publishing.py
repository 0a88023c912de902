"""The secretariat publishes from the act, minutes and list pages and through the API: the button shows only to the
secretariat and only when the document may be published; the statement on personal data is required; twice gives
one publication; members and other collectivities get 404; the list of deliberations and signed minutes too."""

from datetime import UTC, datetime

import sqlalchemy as sa

from saas.acts.minutes import jobs as minutes_jobs
from saas.acts.minutes import operations as minutes_ops
from saas.core.database import TenantContext, context
from saas.portal.models import Publication, PublicationKind
from saas.sittings.outcomes import item_decided
from tests.fixtures.outcomes import outcome_for
from tests.fixtures.signing import sign_as
from tests.fixtures.web import bearer, csrf_token, login, text


def _count(session, council) -> int:
    """The City's publications (the browser tests commit other collectivities' for real)."""
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        return session.execute(sa.select(sa.func.count()).select_from(Publication)).scalar_one()


def test_the_secretariat_publishes_from_the_act_page(client, session, council, signed_act):
    login(client, council.city.secretariat)
    page_url = f"/t/{council.tenant.slug}/deliberations/{signed_act.id}"
    page = client.get(page_url)
    assert "Publier sur le portail" in text(page)
    token = csrf_token(client, page_url)
    url = f"{page_url}/publication"
    refused = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "L312-1-2" in text(refused) and _count(session, council) == 0
    done = client.post(url, data={"csrf_token": token, "personal_data_checked": "y"}, follow_redirects=True)
    assert "Publié sur le portail" in text(done) and "page publique" in text(done) and _count(session, council) == 1
    again = client.post(url, data={"csrf_token": token, "personal_data_checked": "y"}, follow_redirects=True)
    assert "Déjà publié" in text(again) and _count(session, council) == 1
    assert client.post(url, data={"personal_data_checked": "y"}).status_code == 400  # no CSRF token


def test_no_button_before_the_signature_nor_for_members(client, session, council, held):
    login(client, council.city.secretariat)
    page_url = f"/t/{council.tenant.slug}/deliberations/{held.id}"
    assert "Publier sur le portail" not in text(client.get(page_url))
    token = csrf_token(client, page_url)
    refused = client.post(
        f"{page_url}/publication", data={"csrf_token": token, "personal_data_checked": "y"}, follow_redirects=True
    )
    assert "une fois signée" in text(refused) and _count(session, council) == 0
    login(client, council.city.member)
    token = csrf_token(client, page_url)
    assert "Publier sur le portail" not in text(client.get(page_url))
    member = client.post(f"{page_url}/publication", data={"csrf_token": token, "personal_data_checked": "y"})
    assert member.status_code == 404


def test_the_list_of_deliberations_is_published_from_its_page(client, session, council, held, clock):
    secretariat = council.city.secretariat
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=secretariat.id)):
        listing = minutes_ops.generate_list(council.sitting, actor=secretariat)
    clock.move_to(datetime(2027, 3, 18, 9, tzinfo=UTC), tick=False)  # three days after the sitting
    login(client, secretariat)
    page_url = f"/t/{council.tenant.slug}/s/{council.sitting.id}/liste-des-deliberations"
    assert "Publier sur le portail" in text(client.get(page_url))
    token = csrf_token(client, page_url)
    done = client.post(
        f"{page_url}/{listing.version}/publication",
        data={"csrf_token": token, "personal_data_checked": "y"},
        follow_redirects=True,
    )
    assert "Publié sur le portail" in text(done)
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        publication = session.execute(sa.select(Publication)).scalar_one()
        assert publication.kind == PublicationKind.DELIBERATION_LIST and publication.blob_id == listing.blob_id
        assert listing.online_on == council.tenant.today()  # its « mise en ligne le » follows
    public = client.get(f"/{council.tenant.slug}/actes")
    assert "Liste des délibérations de la séance du 15 mars 2027 — Conseil" in text(public)


def test_a_list_naming_a_closed_session_item_is_not_published(client, session, council, held):
    secretariat = council.city.secretariat
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=secretariat.id)):
        council.item.confidential = True
        session.flush()
        listing = minutes_ops.generate_list(council.sitting, actor=secretariat)
    login(client, secretariat)
    page_url = f"/t/{council.tenant.slug}/s/{council.sitting.id}/liste-des-deliberations"
    token = csrf_token(client, page_url)
    refused = client.post(
        f"{page_url}/{listing.version}/publication",
        data={"csrf_token": token, "personal_data_checked": "y"},
        follow_redirects=True,
    )
    assert "huis clos" in text(refused) and _count(session, council) == 0


def test_minutes_are_published_once_signed(client, session, council, held, create_sitting):
    city = council.city
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretary.id)):
        minutes = minutes_ops.mark_ready(council.sitting, actor=city.secretary)
    create_sitting(council.tenant, starts_at=datetime(2027, 4, 12, 16, tzinfo=UTC), convene=False)
    login(client, city.secretariat)
    page_url = f"/t/{council.tenant.slug}/s/{council.sitting.id}/proces-verbal"
    token = csrf_token(client, page_url)
    early = client.post(
        f"{page_url}/publication", data={"csrf_token": token, "personal_data_checked": "y"}, follow_redirects=True
    )
    assert "une fois approuvé et signé" in text(early) and _count(session, council) == 0
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        item = minutes_ops.propose_approval(minutes, actor=city.secretariat)
        item_decided.send(item, outcome=outcome_for(item.id, decided_at=datetime(2027, 4, 12, 17, tzinfo=UTC)))
        minutes_jobs.sign_minutes(minutes.id)
        request = minutes.request
    sign_as(session, city, request, city.mayor)
    sign_as(session, city, request, city.secretary)
    assert "Publier sur le portail" in text(client.get(page_url))
    done = client.post(
        f"{page_url}/publication", data={"csrf_token": token, "personal_data_checked": "y"}, follow_redirects=True
    )
    assert "Publié sur le portail" in text(done)
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        publication = session.execute(sa.select(Publication)).scalar_one()
        assert publication.kind == PublicationKind.MINUTES and publication.sha256 == request.current_blob.sha256
        assert minutes.online_on is None  # approved on 12 April 2027, still ahead: not put online « before »


def test_the_api_publishes_once_and_refuses_in_french(client, session, council, held, signed_act, create_tenant):
    headers = bearer(council.city.secretariat)
    url = f"/api/v1/tenants/{council.tenant.slug}/publications"
    body = {"kind": "deliberation", "id": signed_act.id, "personal_data_checked": True}
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201, first.json
    assert first.json["sha256"] and first.json["url"].endswith(f"/{council.tenant.slug}/actes/{first.json['id']}")
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    refused = client.post(url, json={**body, "personal_data_checked": False}, headers=headers)
    assert refused.status_code == 200  # already published: the first publication, unchanged
    listed = client.get(url, headers=headers)
    assert listed.status_code == 200 and [item["id"] for item in listed.json] == [first.json["id"]]
    assert client.post(url, json={"kind": "secret", "id": 1}, headers=headers).status_code == 422
    assert client.post(url, json={**body, "id": 10**30}, headers=headers).status_code == 422
    assert client.post(url, json={**body, "kind": "minutes", "id": 999999}, headers=headers).status_code == 404
    member = client.post(url, json=body, headers=bearer(council.city.member))
    assert member.status_code == 404
    other = create_tenant(slug="ailleurs")
    assert client.post(f"/api/v1/tenants/{other.slug}/publications", json=body, headers=headers).status_code == 404
    assert client.delete(f"{url}/{first.json['id']}", headers=headers).status_code in (404, 405)
