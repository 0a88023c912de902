"""An invitation goes through the job queue: a real RQ worker process sends it (production column), or
the job runs inline after commit and writes the outbox (embedded column). Run twice, it sends once."""

import email.policy
import itertools
import re

import sqlalchemy as sa

from saas.core.database import commit
from saas.identity import operations
from saas.mail.jobs import deliver_mail
from saas.mail.models import OutboundMail
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from tests.fixtures.instances import fresh_app, production, run_worker, system_session

_numbers = itertools.count(1)
SUBJECT = "Invitation à Quorum — Ville de Pontarlier"
LINK = re.compile(r"https?://\S+/password/set/(\S+)")


def invite(app, email: str) -> int:
    """Give a mandate to a new person (so an invitation is queued) and commit; return the mail's id."""
    with system_session(app) as session:
        n = next(_numbers)
        tenant = Tenant(
            slug=f"jobs-{n}",
            name="Ville de Pontarlier",
            kind=TenantKind.COMMUNE,
            siren=f"{n:09d}",
            population=17000,
        )
        session.add(tenant)
        session.flush()
        assembly = Assembly(
            tenant_id=tenant.id, key="conseil-municipal", name="Conseil municipal", kind=AssemblyKind.COUNCIL
        )
        session.add(assembly)
        session.flush()
        request = operations.MandateRequest(email=email, first_name="Inès", last_name="Vuillet", assembly=assembly)
        mandate = operations.give_mandate(tenant, request, actor=None)
        mail_id = session.execute(
            sa.select(OutboundMail.id).where(OutboundMail.key == f"invitation:mandate:{mandate.id}")
        ).scalar_one()
        commit(session)
        return mail_id


def enqueue_again(app, mail_id: int) -> None:
    """Release the same delivery job a second time, as a retry after a crash would."""
    with system_session(app) as session:
        deliver_mail.delay(mail_id, tenant_id=None, job_id=f"mail-{mail_id}")
        commit(session)


def sent_at(app, mail_id: int):
    with system_session(app) as session:
        return session.get(OutboundMail, mail_id).sent_at


def assert_link_sets_the_password(app, body: str, email: str) -> None:
    match = LINK.search(body)
    assert match, body
    with system_session(app):
        person = operations.person_for_set_password_token(match.group(1))
        assert person is not None and person.email == email


def test_invitation_is_delivered_once(tmp_path, smtp_server):
    address = f"ines.vuillet-{next(_numbers)}@example.org"
    with fresh_app(tmp_path, "jobs", smtp_server.port) as app:
        mail_id = invite(app, address)
        if production():
            assert sent_at(app, mail_id) is None  # in Redis, waiting for a worker
            assert [m for m in smtp_server.messages if m["To"] == address] == []
            run_worker(app)
            received = [m for m in smtp_server.messages if m["To"] == address]
            assert len(received) == 1
            message = email.message_from_bytes(received[0].as_bytes(), policy=email.policy.default)
            assert message["Subject"] == SUBJECT
            assert_link_sets_the_password(app, message.get_content(), address)
            first_sent = sent_at(app, mail_id)
            assert first_sent is not None
            enqueue_again(app, mail_id)
            run_worker(app)
            assert len([m for m in smtp_server.messages if m["To"] == address]) == 1
        else:
            eml = tmp_path / "outbox" / f"{mail_id:08d}.eml"
            assert eml.is_file()  # the inline job ran right after the commit
            first_bytes = eml.read_bytes()
            message = email.message_from_bytes(first_bytes, policy=email.policy.default)
            assert message["To"] == address and message["Subject"] == SUBJECT
            assert_link_sets_the_password(app, message.get_content(), address)
            first_sent = sent_at(app, mail_id)
            assert first_sent is not None
            enqueue_again(app, mail_id)
            assert eml.read_bytes() == first_bytes  # not written again (its Date header would differ)
            assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
        assert sent_at(app, mail_id) == first_sent
