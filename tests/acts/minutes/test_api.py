"""The minutes and list API: the secretariat writes, marks ready, generates the list; members read only; others
and unknown ids 404; hostile bodies 422 and nothing written."""

import sqlalchemy as sa

from saas.acts.minutes.models import DeliberationList, MinutesDebate
from saas.core.database import SYSTEM, context
from tests.acts.register.records import hold
from tests.fixtures.web import bearer

JSON = {"Content-Type": "application/json"}


def _count(session, model) -> int:
    with context(session, SYSTEM):
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_the_secretariat_writes_and_generates(client, session, council):
    act = hold(session, council)
    headers = bearer(council.city.secretariat)
    base = f"/api/v1/tenants/{council.tenant.slug}/sittings/{council.sitting.id}"
    read = client.get(f"{base}/minutes", headers=headers)
    assert read.status_code == 200 and read.json["status"] == "draft" and read.json["writable"]
    assert read.json["items"][0]["act_number"] == act.number
    put = client.put(f"{base}/minutes/items/{council.item.id}/debate", json={"text": "Débat."}, headers=headers)
    assert put.status_code == 200 and put.json["items"][0]["debate"] == "Débat."
    assert client.post(f"{base}/minutes/ready", headers=headers).json["status"] == "ready"
    assert client.post(f"{base}/minutes/ready", headers=headers).status_code == 422
    assert client.post(f"{base}/minutes/draft", headers=headers).json["status"] == "draft"
    assert client.get(f"{base}/minutes/pdf", headers=headers).data.startswith(b"%PDF")
    made = client.post(f"{base}/deliberation-lists", headers=headers)
    assert made.status_code == 201 and made.json["version"] == 1
    assert client.get(f"{base}/deliberation-lists/1/pdf", headers=headers).data.startswith(b"%PDF")
    assert [row["version"] for row in client.get(f"{base}/deliberation-lists", headers=headers).json] == [1]
    sent = client.post(f"{base}/deliberation-lists/1/send", headers=headers)
    assert sent.status_code == 422 and "L5211-40-2" in sent.get_data(as_text=True)


def test_hostile_bodies_and_ids(client, session, council):
    hold(session, council)
    headers = bearer(council.city.secretariat)
    base = f"/api/v1/tenants/{council.tenant.slug}/sittings/{council.sitting.id}"
    url = f"{base}/minutes/items/{council.item.id}/debate"
    for body in ({}, {"text": None}, {"text": 3}, {"text": "x" * 60_000}, {"text": "a", "autre": 1}, [], "x"):
        assert client.put(url, json=body, headers=headers).status_code == 422, body
    assert client.put(url, data="{", headers=headers | JSON).status_code == 422
    assert client.put(url, data=b'{"text": "\xff\xfe"}', headers=headers | JSON).status_code in (400, 422)
    assert client.put(url, json={"text": "a\x00b"}, headers=headers).status_code == 422
    for bad in ({"online_on": "hier"}, {"online_on": None}, {}):
        assert client.post(f"{base}/deliberation-lists/1/online", json=bad, headers=headers).status_code == 404
    assert client.get(f"{base}/deliberation-lists/2147483648/pdf", headers=headers).status_code == 404
    assert client.put(f"{base}/minutes/items/2147483648/debate", json={"text": "a"}, headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/tenants/{council.tenant.slug}/sittings/2147483648/minutes", headers=headers).status_code
        == 404
    )
    client.post(f"{base}/deliberation-lists", headers=headers)
    for bad in ({"online_on": "hier"}, {"online_on": None}, {}, {"online_on": "2027-03-16", "x": 1}):
        assert client.post(f"{base}/deliberation-lists/1/online", json=bad, headers=headers).status_code == 422, bad
    assert _count(session, MinutesDebate) == 0


def test_members_read_only_others_404(client, session, council, create_person):
    hold(session, council)
    base = f"/api/v1/tenants/{council.tenant.slug}/sittings/{council.sitting.id}"
    member = bearer(council.city.member)
    assert client.get(f"{base}/minutes", headers=member).json["writable"] is False
    assert (
        client.put(f"{base}/minutes/items/{council.item.id}/debate", json={"text": "a"}, headers=member).status_code
        == 404
    )
    assert client.post(f"{base}/minutes/ready", headers=member).status_code == 404
    assert client.post(f"{base}/deliberation-lists", headers=member).status_code == 404
    stranger = bearer(create_person())
    assert client.get(f"{base}/minutes", headers=stranger).status_code == 404
    assert client.get(f"{base}/deliberation-lists", headers=stranger).status_code == 404
    assert _count(session, MinutesDebate) == 0 and _count(session, DeliberationList) == 0


def test_an_epci_keeps_its_municipal_councillors_through_the_api(client, session, council):
    from saas.acts.minutes.models import OutsideCouncillor
    from saas.tenancy.models import TenantKind

    hold(session, council)
    headers = bearer(council.city.secretariat)
    base = f"/api/v1/tenants/{council.tenant.slug}/sittings/{council.sitting.id}/outside-councillors"
    assert client.get(base, headers=headers).status_code == 404  # a commune sends no list (L5211-40-2)
    with context(session, SYSTEM):
        council.tenant.kind = TenantKind.EPCI
        session.flush()
    assert client.get(base, headers=headers).json == []
    anne = {"full_name": "Anne Roy", "email": "Anne@Roche.example", "commune": "Roche"}
    added = client.post(base, json=anne, headers=headers)
    assert added.status_code == 201 and added.json["email"] == "anne@roche.example"
    again = client.post(base, json=anne, headers=headers)
    assert again.status_code == 422 and "déjà dans la liste" in again.json["message"]
    for wrong in ({}, {**anne, "email": "pas-une-adresse"}, {**anne, "full_name": " "}, {**anne, "x": 1},
                  {**anne, "commune": "é" * 201}, {**anne, "full_name": 3}, []):  # fmt: skip
        assert client.post(base, json=wrong, headers=headers).status_code == 422, wrong
    imported = client.post(
        f"{base}/import", json={"text": "Nom;adresse;commune\nPaul Mas;paul@thise.example;Thise"}, headers=headers
    )
    assert imported.status_code == 200 and imported.json == {"added": 1, "skipped": 0}
    broken = client.post(f"{base}/import", json={"text": "Zoé Lin;zoe@x.example;Avanne\na;b"}, headers=headers)
    assert broken.status_code == 422 and "Ligne 2" in broken.json["message"]
    assert [c["full_name"] for c in client.get(base, headers=headers).json] == ["Anne Roy", "Paul Mas"]  # by commune
    archived = client.post(f"{base}/{added.json['id']}/archive", headers=headers)
    assert archived.status_code == 200
    assert client.post(f"{base}/{added.json['id']}/archive", headers=headers).status_code == 404
    assert client.post(f"{base}/2147483648/archive", headers=headers).status_code == 404
    assert [c["full_name"] for c in client.get(base, headers=headers).json] == ["Paul Mas"]
    assert _count(session, OutsideCouncillor) == 2  # archived, never deleted; the broken import wrote nothing
    member = bearer(council.city.mayor)  # sits in the council, does not run its secretariat
    assert client.get(base, headers=member).status_code == client.post(base, json=anne, headers=member).status_code
    assert client.get(base, headers=member).status_code == 404
