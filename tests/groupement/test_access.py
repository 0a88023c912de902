"""The console is the coordinator's (and operators'): 404 for everyone else on every route, web and API.
The coordinator, in turn, sees names and devices only: a collectivity's sittings and documents are 404."""

import io
from datetime import UTC, date, datetime

import pytest

from saas.core.database import SYSTEM, TenantContext, context
from saas.documents.operations import add_item_document
from saas.groupement import operations
from saas.groupement.agreement import operations as agreement_signing
from saas.groupement.console import API_URL_PREFIX, URL_PREFIX
from saas.groupement.devices import operations as devices
from saas.groupement.models import SharingKey
from saas.groupement.statements import operations as statements
from saas.identity.models import Person
from saas.sittings import operations as sittings
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.web import bearer, login, sign_in


@pytest.fixture
def ids(session, world, tmp_path):
    """One of everything in the group, by URL argument name (the agreement uploaded and going round)."""
    with context(session, SYSTEM):
        pdf = io.BytesIO(clean_pdf(tmp_path / "convention.pdf").read_bytes())
        operations.upload_agreement(world.group, pdf, "convention.pdf", actor=None)
        signatories = [
            agreement_signing.Signatory(m, session.get(Person, people[0].person_id), "Président")
            for m, people, *_ in agreement_signing.proposal(world.group)
        ]
        signing = agreement_signing.start(world.group, signatories, actor=None)
        contract = operations.save_contract(
            world.group,
            {"reference": "M-1", "title": "Tablettes", "supplier": "Fournisseur", "start_date": date(2014, 1, 1)},
            actor=None,
        )
        lot = operations.save_lot(
            contract,
            {"number": 1, "title": "Tablettes", "units": 10, "equipment_cents": 100_000,
             "licences_cents_per_year": 0, "support_cents_per_year": 0},
            actor=None,
        )  # fmt: skip
        device = devices.add_device(world.group, "SN-ACCESS", "Tablette", lot, actor=None)
        statement = statements.issue(world.group, contract, "2014", SharingKey.EQUAL, True, actor=None)
    membership = operations.memberships(world.group)[0]
    return {
        "membership_id": membership.id,
        "contract_id": contract.id,
        "lot_id": lot.id,
        "milestone_id": operations.milestones(world.group)[0].id,
        "device_id": device.id,
        "statement_id": statement.id,
        "signing_id": signing.id,
    }


def console_rules(app):
    """Every route under the console's URLs, whichever blueprint serves it."""
    return [
        r
        for r in app.url_map.iter_rules()
        if r.rule == API_URL_PREFIX or r.rule.startswith((f"{URL_PREFIX}/", f"{API_URL_PREFIX}/"))
    ]


def test_member_tenant_admin_and_outsider_get_404_on_every_console_route(app, client, world, ids):
    rules = console_rules(app)
    assert len(rules) > 50
    app.config["WTF_CSRF_ENABLED"] = False  # access is what is tested; CSRF has its own tests
    try:
        for person in (world.city_member, world.city_admin, world.outsider):
            sign_in(client, person)
            headers = bearer(person)
            for rule in rules:
                url = rule.build({name: ids[name] for name in rule.arguments})[1]
                api = url.startswith("/api/")
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = client.open(url, method=method, headers=headers if api else {}, json={} if api else None)
                    assert response.status_code == 404, f"{person.last_name}: {method} {url} → {response.status_code}"
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_the_coordinator_reaches_every_console_page(client, world, ids):
    sign_in(client, world.coordinator)
    headers = bearer(world.coordinator)
    for rule in console_rules(client.application):
        if "GET" not in rule.methods:
            continue
        url = rule.build({name: ids[name] for name in rule.arguments})[1]
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        expected = 200
        if rule.endpoint.endswith(("signed_file", "get_signed_file", "validation_report")):
            expected = 404  # not signed by all yet
        elif rule.endpoint == "groupement.create_group":
            expected = 302  # the group exists already: back to the console
        assert response.status_code == expected, f"GET {url} → {response.status_code}"


def test_an_anonymous_caller_is_sent_to_login_or_refused(client, world):
    assert client.get("/group/").status_code == 302
    assert client.get("/api/v1/group").status_code == 401


def test_the_coordinator_gets_404_on_the_citys_sittings_and_documents(client, session, world, tmp_path):
    with context(session, TenantContext(tenant_id=world.city.id)):
        sitting = sittings.create_sitting(
            world.city,
            world.city.assemblies[0],
            starts_at=datetime(2027, 3, 15, 17, tzinfo=UTC),
            place="Mairie",
            actor=None,
        )
        item = sittings.add_item(sitting, title="Équipement numérique", actor=None)
        pdf = io.BytesIO(clean_pdf(tmp_path / "r.pdf").read_bytes())
        document = add_item_document(item, "report", "Rapport n° 44", pdf, "r.pdf", None)
        session.flush()
    login(client, world.coordinator)
    headers = bearer(world.coordinator)
    city = world.city.slug
    for url in (
        f"/t/{city}/",
        f"/t/{city}/s/{sitting.id}",
        f"/t/{city}/documents/{document.id}/versions/1/file",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/api/v1/tenants/{city}/sittings/{sitting.id}",
        f"/api/v1/tenants/{city}/items/{item.id}/documents",
        f"/api/v1/tenants/{city}/documents/{document.id}/versions/1/file",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    # while the City's own administrator reads them (the sitting is still a draft)
    admin = bearer(world.city_admin)
    assert client.get(f"/api/v1/tenants/{city}/sittings/{sitting.id}", headers=admin).status_code == 200
