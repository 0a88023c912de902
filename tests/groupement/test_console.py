"""The console's screens and API: members and agreement, contracts and lots, calendar alerts, usage and
paper saved (counts only), and the primary collectivity chosen on the account page."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from xml.sax.saxutils import escape

import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context
from saas.documents.operations import add_item_document
from saas.groupement import charts, operations
from saas.groupement.models import Milestone
from saas.groupement.statements import reports
from saas.identity import authentication
from saas.sittings import operations as sittings
from saas.sittings.convocations.models import Convocation, ConvocationKind
from saas.sittings.models import SittingStatus
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.web import bearer, post, sign_in


def test_the_calendar_of_the_founding_text_raises_an_alert_when_a_date_passes(client, session, world):
    headers = bearer(world.coordinator)
    listed = client.get("/api/v1/group/milestones", headers=headers).json
    assert [m["planned_date"] for m in listed] == [
        "2013-09-30", "2013-09-06", "2013-09-16", "2013-10-31", "2013-11-29", "2014-02-28"
    ]  # fmt: skip
    assert listed[0]["planned_start"] == "2013-06-01" and all(m["overdue"] for m in listed)
    first = listed[0]["id"]
    bad = client.patch(
        f"/api/v1/group/milestones/{first}", json={"planned_date": "2013-09-30", "status": "done"}, headers=headers
    )
    assert bad.status_code == 422 and "date de réalisation" in bad.json["message"]
    done = client.patch(
        f"/api/v1/group/milestones/{first}",
        json={"planned_date": "2013-09-30", "status": "done", "actual_date": "2013-09-27"},
        headers=headers,
    )
    assert done.status_code == 200 and done.json["overdue"] is False
    later = (date.today() + timedelta(days=30)).isoformat()
    client.patch(
        f"/api/v1/group/milestones/{listed[5]['id']}",
        json={"planned_date": later, "status": "in_progress"},
        headers=headers,
    )
    overdue = client.get("/api/v1/group", headers=headers).json["overdue_milestones"]
    assert [m["position"] for m in overdue] == [2, 3, 4, 5]
    sign_in(client, world.coordinator)
    home = client.get("/group/").get_data(as_text=True)
    assert "4 étape(s) du calendrier en retard" in home and "Remise des offres" in home
    with context(session, SYSTEM):
        assert session.get(Milestone, first).actual_date == date(2013, 9, 27)


def test_contracts_and_lots_in_cents(client, world):
    headers = bearer(world.coordinator)
    contract = client.post(
        "/api/v1/group/contracts",
        json={"reference": "M-1", "title": "Tablettes", "supplier": "Titulaire SAS", "start_date": "2014-01-01"},
        headers=headers,
    )
    assert contract.status_code == 201
    lots = f"/api/v1/group/contracts/{contract.json['id']}/lots"
    floats = client.post(lots, json={"number": 1, "title": "Tablettes", "equipment_cents": 12.5}, headers=headers)
    assert floats.status_code == 422 and "Nombre entier attendu." in str(floats.json)
    lot = client.post(
        lots, json={"number": 1, "title": "Tablettes", "units": 80, "equipment_cents": 5_432_100}, headers=headers
    )
    assert lot.status_code == 201 and lot.json["equipment_cents"] == 5_432_100
    assert client.post(lots, json={"number": 1, "title": "Doublon"}, headers=headers).status_code == 422
    sign_in(client, world.coordinator)
    assert "54\u202f321,00\u00a0€" in client.get("/group/contracts").get_data(as_text=True)
    edit = post(client, f"/group/lots/{lot.json['id']}", {"number": 1, "title": "Tablettes 10 pouces", "units": 80,
                "equipment_cents": 5_000_000, "licences_cents_per_year": 0, "support_cents_per_year": 100})  # fmt: skip
    assert edit.status_code == 302
    assert client.get(f"/api/v1/group/contracts/{contract.json['id']}", headers=headers).json["lots"][0]["title"] == (
        "Tablettes 10 pouces"
    )


def test_members_agreement_signature_and_withdrawal(client, session, world, tmp_path):
    sign_in(client, world.coordinator)
    pdf = clean_pdf(tmp_path / "convention.pdf").read_bytes()
    not_pdf = post(
        client, "/group/agreement/upload", {"file": (io.BytesIO(b"hello"), "c.pdf")}, content_type="multipart/form-data"
    )
    assert not_pdf.status_code == 422
    uploaded = post(
        client,
        "/group/agreement/upload",
        {"file": (io.BytesIO(pdf), "convention.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    assert client.get("/group/agreement/file").data == pdf
    city = next(m for m in operations.memberships(world.group) if m.tenant_id == world.city.id)
    half = post(client, f"/group/members/{city.id}", {"seats": 25, "agreement_signed_on": "2013-09-30"})
    assert half.status_code == 422 and "le nom du signataire" in half.get_data(as_text=True)
    signed = post(client, f"/group/members/{city.id}", {"seats": 25, "agreement_signed_on": "2013-09-30",
                  "agreement_signed_by": "le maire"})  # fmt: skip
    assert signed.status_code == 302
    assert "le 30/09/2013 par le maire" in client.get("/group/").get_data(as_text=True)
    headers = bearer(world.coordinator)
    agglo = next(m for m in operations.memberships(world.group) if m.tenant_id == world.agglo.id)
    withdrawal = client.post(
        f"/api/v1/group/members/{agglo.id}/withdrawal",
        json={"withdrawn_on": "2016-12-31", "withdrawal_effect": "Paie sa part de 2016 (article 9).",
              "withdrawal_amount_cents": 120_000},
        headers=headers,
    )  # fmt: skip
    assert withdrawal.status_code == 200 and withdrawal.json["active"] is False
    region = next(m for m in operations.memberships(world.group) if m.tenant_id == world.region.id)
    refused = client.post(
        f"/api/v1/group/members/{region.id}/withdrawal",
        json={"withdrawn_on": "2016-12-31", "withdrawal_effect": "x"},
        headers=headers,
    )
    assert refused.status_code == 422 and "coordonnateur" in refused.json["message"]
    # withdrawn members leave the saving and the cost sharing
    assert client.get("/api/v1/group/savings", headers=headers).json["members"] == 5


def test_the_members_page_shows_names_and_devices_never_dossiers(client, session, world):
    with context(session, TenantContext(tenant_id=world.city.id)):
        sitting = sittings.create_sitting(
            world.city, world.city.assemblies[0], starts_at=datetime(2027, 3, 15, 17, tzinfo=UTC),
            place="Salle secrète", actor=None,
        )  # fmt: skip
        sittings.add_item(sitting, title="Point confidentiel du budget", actor=None)
    sign_in(client, world.coordinator)
    page = client.get("/group/members").get_data(as_text=True)
    assert world.both.full_name in page and "Ville test (1)" in page and "Région test (1)" in page
    assert "Point confidentiel" not in page and "Salle secrète" not in page


def test_usage_and_paper_saved_are_counts_of_convened_sittings(client, session, world, tmp_path):
    with context(session, TenantContext(tenant_id=world.city.id)):
        sitting = sittings.create_sitting(
            world.city,
            world.city.assemblies[0],
            starts_at=datetime(2027, 3, 15, 17, tzinfo=UTC),
            place="Mairie",
            actor=None,
        )
        item = sittings.add_item(sitting, title="Point", actor=None)
        for name, pages in (("r.pdf", 3), ("a.pdf", 5)):
            add_item_document(item, "report" if pages == 3 else "annex", name, io.BytesIO(
                clean_pdf(tmp_path / name, pages=pages).read_bytes()), name, None)  # fmt: skip
        draft = sittings.create_sitting(
            world.city,
            world.city.assemblies[0],
            starts_at=datetime(2027, 4, 15, 17, tzinfo=UTC),
            place="Mairie",
            actor=None,
        )
        sitting.status = SittingStatus.CONVENED
        sent = datetime(2026, 11, 2, 9, tzinfo=UTC)
        for person in (world.both, world.city_member, world.city_admin):
            session.add(Convocation(tenant_id=world.city.id, person_id=person.id, sitting_id=sitting.id,
                                    kind=ConvocationKind.CONVOCATION, created_at=sent))  # fmt: skip
            session.add(Convocation(tenant_id=world.city.id, person_id=person.id, sitting_id=draft.id,
                                    kind=ConvocationKind.CONVOCATION, created_at=sent))  # fmt: skip
        session.flush()
    with context(session, SYSTEM):
        authentication.open_session(world.both, mfa_verified=True, ip=None, user_agent="tablette")
        authentication.open_session(world.both, mfa_verified=True, ip=None, user_agent="ordinateur")
        paper = reports.paper_saved(world.group)
        assert paper.pages == {(world.city.id, "2026-11"): (3 + 5) * 3}  # the draft's convocations do not count
        usage = {u.membership.tenant_id: u for u in reports.usage(world.group, date(2026, 11, 1), date.today())}
    assert (usage[world.city.id].documents_distributed, usage[world.city.id].logins) == (2 * 3, 2)
    assert (usage[world.region.id].active_members, usage[world.doubs.id].active_members) == (1, 0)
    headers = bearer(world.coordinator)
    rows = client.get("/api/v1/group/paper", headers=headers).json
    assert rows == [{"tenant_id": world.city.id, "tenant_name": "Ville test", "month": "2026-11", "pages": 24}]
    assert client.get("/api/v1/group/usage?start=2026-11-01&end=2026-10-01", headers=headers).status_code == 422
    sign_in(client, world.coordinator)
    page = client.get("/group/paper").get_data(as_text=True)
    assert "<svg" in page and '<title id="chart-title">' in page and "<td>24</td>" in page
    assert client.get("/group/usage?start=2026-11-01").status_code == 200


def test_the_main_menu_marks_the_console_on_each_of_its_pages(client, world):
    """The console's pages come from several blueprints; the "Groupement" menu entry is current on all."""
    sign_in(client, world.coordinator)
    current = '<a href="/group/" aria-current="page">'
    for url in ("/group/", "/group/members", "/group/contracts", "/group/devices", "/group/usage", "/group/paper"):
        assert current in client.get(url).get_data(as_text=True), url
    assert current not in client.get("/account").get_data(as_text=True)


def test_the_chart_is_readable_without_colour():
    svg = charts.grouped_bars("Pages", "desc", ["2026-10", "2026-11"], ["Ville <A>", "Région"],
                              {("Ville <A>", "2026-11"): 1200, ("Région", "2026-10"): 30})  # fmt: skip
    assert "Ville &lt;A&gt;" in svg and 'fill="url(#p-solid)"' in svg and 'fill="url(#p-stripes)"' in svg
    assert ">1\u202f200</text>" in svg and 'role="img"' in svg


def test_the_chart_fits_its_box_with_its_whole_legend():
    """The drawing scales to the page (viewBox, width 100 %); every legend name lies inside the drawing."""
    names = ["Communauté d'Agglomération du Grand Besançon", "Département du Doubs", "Région de Franche-Comté"]
    svg = charts.grouped_bars("Pages", "desc", ["2026-12"], names, {(name, "2026-12"): 10 for name in names})
    width = float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg).group(1))
    assert 'width="100%"' in svg and 'width="' + str(int(width)) + '"' not in svg
    for name in names:
        x = float(re.search(r'<text x="([\d.]+)" y="[\d.]+" font-size="14">' + re.escape(escape(name)), svg).group(1))
        assert x + charts._text_width(name, 14) <= width


def test_the_console_sub_navigation_marks_the_current_section(client, world):
    sign_in(client, world.coordinator)
    page = client.get("/group/paper").get_data(as_text=True)
    assert '<nav class="subnav" aria-label="Sections du groupement">' in page
    assert '<a class="subnav__link" href="/group/paper" aria-current="page">Papier économisé</a>' in page
    assert '<a class="subnav__link" href="/group/members">Élus</a>' in page


def test_a_person_in_several_collectivities_chooses_a_primary_one_on_the_account_page(client, session, world):
    sign_in(client, world.both)
    page = client.get("/account").get_data(as_text=True)
    assert "Collectivité principale" in page
    assert post(client, "/account/primary-tenant", {"tenant": world.outsider_tenant.id}).status_code == 400
    assert post(client, "/account/primary-tenant", {"tenant": world.city.id}).status_code == 302
    with context(session, SYSTEM):
        session.refresh(world.both)
        assert world.both.primary_tenant_id == world.city.id
    sign_in(client, world.city_member)
    assert "Collectivité principale" not in client.get("/account").get_data(as_text=True)


def test_creating_the_group_once(client, session, create_tenant, create_person):
    region = create_tenant(is_coordinator=True)
    coordinator = create_person(is_coordinator=True)
    sign_in(client, coordinator)
    with context(session, SYSTEM):
        assert operations.current_group() is None
    assert "Créer le groupement" in client.get("/group/").get_data(as_text=True)
    done = post(client, "/group/new", {"name": "Groupement", "coordinator": region.id,
                "joining_reference": "D-1", "joined_on": "2013-06-28"})  # fmt: skip
    assert done.status_code == 302
    with context(session, SYSTEM):
        group = operations.current_group()
        assert len(operations.milestones(group)) == 6 and operations.memberships(group)[0].tenant_id == region.id
        assert session.execute(sa.select(sa.func.count()).select_from(Milestone)).scalar_one() == 6
