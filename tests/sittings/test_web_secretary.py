"""The secretary's screens: create a sitting and its agenda, convene it on time (or be told the article)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from saas.identity.models import GrantKind
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.tenancy.legal_rules import tenant_rules
from tests.fixtures.web import csrf_token, login


@pytest.fixture
def city(create_tenant, create_person, give_mandate, give_grant):
    tenant = create_tenant(slug="ville", population=50000)
    assembly = tenant.assemblies[0]
    secretary = create_person(email="secretariat@ville.example")
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=assembly)
    rapporteur = create_person(email="rapporteur@ville.example", first_name="Rose", last_name="Rapporteur")
    give_mandate(rapporteur, tenant)
    return {"tenant": tenant, "assembly": assembly, "secretary": secretary, "rapporteur": rapporteur}


def _create(client, city, day: date, **extra):
    url = f"/t/ville/a/{city['assembly'].id}/sittings/new"
    data = {"csrf_token": csrf_token(client, url), "day": day.isoformat(), "time": "18:00", "place": "Salle du conseil"}
    return client.post(url, data={**data, **extra})


def _sitting(session, in_tenant, city) -> Sitting:
    with in_tenant(city["tenant"]):
        return session.execute(sa.select(Sitting).order_by(Sitting.id.desc()).limit(1)).scalar_one()


def test_secretary_builds_the_agenda_through_the_web(client, session, in_tenant, city):
    login(client, city["secretary"])
    response = _create(client, city, date(2027, 3, 15), remote_allowed="y")
    assert response.status_code == 302
    sitting = _sitting(session, in_tenant, city)
    with in_tenant(city["tenant"]):
        assert sitting.starts_at.isoformat() == "2027-03-15T17:00:00+00:00"  # 18:00 in Paris, winter time
        assert sitting.remote_allowed and sitting.status == SittingStatus.DRAFT
    page_url = f"/t/ville/s/{sitting.id}"
    page = client.get(page_url).get_data(as_text=True)
    assert "à envoyer au plus tard le mardi 9 mars 2027" in page  # 5 jours francs before Monday 15

    token = csrf_token(client, page_url)
    founding = {
        "subject_code": "9.1",
        "rapporteur": city["rapporteur"].id,
        "committee_opinion": "Avis favorable unanime de la Commission n° 1",
    }
    for title, extra in (
        ("Équipement numérique – Dématérialisation", founding),
        ("Acquisition foncière", {"confidential": "y"}),
    ):
        response = client.post(f"{page_url}/items", data={"csrf_token": token, "title": title, **extra})
        assert response.status_code == 302
    refused = client.post(f"{page_url}/items", data={"csrf_token": token, "title": "Budget", "subject_code": "99"})
    assert refused.status_code == 422
    assert "Code matière @ctes invalide" in refused.get_data(as_text=True)

    with in_tenant(city["tenant"]):
        first, second = session.execute(
            sa.select(AgendaItem).where(AgendaItem.sitting_id == sitting.id).order_by(AgendaItem.position)
        ).scalars()
        assert first.rapporteur_id == city["rapporteur"].id and first.subject_code == "9.1" and second.confidential
        first_id, second_id = first.id, second.id
    assert client.post(f"{page_url}/items/{second_id}/up", data={"csrf_token": token}).status_code == 302
    assert client.post(f"{page_url}/items/{second_id}/withdraw", data={"csrf_token": token}).status_code == 302
    with in_tenant(city["tenant"]):
        positions = dict(session.execute(sa.select(AgendaItem.id, AgendaItem.position)).all())
    assert positions == {first_id: 1, second_id: None}
    page = client.get(page_url).get_data(as_text=True)
    assert "Avis favorable unanime de la Commission n° 1" in page and "Rose Rapporteur" in page
    assert "Acquisition foncière" not in page  # withdrawn: off the agenda


def test_convening_too_late_is_refused_citing_the_article_and_urgency_with_a_reason_is_accepted(
    client, session, in_tenant, city
):
    login(client, city["secretary"])
    article = tenant_rules(city["tenant"]).notice_article
    in_two_days = date.today() + timedelta(days=2)
    assert _create(client, city, in_two_days).status_code == 302
    late = _sitting(session, in_tenant, city)
    url = f"/t/ville/s/{late.id}"
    token = csrf_token(client, url)
    client.post(f"{url}/items", data={"csrf_token": token, "title": "Point unique"})
    response = client.post(f"{url}/status", data={"csrf_token": token, "status": "convened"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Convocation trop tardive" in body and f"article {article} du CGCT" in body
    with in_tenant(city["tenant"]):
        assert session.get(Sitting, late.id).status == SittingStatus.DRAFT

    no_reason = _create(client, city, in_two_days, urgency="y")
    assert no_reason.status_code == 422 and "Le motif de l&#39;urgence est obligatoire" in no_reason.get_data(True)
    in_three_days = date.today() + timedelta(days=3)  # one clear day between tomorrow's sending and the sitting
    assert (
        _create(client, city, in_three_days, urgency="y", urgency_reason="Subvention à voter avant le 1er").status_code
        == 302
    )
    urgent = _sitting(session, in_tenant, city)
    url = f"/t/ville/s/{urgent.id}"
    token = csrf_token(client, url)
    client.post(f"{url}/items", data={"csrf_token": token, "title": "Demande de subvention"})
    response = client.post(f"{url}/status", data={"csrf_token": token, "status": "convened"})
    assert response.status_code == 302
    with in_tenant(city["tenant"]):
        assert session.get(Sitting, urgent.id).status == SittingStatus.CONVENED


def test_a_member_cannot_reach_the_secretary_screens(client, create_sitting, city):
    sitting = create_sitting(city["tenant"], convene=False)
    login(client, city["rapporteur"])
    assert client.get(f"/t/ville/a/{city['assembly'].id}/sittings").status_code == 404
    assert client.get(f"/t/ville/a/{city['assembly'].id}/sittings/new").status_code == 404
    assert client.get(f"/t/ville/s/{sitting.id}").status_code == 404  # a draft is the secretariat's own


def test_forms_need_their_csrf_token(client, create_sitting, city):
    sitting = create_sitting(city["tenant"], convene=False)
    login(client, city["secretary"])
    response = client.post(f"/t/ville/s/{sitting.id}/items", data={"title": "Sans jeton"})
    assert response.status_code == 400
