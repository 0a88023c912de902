"""The engine on every path: one of / all of, refusal to the drafter and to an earlier step, send back,
insert with return, delegation, urgent validation, required metadata, committee opinion, information."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.reports import operations as reports
from saas.reports.models import ReportStatus
from saas.sittings.models import Sitting
from saas.workflow import operations as engine
from saas.workflow.access import allowed_actions, may_act
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import RunState, Task, TaskAction, TaskState
from tests.fixtures.workflow import persons, step


def events(session, tenant, action: str) -> list[AuditEvent]:
    return list(
        session.execute(
            sa.select(AuditEvent).where(AuditEvent.tenant_id == tenant.id, AuditEvent.action == action)
        ).scalars()
    )


def open_tasks(run, key: str | None = None) -> list[Task]:
    return [t for t in engine.tasks_of(run) if t.state == TaskState.OPEN and (key is None or t.step_key == key)]


@pytest.fixture
def two_steps(circuit_city, make_circuit):
    """first: the two validators, one of them; second: the secretary."""
    return make_circuit(
        circuit_city,
        step("first", persons(circuit_city.validator_a, circuit_city.validator_b), mode="one"),
        step("second", {"kind": "grant", "grant": "secretary", "assembly": "target"}, on_refusal="first"),
    )


def submitted(circuit_city, report, acting):
    with acting(circuit_city.drafter, circuit_city.tenant):
        return engine.submit(report, circuit_city.drafter)


def test_one_of_them_the_first_approval_moves_the_circuit_on(session, circuit_city, two_steps, make_report, acting):
    report = make_report(circuit_city)
    run = submitted(circuit_city, report, acting)
    first = open_tasks(run, "first")
    assert sorted(t.person_id for t in first) == sorted([circuit_city.validator_a.id, circuit_city.validator_b.id])
    assert report.status == ReportStatus.IN_CIRCUIT
    task_a = next(t for t in first if t.person_id == circuit_city.validator_a.id)
    with acting(circuit_city.validator_a, circuit_city.tenant):
        outcome = engine.approve(task_a, circuit_city.validator_a, comment="Bon pour moi")
    assert outcome == "second"
    states = {t.person_id: t.state for t in engine.tasks_of(run) if t.step_key == "first"}
    assert states == {circuit_city.validator_a.id: TaskState.APPROVED, circuit_city.validator_b.id: TaskState.CANCELLED}
    assert [t.person_id for t in open_tasks(run, "second")] == [circuit_city.secretary.id]
    assert len(events(session, circuit_city.tenant, "workflow.approved")) == 1
    action = session.execute(sa.select(TaskAction).where(TaskAction.task_id == task_a.id)).scalar_one()
    assert (action.actor_id, action.kind, action.comment, action.documents) == (
        circuit_city.validator_a.id,
        "approve",
        "Bon pour moi",
        [],
    )
    task_b = next(t for t in first if t.person_id == circuit_city.validator_b.id)
    with acting(circuit_city.validator_b, circuit_city.tenant), pytest.raises(WorkflowError, match="n'est plus ouverte"):
        engine.approve(task_b, circuit_city.validator_b)


def test_all_of_them_waits_for_every_approval(circuit_city, make_circuit, make_report, acting):
    make_circuit(circuit_city, step("both", persons(circuit_city.validator_a, circuit_city.validator_b), mode="all"))
    run = submitted(circuit_city, make_report(circuit_city), acting)
    task_a, task_b = open_tasks(run)
    with acting(circuit_city.validator_a, circuit_city.tenant):
        assert engine.approve(task_a, circuit_city.validator_a) == "waiting_for_others"
    assert run.state == RunState.RUNNING
    with acting(circuit_city.validator_b, circuit_city.tenant):
        assert engine.approve(task_b, circuit_city.validator_b) == "completed"
    assert run.state == RunState.COMPLETED


def test_refusal_to_the_drafter_then_a_new_version(session, circuit_city, two_steps, make_report, acting):
    report = make_report(circuit_city)
    run = submitted(circuit_city, report, acting)
    task = open_tasks(run)[0]
    with acting(task.person, circuit_city.tenant):
        with pytest.raises(WorkflowError, match="motif"):
            engine.refuse(task, task.person, "  ")
        assert engine.refuse(task, task.person, "Le montant manque") == "drafter"
    assert (run.state, report.status) == (RunState.REFUSED, ReportStatus.REFUSED)
    assert open_tasks(run) == []
    with acting(circuit_city.drafter, circuit_city.tenant):
        reports.edit_report(
            report,
            reports.ReportFields(
                title="Équipement numérique (montant précisé)", subject_code="8.5", assembly=circuit_city.council
            ),
            actor=circuit_city.drafter,
        )
        second = engine.submit(report, circuit_city.drafter)
    assert (report.version, second.report_version, second.state) == (2, 2, RunState.RUNNING)
    assert second.id != run.id and len(open_tasks(second, "first")) == 2
    refused = events(session, circuit_city.tenant, "workflow.refused")
    assert [event.object_id for event in refused] == [str(run.id)]


def test_refusal_to_an_earlier_step_named_by_the_definition(circuit_city, two_steps, make_report, acting):
    run = submitted(circuit_city, make_report(circuit_city), acting)
    with acting(circuit_city.validator_a, circuit_city.tenant):
        engine.approve(open_tasks(run)[0], circuit_city.validator_a)
    second = open_tasks(run, "second")[0]
    with acting(circuit_city.secretary, circuit_city.tenant):
        assert engine.refuse(second, circuit_city.secretary, "Revoir la délibération") == "first"
    assert run.state == RunState.RUNNING and run.position == 0
    again = open_tasks(run, "first")
    assert len(again) == 2 and {t.round for t in again} == {run.round} and run.round == 3


def test_send_back_to_an_earlier_step(circuit_city, make_circuit, make_report, acting):
    make_circuit(
        circuit_city,
        step("one", persons(circuit_city.validator_a)),
        step("two", persons(circuit_city.validator_b)),
        step("three", persons(circuit_city.secretary)),
    )
    run = submitted(circuit_city, make_report(circuit_city), acting)
    for person in (circuit_city.validator_a, circuit_city.validator_b):
        with acting(person, circuit_city.tenant):
            engine.approve(open_tasks(run)[0], person)
    third = open_tasks(run, "three")[0]
    with acting(circuit_city.secretary, circuit_city.tenant):
        with pytest.raises(WorkflowError, match="pas une étape précédente"):
            engine.send_back(third, circuit_city.secretary, "three")
        assert engine.send_back(third, circuit_city.secretary, "one", comment="À revoir dès le début") == "one"
    assert third.state == TaskState.SENT_BACK
    assert [t.person_id for t in open_tasks(run)] == [circuit_city.validator_a.id]


def test_first_step_offers_no_send_back(circuit_city, two_steps, make_report, acting):
    run = submitted(circuit_city, make_report(circuit_city), acting)
    task = next(t for t in open_tasks(run) if t.person_id == circuit_city.validator_a.id)
    assert allowed_actions(circuit_city.validator_a, task) == {"approve", "refuse", "insert"}
    assert allowed_actions(circuit_city.drafter, task) == frozenset()
    assert allowed_actions(circuit_city.urgent, task) == {"validate_urgently"}
    with pytest.raises(KeyError):
        may_act(circuit_city.validator_a, task, "sign_blindly")


def test_insert_someone_with_return(circuit_city, two_steps, make_report, acting):
    run = submitted(circuit_city, make_report(circuit_city), acting)
    mine = next(t for t in open_tasks(run) if t.person_id == circuit_city.validator_a.id)
    with acting(circuit_city.validator_a, circuit_city.tenant):
        inserted = engine.insert(mine, circuit_city.validator_a, circuit_city.other_member, comment="Ton avis ?")
    assert mine.state == TaskState.WAITING and allowed_actions(circuit_city.validator_a, mine) == frozenset()
    assert allowed_actions(circuit_city.other_member, inserted) == {"approve", "refuse"}
    with acting(circuit_city.other_member, circuit_city.tenant):
        assert engine.refuse(inserted, circuit_city.other_member, "Réserve sur le coût") == "returned"
    session_task = engine.tasks_of(run)
    assert next(t for t in session_task if t.id == mine.id).state == TaskState.OPEN
    assert run.position == 0
    with acting(circuit_city.validator_a, circuit_city.tenant):
        assert engine.approve(mine, circuit_city.validator_a) == "second"


def test_insert_refuses_an_outsider(circuit_city, make_collectivity, two_steps, make_report, acting):
    elsewhere = make_collectivity()
    run = submitted(circuit_city, make_report(circuit_city), acting)
    mine = next(t for t in open_tasks(run) if t.person_id == circuit_city.validator_a.id)
    with acting(circuit_city.validator_a, circuit_city.tenant), pytest.raises(WorkflowError, match="ni mandat ni droit"):
        engine.insert(mine, circuit_city.validator_a, elsewhere.validator_a)


def test_delegation_for_a_period(circuit_city, make_circuit, make_report, acting, today):
    make_circuit(circuit_city, step("only", persons(circuit_city.validator_a)))
    run = submitted(circuit_city, make_report(circuit_city), acting)
    task = open_tasks(run)[0]
    assert not may_act(circuit_city.validator_b, task, "approve")
    with acting(circuit_city.validator_a, circuit_city.tenant):
        engine.delegate(
            circuit_city.validator_a, circuit_city.validator_b, circuit_city.tenant, today, today + timedelta(days=3), actor=circuit_city.validator_a
        )
        with pytest.raises(WorkflowError, match="précède"):
            engine.delegate(
                circuit_city.validator_a,
                circuit_city.validator_b,
                circuit_city.tenant,
                today,
                today - timedelta(days=1),
                actor=circuit_city.validator_a,
            )
    assert may_act(circuit_city.validator_b, task, "approve")
    assert not may_act(circuit_city.validator_b, task, "approve", on=today + timedelta(days=4))
    with acting(circuit_city.validator_b, circuit_city.tenant):
        assert engine.approve(task, circuit_city.validator_b) == "completed"
    action = engine.actions_of(run)[-1]
    assert (action.actor_id, action.on_behalf_of_id) == (circuit_city.validator_b.id, circuit_city.validator_a.id)


def test_urgent_validation_by_a_holder_of_the_right(session, circuit_city, two_steps, make_report, acting):
    report = make_report(circuit_city)
    run = submitted(circuit_city, report, acting)
    with acting(circuit_city.validator_a, circuit_city.tenant), pytest.raises(WorkflowError, match="validation d'urgence"):
        engine.validate_urgently(run, circuit_city.validator_a, "Séance avancée")
    with acting(circuit_city.urgent, circuit_city.tenant):
        engine.validate_urgently(run, circuit_city.urgent, "Séance avancée au 12")
    assert (run.state, report.status) == (RunState.COMPLETED, ReportStatus.READY)
    assert open_tasks(run) == []
    assert len(events(session, circuit_city.tenant, "workflow.validated_urgently")) == 1


def test_required_metadata_to_approve(circuit_city, make_circuit, make_report, acting):
    make_circuit(circuit_city, step("finance", persons(circuit_city.validator_a), required_metadata={"approve": ["imputation"]}))
    run = submitted(circuit_city, make_report(circuit_city), acting)
    task = open_tasks(run)[0]
    with acting(circuit_city.validator_a, circuit_city.tenant):
        with pytest.raises(WorkflowError, match="imputation") as refused:
            engine.approve(task, circuit_city.validator_a)
        assert refused.value.errors == {"json": {"metadata": {"imputation": ["Champ obligatoire."]}}}
        assert engine.approve(task, circuit_city.validator_a, metadata={"imputation": "6156-020"}) == "completed"
    assert engine.actions_of(run)[-1].data == {"imputation": "6156-020"}


def test_committee_opinion_by_its_president(circuit_city, make_circuit, make_report, acting):
    make_circuit(
        circuit_city,
        step("avis", {"kind": "role", "role": "president", "assembly": "commission-1"}, kind="committee_opinion"),
    )
    run = submitted(circuit_city, make_report(circuit_city), acting)
    task = open_tasks(run)[0]
    assert task.person_id == circuit_city.committee_president.id
    assert allowed_actions(circuit_city.committee_president, task) == {"give_opinion", "insert"}
    with acting(circuit_city.committee_president, circuit_city.tenant):
        with pytest.raises(WorkflowError, match="favorable"):
            engine.give_opinion(task, circuit_city.committee_president, "enthusiastic")
        assert engine.give_opinion(task, circuit_city.committee_president, "favourable", unanimous=True) == "completed"
    assert engine.actions_of(run)[-1].data == {"opinion": "favourable", "unanimous": True}


def test_information_steps_pass_at_once(circuit_city, make_circuit, make_report, acting):
    make_circuit(
        circuit_city,
        step("info", {"kind": "drafter"}, kind="information"),
        step("service", {"kind": "drafter_service_head"}, deadline={"days_after_arrival": 3}),
    )
    run = submitted(circuit_city, make_report(circuit_city), acting)
    tasks = engine.tasks_of(run)
    assert [(t.step_key, t.person_id, t.state) for t in tasks] == [
        ("info", circuit_city.drafter.id, TaskState.INFORMED),
        ("service", circuit_city.head.id, TaskState.OPEN),
    ]
    assert tasks[1].due_on == run.started_at.date() + timedelta(days=3)


def test_a_step_that_names_nobody_refuses_the_submission(circuit_city, make_circuit, make_report, acting, create_person):
    stranger = create_person()
    make_circuit(circuit_city, step("nobody", persons(stranger)))
    report = make_report(circuit_city)
    with acting(circuit_city.drafter, circuit_city.tenant), pytest.raises(WorkflowError, match="ni mandat ni droit"):
        engine.submit(report, circuit_city.drafter)


def test_only_the_drafter_submits_and_only_once(circuit_city, two_steps, make_report, acting):
    report = make_report(circuit_city)
    with acting(circuit_city.validator_a, circuit_city.tenant), pytest.raises(WorkflowError, match="rédacteur"):
        engine.submit(report, circuit_city.validator_a)
    submitted(circuit_city, report, acting)
    with acting(circuit_city.drafter, circuit_city.tenant), pytest.raises(WorkflowError, match="déjà en cours"):
        engine.submit(report, circuit_city.drafter)


def test_only_the_absent_person_or_an_admin_delegates(circuit_city, acting, today):
    with acting(circuit_city.validator_b, circuit_city.tenant), pytest.raises(WorkflowError, match="Seule la personne absente"):
        engine.delegate(circuit_city.validator_a, circuit_city.validator_b, circuit_city.tenant, today, today, actor=circuit_city.validator_b)
    with acting(circuit_city.head, circuit_city.tenant):  # the head holds the admin grant
        delegation = engine.delegate(circuit_city.validator_a, circuit_city.validator_b, circuit_city.tenant, today, today, actor=circuit_city.head)
    assert (delegation.person_id, delegation.delegate_id) == (circuit_city.validator_a.id, circuit_city.validator_b.id)


def test_a_deadline_worked_back_from_the_target_sitting(session, circuit_city, make_circuit, make_report, acting):
    sitting = Sitting(
        tenant_id=circuit_city.tenant.id,
        assembly_id=circuit_city.council.id,
        starts_at=datetime(2027, 3, 1, 23, 30, tzinfo=UTC),  # 2 March at 00:30 in Paris
        place="Salle du conseil",
    )
    session.add(sitting)
    session.flush()
    make_circuit(circuit_city, step("visa", persons(circuit_city.validator_a), deadline={"days_before_sitting": 10}))
    run = submitted(circuit_city, make_report(circuit_city, sitting=sitting), acting)
    assert open_tasks(run)[0].due_on == date(2027, 2, 20)
    unaimed = make_report(circuit_city, title="Sans séance")
    assert open_tasks(submitted(circuit_city, unaimed, acting))[0].due_on is None
