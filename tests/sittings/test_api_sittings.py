"""The sittings API: the same rules as the screens, as JSON; 404 across tenants, 422 in French."""

import sqlalchemy as sa

from saas.identity.models import GrantKind
from saas.sittings.attendance.models import Proxy
from saas.tenancy.models import TenantKind
from tests.fixtures.web import bearer


def test_inbox_proxy_and_second_proxy_refused(
    session, client, in_tenant, create_tenant, create_person, give_mandate, create_sitting
):
    city = create_tenant(slug="ville", population=60000)
    agglo = create_tenant(slug="agglo", kind=TenantKind.EPCI)
    member, holder, other = (create_person() for _ in range(3))
    for person in (member, holder, other):
        give_mandate(person, city)
    give_mandate(member, agglo)
    city_sitting, agglo_sitting = create_sitting(city), create_sitting(agglo, remote_allowed=True)
    headers = bearer(member)

    inbox = client.get("/api/v1/me/inbox", headers=headers).get_json()
    assert {(e["tenant_slug"], e["sitting_id"]) for e in inbox} == {
        ("ville", city_sitting.id),
        ("agglo", agglo_sitting.id),
    }
    url = f"/api/v1/tenants/ville/sittings/{city_sitting.id}"
    response = client.post(f"{url}/proxy", json={"holder_id": holder.id}, headers=headers)
    assert response.status_code == 201 and response.get_json()["my_answer"] == "proxy"
    assert response.get_json()["my_proxy"]["holder_id"] == holder.id
    second = client.post(f"{url}/proxy", json={"holder_id": holder.id}, headers=bearer(other))
    assert second.status_code == 422
    assert "un élu ne peut recevoir qu'un seul pouvoir (article L2121-20 du CGCT)" in second.get_json()["message"]
    with in_tenant(city):
        assert session.execute(sa.select(sa.func.count(Proxy.id))).scalar() == 1

    agglo_url = f"/api/v1/tenants/agglo/sittings/{agglo_sitting.id}"
    answered = client.put(f"{agglo_url}/attendance", json={"answer": "remote"}, headers=headers)
    assert answered.status_code == 200 and answered.get_json()["my_answer"] == "remote"
    assert client.put(f"{agglo_url}/attendance", json={"answer": "maybe"}, headers=headers).status_code == 422
    assert client.delete(f"{url}/proxy", headers=headers).get_json()["my_answer"] == "absent"
    stranger = f"/api/v1/tenants/holder-unknown/sittings/{city_sitting.id}"
    assert client.get(stranger, headers=headers).status_code == 404


def test_secretary_creates_a_sitting_and_items_and_outsiders_get_404(
    client, create_tenant, create_person, give_mandate, give_grant
):
    city = create_tenant(slug="ville", population=60000)
    other_tenant = create_tenant(slug="ailleurs")
    secretary, member, outsider = create_person(), create_person(first_name="Rose", last_name="R"), create_person()
    give_grant(secretary, city, GrantKind.SECRETARY, assembly=city.assemblies[0])
    give_mandate(member, city)
    give_mandate(outsider, other_tenant)
    headers = bearer(secretary)

    base = f"/api/v1/tenants/ville/assemblies/{city.assemblies[0].id}/sittings"
    refused = client.post(
        base, json={"starts_at": "2027-03-15T18:00:00+01:00", "place": "Mairie", "urgency": True}, headers=headers
    )
    assert refused.status_code == 422 and refused.get_json()["message"] == "Le motif de l'urgence est obligatoire."
    created = client.post(base, json={"starts_at": "2027-03-15T18:00:00+01:00", "place": "Mairie"}, headers=headers)
    assert created.status_code == 201
    sitting = created.get_json()
    assert sitting["status"] == "draft" and sitting["starts_at"] == "2027-03-15T17:00:00+00:00"
    items_url = f"/api/v1/tenants/ville/sittings/{sitting['id']}/items"
    item = client.post(
        items_url,
        json={"title": "Huis clos", "rapporteur_id": member.id, "subject_code": "9.1", "confidential": True},
        headers=headers,
    )
    assert item.status_code == 201 and item.get_json()["rapporteur_name"] == "Rose R"
    unknown = client.post(items_url, json={"title": "X", "rapporteur_id": outsider.id}, headers=headers)
    assert unknown.status_code == 422 and outsider.last_name not in unknown.get_json()["message"]

    member_headers = bearer(member)
    assert client.post(items_url, json={"title": "X"}, headers=member_headers).status_code == 404
    assert client.get(f"/api/v1/tenants/ville/sittings/{sitting['id']}", headers=member_headers).status_code == 404
    outsider_headers = bearer(outsider)
    for slug in ("ville", "ailleurs"):
        sitting_url = f"/api/v1/tenants/{slug}/sittings/{sitting['id']}"
        calls = [("get", sitting_url), ("put", f"{sitting_url}/attendance"), ("post", f"{sitting_url}/proxy"),
                 ("delete", f"{sitting_url}/proxy"), ("post", f"{sitting_url}/items"),
                 ("post", f"/api/v1/tenants/{slug}/assemblies/{city.assemblies[0].id}/sittings")]  # fmt: skip
        for method, url in calls:
            response = client.open(url, method=method.upper(), json={}, headers=outsider_headers)
            assert response.status_code == 404, f"{method} {url}"
            assert response.get_json()["code"] == 404
    assert client.get(f"/api/v1/tenants/ville/sittings/{sitting['id']}", headers=headers).get_json()["items"][0][
        "confidential"
    ]


def test_the_openapi_document_lists_the_sitting_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/api/v1/tenants/{tenant_slug}/sittings/{sitting_id}/attendance"]
    assert {"post", "delete"} <= set(paths["/api/v1/tenants/{tenant_slug}/sittings/{sitting_id}/proxy"])
    assert "requestBody" in paths["/api/v1/tenants/{tenant_slug}/sittings/{sitting_id}/proxy"]["post"]
