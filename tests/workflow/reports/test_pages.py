"""The drafters' report pages: a drafter creates, edits and submits a report and is warned when the sitting is
too close; the report page shows the circuit's progress, the committee's opinion as the deliberation quotes
it, and the history with the SHA-256 of the documents seen (marked when given on an earlier version); urgent
validation is offered to its grant's holders only; another collectivity's report is a 404; the services'
admin page creates a service, names its head and gives drafter grants."""

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from saas.core.database import SYSTEM, context
from saas.documents.operations import add_document, replace_document
from saas.identity.models import GrantKind, TenantGrant
from saas.reports import operations as reports
from saas.reports.models import Report, ReportStatus, Service
from saas.workflow import operations as engine
from saas.workflow.models import TaskState
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.web import login, post, text
from tests.fixtures.workflow import persons, step


@pytest.fixture
def pdf(tmp_path):
    return lambda name="r.pdf", pages=3: io.BytesIO(clean_pdf(tmp_path / name, pages=pages).read_bytes())


@pytest.fixture
def circuit(town, make_circuit):
    return make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique", deadline={"days_after_arrival": 3}),
        step(
            "avis",
            {"kind": "role", "role": "president", "assembly": "commission-1"},
            name="Avis de la Commission n° 1",
            kind="committee_opinion",
        ),
        step("secretariat", {"kind": "grant", "grant": "secretary", "assembly": "target"}, name="Visa du secrétariat"),
    )


def open_of(run, key=None):
    return [t for t in engine.tasks_of(run) if t.state == TaskState.OPEN and key in (None, t.step_key)]


def url(town, path=""):
    return f"/t/{town.tenant.slug}/rapports{path}"


def url_for_home(client, town):
    with client.application.test_request_context():
        return url_for("tenancy.home", tenant_slug=town.tenant.slug)


def form(town, **values):
    return {
        "service": town.service.id,
        "title": "Tarifs de la piscine 2027",
        "subject_code": "7.2",
        "rapporteur": 0,
        "assembly": town.council.id,
        "sitting": 0,
    } | values


def test_a_drafter_creates_edits_and_submits_a_report(client, session, town, circuit, clock):
    login(client, town.drafter)
    home = client.get(url_for_home(client, town))
    assert f'href="{url(town)}"' in home.get_data(as_text=True)  # the collectivity's home links to the list
    listing = client.get(url(town))
    assert listing.status_code == 200 and "Nouveau rapport" in text(listing)
    page = client.get(url(town, "/nouveau"))
    assert page.status_code == 200
    assert f'<option value="{town.service.id}">Direction du numérique</option>' in page.get_data(as_text=True)
    created = post(client, url(town, "/nouveau"), form(town, rapporteur=town.validator_a.id))
    assert created.status_code == 302
    report = session.execute(sa.select(Report).where(Report.title == "Tarifs de la piscine 2027")).scalar_one()
    assert report.drafter_id == town.drafter.id and report.rapporteur_id == town.validator_a.id
    assert created.headers["Location"].endswith(url(town, f"/{report.id}"))
    edited = post(client, url(town, f"/{report.id}/modifier"), form(town, title="Tarifs de la piscine 2027-2028"))
    assert edited.status_code == 302
    session.refresh(report)
    assert report.title == "Tarifs de la piscine 2027-2028" and report.rapporteur_id is None
    assert report.title in text(client.get(url(town)))
    submitted = post(client, url(town, f"/{report.id}/soumettre"), follow_redirects=True)
    body = text(submitted)
    assert "Rapport soumis au circuit « Circuit circuit-test » (version 1) : l'étape « Visa juridique » attend" in body
    assert town.validator_a.full_name in body
    session.refresh(report)
    assert report.status == ReportStatus.IN_CIRCUIT
    # frozen now: no edit, no second submission
    assert client.get(url(town, f"/{report.id}/modifier")).status_code == 404
    again = post(client, url(town, f"/{report.id}/soumettre"), follow_redirects=True)
    assert "Ce rapport est déjà en cours de validation, ou validé." in text(again)


def test_a_refused_form_says_why_in_french_and_writes_nothing(client, session, town, circuit):
    login(client, town.drafter)
    refused = post(client, url(town, "/nouveau"), form(town, subject_code="72"))
    assert refused.status_code == 422
    assert "« 72 » n'est pas un code matière @ctes" in text(refused)
    empty = post(client, url(town, "/nouveau"), form(town, title=""))
    assert empty.status_code == 422 and "Ce champ est obligatoire." in text(empty)
    other_sitting = post(client, url(town, "/nouveau"), form(town, assembly=town.committee.id))
    assert other_sitting.status_code == 302  # the committee is an assembly of the collectivity too
    assert session.execute(sa.select(sa.func.count()).select_from(Report)).scalar_one() == 1


def test_submission_flashes_the_plan_that_cannot_be_held(
    client, session, town, circuit, make_report, create_sitting, clock
):
    starts_at = datetime.combine(date.today() + timedelta(days=8), time(17), tzinfo=UTC)
    sitting = create_sitting(town.tenant, starts_at=starts_at, convene=False, assembly=town.council)
    report = make_report(town, sitting=sitting)
    login(client, town.drafter)
    page = post(client, url(town, f"/{report.id}/soumettre"), follow_redirects=True)
    html = page.get_data(as_text=True)
    flashes = re.findall(r'<p class="flash flash--warning"[^>]*>([^<]*)</p>', html)
    assert flashes and flashes[0].startswith("Ce calendrier ne peut pas être tenu : l&#39;étape « Visa juridique »")
    assert any("Étape « Visa juridique » : à finir au plus tard le" in line and "en retard" in line for line in flashes)
    # the report page keeps showing them while the circuit runs
    again = text(client.get(url(town, f"/{report.id}")))
    assert "Ce calendrier ne peut pas être tenu" in again and "en retard" in again


def test_a_sitting_far_enough_flashes_no_warning(client, town, circuit, make_report, create_sitting):
    sitting = create_sitting(town.tenant, starts_at=MONDAY_15_MARCH_2027, convene=False, assembly=town.council)
    report = make_report(town, sitting=sitting)
    login(client, town.drafter)
    html = post(client, url(town, f"/{report.id}/soumettre"), follow_redirects=True).get_data(as_text=True)
    assert "flash--warning" not in html and "flash--success" in html


def test_the_report_page_shows_progress_opinion_and_history_with_outdated_marks(
    client, session, town, circuit, make_report, pdf
):
    report = make_report(town)
    with context(session, SYSTEM):
        document = add_document(report, "report", "Projet de délibération", pdf(), "p.pdf", town.drafter)
        first_sha = document.current_version.sha256
        run = engine.submit(report, town.drafter)
        engine.approve(open_of(run, "visa")[0], town.validator_a, comment="Vu pour le juridique.")
        engine.give_opinion(
            open_of(run, "avis")[0],
            town.committee_president,
            "unfavourable",
            counts={"for": 3, "against": 5, "abstain": 1},
            comment="Le tarif réduit manque.",
        )
        replace_document(document, pdf("v2.pdf", pages=2), "v2.pdf", town.drafter, "Tarif réduit ajouté")
        second_sha = document.current_version.sha256
    # the visa asks again after the change (reapprove_after_change by default)
    login(client, town.drafter)
    page = client.get(url(town, f"/{report.id}"))
    assert page.status_code == 200
    html, body = page.get_data(as_text=True), text(page)
    assert "« sur avis défavorable de la Commission n° 1 (3 pour, 5 contre, 1 abstention) »" in body
    assert 'data-step="visa" data-state="current"' in html
    assert re.search(r'data-step="avis" data-state="to_come"', html)
    assert f"Projet de délibération v1 {first_sha[:12]}" in body
    assert second_sha[:12] in body  # the current version, in the documents list
    approvals = re.findall(r'<li data-action="(\w+)"( data-outdated)?>', html)
    assert approvals[:3] == [("submit", ""), ("approve", " data-outdated"), ("give_opinion", " data-outdated")]
    assert body.count("donné sur une version antérieure") == 2
    assert "Vu pour le juridique." in body and "Le tarif réduit manque." in body
    assert town.validator_a.full_name in body and town.committee_president.full_name in body
    assert f'href="/t/{town.tenant.slug}/rapports/{report.id}/documents"' in html
    with context(session, SYSTEM):
        engine.approve(open_of(run, "visa")[0], town.validator_a)
    html = client.get(url(town, f"/{report.id}")).get_data(as_text=True)
    assert re.findall(r'<li data-action="approve"( data-outdated)?>', html) == [" data-outdated", ""]


def test_urgent_validation_only_for_holders_of_the_grant(client, session, town, circuit, make_report):
    report = make_report(town)
    with context(session, SYSTEM):
        engine.submit(report, town.drafter)
    page = url(town, f"/{report.id}")
    login(client, town.drafter)
    assert "Valider en urgence" not in text(client.get(page))
    assert post(client, url(town, f"/{report.id}/urgence"), {"reason": "Délai"}).status_code == 404
    login(client, town.head)  # an admin, without the urgent-validation right
    assert "Valider en urgence" not in text(client.get(page))
    assert post(client, url(town, f"/{report.id}/urgence"), {"reason": "Délai"}).status_code == 404
    login(client, town.urgent)
    assert "Valider en urgence" in text(client.get(page))
    assert report.title in text(client.get(url(town)))  # the right's holders see every report
    empty = post(client, url(town, f"/{report.id}/urgence"), {"reason": " "}, follow_redirects=True)
    assert "Indiquez le motif de l&#39;urgence." in empty.get_data(as_text=True)
    session.refresh(report)
    assert report.status == ReportStatus.IN_CIRCUIT
    done = post(client, url(town, f"/{report.id}/urgence"), {"reason": "Délai de la préfecture"}, follow_redirects=True)
    assert "Rapport validé en urgence" in text(done)
    session.refresh(report)
    assert report.status == ReportStatus.READY
    html = done.get_data(as_text=True)
    assert '<li data-action="validate_urgently">' in html and "Délai de la préfecture" in html
    assert 'data-step="visa" data-state="skipped"' in html
    assert "Valider en urgence" not in text(client.get(page))  # nothing left to validate


def test_another_collectivitys_report_is_a_404(client, town, make_collectivity, make_report, give_mandate):
    report = make_report(town)
    other = make_collectivity(name="Collectivité voisine")
    login(client, other.head)
    assert client.get(f"/t/{other.tenant.slug}/rapports/{report.id}").status_code == 404
    assert client.get(f"/t/{other.tenant.slug}/rapports/{report.id}/modifier").status_code == 404
    assert report.title not in text(client.get(f"/t/{other.tenant.slug}/rapports"))
    assert client.get(url(town, f"/{report.id}")).status_code == 404  # not even through its own slug
    login(client, town.other_member)  # a member of the council, asked nothing
    assert client.get(url(town, f"/{report.id}")).status_code == 404
    assert report.title not in text(client.get(url(town)))
    assert client.get(url(town, "/nouveau")).status_code == 404  # drafters only


def test_a_service_colleague_sees_the_services_reports(client, session, town, make_report, create_person, give_grant):
    report = make_report(town)
    colleague = create_person(first_name="Colette")
    with context(session, SYSTEM):
        reports.give_drafter_grant(colleague, town.service, actor=None)
    login(client, colleague)
    assert report.title in text(client.get(url(town)))
    assert client.get(url(town, f"/{report.id}")).status_code == 200
    assert client.get(url(town, f"/{report.id}/modifier")).status_code == 404  # its drafter's to edit


def test_the_services_page_creates_a_service_names_its_head_and_gives_drafter_grants(client, session, town):
    base = f"/t/{town.tenant.slug}/admin/services"
    login(client, town.drafter)
    assert client.get(base).status_code == 404
    login(client, town.head)
    page = client.get(base)
    assert page.status_code == 200 and "Direction du numérique" in text(page)
    created = post(client, base, {"name": "Direction des sports", "head": town.validator_a.id})
    assert created.status_code == 302
    service = session.execute(sa.select(Service).where(Service.name == "Direction des sports")).scalar_one()
    assert service.head_person_id == town.validator_a.id
    twice = post(client, base, {"name": "Direction des sports", "head": 0})
    assert twice.status_code == 422 and "Un service « Direction des sports » existe déjà." in text(twice)
    post(client, f"{base}/{service.id}/chef", {f"head-{service.id}-head": town.validator_b.id})
    session.refresh(service)
    assert service.head_person_id == town.validator_b.id
    given = post(client, f"{base}/{service.id}/redacteurs", {f"drafter-{service.id}-person": town.secretary.id})
    assert given.status_code == 302
    grant = session.execute(
        sa.select(TenantGrant).where(TenantGrant.person_id == town.secretary.id, TenantGrant.kind == GrantKind.DRAFTER)
    ).scalar_one()
    assert grant.service_id == service.id
    assert f'href="{base}"' in client.get(f"/t/{town.tenant.slug}/admin/grants").get_data(as_text=True)


def test_a_current_step_past_its_deadline_is_marked(client, session, town, circuit, make_report, clock):
    report = make_report(town)
    with context(session, SYSTEM):
        engine.submit(report, town.drafter)
    login(client, town.drafter)
    assert "data-overdue" not in client.get(url(town, f"/{report.id}")).get_data(as_text=True)
    clock.shift(timedelta(days=5))
    login(client, town.drafter)
    html = client.get(url(town, f"/{report.id}")).get_data(as_text=True)
    assert re.search(r'data-step="visa" data-state="current">.*?data-overdue', html, re.S)
