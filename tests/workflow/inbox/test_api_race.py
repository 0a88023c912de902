"""Two validators of a "one of them" step POST their approval through the API at the same moment, each on a
connection of its own against the real database (SQLite, or PostgreSQL through the non-owner role with
row-level security): one 200, one 422 "Cette tâche n'est plus ouverte…", one transition, one audit event."""

import threading

import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import TenantContext, commit, set_context
from saas.identity.authentication import create_token
from saas.identity.models import Person
from saas.reports.models import Report
from saas.tenancy.models import Tenant
from saas.workflow import operations as engine
from saas.workflow.models import Task, TaskState
from tests.fixtures.instances import fresh_app, system_session
from tests.workflow.installation import build


def test_two_approvals_through_the_api_at_the_same_moment_make_one_transition(tmp_path):
    with fresh_app(tmp_path, "inboxrace") as app:
        ids = build(app)
        with system_session(app) as session:
            set_context(session, TenantContext(tenant_id=ids["tenant"], person_id=ids["drafter"]))
            engine.submit(session.get(Report, ids["report"]), session.get(Person, ids["drafter"]))
            tasks = {task.person_id: task.id for task in session.execute(sa.select(Task)).scalars()}
            tokens = {who: create_token(session.get(Person, ids[who]), "race")[1] for who in ("a", "b")}
            slug = session.get(Tenant, ids["tenant"]).slug
            commit(session)
        start, answers = threading.Barrier(2), {}

        def approve(who):
            client = app.test_client()
            start.wait(timeout=30)
            answer = client.post(
                f"/api/v1/tenants/{slug}/tasks/{tasks[ids[who]]}/actions",
                json={"action": "approve", "comment": f"visa de {who}"},
                headers={"Authorization": f"Bearer {tokens[who]}"},
            )
            answers[who] = (answer.status_code, answer.get_json())

        threads = [threading.Thread(target=approve, args=(who,)) for who in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert sorted(status for status, _ in answers.values()) == [200, 422], answers
        refused = next(body for status, body in answers.values() if status == 422)
        assert refused["message"].startswith("Cette tâche n'est plus ouverte"), refused
        with system_session(app) as session:
            events = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "workflow.approved")).scalars()
            assert len(events.all()) == 1
            states = sorted(session.execute(sa.select(Task.step_key, Task.state)).all())
            assert states == sorted(
                [("premier", TaskState.APPROVED), ("premier", TaskState.CANCELLED), ("second", TaskState.OPEN)]
            )
