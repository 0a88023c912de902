"""Acceptance (issue 3): the City's conseil municipal, 80 members in office, convened by its secretary.

A secretary of the City (tenants/ville-besancon.toml) convenes, through the web route "Convoquer", a
sitting whose first item is the founding report n° 44 with the Commission n° 1 opinion. Each of the 80
convened members gets exactly one mail with one convocation PDF attached, the 3 staff members an
invitation, on an installation of its own that commits for real.

Production column: a real ``quorum worker`` process (and its work horse) is killed with SIGKILL halfway
through the sending, once some but not all mails have been accepted by the SMTP server; workers are
started again (two, side by side), then every job of the sending is released once more (as retries after
a crash would) and run by two workers again. Embedded column: the jobs run inline after the secretary's
commit; running every one of them a second time writes nothing.

The evidence package holds one convocation PDF per convened person, byte for byte the mail's attachment.
"""

import email
import email.policy
import io
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from saas import ROOT
from saas.core.database import TenantContext, commit, context, utcnow
from saas.core.printing import render_pdf
from saas.documents.operations import add_item_document
from saas.identity import operations as identity
from saas.identity.models import GrantKind, Mandate, MandateRole, Person
from saas.mail.jobs import deliver_mail
from saas.mail.models import OutboundMail
from saas.sittings import operations
from saas.sittings.convocations.evidence import evidence_zip
from saas.sittings.convocations.jobs import prepare_convocation, record_convocation_delivery
from saas.sittings.convocations.models import Convocation, ConvocationKind
from saas.sittings.convocations.operations import convocation_progress
from saas.sittings.models import Sitting
from saas.sittings.proof import operations as proof
from saas.tenancy.models import Assembly
from saas.tenancy.operations import load_tenant_file
from tests.fixtures.instances import fresh_app, production, system_session, worker_env
from tests.fixtures.web import csrf_token, login

MEMBERS, STAFF = 80, 3
REPORT_TITLE = "Équipement numérique – Dématérialisation des documents et procédures"
#: a report of a few paragraphs, long enough to be a real attachment of every convocation
REPORT_PARAGRAPHS = [
    "Il est envisagé de doter les élus d'équipements numériques leur permettant de recevoir les dossiers, de les "
    "annoter, de les conserver sous un format sécurisé et de procéder à des validations en ligne.",
    "Ceci s'inscrit dans la modernisation du fonctionnement de la collectivité et contribue à réduire le volume "
    "de papier consommé : les dossiers du Conseil seraient envoyés en format numérique.",
    "Afin de réduire les coûts, une opération commune serait réalisée avec d'autres collectivités, sous la forme "
    "d'un groupement de commandes.",
    "Le Conseil est invité à se prononcer sur ce projet et à autoriser la constitution du groupement.",
]
OPINION = "Avis favorable unanime de la Commission n° 1"
SUBJECT = re.compile(r"^(Convocation|Invitation) — Conseil municipal du \d\d/\d\d/\d{4} — Ville de Besançon$")


@dataclass
class Sending:
    app: object
    tenant_id: int
    sitting_id: int
    convened: dict[str, int]  # e-mail -> person id
    invited: dict[str, int]
    smtp_server: object
    sent_when_killed: int | None = None


def seat_the_council(app) -> tuple[int, int, int, dict[str, int], dict[str, int]]:
    """The City from its tenant file, 80 members and 3 staff in office in its conseil municipal (seated
    earlier: no mail now), a secretary, and a draft sitting in a month with report n° 44.
    Returns (tenant id, sitting id, secretary id, convened, invited)."""
    with system_session(app) as session:
        tenant, _ = load_tenant_file(ROOT / "tenants" / "ville-besancon.toml")
        council = session.execute(
            sa.select(Assembly).where(Assembly.tenant_id == tenant.id, Assembly.key == "conseil-municipal")
        ).scalar_one()
        convened, invited = {}, {}
        for n in range(MEMBERS + STAFF):
            member = n < MEMBERS
            person = Person(
                email=f"{'elu' if member else 'agent'}{n:02d}@besancon.example",
                first_name="Camille" if member else "Dominique",
                last_name="Dumont" if n == 0 else f"Conseil{n:02d}",
            )
            session.add(person)
            session.flush()
            role = MandateRole.MEMBER if member else MandateRole.STAFF
            session.add(
                Mandate(tenant_id=tenant.id, person=person, assembly=council, role=role, start_date=date(2026, 1, 1))
            )
            (convened if member else invited)[person.email] = person.id
        secretary = Person(email="secretariat@besancon.example", first_name="Claire", last_name="Secrétaire")
        session.add(secretary)
        session.flush()
        identity.give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=council, actor=None)
        commit(session)
        with context(session, TenantContext(tenant_id=tenant.id)):
            day = (utcnow() + timedelta(days=30)).astimezone(ZoneInfo(tenant.timezone)).date()
            starts_at = datetime(day.year, day.month, day.day, 18, 0, tzinfo=ZoneInfo(tenant.timezone))
            sitting = operations.create_sitting(
                tenant, council, starts_at=starts_at, place="Hôtel de Ville, salle du Conseil", actor=None
            )
            rapporteur = session.get(Person, convened["elu00@besancon.example"])
            item = operations.add_item(
                sitting,
                title=REPORT_TITLE,
                subject_code="1.1",
                committee_opinion=OPINION,
                rapporteur=rapporteur,
                actor=None,
            )
            report = render_pdf(
                "report.html",
                collectivity=tenant.name,
                kind="Rapport",
                number=44,
                rapporteur=rapporteur.full_name,
                title=REPORT_TITLE,
                paragraphs=REPORT_PARAGRAPHS,
            )
            add_item_document(item, "report", "Rapport n° 44", io.BytesIO(report), "rapport-44.pdf", None)
            commit(session)
        return tenant.id, sitting.id, secretary.id, convened, invited


def convene_through_the_web(app, sitting_id: int, secretary_id: int) -> None:
    client = app.test_client()
    with system_session(app) as session:
        login(client, session.get(Person, secretary_id))
    page = f"/t/besancon/s/{sitting_id}"
    response = client.post(f"{page}/convocations", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def start_worker(app) -> subprocess.Popen:
    """``quorum worker --burst`` in a session of its own, so that it can be killed with its work horse."""
    quorum = Path(sys.executable).parent / "quorum"
    env = {**os.environ, **worker_env(app)}
    return subprocess.Popen([str(quorum), "worker", "--burst"], env=env, start_new_session=True)


def sent_count(app, sitting_id: int) -> int:
    with system_session(app) as session:
        return session.execute(
            sa.select(sa.func.count())
            .select_from(OutboundMail)
            .where(OutboundMail.key.like(f"convocation:{sitting_id}:%"), OutboundMail.sent_at.is_not(None))
        ).scalar_one()


def kill_halfway(app, sitting_id: int, total: int) -> int:
    """Run a worker until some mails are accepted, then SIGKILL it and its work horse; returns how many."""
    worker = start_worker(app)
    deadline = time.monotonic() + 300
    try:
        while (sent := sent_count(app, sitting_id)) < 5:
            assert worker.poll() is None, "the worker stopped before sending anything"
            assert time.monotonic() < deadline, "no mail sent within 5 minutes"
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)
    sent = sent_count(app, sitting_id)
    assert sent < total, "the worker finished before it could be killed halfway"
    return sent


def release_everything_again(app, tenant_id: int, sitting_id: int) -> None:
    """Every job of the sending released once more, as retries after a crash would."""
    with system_session(app) as session:
        for convocation_id in session.execute(
            sa.select(Convocation.id).where(Convocation.sitting_id == sitting_id)
        ).scalars():
            prepare_convocation.delay(convocation_id, tenant_id=tenant_id, job_id=f"convocation-{convocation_id}")
        for mail_id in mail_ids(session, sitting_id):
            deliver_mail.delay(mail_id, tenant_id=None, job_id=f"mail-{mail_id}")
            record_convocation_delivery.delay(mail_id, tenant_id=tenant_id, job_id=f"mail-{mail_id}-delivered")
        commit(session)


def run_workers(app) -> None:
    """Two burst workers side by side until the queues are empty (the row locks keep them apart)."""
    workers = [start_worker(app) for _ in range(2)]
    try:
        assert [worker.wait(timeout=900) for worker in workers] == [0, 0], "a worker process failed"
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def mail_ids(session, sitting_id: int) -> list[int]:
    query = sa.select(OutboundMail.id).where(OutboundMail.key.like(f"convocation:{sitting_id}:%"))
    return list(session.execute(query).scalars())


@pytest.fixture(scope="module")
def sending(tmp_path_factory, smtp_server):
    with fresh_app(tmp_path_factory.mktemp("scale"), "scale", smtp_server.port) as app:
        tenant_id, sitting_id, secretary_id, convened, invited = seat_the_council(app)
        convene_through_the_web(app, sitting_id, secretary_id)
        result = Sending(app, tenant_id, sitting_id, convened, invited, smtp_server)
        if production():
            result.sent_when_killed = kill_halfway(app, sitting_id, MEMBERS + STAFF)
            run_workers(app)  # restarted; the job killed halfway is released again below
            release_everything_again(app, tenant_id, sitting_id)
            run_workers(app)
        yield result


def state(sending: Sending) -> dict:
    """Rows of the sending: convocations, mails (key -> sent at), deliveries recorded, progress."""
    with system_session(sending.app) as session:
        convocations = session.execute(
            sa.select(Convocation.person_id, Convocation.kind, Convocation.pdf_blob_id).where(
                Convocation.sitting_id == sending.sitting_id
            )
        ).all()
        mails = dict(
            session.execute(
                sa.select(OutboundMail.key, OutboundMail.sent_at).where(
                    OutboundMail.key.like(f"convocation:{sending.sitting_id}:%")
                )
            ).all()
        )
        with context(session, TenantContext(tenant_id=sending.tenant_id)):
            sitting = session.get(Sitting, sending.sitting_id)
            deliveries = sorted(r.person_id for r in proof.records(sitting) if r.kind.value == "delivery")
            progress = convocation_progress(sitting)
    return {"convocations": sorted(convocations), "mails": mails, "deliveries": deliveries, "progress": progress}


def received(sending: Sending) -> dict[str, list[email.message.EmailMessage]]:
    """The convocation and invitation mails each recipient received (SMTP server, or the outbox folder)."""
    if production():
        raw = [m.as_bytes() for m in sending.smtp_server.messages]
    else:
        raw = [path.read_bytes() for path in sorted((Path(sending.app.instance_path) / "outbox").glob("*.eml"))]
    by_address = {address: [] for address in (*sending.convened, *sending.invited)}
    for data in raw:
        message = email.message_from_bytes(data, policy=email.policy.default)
        if message["To"] in by_address and SUBJECT.match(message["Subject"]):
            by_address[message["To"]].append(message)
    return by_address


def attachments(message) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for part in message.iter_attachments():
        found.setdefault(part.get_content_type(), []).append(part.get_payload(decode=True))
    return found


def outbox_files(sending: Sending) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (Path(sending.app.instance_path) / "outbox").glob("*.eml")}


def test_each_of_the_80_members_gets_exactly_one_convocation_whatever_happens_to_the_worker(sending):
    everyone = {**sending.convened, **sending.invited}
    first = state(sending)
    assert [(person, kind) for person, kind, _ in first["convocations"]] == sorted(
        [(p, ConvocationKind.CONVOCATION) for p in sending.convened.values()]
        + [(p, ConvocationKind.INVITATION) for p in sending.invited.values()]
    )
    assert all(blob_id is not None for _, _, blob_id in first["convocations"])
    assert sorted(first["mails"]) == sorted(f"convocation:{sending.sitting_id}:{p}:email" for p in everyone.values())
    assert all(sent_at is not None for sent_at in first["mails"].values())  # none lost
    assert first["deliveries"] == sorted(everyone.values())
    assert first["progress"] == (MEMBERS + STAFF, MEMBERS + STAFF)

    by_address = received(sending)
    if production():
        assert 5 <= sending.sent_when_killed < MEMBERS + STAFF
        # A worker killed between the SMTP server's acceptance and its commit sends that one mail again
        # with the same Message-ID (docs/decisions.md), which receiving servers drop: one mail per person.
        assert {a: len({m["Message-ID"] for m in messages}) for a, messages in by_address.items()} == dict.fromkeys(
            everyone, 1
        )
        assert sum(len(messages) for messages in by_address.values()) <= len(everyone) + 1
    else:
        assert {address: len(messages) for address, messages in by_address.items()} == dict.fromkeys(everyone, 1)
    for address, messages in by_address.items():
        message = messages[0]
        expected = "Convocation" if address in sending.convened else "Invitation"
        assert message["Subject"].startswith(expected)
        files = attachments(message)
        assert sorted(files) == ["application/pdf", "text/calendar"]
        assert len(files["application/pdf"]) == 1 and files["application/pdf"][0].startswith(b"%PDF-")
        assert len(files["text/calendar"]) == 1

    if not production():  # every job of the sending, run a second time (inline): nothing changes
        written = outbox_files(sending)
        release_everything_again(sending.app, sending.tenant_id, sending.sitting_id)
        assert state(sending) == first
        assert outbox_files(sending) == written


def test_the_evidence_package_holds_each_convocation_as_it_was_mailed(sending):
    with system_session(sending.app) as session, context(session, TenantContext(tenant_id=sending.tenant_id)):
        package = evidence_zip(session.get(Sitting, sending.sitting_id))
    pdfs = {}
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        for name in archive.namelist():
            match = re.search(r"convocation-(\d+)\.pdf$", name)
            if match:
                pdfs[int(match.group(1))] = archive.read(name)
    assert set(sending.convened.values()) <= set(pdfs)
    for address, [message, *_] in received(sending).items():
        if address in sending.convened:
            assert pdfs[sending.convened[address]] == attachments(message)["application/pdf"][0]
