"""Two validators of a "one of them" step approving at the same moment, each in a transaction of its own on
the real database (SQLite, or PostgreSQL through the non-owner role with row-level security): one transition,
one audit event, one set of next tasks; the other is refused in French. Two submissions racing: one circuit;
two starts of an act's signature: one request in the book."""

import io
import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.audit.operations import verify_all
from saas.core.database import TenantContext, commit, set_context
from saas.core.extensions import db
from saas.documents.operations import add_document
from saas.identity.models import Person
from saas.reports import operations as reports
from saas.reports.models import Report, ReportStatus
from saas.signing.book.models import SignatureRequest
from saas.sittings import operations as sittings
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import Task, TaskState, WorkflowRun
from tests.fixtures.instances import fresh_app, system_session
from tests.fixtures.pdfs import clean_pdf
from tests.workflow.installation import build


def _race(app: Flask, actions) -> tuple[list, list]:
    """Run each action (a function of the session) in its own thread and transaction, released together."""
    start, done, refused, failed = threading.Barrier(len(actions)), [], [], []

    def worker(action):
        try:
            start.wait(timeout=30)
            with app.app_context():
                try:
                    done.append(action(db.session))
                    commit(db.session)
                except WorkflowError as error:
                    db.session.rollback()
                    refused.append(error.message)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            failed.append(error)

    threads = [threading.Thread(target=worker, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failed == []
    return done, refused


def _as(session, ids: dict, who: str) -> Person:
    set_context(session, TenantContext(tenant_id=ids["tenant"], person_id=ids[who]))
    return session.get(Person, ids[who])


def test_two_approvals_of_a_one_of_them_step_make_one_transition(tmp_path):
    with fresh_app(tmp_path, "wfrace") as app:
        ids = build(app)
        with system_session(app) as session:
            set_context(session, TenantContext(tenant_id=ids["tenant"], person_id=ids["drafter"]))
            engine.submit(session.get(Report, ids["report"]), session.get(Person, ids["drafter"]))
            commit(session)
            tasks = {task.person_id: task.id for task in session.execute(sa.select(Task)).scalars()}

        def approval(who):
            def act(session):
                person = _as(session, ids, who)
                return engine.approve(session.get(Task, tasks[ids[who]]), person, comment=f"visa de {who}")

            return act

        done, refused = _race(app, [approval("a"), approval("b")])
        assert done == ["second"]
        assert len(refused) == 1 and "n'est plus ouverte" in refused[0]
        with system_session(app) as session:
            approved = (
                session.execute(sa.select(AuditEvent).where(AuditEvent.action == "workflow.approved")).scalars().all()
            )
            assert len(approved) == 1
            states = sorted(session.execute(sa.select(Task.step_key, Task.state).order_by(Task.id)).all())
            assert states == sorted(
                [("premier", TaskState.APPROVED), ("premier", TaskState.CANCELLED), ("second", TaskState.OPEN)]
            )
            run = session.execute(sa.select(WorkflowRun)).scalar_one()
            assert (run.position, run.round) == (1, 2)
            assert all(report.intact for report in verify_all())  # the collectivity's chain took one event


def test_two_submissions_racing_start_one_circuit(tmp_path):
    with fresh_app(tmp_path, "wfsubmit") as app:
        ids = build(app)

        def submission(session):
            person = _as(session, ids, "drafter")
            return engine.submit(session.get(Report, ids["report"]), person).id

        done, refused = _race(app, [submission, submission])
        assert len(done) == 1 and len(refused) == 1 and "déjà en cours" in refused[0]
        with system_session(app) as session:
            assert session.execute(sa.select(sa.func.count()).select_from(WorkflowRun)).scalar_one() == 1
            events = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "workflow.submitted")).scalars()
            assert len(events.all()) == 1


def test_two_starts_of_an_acts_signature_racing_make_one_request(tmp_path):
    """Two clicks on « Faire signer l'acte » at the same moment: one circuit, one request in the book."""
    with fresh_app(tmp_path, "wfsign") as app:
        ids = build(app)
        with system_session(app) as session:
            set_context(session, TenantContext(tenant_id=ids["tenant"]))
            report = session.get(Report, ids["report"])
            add_document(report, "report", "Délibération", io.BytesIO(clean_pdf(tmp_path / "d.pdf").read_bytes()),
                         "d.pdf", None)  # fmt: skip
            report.status = ReportStatus.READY  # its circuit is not what is raced here
            sitting = sittings.create_sitting(
                report.tenant, report.assembly, starts_at=datetime.now(UTC) + timedelta(days=30), place="Salle",
                actor=None,
            )  # fmt: skip
            reports.place_on_agenda(report, sitting, actor=None)
            acts = {
                "key": "actes",
                "name": "Actes",
                "applies_to": "acts",
                "steps": [{"key": "signature", "name": "Signature", "kind": "signature",
                           "who": {"kind": "persons", "emails": ["a@course.example.org"]}}],
            }  # fmt: skip
            definitions.create_definition(report.tenant, acts, actor=None)
            commit(session)

        def start(session):
            person = _as(session, ids, "secretary")
            return engine.start_signing(session.get(Report, ids["report"]), person).id

        done, refused = _race(app, [start, start])
        assert len(done) == 1 and len(refused) == 1 and "déjà en cours" in refused[0]
        with system_session(app) as session:
            assert session.execute(sa.select(sa.func.count()).select_from(WorkflowRun)).scalar_one() == 1
            assert session.execute(sa.select(sa.func.count()).select_from(SignatureRequest)).scalar_one() == 1
