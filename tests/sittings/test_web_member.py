"""The member's screens: "Mes séances" across collectivities, attendance and proxies, closed sessions."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from saas.identity.models import MandateRole
from saas.sittings import operations
from saas.sittings.attendance.models import Attendance, Proxy
from saas.sittings.models import AttendanceAnswer, SittingStatus
from saas.tenancy.models import TenantKind
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.web import csrf_token, login


@pytest.fixture
def two_councils(create_tenant, create_person, give_mandate, create_sitting):
    """A member of the City's and the Agglomeration's councils, with colleagues in the City."""
    city = create_tenant(slug="ville", name="Ville de Quimper", population=60000)
    agglo = create_tenant(slug="agglo", name="Quimper Bretagne Occidentale", kind=TenantKind.EPCI)
    member = create_person(email="elue@example.org", first_name="Élise", last_name="Double")
    holder = create_person(email="porteur@example.org", first_name="Paul", last_name="Porteur")
    other = create_person(email="autre@example.org", first_name="Anne", last_name="Autre")
    for person in (member, holder, other):
        give_mandate(person, city)
    give_mandate(member, agglo)
    return {
        "city": city,
        "agglo": agglo,
        "member": member,
        "holder": holder,
        "other": other,
        "city_sitting": create_sitting(city, place="Hôtel de ville"),
        "agglo_sitting": create_sitting(agglo, place="Siège communautaire"),
    }


def test_one_inbox_across_mandates_and_a_proxy_for_one_sitting(client, session, in_tenant, two_councils):
    w = two_councils
    login(client, w["member"])
    inbox = client.get("/seances").get_data(as_text=True)
    for name, place in (
        ("Ville de Quimper", "Hôtel de ville"),
        ("Quimper Bretagne Occidentale", "Siège communautaire"),
    ):
        assert name in inbox and place in inbox
    assert f'href="/t/ville/s/{w["city_sitting"].id}"' in inbox
    assert f'href="/t/agglo/s/{w["agglo_sitting"].id}"' in inbox

    url = f"/t/ville/s/{w['city_sitting'].id}"
    response = client.post(f"{url}/proxy", data={"csrf_token": csrf_token(client, url), "holder": w["holder"].id})
    assert response.status_code == 302
    assert "Procuration donnée" in client.get("/seances").get_data(as_text=True)
    with in_tenant(w["city"]):
        answer = session.execute(sa.select(Attendance.answer).where(Attendance.person_id == w["member"].id)).scalar()
    assert answer == AttendanceAnswer.PROXY

    login(client, w["other"])  # a second proxy to the same holder: one proxy per holder (L2121-20)
    response = client.post(f"{url}/proxy", data={"csrf_token": csrf_token(client, url), "holder": w["holder"].id})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Paul Porteur détient déjà une procuration pour cette séance" in body and "L2121-20" in body
    with in_tenant(w["city"]):
        assert session.execute(sa.select(sa.func.count(Proxy.id))).scalar() == 1


def test_attendance_answers_and_revoking_a_proxy(client, session, in_tenant, two_councils):
    w = two_councils
    login(client, w["member"])
    url = f"/t/agglo/s/{w['agglo_sitting'].id}"
    token = csrf_token(client, url)
    refused = client.post(f"{url}/attendance", data={"csrf_token": token, "answer": "remote"})
    assert refused.status_code == 422 and "distance n&#39;est pas prévue" in refused.get_data(as_text=True)
    assert client.post(f"{url}/attendance", data={"csrf_token": token, "answer": "present"}).status_code == 302
    assert "Présent ou présente" in client.get("/seances").get_data(as_text=True)

    url = f"/t/ville/s/{w['city_sitting'].id}"
    token = csrf_token(client, url)
    client.post(f"{url}/proxy", data={"csrf_token": token, "holder": w["holder"].id})
    assert client.post(f"{url}/proxy/revoke", data={"csrf_token": token}).status_code == 302
    with in_tenant(w["city"]):
        answer = session.execute(sa.select(Attendance.answer).where(Attendance.person_id == w["member"].id)).scalar()
    assert answer == AttendanceAnswer.ABSENT
    again = client.post(f"{url}/proxy/revoke", data={"csrf_token": token})
    assert again.status_code == 422 and "pas donné de procuration" in again.get_data(as_text=True)


def test_a_member_of_another_tenant_gets_404_on_every_sitting_url(
    app, client, in_tenant, two_councils, create_person, give_mandate
):
    """Every sitting route, every method, with the City's ids, for a member of the Agglomeration only:
    under the City's slug (no access to the City) and under the Agglomeration's (not its sitting)."""
    w = two_councils
    outsider = create_person(email="agglo-seulement@example.org")
    give_mandate(outsider, w["agglo"])
    with in_tenant(w["city"]):
        item_id = operations.active_items(w["city_sitting"])[0].id
    ids = {"sitting_id": w["city_sitting"].id, "item_id": item_id, "assembly_id": w["city"].assemblies[0].id}
    login(client, outsider)
    app.config["WTF_CSRF_ENABLED"] = False  # access is tested here; CSRF has its own test
    try:
        checked = 0
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("sittings."):
                continue
            for slug in ("ville", "agglo"):
                url = rule.build({**{n: ids[n] for n in rule.arguments if n != "tenant_slug"}, "tenant_slug": slug})[1]
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = client.open(url, method=method)
                    assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
                    checked += 1
        # 15 before the lifecycle (the Convoquer button, its progress, the evidence…), then the edit page and the
        # cancellation page (GET and POST each), the supplement (POST) and the reconvening page (GET and POST)
        assert checked == 2 * 22
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_closed_session_items_are_for_members_and_staff_not_guests(
    client, in_tenant, create_sitting, two_councils, create_person, give_mandate
):
    w = two_councils
    sitting = create_sitting(w["city"], starts_at=MONDAY_15_MARCH_2027 + timedelta(days=28), convene=False)
    with in_tenant(w["city"]):
        operations.add_item(sitting, title="Contentieux en cours", confidential=True, actor=None)
        operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=MONDAY_15_MARCH_2027)
    guest = create_person(email="invite@example.org")
    give_mandate(guest, w["city"], role=MandateRole.GUEST)
    staff = create_person(email="agent@example.org")
    give_mandate(staff, w["city"], role=MandateRole.STAFF)
    url = f"/t/ville/s/{sitting.id}"
    for person, sees in ((w["member"], True), (staff, True), (guest, False)):
        login(client, person)
        page = client.get(url)
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert ("Contentieux en cours" in body) is sees, person.email
        assert "Point 1" in body
