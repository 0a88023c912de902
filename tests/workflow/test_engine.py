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
def two_steps(city, make_circuit):
    """first: the two validators, one of them; second: the secretary."""
    return make_circuit(
        city,
        step("first", persons(city.validator_a, city.validator_b), mode="one"),
        step("second", {"kind": "grant", "grant": "secretary", "assembly": "target"}, on_refusal="first"),
    )


def submitted(city, report, acting):
    with acting(city.drafter, city.tenant):
        return engine.submit(report, city.drafter)


def test_one_of_them_the_first_approval_moves_the_circuit_on(session, city, two_steps, make_report, acting):
    report = make_report(city)
    run = submitted(city, report, acting)
    first = open_tasks(run, "first")
    assert sorted(t.person_id for t in first) == sorted([city.validator_a.id, city.validator_b.id])
    assert report.status == ReportStatus.IN_CIRCUIT
    task_a = next(t for t in first if t.person_id == city.validator_a.id)
    with acting(city.validator_a, city.tenant):
        outcome = engine.approve(task_a, city.validator_a, comment="Bon pour moi")
    assert outcome == "second"
    states = {t.person_id: t.state for t in engine.tasks_of(run) if t.step_key == "first"}
    assert states == {city.validator_a.id: TaskState.APPROVED, city.validator_b.id: TaskState.CANCELLED}
    assert [t.person_id for t in open_tasks(run, "second")] == [city.secretary.id]
    assert len(events(session, city.tenant, "workflow.approved")) == 1
    action = session.execute(sa.select(TaskAction).where(TaskAction.task_id == task_a.id)).scalar_one()
    assert (action.actor_id, action.kind, action.comment, action.documents) == (
        city.validator_a.id,
        "approve",
        "Bon pour moi",
        [],
    )
    task_b = next(t for t in first if t.person_id == city.validator_b.id)
    with acting(city.validator_b, city.tenant), pytest.raises(WorkflowError, match="n'est plus ouverte"):
        engine.approve(task_b, city.validator_b)


def test_all_of_them_waits_for_every_approval(city, make_circuit, make_report, acting):
    make_circuit(city, step("both", persons(city.validator_a, city.validator_b), mode="all"))
    run = submitted(city, make_report(city), acting)
    task_a, task_b = open_tasks(run)
    with acting(city.validator_a, city.tenant):
        assert engine.approve(task_a, city.validator_a) == "waiting_for_others"
    assert run.state == RunState.RUNNING
    with acting(city.validator_b, city.tenant):
        assert engine.approve(task_b, city.validator_b) == "completed"
    assert run.state == RunState.COMPLETED


def test_refusal_to_the_drafter_then_a_new_version(session, city, two_steps, make_report, acting):
    report = make_report(city)
    run = submitted(city, report, acting)
    task = open_tasks(run)[0]
    with acting(task.person, city.tenant):
        with pytest.raises(WorkflowError, match="motif"):
            engine.refuse(task, task.person, "  ")
        assert engine.refuse(task, task.person, "Le montant manque") == "drafter"
    assert (run.state, report.status) == (RunState.REFUSED, ReportStatus.REFUSED)
    assert open_tasks(run) == []
    with acting(city.drafter, city.tenant):
        reports.edit_report(
            report,
            reports.ReportFields(
                title="Équipement numérique (montant précisé)", subject_code="8.5", assembly=city.council
            ),
            actor=city.drafter,
        )
        second = engine.submit(report, city.drafter)
    assert (report.version, second.report_version, second.state) == (2, 2, RunState.RUNNING)
    assert second.id != run.id and len(open_tasks(second, "first")) == 2
    refused = events(session, city.tenant, "workflow.refused")
    assert [event.object_id for event in refused] == [str(run.id)]


def test_refusal_to_an_earlier_step_named_by_the_definition(city, two_steps, make_report, acting):
    run = submitted(city, make_report(city), acting)
    with acting(city.validator_a, city.tenant):
        engine.approve(open_tasks(run)[0], city.validator_a)
    second = open_tasks(run, "second")[0]
    with acting(city.secretary, city.tenant):
        assert engine.refuse(second, city.secretary, "Revoir la délibération") == "first"
    assert run.state == RunState.RUNNING and run.position == 0
    again = open_tasks(run, "first")
    assert len(again) == 2 and {t.round for t in again} == {run.round} and run.round == 3


def test_send_back_to_an_earlier_step(city, make_circuit, make_report, acting):
    make_circuit(
        city,
        step("one", persons(city.validator_a)),
        step("two", persons(city.validator_b)),
        step("three", persons(city.secretary)),
    )
    run = submitted(city, make_report(city), acting)
    for person in (city.validator_a, city.validator_b):
        with acting(person, city.tenant):
            engine.approve(open_tasks(run)[0], person)
    third = open_tasks(run, "three")[0]
    with acting(city.secretary, city.tenant):
        with pytest.raises(WorkflowError, match="pas une étape précédente"):
            engine.send_back(third, city.secretary, "three")
        assert engine.send_back(third, city.secretary, "one", comment="À revoir dès le début") == "one"
    assert third.state == TaskState.SENT_BACK
    assert [t.person_id for t in open_tasks(run)] == [city.validator_a.id]


def test_first_step_offers_no_send_back(city, two_steps, make_report, acting):
    run = submitted(city, make_report(city), acting)
    task = next(t for t in open_tasks(run) if t.person_id == city.validator_a.id)
    assert allowed_actions(city.validator_a, task) == {"approve", "refuse", "insert"}
    assert allowed_actions(city.drafter, task) == frozenset()
    assert allowed_actions(city.urgent, task) == {"validate_urgently"}
    with pytest.raises(KeyError):
        may_act(city.validator_a, task, "sign_blindly")


def test_insert_someone_with_return(city, two_steps, make_report, acting):
    run = submitted(city, make_report(city), acting)
    mine = next(t for t in open_tasks(run) if t.person_id == city.validator_a.id)
    with acting(city.validator_a, city.tenant):
        inserted = engine.insert(mine, city.validator_a, city.other_member, comment="Ton avis ?")
    assert mine.state == TaskState.WAITING and allowed_actions(city.validator_a, mine) == frozenset()
    assert allowed_actions(city.other_member, inserted) == {"approve", "refuse"}
    with acting(city.other_member, city.tenant):
        assert engine.refuse(inserted, city.other_member, "Réserve sur le coût") == "returned"
    session_task = engine.tasks_of(run)
    assert next(t for t in session_task if t.id == mine.id).state == TaskState.OPEN
    assert run.position == 0
    with acting(city.validator_a, city.tenant):
        assert engine.approve(mine, city.validator_a) == "second"


def test_insert_refuses_an_outsider(city, make_collectivity, two_steps, make_report, acting):
    elsewhere = make_collectivity()
    run = submitted(city, make_report(city), acting)
    mine = next(t for t in open_tasks(run) if t.person_id == city.validator_a.id)
    with acting(city.validator_a, city.tenant), pytest.raises(WorkflowError, match="ni mandat ni droit"):
        engine.insert(mine, city.validator_a, elsewhere.validator_a)


def test_delegation_for_a_period(city, make_circuit, make_report, acting, today):
    make_circuit(city, step("only", persons(city.validator_a)))
    run = submitted(city, make_report(city), acting)
    task = open_tasks(run)[0]
    assert not may_act(city.validator_b, task, "approve")
    with acting(city.validator_a, city.tenant):
        engine.delegate(
            city.validator_a, city.validator_b, city.tenant, today, today + timedelta(days=3), actor=city.validator_a
        )
        with pytest.raises(WorkflowError, match="précède"):
            engine.delegate(
                city.validator_a,
                city.validator_b,
                city.tenant,
                today,
                today - timedelta(days=1),
                actor=city.validator_a,
            )
    assert may_act(city.validator_b, task, "approve")
    assert not may_act(city.validator_b, task, "approve", on=today + timedelta(days=4))
    with acting(city.validator_b, city.tenant):
        assert engine.approve(task, city.validator_b) == "completed"
    action = engine.actions_of(run)[-1]
    assert (action.actor_id, action.on_behalf_of_id) == (city.validator_b.id, city.validator_a.id)


def test_urgent_validation_by_a_holder_of_the_right(session, city, two_steps, make_report, acting):
    report = make_report(city)
    run = submitted(city, report, acting)
    with acting(city.validator_a, city.tenant), pytest.raises(WorkflowError, match="validation d'urgence"):
        engine.validate_urgently(run, city.validator_a, "Séance avancée")
    with acting(city.urgent, city.tenant):
        engine.validate_urgently(run, city.urgent, "Séance avancée au 12")
    assert (run.state, report.status) == (RunState.COMPLETED, ReportStatus.READY)
    assert open_tasks(run) == []
    assert len(events(session, city.tenant, "workflow.validated_urgently")) == 1


def test_required_metadata_to_approve(city, make_circuit, make_report, acting):
    make_circuit(city, step("finance", persons(city.validator_a), required_metadata={"approve": ["imputation"]}))
    run = submitted(city, make_report(city), acting)
    task = open_tasks(run)[0]
    with acting(city.validator_a, city.tenant):
        with pytest.raises(WorkflowError, match="imputation") as refused:
            engine.approve(task, city.validator_a)
        assert refused.value.errors == {"json": {"metadata": {"imputation": ["Champ obligatoire."]}}}
        assert engine.approve(task, city.validator_a, metadata={"imputation": "6156-020"}) == "completed"
    assert engine.actions_of(run)[-1].data == {"imputation": "6156-020"}


def test_committee_opinion_by_its_president(city, make_circuit, make_report, acting):
    make_circuit(
        city,
        step("avis", {"kind": "role", "role": "president", "assembly": "commission-1"}, kind="committee_opinion"),
    )
    run = submitted(city, make_report(city), acting)
    task = open_tasks(run)[0]
    assert task.person_id == city.committee_president.id
    assert allowed_actions(city.committee_president, task) == {"give_opinion", "insert"}
    with acting(city.committee_president, city.tenant):
        with pytest.raises(WorkflowError, match="favorable"):
            engine.give_opinion(task, city.committee_president, "enthusiastic")
        assert engine.give_opinion(task, city.committee_president, "favourable", unanimous=True) == "completed"
    assert engine.actions_of(run)[-1].data == {"opinion": "favourable", "unanimous": True}


def test_information_steps_pass_at_once(city, make_circuit, make_report, acting):
    make_circuit(
        city,
        step("info", {"kind": "drafter"}, kind="information"),
        step("service", {"kind": "drafter_service_head"}, deadline={"days_after_arrival": 3}),
    )
    run = submitted(city, make_report(city), acting)
    tasks = engine.tasks_of(run)
    assert [(t.step_key, t.person_id, t.state) for t in tasks] == [
        ("info", city.drafter.id, TaskState.INFORMED),
        ("service", city.head.id, TaskState.OPEN),
    ]
    assert tasks[1].due_on == run.started_at.date() + timedelta(days=3)


def test_a_step_that_names_nobody_refuses_the_submission(city, make_circuit, make_report, acting, create_person):
    stranger = create_person()
    make_circuit(city, step("nobody", persons(stranger)))
    report = make_report(city)
    with acting(city.drafter, city.tenant), pytest.raises(WorkflowError, match="ni mandat ni droit"):
        engine.submit(report, city.drafter)


def test_only_the_drafter_submits_and_only_once(city, two_steps, make_report, acting):
    report = make_report(city)
    with acting(city.validator_a, city.tenant), pytest.raises(WorkflowError, match="rédacteur"):
        engine.submit(report, city.validator_a)
    submitted(city, report, acting)
    with acting(city.drafter, city.tenant), pytest.raises(WorkflowError, match="déjà en cours"):
        engine.submit(report, city.drafter)


def test_only_the_absent_person_or_an_admin_delegates(city, acting, today):
    with acting(city.validator_b, city.tenant), pytest.raises(WorkflowError, match="Seule la personne absente"):
        engine.delegate(city.validator_a, city.validator_b, city.tenant, today, today, actor=city.validator_b)
    with acting(city.head, city.tenant):  # the head holds the admin grant
        delegation = engine.delegate(city.validator_a, city.validator_b, city.tenant, today, today, actor=city.head)
    assert (delegation.person_id, delegation.delegate_id) == (city.validator_a.id, city.validator_b.id)


def test_a_deadline_worked_back_from_the_target_sitting(session, city, make_circuit, make_report, acting):
    sitting = Sitting(
        tenant_id=city.tenant.id,
        assembly_id=city.council.id,
        starts_at=datetime(2027, 3, 1, 23, 30, tzinfo=UTC),  # 2 March at 00:30 in Paris
        place="Salle du conseil",
    )
    session.add(sitting)
    session.flush()
    make_circuit(city, step("visa", persons(city.validator_a), deadline={"days_before_sitting": 10}))
    run = submitted(city, make_report(city, sitting=sitting), acting)
    assert open_tasks(run)[0].due_on == date(2027, 2, 20)
    unaimed = make_report(city, title="Sans séance")
    assert open_tasks(submitted(city, unaimed, acting))[0].due_on is None
