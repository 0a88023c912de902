"""Putting an act into a circuit for acts to sign, from the report page and the API: offered to the sitting's
secretariat (and admins) once the report is on an agenda, never to anyone else; a bad choice or a second
start is refused in French with nothing written."""

import sqlalchemy as sa

from saas.core.database import TenantContext, context
from saas.core.extensions import db
from saas.reports.models import Report
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest
from saas.workflow import definitions
from saas.workflow.models import AppliesTo, RunState, WorkflowRun
from tests.fixtures.web import bearer, login, post, text


def _report_id(city) -> int:
    return city.version.document.report_id


def _runs(city) -> list[WorkflowRun]:
    db.session.expire_all()
    with context(db.session, TenantContext(tenant_id=city.tenant.id)):
        return list(db.session.execute(sa.select(WorkflowRun).order_by(WorkflowRun.id)).scalars())


def _requests(city) -> int:
    with context(db.session, TenantContext(tenant_id=city.tenant.id)):
        return db.session.execute(sa.select(sa.func.count(SignatureRequest.id))).scalar_one()


def test_the_secretariat_puts_the_act_into_its_circuit_from_the_report_page(client, acts):
    city = acts
    url = f"/t/{city.tenant.slug}/rapports/{_report_id(city)}"
    login(client, city.mayor)  # sees the report as the council's president, may not start the signature
    page = client.get(url)
    assert page.status_code in (200, 404) and "data-start-signing" not in page.get_data(as_text=True)
    login(client, city.secretariat)
    html = client.get(url).get_data(as_text=True)
    assert "data-start-signing" in html and "Signature des délibérations" in html
    [circuit] = definitions.active_definitions(city.tenant.id, AppliesTo.ACTS)
    bad = post(client, url + "/faire-signer", {"definition": "999999"}, follow_redirects=True)
    assert "Choisissez un circuit de signature parmi ceux proposés." in text(bad)
    assert _runs(city) == [] and _requests(city) == 0
    started = post(client, url + "/faire-signer", {"definition": str(circuit.id)}, follow_redirects=True)
    assert "Acte mis à la signature dans le circuit « Signature des délibérations » (version 1)" in text(started)
    assert "l'étape « " in text(started) and city.mayor.full_name in text(started)
    assert "data-start-signing" not in started.get_data(as_text=True)  # its circuit runs now
    [run] = _runs(city)
    assert run.state == RunState.RUNNING and run.version.definition.applies_to == AppliesTo.ACTS
    assert _requests(city) == 1
    again = post(client, url + "/faire-signer", {"definition": str(circuit.id)}, follow_redirects=True)
    assert "Un circuit de ce rapport est déjà en cours." in text(again)
    assert len(_runs(city)) == 1 and _requests(city) == 1


def test_the_act_is_put_to_signature_through_the_api(client, acts):
    city = acts
    url = f"/api/v1/tenants/{city.tenant.slug}/reports/{_report_id(city)}/sign"
    refused = client.post(url, headers=bearer(city.secretariat), json={"definition_id": 999999})
    assert refused.status_code == 422 and "n'existe pas ici" in refused.get_json()["message"]
    for body in ([], {"definition_id": "x"}, {"autre": 1}):
        assert client.post(url, headers=bearer(city.secretariat), json=body).status_code == 422
    assert _runs(city) == []
    answer = client.post(url, headers=bearer(city.secretariat), json={})
    assert answer.status_code == 200, answer.get_json()
    [run] = _runs(city)
    assert run.version.definition.applies_to == AppliesTo.ACTS
    with context(db.session, TenantContext(tenant_id=city.tenant.id)):
        assert db.session.get(Report, _report_id(city)) is not None
    twice = client.post(url, headers=bearer(city.secretariat), json={})
    assert twice.status_code == 422 and "déjà en cours" in twice.get_json()["message"]


def test_an_act_already_in_the_signature_book_is_not_offered(client, acts):
    city = acts
    with context(db.session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        book.request_signatures(
            city.tenant, title="Délibération n° 44", signers=[book.Signer(city.mayor, "Président")],
            actor=city.secretariat, version=city.version,
        )  # fmt: skip
    url = f"/t/{city.tenant.slug}/rapports/{_report_id(city)}"
    login(client, city.secretariat)
    assert "data-start-signing" not in client.get(url).get_data(as_text=True)
    refused = post(client, url + "/faire-signer", {"definition": "1"}, follow_redirects=True)
    assert "Ce document attend déjà des signatures dans le parapheur." in text(refused)
    assert _runs(city) == []
