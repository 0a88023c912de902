"""The shipped circuits run as written once a collectivity adopts them: "avis-commission" from the service
head through the Commission n° 1's opinion to the secretariat, whose refusal returns to the service head."""

from saas.core.database import SYSTEM, context
from saas.reports.models import ReportStatus
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.models import RunState, TaskState
from tests.fixtures.workflow import SHIPPED


def _only_open(run):
    tasks = [task for task in engine.tasks_of(run) if task.state == TaskState.OPEN]
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_the_committee_circuit_end_to_end(session, town, make_report, acting):
    with context(session, SYSTEM):
        definitions.load_folder(SHIPPED)
        definitions.adopt_template(town.tenant, "avis-commission", actor=None)
    report = make_report(town, title="Équipement numérique — dématérialisation des documents et procédures")
    with acting(town.drafter, town.tenant):
        run = engine.submit(report, town.drafter)
    expected = []
    for refusal in (True, False):
        task = _only_open(run)
        assert (task.step_key, task.person_id) == ("visa-chef-service", town.head.id)
        with acting(town.head, town.tenant):
            assert engine.approve(task, town.head) == "avis-commission"
        task = _only_open(run)
        assert task.person_id == town.committee_president.id
        with acting(town.committee_president, town.tenant):
            assert (
                engine.give_opinion(task, town.committee_president, "favourable", unanimous=True) == "visa-secretariat"
            )
        task = _only_open(run)
        assert task.person_id == town.secretary.id
        with acting(town.secretary, town.tenant):
            if refusal:
                assert engine.refuse(task, town.secretary, "Visa juridique manquant") == "visa-chef-service"
            else:
                assert engine.approve(task, town.secretary) == "completed"
        expected += ["approve", "give_opinion", "refuse" if refusal else "approve"]
    assert (run.state, report.status) == (RunState.COMPLETED, ReportStatus.READY)
    assert [action.kind for action in engine.actions_of(run)] == expected
