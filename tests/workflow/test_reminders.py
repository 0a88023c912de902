"""Late tasks are reminded once per task and due date, in each collectivity's own date: by the job (which
RQ's cron scheduler enqueues in production) or by ``quorum workflows remind``; running again sends nothing."""

from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header

import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, commit, context, set_context
from saas.identity.models import Person
from saas.mail.models import OutboundMail
from saas.reports.models import Report
from saas.workflow import jobs
from saas.workflow import operations as engine
from saas.workflow.cli import reminder_scheduler
from saas.workflow.models import Task, TaskState
from tests.fixtures.instances import fresh_app, production, run_worker, system_session
from tests.fixtures.workflow import persons, step
from tests.workflow.installation import build


def reminders(session) -> list[OutboundMail]:
    with context(session, SYSTEM):
        return list(
            session.execute(
                sa.select(OutboundMail).where(OutboundMail.key.like("workflow:reminder:%")).order_by(OutboundMail.id)
            ).scalars()
        )


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def remind(session) -> int:
    with context(session, SYSTEM):
        return jobs.remind_late_tasks()


def test_late_tasks_are_reminded_once_in_their_collectivitys_date(
    session, clock, make_collectivity, make_circuit, make_report, acting
):
    clock.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    paris = make_collectivity(timezone="Europe/Paris")
    cayenne = make_collectivity(timezone="America/Cayenne")
    runs = {}
    for place in (paris, cayenne):
        who = persons(place.validator_a, place.validator_b)
        make_circuit(place, step("visa", who, mode="all", deadline={"days_after_arrival": 1}))
        with acting(place.drafter, place.tenant):
            runs[place.tenant.id] = engine.submit(make_report(place), place.drafter)
    paris_a, paris_b = engine.tasks_of(runs[paris.tenant.id])
    with acting(paris.validator_a, paris.tenant):
        engine.approve(paris_a, paris.validator_a)
    assert paris_b.due_on == date(2026, 3, 3)

    clock.move_to(datetime(2026, 3, 3, 21, 30, tzinfo=UTC))  # 22 h 30 in Paris: the last day, not late yet
    assert remind(session) == 0
    clock.move_to(datetime(2026, 3, 4, 1, 30, tzinfo=UTC))  # Paris: the 4th; Cayenne: 22 h 30 on the 3rd
    assert remind(session) == 1
    (mail,) = reminders(session)
    assert mail.key == f"workflow:reminder:{paris_b.id}:2026-03-03"
    assert mail.to_address == paris.validator_b.email and mail.tenant_id == paris.tenant.id
    assert mail.subject.startswith("Relance — en retard : « Équipement numérique")
    assert "au plus tard le 03/03/2026" in mail.body_text and "1 jour de retard" in mail.body_text
    assert remind(session) == 0  # run again: nothing more

    clock.move_to(datetime(2026, 3, 4, 4, 0, tzinfo=UTC))  # 1 h on the 4th in Cayenne
    assert remind(session) == 2
    cayenne_tasks = engine.tasks_of(runs[cayenne.tenant.id])
    assert [m.key for m in reminders(session)][1:] == [f"workflow:reminder:{t.id}:2026-03-03" for t in cayenne_tasks]
    clock.move_to(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    assert remind(session) == 0  # one reminder per due date, however late
    with acting(cayenne.validator_a, cayenne.tenant):
        assert cayenne_tasks[0].state == TaskState.OPEN


def test_the_command_and_the_scheduled_job_remind_once(tmp_path, smtp_server):
    with fresh_app(tmp_path, "wfremind", smtp_server.port) as app:
        ids = build(app)
        with system_session(app) as session:
            set_context(session, TenantContext(tenant_id=ids["tenant"], person_id=ids["drafter"]))
            engine.submit(session.get(Report, ids["report"]), session.get(Person, ids["drafter"]))
            set_context(session, SYSTEM)
            for task in session.execute(sa.select(Task)).scalars():
                task.due_on = date.today() - timedelta(days=2)
            commit(session)
        runner = app.test_cli_runner()
        if production():
            with app.app_context():
                from saas.jobs.queues import redis_connection

                scheduler = reminder_scheduler(redis_connection())
                assert [job.name for job in scheduler.enqueue_jobs()] == ["workflow-reminders"]
            run_worker(app)  # runs the reminder job, then delivers its mails
            received = [m for m in smtp_server.messages if subject(m).startswith("Relance")]
            assert sorted(m["To"] for m in received) == ["a@course.example.org", "b@course.example.org"]
        else:
            first = runner.invoke(args=["workflows", "remind"])
            assert first.exit_code == 0 and first.output == "2 relance(s) envoyée(s)\n"
            assert len(list((tmp_path / "outbox").glob("*.eml"))) == 4  # two tasks, two reminders
        again = runner.invoke(args=["workflows", "remind"])
        assert again.exit_code == 0 and again.output == "0 relance(s) envoyée(s)\n"
        with system_session(app) as session:
            assert len(reminders(session)) == 2
        if production():
            run_worker(app)
            assert len([m for m in smtp_server.messages if subject(m).startswith("Relance")]) == 2
