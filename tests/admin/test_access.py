"""Every admin route answers 404 to whoever is not an admin of the tenant, and for ids it does not own.

The routes are read from the URL map, so a route added later is covered without editing this file.
"""

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.identity.models import GrantKind, Mandate, TenantGrant
from tests.fixtures.people import first_assembly, first_group
from tests.fixtures.web import post, sign_in

UNKNOWN_ID = 987654321


def admin_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    assert len(rules) >= 15, "the admin blueprint lost routes"
    return rules


def build(rule, slug: str, ids: dict) -> str:
    return rule.build({"tenant_slug": slug, **{name: ids[name] for name in rule.arguments - {"tenant_slug"}}})[1]


def methods(rule) -> list[str]:
    return sorted(set(rule.methods) - {"HEAD", "OPTIONS"})


def own_ids(session, world) -> dict:
    """Real ids of the tenant's own rows: what an outsider must not reach."""
    with context(session, SYSTEM):
        mandate = session.execute(sa.select(Mandate).where(Mandate.person_id == world.member.id)).scalar_one()
        grant = session.execute(sa.select(TenantGrant).where(TenantGrant.person_id == world.admin.id)).scalar_one()
    return {
        "assembly_id": first_assembly(session, world.tenant).id,
        "group_id": first_group(session, world.tenant).id,
        "mandate_id": mandate.id,
        "grant_id": grant.id,
    }


def call(client, method: str, url: str):
    return client.get(url) if method == "GET" else post(client, url)


@pytest.mark.parametrize("caller", ["member", "other_admin"])
def test_every_admin_route_is_404_for_a_member_and_for_another_tenants_admin(app, client, session, world, caller):
    ids = own_ids(session, world)
    sign_in(client, getattr(world, caller))
    checked = 0
    for rule in admin_rules(app):
        url = build(rule, world.tenant.slug, ids)
        for method in methods(rule):
            response = call(client, method, url)
            assert response.status_code == 404, f"{caller}: {method} {url} answered {response.status_code}"
            checked += 1
    assert checked >= 20
    with context(session, SYSTEM):  # nothing was changed on the way
        assert first_assembly(session, world.tenant).archived is False
        assert session.get(TenantGrant, ids["grant_id"]) is not None


def test_the_same_pages_open_for_the_tenant_admin(app, client, session, world):
    """The control of the test above: the 404s come from the access check, not from broken pages."""
    ids = own_ids(session, world)
    sign_in(client, world.admin)
    for rule in admin_rules(app):
        if "GET" in rule.methods:
            url = build(rule, world.tenant.slug, ids)
            assert client.get(url).status_code == 200, url


def test_unknown_ids_answer_404_to_the_admin(app, client, world):
    sign_in(client, world.admin)
    ids = dict.fromkeys(("assembly_id", "group_id", "mandate_id", "grant_id"), UNKNOWN_ID)
    for rule in admin_rules(app):
        if rule.arguments == {"tenant_slug"}:
            continue
        url = build(rule, world.tenant.slug, ids)
        for method in methods(rule):
            assert call(client, method, url).status_code == 404, f"{method} {url}"
    assert client.get(world.url(f"mandates?assembly={UNKNOWN_ID}")).status_code == 404


def test_ids_of_another_tenant_answer_404_even_for_the_admins_own_rows_there(
    app, client, session, world, give_mandate, give_grant
):
    """An admin's own mandates and grants elsewhere are visible to them (their inbox), but an admin URL of
    this tenant must not reach them."""
    own_mandate = give_mandate(world.admin, world.other_tenant)
    own_grant = give_grant(
        world.admin, world.other_tenant, GrantKind.SECRETARY, first_assembly(session, world.other_tenant)
    )
    ids = {
        "assembly_id": first_assembly(session, world.other_tenant).id,
        "group_id": first_group(session, world.other_tenant).id,
        "mandate_id": own_mandate.id,
        "grant_id": own_grant.id,
    }
    sign_in(client, world.admin)
    for rule in admin_rules(app):
        if rule.arguments == {"tenant_slug"}:
            continue
        url = build(rule, world.tenant.slug, ids)
        for method in methods(rule):
            assert call(client, method, url).status_code == 404, f"{method} {url}"
    assert client.get(world.url(f"mandates?assembly={ids['assembly_id']}")).status_code == 404
    with context(session, SYSTEM):
        assert session.get(Mandate, own_mandate.id).end_date is None
        assert session.get(TenantGrant, own_grant.id) is not None


def test_a_secretary_is_not_an_admin(client, session, world, give_grant):
    give_grant(world.member, world.tenant, GrantKind.SECRETARY, first_assembly(session, world.tenant))
    sign_in(client, world.member)
    assert client.get(world.url()).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get(world.url())
    assert response.status_code == 302 and "/login" in response.headers["Location"]
