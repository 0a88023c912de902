"""/me across collectivities, and the assemblies of one collectivity: 404 unless the caller belongs there."""

from datetime import date, timedelta

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.identity.models import GrantKind, MandateRole
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, TenantKind
from tests.fixtures.web import bearer


def _group(session, tenant) -> PoliticalGroup:
    with context(session, SYSTEM):
        return session.execute(sa.select(PoliticalGroup).where(PoliticalGroup.tenant_id == tenant.id)).scalar_one()


def _committee(session, tenant, name="Commission des finances") -> Assembly:
    with context(session, SYSTEM):
        committee = Assembly(tenant_id=tenant.id, key="finances", name=name, kind=AssemblyKind.COMMITTEE, seats=9)
        session.add(committee)
        session.flush()
        return committee


def test_me_lists_every_mandate_in_every_tenant(
    client, session, create_tenant, create_person, give_mandate, give_grant
):
    city = create_tenant(name="Ville de Besançon", kind=TenantKind.COMMUNE)
    agglo = create_tenant(name="Grand Besançon", kind=TenantKind.EPCI)
    region = create_tenant(name="Région BFC", kind=TenantKind.REGION)
    stranger = create_tenant(name="Ailleurs")
    city_council, region_council = city.assemblies[0].id, region.assemblies[0].id
    person = create_person(first_name="Élise", last_name="Martin", locale="fr")
    give_mandate(person, city, role=MandateRole.PRESIDENT, political_group=_group(session, city))
    give_mandate(person, agglo, start_date=date(2020, 1, 1), end_date=date.today() - timedelta(days=1))
    give_mandate(person, region)
    give_grant(person, region, GrantKind.SECRETARY, assembly=region.assemblies[0])
    give_mandate(create_person(), stranger)

    response = client.get("/api/v1/me", headers=bearer(person))
    assert response.status_code == 200
    me = response.get_json()
    assert (me["id"], me["email"], me["first_name"], me["last_name"], me["locale"]) == (
        person.id, person.email, "Élise", "Martin", "fr"
    )  # fmt: skip
    by_slug = {m["tenant"]["slug"]: m for m in me["mandates"]}
    assert set(by_slug) == {city.slug, agglo.slug, region.slug}
    ville, agglo_mandate = by_slug[city.slug], by_slug[agglo.slug]
    assert ville["tenant"] == {"slug": city.slug, "name": "Ville de Besançon", "kind": "commune"}
    assert ville["assembly"] == {"id": city_council, "name": "Conseil", "kind": "council"}
    assert ville["role"] == "president"
    assert ville["political_group"] == "Majorité"
    assert ville["current"] is True and ville["end_date"] is None
    assert agglo_mandate["current"] is False and agglo_mandate["start_date"] == "2020-01-01"
    assert agglo_mandate["tenant"]["kind"] == "epci" and agglo_mandate["political_group"] is None
    [grant] = me["grants"]
    assert grant["kind"] == "secretary" and grant["tenant"]["slug"] == region.slug
    assert grant["assembly"] == {"id": region_council, "name": "Conseil", "kind": "council"}
    assert "Ailleurs" not in response.get_data(as_text=True)


def test_assemblies_for_a_member_are_the_ones_they_sit_in(client, session, create_tenant, create_person, give_mandate):
    tenant = create_tenant()
    council, committee = tenant.assemblies[0].id, _committee(session, tenant).id
    member = create_person()
    give_mandate(member, tenant)
    headers = bearer(member)
    base = f"/api/v1/tenants/{tenant.slug}/assemblies"

    listed = client.get(base, headers=headers)
    assert listed.status_code == 200
    assert listed.get_json() == [{"id": council, "name": "Conseil", "kind": "council", "seats": 33, "archived": False}]
    one = client.get(f"{base}/{council}", headers=headers)
    assert one.status_code == 200 and one.get_json() == listed.get_json()[0]
    hidden = client.get(f"{base}/{committee}", headers=headers)
    assert hidden.status_code == 404


def test_an_admin_sees_every_assembly_with_its_key(client, session, create_tenant, create_person, give_grant):
    tenant = create_tenant()
    council, committee = tenant.assemblies[0].id, _committee(session, tenant).id
    admin = create_person()
    give_grant(admin, tenant, GrantKind.TENANT_ADMIN)
    headers = bearer(admin)
    listed = client.get(f"/api/v1/tenants/{tenant.slug}/assemblies", headers=headers)
    assert listed.status_code == 200
    assert [(a["id"], a["key"]) for a in listed.get_json()] == [(council, "conseil"), (committee, "finances")]
    one = client.get(f"/api/v1/tenants/{tenant.slug}/assemblies/{committee}", headers=headers)
    assert one.get_json()["key"] == "finances" and one.get_json()["name"] == "Commission des finances"


def test_a_tenant_where_the_caller_holds_nothing_is_an_unknown_tenant(
    client, session, create_tenant, create_person, give_mandate
):
    mine, theirs = create_tenant(), create_tenant()
    their_assembly = theirs.assemblies[0].id
    person = create_person()
    give_mandate(person, mine)
    give_mandate(create_person(), theirs)
    headers = bearer(person)

    foreign = client.get(f"/api/v1/tenants/{theirs.slug}/assemblies", headers=headers)
    unknown = client.get("/api/v1/tenants/no-such-slug/assemblies", headers=headers)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.get_data() == unknown.get_data()
    assert foreign.get_json()["code"] == 404

    through_mine = client.get(f"/api/v1/tenants/{mine.slug}/assemblies/{their_assembly}", headers=headers)
    direct = client.get(f"/api/v1/tenants/{theirs.slug}/assemblies/{their_assembly}", headers=headers)
    missing = client.get(f"/api/v1/tenants/{mine.slug}/assemblies/999999", headers=headers)
    assert through_mine.status_code == direct.status_code == missing.status_code == 404
    assert through_mine.get_data() == direct.get_data() == missing.get_data() == unknown.get_data()


def test_a_past_mandate_no_longer_opens_the_tenant(client, create_tenant, create_person, give_mandate):
    tenant = create_tenant()
    person = create_person()
    give_mandate(person, tenant, start_date=date(2014, 4, 1), end_date=date(2020, 5, 31))
    response = client.get(f"/api/v1/tenants/{tenant.slug}/assemblies", headers=bearer(person))
    assert response.status_code == 404
