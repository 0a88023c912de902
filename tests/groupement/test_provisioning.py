"""A new syndicat provisioned from the console: its administrator sets a password from the invitation,
logs in with a second factor and creates an assembly; the collectivity exports to a tenant file and back."""

import re

import pyotp
import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.groupement import operations
from saas.identity.models import GrantKind, Person, TenantGrant
from saas.mail.models import OutboundMail
from saas.tenancy.models import Assembly, Tenant, TenantKind
from saas.tenancy.operations import export_tenant_file, load_tenant_file
from tests.fixtures.web import bearer, csrf_token, post, post_login, sign_in

SYNDICAT = {
    "name": "Syndicat mixte du numérique de Franche-Comté",
    "slug": "syndicat-numerique",
    "kind": "syndicat",
    "siren": "200012345",
    "population": 250000,
    "admin_email": "admin.syndicat@example.org",
    "admin_first_name": "Sylvie",
    "admin_last_name": "Syndic",
    "joining_reference": "Délibération du comité syndical n° 2014-12",
    "joined_on": "2014-03-20",
    "seats": "12",
}
NEW_PASSWORD = "un mot de passe solide"


def test_a_new_syndicat_logs_in_its_administrator_who_creates_an_assembly(app, client, session, world):
    sign_in(client, world.coordinator)
    refused = post(client, "/group/members/new", {**SYNDICAT, "joining_reference": ""})
    assert refused.status_code == 422 and "Ce champ est obligatoire." in refused.get_data(as_text=True)
    assert post(client, "/group/members/new", SYNDICAT).status_code == 302

    with context(session, SYSTEM):
        tenant = session.execute(sa.select(Tenant).where(Tenant.slug == "syndicat-numerique")).scalar_one()
        assert tenant.kind == TenantKind.SYNDICAT
        assert [a.name for a in tenant.assemblies] == ["Comité syndical"]
        admin = session.execute(sa.select(Person).where(Person.email == SYNDICAT["admin_email"])).scalar_one()
        grant = session.execute(sa.select(TenantGrant).where(TenantGrant.person_id == admin.id)).scalar_one()
        assert (grant.tenant_id, grant.kind) == (tenant.id, GrantKind.TENANT_ADMIN)
        mail = session.execute(
            sa.select(OutboundMail).where(OutboundMail.key == f"invitation:grant:{grant.id}")
        ).scalar_one()
    membership = next(m for m in operations.memberships(world.group) if m.tenant_id == tenant.id)
    assert (membership.joining_reference, membership.seats) == (SYNDICAT["joining_reference"], 12)

    link = re.search(r"/password/set/\S+", mail.body_text).group(0)
    browser = app.test_client()
    set_password = browser.post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(browser, link)}
    )
    assert set_password.status_code == 302
    assert post_login(browser, SYNDICAT["admin_email"], NEW_PASSWORD).headers["Location"] == "/"
    # an administrator must enrol a second factor before anything else
    assert browser.get(f"/t/{tenant.slug}/admin/").headers["Location"] == "/account/mfa/enroll"
    token = csrf_token(browser, "/account/mfa/enroll")
    with browser.session_transaction() as cookie_session:
        secret = cookie_session["mfa_enroll_secret"]
    enrolled = browser.post("/account/mfa/enroll", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert enrolled.status_code == 302

    url = f"/t/{tenant.slug}/admin/assemblies/new"
    created = browser.post(
        url,
        data={
            "name": "Bureau syndical",
            "kind": "bureau",
            "seats": "7",
            "key": "",
            "csrf_token": csrf_token(browser, url),
        },
    )
    assert created.status_code == 302
    with context(session, SYSTEM):
        assert (
            session.execute(
                sa.select(Assembly.kind).where(Assembly.tenant_id == tenant.id, Assembly.key == "bureau-syndical")
            ).scalar_one()
            == "bureau"
        )


def test_provisioning_refusals_leave_nothing_behind(client, session, world):
    headers = bearer(world.coordinator)
    for change, message in (
        ({"slug": world.city.slug}, "identifiant"),
        ({"siren": "12"}, "9 chiffres"),
        ({"joining_reference": ""}, "Entre 1 et 200 caractères"),
        ({"kind": "canton"}, "Type de collectivité inconnu"),
    ):
        body = {**SYNDICAT, "population": 250000, "seats": 12, **change}
        response = client.post("/api/v1/group/members", json=body, headers=headers)
        assert response.status_code == 422 and message in str(response.json), (change, response.json)
    with context(session, SYSTEM):
        assert session.execute(sa.select(Tenant).where(Tenant.slug == SYNDICAT["slug"])).first() is None
        assert session.execute(sa.select(Person).where(Person.email == SYNDICAT["admin_email"])).first() is None
    created = client.post(
        "/api/v1/group/members", json={**SYNDICAT, "population": 250000, "seats": 12}, headers=headers
    )
    assert created.status_code == 201 and created.json["tenant"]["kind"] == "syndicat"


def test_a_member_collectivity_exports_to_a_tenant_file_the_loader_reads_back(app, client, session, world, tmp_path):
    with context(session, SYSTEM):
        world.city.assemblies[0].name = 'Conseil "municipal" — Besançon'
        session.flush()
    membership = next(m for m in operations.memberships(world.group) if m.tenant_id == world.city.id)
    sign_in(client, world.coordinator)
    response = client.get(f"/group/members/{membership.id}/export")
    assert response.status_code == 200 and response.mimetype == "application/toml"
    text = response.get_data(as_text=True)
    path = tmp_path / f"{world.city.slug}.toml"
    path.write_text(text, encoding="utf-8")
    with context(session, SYSTEM):
        tenant, outcome = load_tenant_file(path)
        assert (tenant.id, outcome) == (world.city.id, "unchanged")
        copy = tmp_path / "copie.toml"
        copy.write_text(text.replace(f'slug = "{world.city.slug}"', 'slug = "copie-ville"'), encoding="utf-8")
        twin, outcome = load_tenant_file(copy)
        assert outcome == "created"
        assert export_tenant_file(twin).replace("copie-ville", world.city.slug) == text

    runner = app.test_cli_runner()
    result = runner.invoke(args=["tenants", "export", world.city.slug])
    assert result.exit_code == 0 and result.output == text
    assert runner.invoke(args=["tenants", "export", "inconnue"]).exit_code != 0
