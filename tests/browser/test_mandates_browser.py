"""A member with seats in two collectivities moves between them in a real browser (headless Chromium).

The application runs in a real HTTP server thread, so the data is committed for real (no rolled-back
``session`` fixture): every e-mail and slug is unique to this run.
"""

import uuid
from datetime import date

import pytest

from saas.core.database import SYSTEM, commit, context
from saas.core.extensions import db
from saas.identity import authentication, operations
from saas.identity.models import MandateRole, Person
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, Tenant, TenantKind
from tests.fixtures.browser import CHROMIUM_ARGS
from tests.fixtures.people import PASSWORD


def _committed_member(app) -> dict:
    """Two collectivities, one assembly each, and a member seated in both; committed."""
    run = uuid.uuid4().hex[:8]
    with app.app_context(), context(db.session, SYSTEM):
        member = Person(email=f"alice-{run}@example.org", first_name="Alice", last_name=f"Martin-{run}")
        member.password_hash = authentication.password_hasher.hash(PASSWORD)
        db.session.add(member)
        seats = {}
        for n, (kind, name, assembly_name) in enumerate(
            [
                (TenantKind.COMMUNE, f"Ville d'Ornans {run}", "Conseil municipal"),
                (TenantKind.EPCI, f"Communauté Loue-Lison {run}", "Conseil communautaire"),
            ]
        ):
            tenant = Tenant(
                slug=f"b{n}-{run}", name=name, kind=kind, siren=f"{n}{run}"[:9].ljust(9, "0"), population=4200
            )
            db.session.add(tenant)
            db.session.flush()
            assembly = Assembly(
                tenant_id=tenant.id, key="conseil", name=assembly_name, kind=AssemblyKind.COUNCIL, seats=29
            )
            group = PoliticalGroup(tenant_id=tenant.id, name="Ensemble pour le territoire")
            db.session.add_all([assembly, group])
            db.session.flush()
            request = operations.MandateRequest(
                email=member.email,
                first_name="Alice",
                last_name=member.last_name,
                assembly=assembly,
                role=MandateRole.MEMBER if n == 0 else MandateRole.PRESIDENT,
                start_date=date(2026, 1, 1),
                political_group=group,
            )
            operations.give_mandate(tenant, request, actor=None)
            seats[n] = {"tenant": name, "slug": tenant.slug, "assembly": assembly_name, "id": assembly.id}
        commit(db.session)
        return {"email": member.email, "seats": seats}


@pytest.mark.browser
def test_member_switches_assembly_in_one_click_and_keeps_two_tabs(app, live_server):
    from playwright.sync_api import expect, sync_playwright

    data = _committed_member(app)
    first, second = data["seats"][0], data["seats"][1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            browser_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
            page = browser_context.new_page()
            page.goto(f"{live_server}/login")
            page.fill("input[name=email]", data["email"])
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_have_text("Mes mandats")
            expect(page.locator("section.tenant h2").filter(has_text=first["tenant"])).to_have_count(1)
            expect(page.locator("section.tenant h2").filter(has_text=second["tenant"])).to_have_count(1)

            page.locator("section.tenant").filter(has_text=first["tenant"]).get_by_role(
                "link", name=first["assembly"]
            ).click()
            expect(page.locator("h1")).to_have_text(first["assembly"])
            assert page.url.endswith(f"/t/{first['slug']}/a/{first['id']}")
            expect(page.get_by_text("article L2121-12 du CGCT")).to_be_visible()

            page.locator("nav.switcher").get_by_role("link", name=second["assembly"]).click()
            expect(page.locator("h1")).to_have_text(second["assembly"])
            assert page.url.endswith(f"/t/{second['slug']}/a/{second['id']}")

            other_tab = browser_context.new_page()
            other_tab.goto(f"{live_server}/t/{first['slug']}/a/{first['id']}")
            expect(other_tab.locator("h1")).to_have_text(first["assembly"])
            expect(other_tab.locator(".lead")).to_contain_text(first["tenant"])
            page.reload()
            expect(page.locator("h1")).to_have_text(second["assembly"])
            expect(page.locator(".lead")).to_contain_text(second["tenant"])
            page.screenshot(path="/tmp/quorum-mandates-browser.png", full_page=True)
        finally:
            browser.close()
