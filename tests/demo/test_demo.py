"""``quorum demo``: seeds a fresh embedded installation, twice without duplicating anything."""

import hashlib
from datetime import date
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from saas.acts import operations as acts
from saas.acts.models import Deliberation
from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, TenantContext, set_context
from saas.core.extensions import db
from saas.demo import collectivities as demo
from saas.documents.models import DocumentVersion
from saas.identity import authentication, operations
from saas.identity.models import GrantKind, Mandate, MandateRole, Person, TenantGrant
from saas.mail.models import OutboundMail
from saas.portal.models import Publication, PublicationKind
from saas.reports.models import Report
from saas.signing.book.models import SignatureStep, StepStatus
from saas.sittings.convocations.models import Convocation
from saas.sittings.inbox import inbox_for
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.outcomes import BallotType, Outcome
from saas.sittings.votes.operations import outcome_of
from saas.storage.operations import read_all
from saas.tenancy.models import Assembly, Tenant
from saas.workflow.models import Task, TaskAction, TaskState, WorkflowRun
from tests.fixtures.instances import fresh_app, system_session
from tests.fixtures.verifiers import pdf_text, pdfsig
from tests.fixtures.web import login

COUNTED = {
    "persons": Person,
    "mandates": Mandate,
    "grants": TenantGrant,
    "mails": OutboundMail,
    "audit": AuditEvent,
    "sittings": Sitting,
    "document versions": DocumentVersion,
    "convocations": Convocation,
    "reports": Report,
}


def _counts(app) -> dict[str, int]:
    with system_session(app) as session:
        counts = {
            name: session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
            for name, model in COUNTED.items()
        }
        # a signer is told by mail when their turn comes: once per step that is or was pending
        counts["signature steps started"] = session.execute(
            sa.select(sa.func.count()).select_from(SignatureStep).where(SignatureStep.status != StepStatus.WAITING)
        ).scalar_one()
        # a circuit's task is announced by mail unless it was done before the job ran (the demo is one
        # transaction, its jobs run after the commit)
        counts["circuit tasks announced"] = session.execute(
            sa.select(sa.func.count()).select_from(Task).where(Task.state.in_([TaskState.OPEN, TaskState.INFORMED]))
        ).scalar_one()
        return counts


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """A fresh SQLite instance on which ``quorum demo --no-serve`` ran twice."""
    with fresh_app(tmp_path_factory.mktemp("demo"), "demo", sqlite=True) as app:
        runner = app.test_cli_runner()
        first = runner.invoke(args=["demo", "--no-serve"])
        assert first.exit_code == 0, first.output
        after_first = _counts(app)
        second = runner.invoke(args=["demo", "--no-serve"])
        assert second.exit_code == 0, second.output
        yield app, first.output, after_first, _counts(app)


def test_second_run_creates_nothing(demo_run):
    app, _, after_first, after_second = demo_run
    assert after_second == after_first
    # about sixty elected members and staff, and the services' heads and drafters of the circuits
    assert 65 <= after_first["persons"] <= 75
    # one invitation or notice per mandate, one convocation per person convened to a demo sitting, one
    # "your turn to sign" per signature step reached in the signature book, one mail per circuit task
    assert after_first["mails"] == (
        after_first["mandates"]
        + after_first["convocations"]
        + after_first["signature steps started"]
        + after_first["circuit tasks announced"]
    )
    # the City's deliberations 41–43 in the book: 5; deliberation 44 through the circuit for acts: the Mayor, then
    # the secretary of the sitting, each in a request of their own: 2; the group agreement: the Agglomeration,
    # the Department, then the Mayor
    assert after_first["signature steps started"] == 5 + 2 + 3


def test_people_hold_mandates_across_collectivities(demo_run):
    app = demo_run[0]
    with system_session(app) as session:
        tenants_per_person = dict(
            session.execute(
                sa.select(Mandate.person_id, sa.func.count(sa.distinct(Mandate.tenant_id))).group_by(Mandate.person_id)
            ).all()
        )
        assert max(tenants_per_person.values()) >= 3
        assert sum(1 for n in tenants_per_person.values() if n >= 2) >= 5
        mayor = operations.person_by_email("helene.marchand@demo.quorum.localhost")
        assert any(m.role == MandateRole.PRESIDENT and m.assembly.key == "conseil-municipal" for m in mayor.mandates)
        committee = (
            session.execute(sa.select(Mandate).join(Mandate.assembly).where(Assembly.name == "Commission n° 1"))
            .scalars()
            .all()
        )
        assert committee
        emails = session.execute(sa.select(Person.email)).scalars().all()
        assert all(email.endswith("@demo.quorum.localhost") for email in emails)


def test_roles_and_second_factor(demo_run):
    app = demo_run[0]
    with system_session(app) as session:
        grants = session.execute(sa.select(TenantGrant)).scalars().all()
        for kind in GrantKind:
            assert {g.tenant.slug for g in grants if g.kind == kind} == set(demo.TERM_START)
        coordinators = session.execute(sa.select(Person).where(Person.is_coordinator)).scalars().all()
        operators = session.execute(sa.select(Person).where(Person.is_operator)).scalars().all()
        assert len(coordinators) == 1 and len(operators) == 1
        # once per person: an admin also validates urgently, a secretary also drafts (a TOTP code is used once)
        people = {person.id: person for person in [*coordinators, *operators, *(g.person for g in grants)]}
        for person in people.values():
            assert authentication.mfa_required(person)
            assert person.has_totp
            # the documented key and password work: a login as the demo user would do it
            assert authentication.check_password(person.email, demo.DEMO_PASSWORD) == person
            assert authentication.verify_totp(person, pyotp.TOTP(demo.DEMO_TOTP_KEY).now())
        session.rollback()


def test_describe_logins_documents_every_way_in(demo_run):
    output = demo_run[1]
    assert demo.DEMO_PASSWORD in output
    assert demo.DEMO_TOTP_KEY in output
    assert "otpauth://totp/" in output
    assert f"pyotp.TOTP('{demo.DEMO_TOTP_KEY}').now()" in output
    for email in ("helene.marchand@", "operateur.demo@", "regis.coulon@", "claire.dubois@"):
        assert email in output


def test_invitations_are_in_the_outbox(demo_run):
    app, _, after_first, _ = demo_run
    files = list((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(files) == after_first["mails"]
    with system_session(app) as session:
        assert session.execute(sa.select(OutboundMail).where(OutboundMail.sent_at.is_(None))).first() is None
        invitation = session.execute(
            sa.select(OutboundMail).where(OutboundMail.key.like("invitation:%")).limit(1)
        ).scalar_one()
    assert "/password/set/" in invitation.body_text


def test_outbox_page_is_for_operators_only(demo_run):
    app, _, counts, _ = demo_run
    last_page = -(-counts["mails"] // 50)
    with system_session(app):
        operator = operations.person_by_email("operateur.demo@demo.quorum.localhost")
        mayor = operations.person_by_email("helene.marchand@demo.quorum.localhost")
        as_operator, as_mayor, anonymous = app.test_client(), app.test_client(), app.test_client()
        login(as_operator, operator)
        login(as_mayor, mayor)
    page = as_operator.get("/operator/outbox")
    assert page.status_code == 200
    assert "Convocation" in page.get_data(as_text=True)  # newest first: the demo sittings' convocations
    assert "Invitation à Quorum" in as_operator.get(f"/operator/outbox?page={last_page}").get_data(as_text=True)
    assert as_mayor.get("/operator/outbox").status_code == 404
    assert as_mayor.get("/operator/outbox/1").status_code == 404
    redirect = anonymous.get("/operator/outbox")
    assert redirect.status_code == 302 and "/login" in redirect.headers["Location"]


def test_every_collectivity_has_a_convened_sitting_and_the_city_held_report_44(demo_run):
    app = demo_run[0]
    with system_session(app) as session:
        sittings = session.execute(sa.select(Sitting)).scalars().all()
        assert len({s.tenant_id for s in sittings if s.status == SittingStatus.CONVENED}) == 4
        held = [s for s in sittings if s.status == SittingStatus.CLOSED]
        assert sorted(s.tenant.slug for s in held) == ["besancon", "grand-besancon"]
        report_44 = session.execute(
            sa.select(AgendaItem).where(AgendaItem.title.like("Équipement numérique%"))
        ).scalar_one()
        assert report_44.position == 1
        assert report_44.committee_opinion == "Avis favorable unanime de la Commission n° 1"
        assert report_44.sitting.assembly.key == "conseil-municipal"
        assert report_44.rapporteur is not None and report_44.rapporteur.last_name == "Dumont"
        assert report_44.sitting.tenant.slug == "besancon"
        lambert = operations.person_by_email(demo.demo_email("Sophie", "Lambert"))
    with app.app_context():
        set_context(db.session, TenantContext(person_id=lambert.id))
        entries = inbox_for(db.session.get(Person, lambert.id))
        assert len({entry.tenant_slug for entry in entries}) >= 3


def test_each_collectivity_has_its_circuit_and_reports_at_every_stage(demo_run):
    app = demo_run[0]
    with system_session(app) as session:
        runs = session.execute(sa.select(WorkflowRun)).scalars().all()
        keys = {(run.tenant_id, run.version.definition.key) for run in runs}
        assert {key for _, key in keys} == {
            "circuit-ville", "circuit-region", "circuit-departement", "circuit-agglomeration", "actes-a-signer"
        }  # fmt: skip
        report_44 = session.execute(sa.select(Report).where(Report.title.like("Équipement numérique%"))).scalar_one()
        assert report_44.status.value == "ready"
        [run] = [run for run in runs if run.report_id == report_44.id and run.version.definition.key == "circuit-ville"]
        steps = [action.kind for action in session.execute(
            sa.select(TaskAction).where(TaskAction.run_id == run.id).order_by(TaskAction.id)
        ).scalars()]  # fmt: skip
        assert steps == ["approve", "approve", "approve", "give_opinion"]
        [item] = session.execute(sa.select(AgendaItem).where(AgendaItem.report_id == report_44.id)).scalars()
        assert item.committee_opinion == "Avis favorable unanime de la Commission n° 1"
        assert item.rapporteur.last_name == "Dumont" and item.sitting.status == SittingStatus.CLOSED
        by_title = {report.title: report for report in session.execute(sa.select(Report)).scalars()}
        resubmitted = by_title["Convention d'occupation du domaine public — marché de Noël"]
        assert resubmitted.version == 2 and resubmitted.status.value == "in_circuit"
        late = (
            session.execute(sa.select(Task).where(Task.state == TaskState.OPEN, Task.due_on < date.today()))
            .scalars()
            .all()
        )
        assert [task.step_key for task in late] == ["visa-rapporteur"]
        in_circuit = [report for report in by_title.values() if report.status.value == "in_circuit"]
        assert {report.tenant_id for report in in_circuit} == set(session.execute(sa.select(Tenant.id)).scalars())


def test_deliberation_44_is_generated_with_the_founding_formula_and_signed(demo_run, tmp_path):
    app = demo_run[0]
    with app.app_context():
        set_context(db.session, SYSTEM)
        act = db.session.execute(
            sa.select(Deliberation).where(Deliberation.title.like("Équipement numérique%"))
        ).scalar_one()
        assert act.number == f"{act.year}-044" and act.outcome == Outcome.ADOPTED
        signed = tmp_path / "deliberation-44.pdf"
        signed.write_bytes(read_all(acts.signed_request(act).current_blob))
    text = pdf_text(signed.read_bytes(), tmp_path)
    assert "sur avis favorable unanime de la Commission n° 1" in text
    assert "à l'unanimité des suffrages exprimés" in text
    assert pdfsig(signed).count("Signature is Valid") == 2


def test_the_agglomeration_held_a_named_ballot_and_postponed_an_item_for_lack_of_quorum(demo_run):
    app = demo_run[0]
    with app.app_context():
        set_context(db.session, SYSTEM)
        held = sa.select(Sitting).join(Tenant).where(Sitting.status == SittingStatus.CLOSED)
        [sitting] = db.session.execute(held.where(Tenant.slug == "grand-besancon")).scalars()
        first, second = db.session.execute(
            sa.select(AgendaItem).where(AgendaItem.sitting_id == sitting.id).order_by(AgendaItem.position)
        ).scalars()
        named, postponed = outcome_of(first), outcome_of(second)
    assert named.ballot_type == BallotType.NAMED and named.outcome == Outcome.ADOPTED
    assert len(named.names_against) == 2 and len(named.names_abstaining) == 1
    assert postponed.outcome == Outcome.POSTPONED and "quorum" in postponed.reason


def test_deliberation_44_and_its_list_are_on_the_citys_public_portal(demo_run):
    app = demo_run[0]
    with app.app_context():
        set_context(db.session, SYSTEM)
        act = db.session.execute(
            sa.select(Deliberation).where(Deliberation.title.like("Équipement numérique%"))
        ).scalar_one()
        signed = read_all(acts.signed_request(act).current_blob)
        [publication] = db.session.execute(
            sa.select(Publication).where(Publication.kind == PublicationKind.DELIBERATION)
        ).scalars()
        kinds = sorted(kind.value for kind in db.session.execute(sa.select(Publication.kind)).scalars())
        publication_id = publication.id
    assert kinds == ["deliberation", "deliberation_list"]  # twice run, published once; the minutes are not signed
    client = app.test_client()
    page = client.get("/besancon/actes")
    assert page.status_code == 200 and f"n° {act.number}" in page.get_data(as_text=True)
    pdf = client.get(f"/besancon/actes/{publication_id}/pdf")
    assert pdf.status_code == 200 and pdf.data == signed
    assert hashlib.sha256(pdf.data).hexdigest() == publication.sha256
