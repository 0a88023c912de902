"""The reports API and the circuits API: each route, its 404 for what the caller may not see, its 422 in
French for bad input (missing fields, unknown fields, invalid JSON, ids out of range), nothing half-written."""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.documents.operations import add_document
from saas.reports.models import Report, ReportStatus
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.editor.operations import read_toml
from saas.workflow.models import TaskState, WorkflowRun
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.web import bearer
from tests.fixtures.workflow import persons, step


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
    )


def base(town, path=""):
    return f"/api/v1/tenants/{town.tenant.slug}/reports{path}"


def body(town, **values):
    return {
        "service_id": town.service.id,
        "title": "Tarifs 2027",
        "subject_code": "7.2",
        "assembly_id": town.council.id,
    } | values


def count(session, model) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_a_drafter_creates_reads_changes_and_submits_a_report(client, session, town, circuit, create_sitting, clock):
    headers = bearer(town.drafter)
    created = client.post(base(town), json=body(town, rapporteur_id=town.validator_a.id), headers=headers)
    assert created.status_code == 201, created.json
    report = created.json
    assert report["status"] == "draft" and report["editable"] is True and report["circuit"] is None
    assert (
        report["rapporteur_name"] == town.validator_a.full_name and report["service_name"] == "Direction du numérique"
    )
    listed = client.get(base(town), headers=headers)
    assert [row["id"] for row in listed.json] == [report["id"]]
    starts_at = datetime.combine(date.today() + timedelta(days=8), time(17), tzinfo=UTC)
    sitting = create_sitting(town.tenant, starts_at=starts_at, convene=False, assembly=town.council)
    patched = client.patch(
        base(town, f"/{report['id']}"), json={"sitting_id": sitting.id, "rapporteur_id": None}, headers=headers
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["sitting_id"] == sitting.id and patched.json["rapporteur_id"] is None
    assert patched.json["title"] == "Tarifs 2027"  # unchanged
    submitted = client.post(base(town, f"/{report['id']}/submit"), json={}, headers=headers)
    assert submitted.status_code == 200, submitted.json
    answer = submitted.json
    assert answer["status"] == "in_circuit" and answer["editable"] is False
    assert answer["warning"][0].startswith("Ce calendrier ne peut pas être tenu : l'étape « Visa juridique »")
    circuit_view = answer["circuit"]
    assert circuit_view["state"] == "running" and circuit_view["definition_key"] == "circuit-test"
    assert [(s["key"], s["state"]) for s in circuit_view["steps"]] == [("visa", "current"), ("avis", "to_come")]
    assert circuit_view["steps"][0]["tasks"][0]["person_name"] == town.validator_a.full_name
    assert circuit_view["steps"][0]["late"] is True
    frozen = client.patch(base(town, f"/{report['id']}"), json={"title": "Autre"}, headers=headers)
    assert frozen.status_code == 422
    assert frozen.json["message"] == "Ce rapport est en cours de validation ou validé : il ne peut plus être modifié."
    again = client.post(base(town, f"/{report['id']}/submit"), json={}, headers=headers)
    assert (
        again.status_code == 422 and again.json["message"] == "Ce rapport est déjà en cours de validation, ou validé."
    )
    assert count(session, WorkflowRun) == 1


def test_the_history_and_the_opinion(client, session, town, circuit, make_report, tmp_path):
    report = make_report(town)
    with context(session, SYSTEM):
        pdf = io.BytesIO(clean_pdf(tmp_path / "p.pdf").read_bytes())
        document = add_document(report, "report", "Projet", pdf, "p.pdf", town.drafter)
        run = engine.submit(report, town.drafter)
        [visa] = [t for t in engine.tasks_of(run) if t.state == TaskState.OPEN]
        engine.approve(visa, town.validator_a, comment="Vu.")
        [avis] = [t for t in engine.tasks_of(run) if t.state == TaskState.OPEN]
        engine.give_opinion(avis, town.committee_president, "favourable", unanimous=True)
    headers = bearer(town.drafter)
    history = client.get(base(town, f"/{report.id}/history"), headers=headers)
    assert history.status_code == 200
    assert [entry["kind"] for entry in history.json] == ["submit", "approve", "give_opinion"]
    approval = history.json[1]
    assert approval["actor_name"] == town.validator_a.full_name and approval["comment"] == "Vu."
    assert approval["documents"] == [
        {"document_title": "Projet", "number": 1, "sha256": document.current_version.sha256}
    ]
    assert approval["outdated"] is False and approval["step_name"] == "Visa juridique"
    detail = client.get(base(town, f"/{report.id}"), headers=headers).json
    assert detail["committee_opinion"] == "sur avis favorable unanime de la Commission n° 1"
    assert detail["status"] == "ready" and detail["documents"][0]["sha256"] == document.current_version.sha256


def test_bad_input_is_a_422_in_french_and_writes_nothing(client, session, town, circuit, make_collectivity):
    headers = bearer(town.drafter)
    before = count(session, Report)
    missing = client.post(base(town), json={}, headers=headers)
    assert missing.status_code == 422
    assert missing.json["errors"]["json"]["title"] == ["Champ obligatoire."]
    assert missing.json["errors"]["json"]["service_id"] == ["Champ obligatoire."]
    unknown = client.post(base(town), json=body(town, colour="rouge"), headers=headers)
    assert unknown.status_code == 422 and unknown.json["errors"]["json"]["colour"] == ["Champ inconnu."]
    not_json = client.post(base(town), data="{ pas du json", content_type="application/json", headers=headers)
    assert not_json.status_code in (400, 422) and not_json.json["message"]
    not_object = client.post(base(town), json=[1, 2], headers=headers)
    assert not_object.status_code == 422 and not_object.json["errors"]["json"]["_schema"] == [
        "Un objet JSON est attendu."
    ]
    too_big = client.post(base(town), json=body(town, assembly_id=2**31), headers=headers)
    assert too_big.status_code == 422 and "assembly_id" in too_big.json["errors"]["json"]
    negative = client.post(base(town), json=body(town, service_id=-1), headers=headers)
    assert negative.status_code == 422 and negative.json["errors"]["json"]["service_id"]
    code = client.post(base(town), json=body(town, subject_code="72"), headers=headers)
    assert code.status_code == 422 and code.json["errors"]["json"]["subject_code"][0].startswith("« 72 » n'est pas")
    other = make_collectivity(name="Collectivité voisine")
    foreign = client.post(base(town), json=body(town, assembly_id=other.council.id), headers=headers)
    assert foreign.status_code == 422 and foreign.json["message"] == "Assemblée inconnue dans cette collectivité."
    foreign_service = client.post(base(town), json=body(town, service_id=other.service.id), headers=headers)
    assert foreign_service.status_code == 422 and foreign_service.json["errors"]["json"]["service"]
    not_an_elu = client.post(base(town), json=body(town, rapporteur_id=other.validator_a.id), headers=headers)
    assert not_an_elu.status_code == 422
    not_a_drafter = client.post(base(town), json=body(town), headers=bearer(town.other_member))
    assert not_a_drafter.status_code == 422 and "ne rédige pas pour le service" in not_a_drafter.json["message"]
    assert count(session, Report) == before
    created = client.post(base(town), json=body(town), headers=headers).json
    nothing = client.patch(base(town, f"/{created['id']}"), json={}, headers=headers)
    assert nothing.status_code == 200 and nothing.json["title"] == created["title"]
    garbage = client.patch(
        base(town, f"/{created['id']}"), data="nope", content_type="application/json", headers=headers
    )
    assert garbage.status_code in (400, 422) and garbage.json["message"]
    not_an_object = client.patch(base(town, f"/{created['id']}"), json=["title"], headers=headers)
    assert not_an_object.status_code == 422


def test_ids_out_of_range_and_other_collectivities_answer_404(
    client, session, town, circuit, make_report, make_collectivity
):
    report = make_report(town)
    other = make_collectivity(name="Collectivité voisine")
    theirs = make_report(other)
    headers = bearer(town.drafter)
    for path in ("", "/history", "/submit", "/validate-urgently"):
        method = client.get if path in ("", "/history") else client.post
        assert method(base(town, f"/{2**31}{path}"), json={}, headers=headers).status_code == 404
        assert method(base(town, f"/{theirs.id}{path}"), json={}, headers=headers).status_code == 404
        assert (
            method(
                f"/api/v1/tenants/{other.tenant.slug}/reports/{report.id}{path}", json={}, headers=headers
            ).status_code
            == 404
        )
    assert client.patch(base(town, f"/{theirs.id}"), json={"title": "x"}, headers=headers).status_code == 404
    assert client.get(base(town, f"/{report.id}"), headers=bearer(town.other_member)).status_code == 404
    assert client.get(f"/api/v1/tenants/{other.tenant.slug}/reports", headers=headers).status_code == 404
    assert [row["id"] for row in client.get(base(town), headers=bearer(town.other_member)).json] == []


def test_urgent_validation_through_the_api(client, session, town, circuit, make_report):
    report = make_report(town)
    with context(session, SYSTEM):
        engine.submit(report, town.drafter)
    url = base(town, f"/{report.id}/validate-urgently")
    refused = client.post(url, json={"reason": "Délai"}, headers=bearer(town.head))
    assert refused.status_code == 422
    assert refused.json["message"] == "Seul un titulaire du droit de validation d'urgence peut valider en urgence."
    empty = client.post(url, json={}, headers=bearer(town.urgent))
    assert empty.status_code == 422 and empty.json["errors"]["json"]["reason"] == ["Champ obligatoire."]
    done = client.post(url, json={"reason": "Délai de la préfecture"}, headers=bearer(town.urgent))
    assert done.status_code == 200 and done.json["status"] == "ready"
    assert [s["state"] for s in done.json["circuit"]["steps"]] == ["skipped", "skipped"]
    session.refresh(report)
    assert report.status == ReportStatus.READY


def test_the_circuits_api_is_for_admins(client, session, town, circuit, make_collectivity, give_grant):
    url = f"/api/v1/tenants/{town.tenant.slug}/workflow-definitions"
    listed = client.get(url, headers=bearer(town.head))
    assert listed.status_code == 200
    assert [(row["key"], row["status"], row["version"]) for row in listed.json] == [("circuit-test", "active", 1)]
    detail = client.get(f"{url}/{circuit.id}", headers=bearer(town.head))
    assert detail.status_code == 200
    assert [s["key"] for s in detail.json["steps"]] == ["visa", "avis"]
    assert detail.json["versions"][0]["number"] == 1
    assert 'key = "circuit-test"' in detail.json["toml"]
    read_back = read_toml(detail.json["toml"].encode(), "circuit-test.toml")
    assert definitions.fingerprint(read_back) == definitions.latest_version(circuit).sha256
    assert client.get(url, headers=bearer(town.drafter)).status_code == 404
    assert client.get(f"{url}/{circuit.id}", headers=bearer(town.drafter)).status_code == 404
    other = make_collectivity(name="Collectivité voisine")
    assert client.get(f"{url}/{circuit.id}", headers=bearer(other.head)).status_code == 404
    assert (
        client.get(
            f"/api/v1/tenants/{other.tenant.slug}/workflow-definitions/{circuit.id}", headers=bearer(other.head)
        ).status_code
        == 404
    )
    assert client.get(f"{url}/{2**31}", headers=bearer(town.head)).status_code == 404
