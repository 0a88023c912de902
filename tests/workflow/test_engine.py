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
def two_steps(town, make_circuit):
    """first: the two validators, one of them; second: the secretary."""
    return make_circuit(
        town,
        step("first", persons(town.validator_a, town.validator_b), mode="one"),
        step("second", {"kind": "grant", "grant": "secretary", "assembly": "target"}, on_refusal="first"),
    )


def submitted(town, report, acting):
    with acting(town.drafter, town.tenant):
        return engine.submit(report, town.drafter)


def test_one_of_them_the_first_approval_moves_the_circuit_on(session, town, two_steps, make_report, acting):
    report = make_report(town)
    run = submitted(town, report, acting)
    first = open_tasks(run, "first")
    assert sorted(t.person_id for t in first) == sorted([town.validator_a.id, town.validator_b.id])
    assert report.status == ReportStatus.IN_CIRCUIT
    task_a = next(t for t in first if t.person_id == town.validator_a.id)
    with acting(town.validator_a, town.tenant):
        outcome = engine.approve(task_a, town.validator_a, comment="Bon pour moi")
    assert outcome == "second"
    states = {t.person_id: t.state for t in engine.tasks_of(run) if t.step_key == "first"}
    assert states == {town.validator_a.id: TaskState.APPROVED, town.validator_b.id: TaskState.CANCELLED}
    assert [t.person_id for t in open_tasks(run, "second")] == [town.secretary.id]
    assert len(events(session, town.tenant, "workflow.approved")) == 1
    action = session.execute(sa.select(TaskAction).where(TaskAction.task_id == task_a.id)).scalar_one()
    assert (action.actor_id, action.kind, action.comment, action.documents) == (
        town.validator_a.id,
        "approve",
        "Bon pour moi",
        [],
    )
    task_b = next(t for t in first if t.person_id == town.validator_b.id)
    with acting(town.validator_b, town.tenant), pytest.raises(WorkflowError, match="n'est plus ouverte"):
        engine.approve(task_b, town.validator_b)


def test_all_of_them_waits_for_every_approval(town, make_circuit, make_report, acting):
    make_circuit(town, step("both", persons(town.validator_a, town.validator_b), mode="all"))
    run = submitted(town, make_report(town), acting)
    task_a, task_b = open_tasks(run)
    with acting(town.validator_a, town.tenant):
        assert engine.approve(task_a, town.validator_a) == "waiting_for_others"
    assert run.state == RunState.RUNNING
    with acting(town.validator_b, town.tenant):
        assert engine.approve(task_b, town.validator_b) == "completed"
    assert run.state == RunState.COMPLETED


def test_refusal_to_the_drafter_then_a_new_version(session, town, two_steps, make_report, acting):
    report = make_report(town)
    run = submitted(town, report, acting)
    task = open_tasks(run)[0]
    with acting(task.person, town.tenant):
        with pytest.raises(WorkflowError, match="motif"):
            engine.refuse(task, task.person, "  ")
        assert engine.refuse(task, task.person, "Le montant manque") == "drafter"
    assert (run.state, report.status) == (RunState.REFUSED, ReportStatus.REFUSED)
    assert open_tasks(run) == []
    with acting(town.drafter, town.tenant):
        reports.edit_report(
            report,
            reports.ReportFields(
                title="Équipement numérique (montant précisé)", subject_code="8.5", assembly=town.council
            ),
            actor=town.drafter,
        )
        second = engine.submit(report, town.drafter)
    assert (report.version, second.report_version, second.state) == (2, 2, RunState.RUNNING)
    assert second.id != run.id and len(open_tasks(second, "first")) == 2
    refused = events(session, town.tenant, "workflow.refused")
    assert [event.object_id for event in refused] == [str(run.id)]


def test_refusal_to_an_earlier_step_named_by_the_definition(town, two_steps, make_report, acting):
    run = submitted(town, make_report(town), acting)
    with acting(town.validator_a, town.tenant):
        engine.approve(open_tasks(run)[0], town.validator_a)
    second = open_tasks(run, "second")[0]
    with acting(town.secretary, town.tenant):
        assert engine.refuse(second, town.secretary, "Revoir la délibération") == "first"
    assert run.state == RunState.RUNNING and run.position == 0
    again = open_tasks(run, "first")
    assert len(again) == 2 and {t.round for t in again} == {run.round} and run.round == 3


def test_send_back_to_an_earlier_step(town, make_circuit, make_report, acting):
    make_circuit(
        town,
        step("one", persons(town.validator_a)),
        step("two", persons(town.validator_b)),
        step("three", persons(town.secretary)),
    )
    run = submitted(town, make_report(town), acting)
    for person in (town.validator_a, town.validator_b):
        with acting(person, town.tenant):
            engine.approve(open_tasks(run)[0], person)
    third = open_tasks(run, "three")[0]
    with acting(town.secretary, town.tenant):
        with pytest.raises(WorkflowError, match="pas une étape précédente"):
            engine.send_back(third, town.secretary, "three")
        assert engine.send_back(third, town.secretary, "one", comment="À revoir dès le début") == "one"
    assert third.state == TaskState.SENT_BACK
    assert [t.person_id for t in open_tasks(run)] == [town.validator_a.id]


def test_first_step_offers_no_send_back(town, two_steps, make_report, acting):
    run = submitted(town, make_report(town), acting)
    task = next(t for t in open_tasks(run) if t.person_id == town.validator_a.id)
    assert allowed_actions(town.validator_a, task) == {"approve", "refuse", "insert"}
    assert allowed_actions(town.drafter, task) == frozenset()
    assert allowed_actions(town.urgent, task) == {"validate_urgently"}
    with pytest.raises(KeyError):
        may_act(town.validator_a, task, "sign_blindly")


def test_insert_someone_with_return(town, two_steps, make_report, acting):
    run = submitted(town, make_report(town), acting)
    mine = next(t for t in open_tasks(run) if t.person_id == town.validator_a.id)
    with acting(town.validator_a, town.tenant):
        inserted = engine.insert(mine, town.validator_a, town.other_member, comment="Ton avis ?")
    assert mine.state == TaskState.WAITING and allowed_actions(town.validator_a, mine) == frozenset()
    assert allowed_actions(town.other_member, inserted) == {"approve", "refuse"}
    with acting(town.other_member, town.tenant):
        assert engine.refuse(inserted, town.other_member, "Réserve sur le coût") == "returned"
    session_task = engine.tasks_of(run)
    assert next(t for t in session_task if t.id == mine.id).state == TaskState.OPEN
    assert run.position == 0
    with acting(town.validator_a, town.tenant):
        assert engine.approve(mine, town.validator_a) == "second"


def test_insert_refuses_an_outsider(town, make_collectivity, two_steps, make_report, acting):
    elsewhere = make_collectivity()
    run = submitted(town, make_report(town), acting)
    mine = next(t for t in open_tasks(run) if t.person_id == town.validator_a.id)
    with acting(town.validator_a, town.tenant), pytest.raises(WorkflowError, match="ni mandat ni droit"):
        engine.insert(mine, town.validator_a, elsewhere.validator_a)


def test_delegation_for_a_period(town, make_circuit, make_report, acting, today):
    make_circuit(town, step("only", persons(town.validator_a)))
    run = submitted(town, make_report(town), acting)
    task = open_tasks(run)[0]
    assert not may_act(town.validator_b, task, "approve")
    with acting(town.validator_a, town.tenant):
        engine.delegate(
            town.validator_a, town.validator_b, town.tenant, today, today + timedelta(days=3), actor=town.validator_a
        )
        with pytest.raises(WorkflowError, match="précède"):
            engine.delegate(
                town.validator_a,
                town.validator_b,
                town.tenant,
                today,
                today - timedelta(days=1),
                actor=town.validator_a,
            )
    assert may_act(town.validator_b, task, "approve")
    assert not may_act(town.validator_b, task, "approve", on=today + timedelta(days=4))
    with acting(town.validator_b, town.tenant):
        assert engine.approve(task, town.validator_b) == "completed"
    action = engine.actions_of(run)[-1]
    assert (action.actor_id, action.on_behalf_of_id) == (town.validator_b.id, town.validator_a.id)


def test_urgent_validation_by_a_holder_of_the_right(session, town, two_steps, make_report, acting):
    report = make_report(town)
    run = submitted(town, report, acting)
    with acting(town.validator_a, town.tenant), pytest.raises(WorkflowError, match="validation d'urgence"):
        engine.validate_urgently(run, town.validator_a, "Séance avancée")
    with acting(town.urgent, town.tenant):
        engine.validate_urgently(run, town.urgent, "Séance avancée au 12")
    assert (run.state, report.status) == (RunState.COMPLETED, ReportStatus.READY)
    assert open_tasks(run) == []
    assert len(events(session, town.tenant, "workflow.validated_urgently")) == 1


def test_required_metadata_to_approve(town, make_circuit, make_report, acting):
    make_circuit(town, step("finance", persons(town.validator_a), required_metadata={"approve": ["imputation"]}))
    run = submitted(town, make_report(town), acting)
    task = open_tasks(run)[0]
    with acting(town.validator_a, town.tenant):
        with pytest.raises(WorkflowError, match="imputation") as refused:
            engine.approve(task, town.validator_a)
        assert refused.value.errors == {"json": {"metadata": {"imputation": ["Champ obligatoire."]}}}
        assert engine.approve(task, town.validator_a, metadata={"imputation": "6156-020"}) == "completed"
    assert engine.actions_of(run)[-1].data == {"imputation": "6156-020"}


def test_committee_opinion_by_its_president(town, make_circuit, make_report, acting):
    make_circuit(
        town,
        step("avis", {"kind": "role", "role": "president", "assembly": "commission-1"}, kind="committee_opinion"),
    )
    run = submitted(town, make_report(town), acting)
    task = open_tasks(run)[0]
    assert task.person_id == town.committee_president.id
    assert allowed_actions(town.committee_president, task) == {"give_opinion", "insert"}
    with acting(town.committee_president, town.tenant):
        with pytest.raises(WorkflowError, match="favorable"):
            engine.give_opinion(task, town.committee_president, "enthusiastic")
        assert engine.give_opinion(task, town.committee_president, "favourable", unanimous=True) == "completed"
    assert engine.actions_of(run)[-1].data == {"opinion": "favourable", "unanimous": True}


def test_information_steps_pass_at_once(town, make_circuit, make_report, acting):
    make_circuit(
        town,
        step("info", {"kind": "drafter"}, kind="information"),
        step("service", {"kind": "drafter_service_head"}, deadline={"days_after_arrival": 3}),
    )
    run = submitted(town, make_report(town), acting)
    tasks = engine.tasks_of(run)
    assert [(t.step_key, t.person_id, t.state) for t in tasks] == [
        ("info", town.drafter.id, TaskState.INFORMED),
        ("service", town.head.id, TaskState.OPEN),
    ]
    assert tasks[1].due_on == town.tenant.today() + timedelta(days=3)  # days of the collectivity


def test_a_step_that_names_nobody_refuses_the_submission(town, make_circuit, make_report, acting, create_person):
    stranger = create_person()
    make_circuit(town, step("nobody", persons(stranger)))
    report = make_report(town)
    with acting(town.drafter, town.tenant), pytest.raises(WorkflowError, match="ni mandat ni droit"):
        engine.submit(report, town.drafter)


def test_only_the_drafter_submits_and_only_once(town, two_steps, make_report, acting):
    report = make_report(town)
    with acting(town.validator_a, town.tenant), pytest.raises(WorkflowError, match="rédacteur"):
        engine.submit(report, town.validator_a)
    submitted(town, report, acting)
    with acting(town.drafter, town.tenant), pytest.raises(WorkflowError, match="déjà en cours"):
        engine.submit(report, town.drafter)


def test_only_the_absent_person_or_an_admin_delegates(town, acting, today):
    with acting(town.validator_b, town.tenant), pytest.raises(WorkflowError, match="Seule la personne absente"):
        engine.delegate(town.validator_a, town.validator_b, town.tenant, today, today, actor=town.validator_b)
    with acting(town.head, town.tenant):  # the head holds the admin grant
        delegation = engine.delegate(town.validator_a, town.validator_b, town.tenant, today, today, actor=town.head)
    assert (delegation.person_id, delegation.delegate_id) == (town.validator_a.id, town.validator_b.id)


def test_a_deadline_worked_back_from_the_target_sitting(session, town, make_circuit, make_report, acting):
    sitting = Sitting(
        tenant_id=town.tenant.id,
        assembly_id=town.council.id,
        starts_at=datetime(2027, 3, 1, 23, 30, tzinfo=UTC),  # 2 March at 00:30 in Paris
        place="Salle du conseil",
    )
    session.add(sitting)
    session.flush()
    make_circuit(town, step("visa", persons(town.validator_a), deadline={"days_before_sitting": 10}))
    run = submitted(town, make_report(town, sitting=sitting), acting)
    assert open_tasks(run)[0].due_on == date(2027, 2, 20)
    unaimed = make_report(town, title="Sans séance")
    assert open_tasks(submitted(town, unaimed, acting))[0].due_on is None
