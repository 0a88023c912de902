"""The acts API and pages as their callers use them: list, read, PDF, extract, correction; refusals in French
(422), hostile bodies, closed-session items hidden from those who do not read them (404 like a missing act)."""

import sqlalchemy as sa

from saas.acts import operations as acts
from saas.acts.models import Deliberation
from saas.core.database import TenantContext, context
from tests.fixtures.web import bearer, login


def _act(session, council, outcome_of) -> Deliberation:
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        return acts.generate_pdf(acts.create_deliberation(council.item, outcome_of(council.item.id)))


def test_a_member_reads_the_act_its_pdf_and_its_extract(client, session, council, outcome_of):
    act = _act(session, council, outcome_of)
    headers = bearer(council.city.secretary)
    base = f"/api/v1/tenants/{council.tenant.slug}/deliberations"
    listed = client.get(base + "?year=2027", headers=headers)
    assert listed.status_code == 200 and [row["number"] for row in listed.json] == ["2027-001"]
    assert client.get(base + "?year=2026", headers=headers).json == []
    assert client.get(base + "?year=99999", headers=headers).status_code == 422
    one = client.get(f"{base}/{act.id}", headers=headers)
    assert one.status_code == 200 and "à l'unanimité des suffrages exprimés" in one.json["text"]
    assert one.json["signature"] == "not_started"
    pdf = client.get(f"{base}/{act.id}/pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    extract = client.get(f"{base}/{act.id}/extract", headers=headers)
    assert extract.status_code == 200 and extract.data.startswith(b"%PDF")
    # a member may not correct nor put to signature: 404, as if the act did not exist
    assert client.post(f"{base}/{act.id}/corrections", json={"reason": "x"}, headers=headers).status_code == 404
    assert client.post(f"{base}/{act.id}/signature", json={}, headers=headers).status_code == 404
    assert client.get(f"{base}/2147483648", headers=headers).status_code == 404


def test_the_secretariat_corrects_and_hostile_bodies_are_refused(client, session, council, outcome_of):
    act = _act(session, council, outcome_of)
    headers = bearer(council.city.secretariat)
    url = f"/api/v1/tenants/{council.tenant.slug}/deliberations/{act.id}/corrections"
    for body in ({}, {"reason": ""}, {"reason": 3}, {"reason": "x", "other": 1}, [], {"reason": "x" * 2001}):
        assert client.post(url, json=body, headers=headers).status_code == 422, body
    assert client.post(url, data="{", headers=headers | {"Content-Type": "application/json"}).status_code in (400, 422)
    deep = {"reason": "x"}
    for _ in range(40):
        deep = {"a": deep}
    assert client.post(url, json=deep, headers=headers).status_code == 400
    assert (
        client.post(
            url, data='{"reason": "\\ud800"}', headers=headers | {"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    made = client.post(url, json={"reason": "Erreur matérielle"}, headers=headers)
    assert made.status_code == 201 and made.json["number"] == "2027-002" and made.json["corrects_id"] == act.id
    again = client.post(url, json={"reason": "encore"}, headers=headers)
    assert again.status_code == 422 and "déjà été corrigée" in again.json["message"]


def test_a_closed_session_act_is_hidden_from_a_guest(client, session, council, outcome_of, give_mandate, create_person):
    from saas.identity.models import MandateRole

    act = _act(session, council, outcome_of)
    guest = create_person(first_name="Invité")
    give_mandate(guest, council.tenant, role=MandateRole.GUEST)
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        council.item.confidential = True
        session.flush()
    base = f"/api/v1/tenants/{council.tenant.slug}/deliberations"
    assert client.get(f"{base}/{act.id}", headers=bearer(guest)).status_code == 404
    assert client.get(base, headers=bearer(guest)).json == []
    assert client.get(f"{base}/{act.id}", headers=bearer(council.city.secretary)).status_code == 200


def test_the_pages(client, session, council, outcome_of):
    act = _act(session, council, outcome_of)
    login(client, council.city.secretariat)
    slug = council.tenant.slug
    page = client.get(f"/t/{slug}/deliberations/{act.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Délibération n° 2027-001" in body and "Mettre à la signature" in body and "Établir l" in body
    assert "2027-001" in client.get(f"/t/{slug}/deliberations?annee=2027").get_data(as_text=True)
    assert client.get(f"/t/{slug}/deliberations?annee=abc").status_code == 404
    assert "2027-001" in client.get(f"/t/{slug}/s/{council.sitting.id}/deliberations").get_data(as_text=True)
    assert client.get(f"/t/{slug}/deliberations/{act.id}/pdf").status_code == 200
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        assert session.execute(sa.select(sa.func.count()).select_from(Deliberation)).scalar_one() == 1
