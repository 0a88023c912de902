"""Each task's person is told once by mail, through the outbox's unique keys, however often the job runs."""

import sqlalchemy as sa

from saas.core.database import TenantContext, commit, set_context
from saas.identity.models import Person
from saas.jobs.queues import run
from saas.mail.models import OutboundMail
from saas.reports.models import Report
from saas.workflow import operations as engine
from saas.workflow.models import Task
from tests.fixtures.instances import fresh_app, production, run_worker, system_session
from tests.workflow.installation import build


def test_a_retried_notification_job_sends_one_mail(tmp_path, smtp_server):
    with fresh_app(tmp_path, "wfmail", smtp_server.port) as app:
        ids = build(app)
        with system_session(app) as session:
            set_context(session, TenantContext(tenant_id=ids["tenant"], person_id=ids["drafter"]))
            engine.submit(session.get(Report, ids["report"]), session.get(Person, ids["drafter"]))
            commit(session)  # releases one notification job per task (inline, or to Redis)
        if production():
            run_worker(app)
        with system_session(app) as session:
            task_ids = session.execute(sa.select(Task.id).order_by(Task.id)).scalars().all()
            assert len(task_ids) == 2
            for _retry in range(2):  # the job runs again, as RQ does after a lost worker
                for task_id in task_ids:
                    run("saas.workflow.jobs.notify_task", ids["tenant"], [task_id])
            mails = (
                session.execute(
                    sa.select(OutboundMail).where(OutboundMail.key.like("workflow:task:%")).order_by(OutboundMail.id)
                )
                .scalars()
                .all()
            )
            assert [mail.key for mail in mails] == [f"workflow:task:{task_id}" for task_id in task_ids]
            assert sorted(mail.to_address for mail in mails) == ["a@course.example.org", "b@course.example.org"]
            assert all(mail.subject == "À traiter : « Course »" for mail in mails)
            assert "Premier visa" in mails[0].body_text
        if production():
            run_worker(app)
            received = [m["To"] for m in smtp_server.messages if m["To"].endswith("@course.example.org")]
            assert sorted(received) == ["a@course.example.org", "b@course.example.org"]
        else:
            assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
