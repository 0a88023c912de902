"""axe-core in real headless Chromium on the public portal: the list, search results, a search refused (its errors
under the fields) and a document's page, on a desktop and on a phone, without any violation; screenshots of each
are left in /tmp for a person to look at.

The application runs in a real HTTP server thread, so the data is committed for real (no rolled-back ``session``):
the collectivity's slug is unique to this run. axe-core comes from the npm registry (package.json), copied to
static/vendor/axe/ by scripts/install.
"""

import csv
import io
import urllib.request
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from saas.core.database import SYSTEM, commit, context
from saas.core.extensions import db
from saas.sittings.models import Sitting, SittingStatus
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.publications import place_publication

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe" / "axe.min.js"
VIEWPORTS = {"bureau": {"width": 1280, "height": 800}, "telephone": {"width": 800, "height": 1280}}


def _committed_portal(app, tmp_path) -> tuple[str, int]:
    run = uuid.uuid4().hex[:8]
    pdf = clean_pdf(tmp_path / "acte.pdf").read_bytes()
    with app.app_context(), context(db.session, SYSTEM):
        tenant = Tenant(slug=f"ville-{run}", name="Ville d'Ornans", kind=TenantKind.COMMUNE, siren="212504676")
        tenant.siret = "21250467600019"
        tenant.population = 4200
        db.session.add(tenant)
        db.session.flush()
        assembly = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil municipal", kind=AssemblyKind.COUNCIL)
        db.session.add(assembly)
        db.session.flush()
        sitting = Sitting(
            tenant_id=tenant.id,
            assembly_id=assembly.id,
            starts_at=datetime(2026, 11, 23, 17, tzinfo=UTC),
            place="Hôtel de ville",
            status=SittingStatus.CLOSED,
        )
        db.session.add(sitting)
        db.session.flush()
        first = None
        for n in range(23):
            placed = place_publication(
                db.session,
                tenant,
                sitting,
                pdf,
                number=f"2026-{101 + n:03d}",
                title=f"Équipement numérique – Dématérialisation des documents et procédures, tranche {n + 1}",
                subject_code="8.5" if n % 2 else "7.1",
                decided_on=date(2026, 11, 23),
                published_at=datetime(2026, 11, 25, 8, n, tzinfo=UTC),
            )
            first = first or placed
        commit(db.session)
        return tenant.slug, first.id


def _violations(page, base: str) -> list[dict]:
    # from the application's own static files: the pages' Content-Security-Policy (script-src 'self') refuses an
    # inline script, and the check must run on the page as the public gets it
    page.add_script_tag(url=f"{base}/static/vendor/axe/axe.min.js")
    return page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}));
        }"""
    )


@pytest.mark.browser
def test_the_portal_pages_have_no_accessibility_violation(app, live_server, chromium, tmp_path):
    assert AXE.is_file(), "axe-core is missing: run scripts/install (npm ci, then copied to static/vendor/axe/)"
    slug, publication_id = _committed_portal(app, tmp_path)
    pages = {
        "liste": f"/{slug}/actes",
        "recherche": f"/{slug}/actes?mots=numerique&matiere=8&du=2026-01-01&au=2026-12-31",
        "recherche-refusee": f"/{slug}/actes?du=2026-13-45&page=0",
        "acte": f"/{slug}/actes/{publication_id}",
    }
    for device, viewport in VIEWPORTS.items():
        context = chromium.new_context(locale="fr-FR", viewport=viewport)
        page = context.new_page()
        for name, path in pages.items():
            response = page.goto(live_server + path)
            assert response.status == (400 if name == "recherche-refusee" else 200), path
            assert "/login" not in page.url
            assert _violations(page, live_server) == [], (device, name)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (device, name, width)  # nothing cut, no sideways scrolling
            page.screenshot(path=f"/tmp/quorum-portal-{name}-{device}.png", full_page=True)
        context.close()
    # the SCDL file over real HTTP: it streams after the page's session has gone, and must still hold every row
    with urllib.request.urlopen(f"{live_server}/{slug}/donnees/deliberations.csv") as answer:
        rows = list(csv.DictReader(io.StringIO(answer.read().decode("utf-8"))))
    assert [row["DELIB_ID"] for row in rows] == [f"2026-{101 + n:03d}" for n in range(23)]
