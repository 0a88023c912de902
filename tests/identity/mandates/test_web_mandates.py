"""Mes mandats and the tenant pages: seats across collectivities, access, and the mandate switcher."""

import re

from saas.core.database import SYSTEM, context
from saas.identity.models import GrantKind, MandateRole
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, TenantKind
from tests.fixtures.people import PASSWORD
from tests.fixtures.web import post_login, without_csrf


def _two_tenants(session, create_tenant, create_person, give_mandate):
    paris = create_tenant(name="Ville de Paris-sur-Loue")
    doubs = create_tenant(name="Communauté du Doubs", kind=TenantKind.EPCI)
    member, colleague = (
        create_person(first_name="Alice", last_name="Martin"),
        create_person(first_name="Bruno", last_name="Petit"),
    )
    with context(session, SYSTEM):
        group = session.query(PoliticalGroup).filter_by(tenant_id=paris.id).one()
        bureau = Assembly(tenant_id=doubs.id, key="bureau", name="Bureau communautaire", kind=AssemblyKind.BUREAU)
        session.add(bureau)
        session.flush()
        paris_council, bureau_id = paris.assemblies[0].id, bureau.id
    give_mandate(member, paris, political_group=group)
    give_mandate(colleague, paris, role=MandateRole.PRESIDENT)
    give_mandate(member, doubs, assembly=bureau, role=MandateRole.PRESIDENT)
    return paris, paris_council, doubs, bureau_id, member, colleague


def test_home_groups_the_seats_of_two_collectivities(client, session, create_tenant, create_person, give_mandate):
    paris, paris_council, doubs, bureau_id, member, _ = _two_tenants(
        session, create_tenant, create_person, give_mandate
    )
    post_login(client, member.email, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    sections = re.findall(r'<section class="card tenant".*?</section>', page, re.S)
    assert len(sections) == 2
    by_name = {("Paris" in s and "paris") or "doubs": s for s in sections}
    assert "Conseil" in by_name["paris"] and "Membre" in by_name["paris"] and "Majorité" in by_name["paris"]
    assert f"/t/{paris.slug}/a/{paris_council}" in by_name["paris"]
    assert "Bureau communautaire" in by_name["doubs"] and "Président ou présidente" in by_name["doubs"]
    assert f"/t/{doubs.slug}/a/{bureau_id}" in by_name["doubs"] and "Intercommunalité" in by_name["doubs"]
    assert "Bureau communautaire" not in by_name["paris"]


def test_assembly_page_shows_rules_members_and_switcher(client, session, create_tenant, create_person, give_mandate):
    paris, paris_council, doubs, bureau_id, member, colleague = _two_tenants(
        session, create_tenant, create_person, give_mandate
    )
    post_login(client, member.email, PASSWORD)
    page = client.get(f"/t/{paris.slug}/a/{paris_council}").get_data(as_text=True)
    assert "5 jours francs" in page and "L2121-12" in page and "L2121-17" in page
    assert "Alice Martin" in page and "Bruno Petit" in page and "Président ou présidente" in page
    switcher = re.search(r'<nav class="card switcher".*?</nav>', page, re.S).group(0)
    assert f'href="/t/{doubs.slug}/a/{bureau_id}"' in switcher and "Conseil" not in switcher
    home = client.get(f"/t/{paris.slug}/").get_data(as_text=True)
    assert f"/t/{paris.slug}/a/{paris_council}" in home


def test_tenant_without_mandate_is_404_like_an_unknown_slug(
    client, session, create_tenant, create_person, give_mandate
):
    paris, paris_council, doubs, bureau_id, member, _ = _two_tenants(
        session, create_tenant, create_person, give_mandate
    )
    elsewhere = create_tenant()
    with context(session, SYSTEM):
        elsewhere_assembly = elsewhere.assemblies[0].id
    post_login(client, member.email, PASSWORD)
    hidden = client.get(f"/t/{elsewhere.slug}/")
    unknown = client.get("/t/no-such-collectivity/")
    assert hidden.status_code == unknown.status_code == 404
    assert without_csrf(hidden) == without_csrf(unknown)
    assert client.get(f"/t/{elsewhere.slug}/a/{elsewhere_assembly}").status_code == 404
    # an assembly of another tenant, reached through a tenant the member does belong to
    assert client.get(f"/t/{paris.slug}/a/{bureau_id}").status_code == 404
    # an assembly of the member's tenant where they hold no seat
    with context(session, SYSTEM):
        committee = Assembly(tenant_id=doubs.id, key="c1", name="Commission n° 1", kind=AssemblyKind.COMMITTEE)
        session.add(committee)
        session.flush()
        committee_id = committee.id
    assert client.get(f"/t/{doubs.slug}/a/{committee_id}").status_code == 404


def test_grants_are_listed_with_their_links(client, session, create_tenant, create_person, give_grant):
    tenant = create_tenant(name="Ville d'Ornans")
    secretary = create_person()
    with context(session, SYSTEM):
        council = tenant.assemblies[0]
        council_id = council.id
    give_grant(secretary, tenant, kind=GrantKind.SECRETARY, assembly=council)
    from tests.fixtures.web import login

    login(client, secretary)
    page = client.get("/").get_data(as_text=True)
    assert "Secrétariat — Conseil" in page and f"/t/{tenant.slug}/a/{council_id}" in page
    assert client.get(f"/t/{tenant.slug}/a/{council_id}").status_code == 200


def test_logged_out_visitor_is_sent_to_login(client):
    assert client.get("/").headers["Location"].startswith("/login")
    assert client.get("/t/any/").headers["Location"].startswith("/login")
