"""The shipped circuits run as written once a collectivity adopts them: "avis-commission" from the service
head through the Commission n° 1's opinion to the secretariat, whose refusal returns to the service head."""

from pathlib import Path

from saas.core.database import SYSTEM, context
from saas.reports.models import ReportStatus
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.models import RunState, TaskState

SHIPPED = Path(__file__).resolve().parents[2] / "workflows"


def _only_open(run):
    tasks = [task for task in engine.tasks_of(run) if task.state == TaskState.OPEN]
    assert len(tasks) == 1, tasks
    return tasks[0]


def test_the_committee_circuit_end_to_end(session, circuit_city, make_report, acting):
    with context(session, SYSTEM):
        definitions.load_folder(SHIPPED)
        definitions.adopt_template(circuit_city.tenant, "avis-commission", actor=None)
    report = make_report(circuit_city, title="Équipement numérique — dématérialisation des documents et procédures")
    with acting(circuit_city.drafter, circuit_city.tenant):
        run = engine.submit(report, circuit_city.drafter)
    expected = []
    for refusal in (True, False):
        task = _only_open(run)
        assert (task.step_key, task.person_id) == ("visa-chef-service", circuit_city.head.id)
        with acting(circuit_city.head, circuit_city.tenant):
            assert engine.approve(task, circuit_city.head) == "avis-commission"
        task = _only_open(run)
        assert task.person_id == circuit_city.committee_president.id
        with acting(circuit_city.committee_president, circuit_city.tenant):
            assert (
                engine.give_opinion(task, circuit_city.committee_president, "favourable", unanimous=True) == "visa-secretariat"
            )
        task = _only_open(run)
        assert task.person_id == circuit_city.secretary.id
        with acting(circuit_city.secretary, circuit_city.tenant):
            if refusal:
                assert engine.refuse(task, circuit_city.secretary, "Visa juridique manquant") == "visa-chef-service"
            else:
                assert engine.approve(task, circuit_city.secretary) == "completed"
        expected += ["approve", "give_opinion", "refuse" if refusal else "approve"]
    assert (run.state, report.status) == (RunState.COMPLETED, ReportStatus.READY)
    assert [action.kind for action in engine.actions_of(run)] == expected
