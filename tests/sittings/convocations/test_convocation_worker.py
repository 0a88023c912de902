"""Convocations through the real job machinery, on an installation of its own that commits for real.

Production column: a real ``quorum worker`` process renders the PDFs and hands the mails to the SMTP
server on loopback; every job released again and a second worker run change nothing (a retry, or a
worker killed mid-run and restarted). Embedded column: the jobs run inline after the commit and write
the outbox; running them again writes nothing more.
"""

import email
import email.policy
import itertools
from pathlib import Path

import sqlalchemy as sa

from saas.core.database import TenantContext, commit, context
from saas.mail.jobs import deliver_mail
from saas.mail.models import OutboundMail
from saas.sittings import operations
from saas.sittings.convocations.jobs import prepare_convocation, record_convocation_delivery
from saas.sittings.convocations.models import Convocation
from saas.sittings.convocations.operations import convocation_progress
from saas.sittings.proof import operations as proof
from tests.fixtures.convocations import convene
from tests.fixtures.instances import fresh_app, production, run_worker, system_session

_numbers = itertools.count(1)


def release_everything_again(app, tenant_id: int, sitting_id: int) -> None:
    """Every job of the sending released once more, as retries after a crash would."""
    with system_session(app) as session:
        conv_ids = session.execute(sa.select(Convocation.id).where(Convocation.sitting_id == sitting_id)).scalars()
        for conv_id in conv_ids:
            prepare_convocation.delay(conv_id, tenant_id=tenant_id, job_id=f"convocation-{conv_id}")
        for mail_id in mail_ids(session, sitting_id):
            deliver_mail.delay(mail_id, tenant_id=None, job_id=f"mail-{mail_id}")
            record_convocation_delivery.delay(mail_id, tenant_id=tenant_id, job_id=f"mail-{mail_id}-delivered")
        commit(session)


def mail_ids(session, sitting_id: int) -> list[int]:
    query = sa.select(OutboundMail.id).where(OutboundMail.key.like(f"convocation:{sitting_id}:%"))
    return list(session.execute(query).scalars())


def state(app, tenant_id: int, sitting_id: int):
    with system_session(app) as session:
        convocations = session.execute(sa.select(Convocation).where(Convocation.sitting_id == sitting_id)).scalars()
        rows = len(convocations.all())
        with context(session, TenantContext(tenant_id=tenant_id)):
            sitting = session.get(operations.Sitting, sitting_id)
            progress = convocation_progress(sitting)
            deliveries = [r.person_id for r in proof.records(sitting) if r.kind.value == "delivery"]
        return rows, len(mail_ids(session, sitting_id)), progress, sorted(deliveries)


def received(app, smtp_server, addresses) -> dict[str, list]:
    if production():
        raw = [m.as_bytes() for m in smtp_server.messages if m["To"] in addresses]
    else:
        raw = [p.read_bytes() for p in sorted((Path(app.instance_path) / "outbox").glob("*.eml"))]
    messages = [email.message_from_bytes(r, policy=email.policy.default) for r in raw]
    by_address: dict[str, list] = {a: [] for a in addresses}
    for message in messages:
        if message["To"] in by_address and " — Conseil municipal du " in message["Subject"]:
            by_address[message["To"]].append(message)
    return by_address


def test_each_person_gets_exactly_one_mail_whatever_is_retried(tmp_path, smtp_server):
    with fresh_app(tmp_path, "convocation", smtp_server.port) as app:
        tenant_id, sitting_id, addresses = convene(app, next(_numbers))
        if production():
            assert state(app, tenant_id, sitting_id)[:3] == (6, 0, (0, 6))  # waiting in Redis for a worker
            run_worker(app)
        first = state(app, tenant_id, sitting_id)
        assert first[:3] == (6, 6, (6, 6)) and len(first[3]) == 6
        by_address = received(app, smtp_server, addresses)
        assert {a: len(m) for a, m in by_address.items()} == dict.fromkeys(addresses, 1)
        for address, [message] in by_address.items():
            types = sorted(part.get_content_type() for part in message.iter_attachments())
            assert types == ["application/pdf", "text/calendar"]
            expected = "Invitation" if address == addresses[-1] else "Convocation"
            assert message["Subject"].startswith(expected)

        release_everything_again(app, tenant_id, sitting_id)
        if production():
            run_worker(app)
        assert state(app, tenant_id, sitting_id) == first
        again = received(app, smtp_server, addresses)
        assert {a: len(m) for a, m in again.items()} == dict.fromkeys(addresses, 1)
