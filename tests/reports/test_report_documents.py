"""A report's documents belong to the report: drafted and uploaded before any sitting, read by the people its
circuit asks, carried onto every agenda it is placed on (a committee, then the council); a change during
the circuit is recorded, and the steps that say so approve again."""

import io
import json

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, commit, context
from saas.documents.models import Document
from saas.documents.operations import (
    add_document,
    add_item_document,
    documents_of,
    placed_items,
    replace_document,
    versions_seen,
)
from saas.reports import operations as reports
from saas.reports.models import ReportStatus
from saas.reports.operations import ReportError, place_on_agenda
from saas.sittings.operations import active_items
from saas.workflow import operations as engine
from saas.workflow.models import TaskState
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.web import bearer, login, post
from tests.fixtures.workflow import persons, step


@pytest.fixture
def pdf(tmp_path):
    return lambda name="r.pdf", pages=3: io.BytesIO(clean_pdf(tmp_path / name, pages=pages).read_bytes())


@pytest.fixture
def circuit(town, make_circuit):
    return make_circuit(
        town,
        step("visa", persons(town.validator_a), reapprove_after_change=True),
        step(
            "secretariat", {"kind": "grant", "grant": "secretary", "assembly": "target"}, reapprove_after_change=False
        ),
    )


def open_of(run, key):
    return [t for t in engine.tasks_of(run) if t.state == TaskState.OPEN and t.step_key == key]


def test_the_drafter_uploads_before_any_sitting_and_the_circuit_s_people_read_it(
    client, session, town, circuit, make_report, pdf
):
    report = make_report(town)
    slug, headers = town.tenant.slug, bearer(town.drafter)
    files = {"kind": "report", "title": "Projet de délibération", "file": (pdf(), "projet.pdf")}
    created = client.post(f"/api/v1/tenants/{slug}/reports/{report.id}/documents", data=files, headers=headers)
    assert created.status_code == 201, created.json
    document_id = created.json["id"]
    assert created.json["report_id"] == report.id
    listing = f"/api/v1/tenants/{slug}/reports/{report.id}/documents"
    download = f"/api/v1/tenants/{slug}/documents/{document_id}/versions/1/file"
    # a member of the council, not asked by the circuit: the report is not theirs to read yet
    assert client.get(listing, headers=bearer(town.other_member)).status_code == 404
    assert client.get(download, headers=bearer(town.validator_a)).status_code == 404
    with context(session, SYSTEM):
        run = engine.submit(report, town.drafter)
        commit(session)
    assert client.get(download, headers=bearer(town.validator_a)).status_code == 200
    assert client.get(listing, headers=bearer(town.other_member)).status_code == 404
    [document] = client.get(listing, headers=headers).json["documents"]
    assert document["current_version"]["sha256"]
    with context(session, SYSTEM):
        [task] = open_of(run, "visa")
        engine.approve(task, town.validator_a)
        [action] = engine.actions_of(run)
        assert action.documents == versions_seen(report) and len(action.documents) == 1
    # an upload by someone who may only read is refused like a missing report
    refused = client.post(
        listing.removesuffix("documents") + "documents",
        data={"kind": "annex", "title": "Annexe", "file": (pdf("a.pdf"), "a.pdf")},
        headers=bearer(town.validator_a),
    )
    assert refused.status_code == 404


def test_another_collectivity_sees_nothing_of_the_report(client, session, town, make_collectivity, make_report, pdf):
    report = make_report(town)
    with context(session, SYSTEM):
        add_document(report, "report", "Projet", pdf(), "p.pdf", town.drafter)
        commit(session)
    other = make_collectivity()
    for person in (other.head, other.secretary):
        for url in (
            f"/api/v1/tenants/{town.tenant.slug}/reports/{report.id}/documents",
            f"/api/v1/tenants/{other.tenant.slug}/reports/{report.id}/documents",
        ):
            assert client.get(url, headers=bearer(person)).status_code == 404
    login(client, other.head)
    assert client.get(f"/t/{other.tenant.slug}/rapports/{report.id}/documents").status_code == 404


def test_one_report_goes_to_the_committee_then_to_the_council_with_the_same_documents(
    session, town, circuit, make_report, create_sitting, pdf
):
    report = make_report(town)
    committee_sitting = create_sitting(town.tenant, assembly=town.committee, convene=False, items=0)
    council_sitting = create_sitting(town.tenant, convene=False, items=0)
    with context(session, SYSTEM):
        document = add_document(report, "report", "Projet", pdf(), "p.pdf", town.drafter)
        with pytest.raises(ReportError, match="Soumettez d'abord"):
            place_on_agenda(report, committee_sitting, actor=town.secretary)
        run = engine.submit(report, town.drafter)
        committee_item = place_on_agenda(report, committee_sitting, actor=town.secretary)
        with pytest.raises(ReportError, match="n'a pas terminé son circuit"):
            place_on_agenda(report, council_sitting, actor=town.secretary)
        engine.approve(open_of(run, "visa")[0], town.validator_a)
        engine.approve(open_of(run, "secretariat")[0], town.secretary)
        assert report.status == ReportStatus.READY
        council_item = place_on_agenda(report, council_sitting, actor=town.secretary)
        with pytest.raises(ReportError, match="déjà inscrit"):
            place_on_agenda(report, council_sitting, actor=town.secretary)
        assert committee_item.report_id == council_item.report_id == report.id
        assert [d.id for d in documents_of(committee_item.report)] == [document.id]
        assert {item.id for item in placed_items(report)} == {committee_item.id, council_item.id}
        assert council_item.title == report.title and council_item.subject_code == "8.5"
        assert session.execute(sa.select(sa.func.count()).select_from(Document)).scalar_one() == 1


def test_a_change_after_approval_asks_again_the_steps_that_say_so(session, town, circuit, make_report, pdf):
    report = make_report(town)
    with context(session, SYSTEM):
        document = add_document(report, "report", "Projet", pdf(), "p.pdf", town.drafter)
        run = engine.submit(report, town.drafter)
        engine.approve(open_of(run, "visa")[0], town.validator_a)
        [approval] = engine.actions_of(run)
        assert not engine.approval_outdated(approval, report)
        replace_document(document, pdf("v2.pdf", pages=2), "v2.pdf", town.drafter, "Chiffres corrigés")
        assert engine.approval_outdated(approval, report)
        # the visa must approve again: the circuit is back at it, the secretariat's task is cancelled
        [again] = open_of(run, "visa")
        assert again.person_id == town.validator_a.id and not open_of(run, "secretariat")
        [event] = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "workflow.documents_changed")
        ).scalars()
        data = json.loads(event.data)
        assert data["asked_again_from"] == "visa" and data["version"] == 2
        engine.approve(again, town.validator_a)
        assert [t.step_key for t in engine.tasks_of(run) if t.state == TaskState.OPEN] == ["secretariat"]


def test_a_change_leaves_the_circuit_where_it_is_when_no_approved_step_asks_again(
    session, town, make_circuit, make_report, pdf
):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), reapprove_after_change=False),
        step("secretariat", {"kind": "grant", "grant": "secretary", "assembly": "target"}),
    )
    report = make_report(town)
    with context(session, SYSTEM):
        document = add_document(report, "report", "Projet", pdf(), "p.pdf", town.drafter)
        run = engine.submit(report, town.drafter)
        engine.approve(open_of(run, "visa")[0], town.validator_a)
        [waiting] = open_of(run, "secretariat")
        replace_document(document, pdf("v2.pdf", pages=1), "v2.pdf", town.drafter, "Coquille")
        assert open_of(run, "secretariat") == [waiting] and engine.approval_outdated(engine.actions_of(run)[0], report)


def test_the_secretariat_s_upload_onto_an_item_makes_its_report(session, town, create_sitting, pdf):
    sitting = create_sitting(town.tenant, convene=False)
    with context(session, SYSTEM):
        [item] = active_items(sitting)
        first = add_item_document(item, "report", "Rapport", pdf(), "r.pdf", town.secretary)
        second = add_item_document(item, "annex", "Annexe", pdf("a.pdf"), "a.pdf", town.secretary)
        report = item.report
        assert first.report_id == second.report_id == report.id
        assert report.status == ReportStatus.READY and report.service.name == reports.SECRETARIAT_SERVICE
        assert report.title == item.title and report.sitting_id == sitting.id


def test_the_secretariat_places_a_ready_report_from_the_sitting_page(
    client, session, town, make_circuit, make_report, create_sitting, pdf
):
    make_circuit(town, step("visa", persons(town.validator_a)))
    ready, draft = make_report(town, title="Tarifs du conservatoire"), make_report(town, title="Brouillon")
    sitting = create_sitting(town.tenant, convene=False, items=0)
    with context(session, SYSTEM):
        add_document(ready, "report", "Projet", pdf(), "p.pdf", town.drafter)
        run = engine.submit(ready, town.drafter)
        engine.approve(open_of(run, "visa")[0], town.validator_a)
        commit(session)
    login(client, town.secretary)
    page = client.get(f"/t/{town.tenant.slug}/s/{sitting.id}")
    assert page.status_code == 200 and "Tarifs du conservatoire" in page.text and "Brouillon" not in page.text
    url = f"/t/{town.tenant.slug}/s/{sitting.id}/rapports"
    refused = post(client, url, {"report": str(draft.id)})
    assert "son circuit de validation n&#39;est pas terminé" in refused.text
    assert refused.status_code == 422
    assert post(client, url, {"report": "abc"}).status_code == 422
    placed = post(client, url, {"report": str(ready.id)})
    assert placed.status_code == 302
    page = client.get(f"/t/{town.tenant.slug}/s/{sitting.id}")
    assert "1. Tarifs du conservatoire" in page.text and "Projet" in page.text
    assert post(client, url, {"report": str(ready.id)}).status_code == 422  # already on the agenda
    login(client, town.validator_a)  # a member: not the secretariat
    assert post(client, url, {"report": str(ready.id)}).status_code == 404
