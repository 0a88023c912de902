"""Signature steps: the shipped "actes-a-signer" circuit (the president, then the secretary of the sitting)
puts the deliberation into the signature book, each step's request continuing the signed file of the one
before; a signed request moves the circuit, a refusal in the book is the step's refusal, exactly once."""

import json

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import TenantContext, context
from saas.mail.models import OutboundMail
from saas.reports.models import Report, ReportStatus
from saas.signing import pades
from saas.signing.book import files as book_files
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.workflow import operations as engine
from saas.workflow.access import allowed_actions
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import RunState, TaskState
from tests.fixtures.signing import sign_as


def report_of(session, city) -> Report:
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        return session.get(Report, city.version.document.report_id)


def start(session, city):
    report = report_of(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        return report, engine.start_signing(report, city.secretariat)


def open_tasks(run):
    return [task for task in engine.tasks_of(run) if task.state == TaskState.OPEN]


def requests(session, city) -> list[SignatureRequest]:
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        return list(session.execute(sa.select(SignatureRequest).order_by(SignatureRequest.id)).scalars())


def in_city(session, city):
    return context(session, TenantContext(tenant_id=city.tenant.id))


def test_the_acts_circuit_signs_one_file_by_the_president_then_the_secretary(session, acts):
    city = acts
    report, run = start(session, city)
    status_before = report.status
    (first,) = requests(session, city)
    assert [(s.person_id, s.role, s.status) for s in first.steps] == [(city.mayor.id, "Président de séance", "pending")]
    assert first.document_version_id == city.version.id and first.requested_by_id == city.secretariat.id
    (task,) = open_tasks(run)
    assert (task.step_key, task.person_id) == ("signature-president", city.mayor.id)
    with in_city(session, city):
        # the signer is told by the book (their turn), not by a second "À traiter" mail
        keys = [mail.key for mail in session.execute(sa.select(OutboundMail)).scalars()]
        assert f"signature-request:{first.id}:turn:1" in keys
        assert f"workflow:task:{task.id}" not in keys
        # signing happens in the book only: the engine offers nothing on the task
        assert allowed_actions(city.mayor, task) == frozenset()
        with pytest.raises(WorkflowError, match="Valider"):
            engine.approve(task, city.mayor)

    sign_as(session, city, first, city.mayor)
    assert first.status == RequestStatus.SIGNED
    assert task.state == TaskState.APPROVED and run.position == 1
    first_request, second = requests(session, city)
    # the secretary's request starts from the president's signed file and fills the field prepared for it
    assert second.prepared_blob_id == first.current_blob_id
    assert [(s.person_id, s.role) for s in second.steps] == [(city.member.id, "Secrétaire de séance")]
    (task_2,) = open_tasks(run)
    assert (task_2.step_key, task_2.person_id) == ("signature-secretaire", city.member.id)

    sign_as(session, city, second, city.member)
    assert (run.state, task_2.state) == (RunState.COMPLETED, TaskState.APPROVED)
    assert report.status == status_before == ReportStatus.READY
    with in_city(session, city), book_files.workspace() as folder:
        signed = book_files.write_blob(second.current_blob, folder / "acte.pdf")
        fields = pades.signature_fields(signed)
    assert [field.signed for field in fields] == [True, True]
    actions = engine.actions_of(run)
    assert [a.kind for a in actions] == ["request_signature", "sign", "request_signature", "sign"]
    assert actions[1].actor_id == city.mayor.id and actions[3].actor_id == city.member.id
    assert actions[1].data["sha256"] == first.current_blob.sha256
    assert actions[3].data["sha256"] == second.current_blob.sha256
    assert actions[3].documents == [{"id": city.version.id, "sha256": city.version.sha256}]
    with in_city(session, city):
        signed_events = (
            session.execute(sa.select(AuditEvent).where(AuditEvent.action == "workflow.signed")).scalars().all()
        )
    assert [json.loads(event.data)["sha256"] for event in signed_events] == [
        first.current_blob.sha256,
        second.current_blob.sha256,
    ]

    # a second delivery of the book's signal changes nothing
    with in_city(session, city):
        book.request_closed.send(second)
        book.request_closed.send(first)
    assert len(engine.actions_of(run)) == 4 and run.state == RunState.COMPLETED


def test_a_refusal_in_the_book_is_the_steps_refusal(session, acts):
    city = acts
    report, run = start(session, city)
    (first,) = requests(session, city)
    sign_as(session, city, first, city.mayor)
    _, second = requests(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.member.id)):
        book.refuse(second, city.member, "Le vote n'est pas celui de la séance.")
    # on_refusal = "signature-president": the president is asked again, on a fresh request of the version
    assert (run.state, run.position) == (RunState.RUNNING, 0)
    *_, third = requests(session, city)
    assert third.prepared_blob_id not in (first.current_blob_id, second.prepared_blob_id)
    assert [s.person_id for s in third.steps] == [city.mayor.id]
    refusal = next(a for a in engine.actions_of(run) if a.kind == "refuse")
    assert (refusal.actor_id, refusal.comment) == (city.member.id, "Le vote n'est pas celui de la séance.")
    with in_city(session, city):
        book.request_closed.send(second)  # delivered again: the step has passed
    assert len([a for a in engine.actions_of(run) if a.kind == "refuse"]) == 1

    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.mayor.id)):
        book.refuse(third, city.mayor, "Erreur matérielle dans le dispositif.")
    # the president's step returns to the drafter: the run ends refused, the deliberated report is unchanged
    assert run.state == RunState.REFUSED and report.status == ReportStatus.READY
    assert not open_tasks(run)


def test_a_request_withdrawn_from_the_book_refuses_the_step(session, acts):
    city = acts
    _, run = start(session, city)
    (first,) = requests(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        book.cancel(first, city.secretariat)
    assert run.state == RunState.REFUSED
    assert [a.kind for a in engine.actions_of(run)] == ["request_signature", "signature_withdrawn"]


def test_urgent_validation_withdraws_the_pending_request(session, acts, give_grant):
    from saas.identity.models import GrantKind

    city = acts
    give_grant(city.secretariat, city.tenant, GrantKind.URGENT_VALIDATOR)
    _, run = start(session, city)
    (first,) = requests(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        engine.validate_urgently(run, city.secretariat, "Arrêté de police urgent")
    assert first.status == RequestStatus.CANCELLED and run.state == RunState.COMPLETED
    assert [a.kind for a in engine.actions_of(run)] == ["request_signature", "validate_urgently"]


def test_only_the_secretariat_starts_the_signature_of_an_act(session, acts):
    city = acts
    report = report_of(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.mayor.id)):
        with pytest.raises(WorkflowError, match="secrétariat"):
            engine.start_signing(report, city.mayor)
    start(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        with pytest.raises(WorkflowError, match="déjà en cours"):
            engine.start_signing(report, city.secretariat)


def test_no_acts_circuit_is_a_clear_refusal(session, city):
    report = report_of(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        with pytest.raises(WorkflowError, match="Aucun circuit actif pour les actes"):
            engine.start_signing(report, city.secretariat)


def test_a_document_already_in_the_book_is_not_put_there_twice(session, acts):
    """The act asked for signature by hand (« Mettre à la signature ») cannot also go into a circuit."""
    city = acts
    report = report_of(session, city)
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        book.request_signatures(
            city.tenant, title="Délibération n° 44", signers=[book.Signer(city.mayor, "Président")],
            actor=city.secretariat, version=city.version,
        )  # fmt: skip
        with pytest.raises(WorkflowError, match="attend déjà des signatures dans le parapheur"):
            engine.start_signing(report, city.secretariat)
    assert len(requests(session, city)) == 1
