"""The circuit editor in real headless Chromium: the City's admin logs in (password and second factor), opens
the City's circuit, sees its diagram, edits a step and saves it, and the version number goes up; the
admin of another collectivity gets 404 on the same page.

The application runs in a real HTTP server thread on an installation of its own, so the data is committed
for real; every e-mail and slug is unique to this run.
"""

import uuid
from datetime import date

import pytest

from saas.core.database import SYSTEM, commit, context
from saas.core.extensions import db
from saas.identity import authentication
from saas.identity import operations as identity
from saas.identity.models import GrantKind, MandateRole, Person
from saas.reports import operations as reports
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from saas.workflow import definitions
from tests.fixtures.browser import CHROMIUM_ARGS, EXPECT_TIMEOUT_MS, log_in
from tests.fixtures.instances import fresh_app
from tests.fixtures.people import PASSWORD
from tests.fixtures.signing import enrol
from tests.fixtures.workflow import SHIPPED


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with fresh_app(tmp_path_factory.mktemp("editor"), "editor") as application:
        yield application


def _admin(run: str, first: str, tenant: Tenant) -> Person:
    person = Person(email=f"{first.lower()}-{run}@example.org", first_name=first, last_name=f"Admin-{run}")
    person.password_hash = authentication.password_hasher.hash(PASSWORD)
    db.session.add(person)
    db.session.flush()
    identity.give_grant(person, tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
    enrol(person)
    return person


def _city_and_region(app) -> dict:
    """A City (commune of 120 000) with its council, Commission n° 1, a service and the committee circuit
    adopted; a Region with its own admin."""
    run = uuid.uuid4().hex[:8]
    with app.app_context(), context(db.session, SYSTEM):
        city = Tenant(
            slug=f"ville-{run}", name=f"Ville de Besançon {run}", kind=TenantKind.COMMUNE, siren=f"2{run}"[:9],
            population=120_000,
        )  # fmt: skip
        region = Tenant(
            slug=f"region-{run}",
            name=f"Région {run}",
            kind=TenantKind.REGION,
            siren=f"3{run}"[:9],
            population=2_800_000,
        )
        db.session.add_all([city, region])
        db.session.flush()
        db.session.add_all(
            [
                Assembly(tenant_id=city.id, key="conseil", name="Conseil municipal", kind=AssemblyKind.COUNCIL),
                Assembly(tenant_id=city.id, key="commission-1", name="Commission n° 1", kind=AssemblyKind.COMMITTEE),
                Assembly(tenant_id=region.id, key="conseil", name="Conseil régional", kind=AssemblyKind.COUNCIL),
            ]
        )
        db.session.flush()
        admin = _admin(run, "Claire", city)
        other = _admin(run, "Romain", region)
        president = Person(email=f"dumont-{run}@example.org", first_name="Paul", last_name="Dumont")
        db.session.add(president)
        db.session.flush()
        commission = next(a for a in city.assemblies if a.key == "commission-1")
        identity.give_mandate(
            city,
            identity.MandateRequest(
                email=president.email, first_name="Paul", last_name="Dumont", assembly=commission,
                role=MandateRole.PRESIDENT, start_date=date(2026, 1, 1),
            ),
            actor=None,
        )  # fmt: skip
        reports.create_service(city, "Direction du numérique", head=admin, actor=None)
        definitions.load_folder(SHIPPED)
        circuit = definitions.adopt_template(city, "avis-commission", actor=None)
        commit(db.session)
        return {"city": city.slug, "region": region.slug, "admin": admin.email, "other": other.email, "id": circuit.id}


@pytest.mark.browser
def test_the_citys_admin_edits_a_step_of_the_diagrammed_circuit(app, live_server):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    data = _city_and_region(app)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            page = log_in(browser, live_server, data["admin"])
            page.goto(f"{live_server}/t/{data['city']}/admin/")
            page.get_by_role("navigation", name="Sections de l’administration").get_by_role(
                "link", name="Circuits"
            ).click()
            expect(page.locator("h1")).to_have_text("Circuits de validation")
            page.get_by_role("link", name="Validation avec avis de commission").click()
            expect(page.locator("h1")).to_have_attribute("data-version", "1")
            diagram = page.locator("svg.diagram")
            expect(diagram).to_be_visible()
            expect(diagram.locator("g.diagram__node")).to_have_count(5)
            expect(diagram.locator("path.diagram__refusal")).to_have_count(2)
            expect(diagram).to_contain_text("la présidence de « Commission n° 1 »")
            assert diagram.bounding_box()["width"] > 500  # drawn at its size, not squeezed

            page.locator('[data-step="visa-chef-service"]').get_by_role("link", name="Modifier").click()
            expect(page.locator("#deadline_days")).to_have_value("3")
            page.fill("#deadline_days", "5")
            page.select_option("#mode", "all")
            page.get_by_role("button", name="Enregistrer l'étape").click()
            expect(page.locator(".flash--success")).to_contain_text("version 2 enregistrée")
            expect(page.locator("h1")).to_have_attribute("data-version", "2")
            expect(page.locator("svg.diagram")).to_contain_text("sous 5 jours après son arrivée")
            expect(page.locator("svg.diagram")).to_contain_text("tous, en parallèle")
            expect(page.locator('[data-version-row="2"]')).to_contain_text("Claire")
            page.screenshot(path="/tmp/quorum-editor-browser.png", full_page=True)

            other = log_in(browser, live_server, data["other"])
            answer = other.goto(f"{live_server}/t/{data['city']}/admin/circuits/{data['id']}")
            assert answer.status == 404
            answer = other.goto(f"{live_server}/t/{data['region']}/admin/circuits/{data['id']}")
            assert answer.status == 404
        finally:
            browser.close()
