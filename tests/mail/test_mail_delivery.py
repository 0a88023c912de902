"""Queued mail: one row and one mail per key, delivered after commit (outbox file or SMTP via a worker)."""

import itertools

import sqlalchemy as sa

from saas.core.database import commit
from saas.mail.backends import outbox_dir
from saas.mail.models import OutboundMail
from saas.mail.operations import queue_mail
from tests.fixtures.instances import fresh_app, production, run_worker, system_session

_numbers = itertools.count(1)


def test_same_key_gives_one_row(session):
    first = queue_mail("test:same-key", to="a@example.org", subject="Premier", body="1", tenant_id=None)
    second = queue_mail("test:same-key", to="b@example.org", subject="Second", body="2", tenant_id=None)
    assert second is first
    rows = session.execute(sa.select(OutboundMail).where(OutboundMail.key == "test:same-key")).scalars().all()
    assert [(m.to_address, m.subject) for m in rows] == [("a@example.org", "Premier")]


def messages_to(smtp_server, address: str) -> list:
    return [m for m in smtp_server.messages if m["To"] == address]


def test_mail_queued_twice_is_delivered_once(tmp_path, smtp_server):
    """Asked for in two transactions, sent once: an .eml in the outbox, or one SMTP message."""
    address = f"destinataire-{next(_numbers)}@example.org"
    with fresh_app(tmp_path, "mail", smtp_server.port) as app:
        for _attempt in range(2):
            with system_session(app) as session:
                mail = queue_mail("test:twice", to=address, subject="Convocation", body="Ordre du jour", tenant_id=None)
                commit(session)
                mail_id = mail.id
        if production():
            assert messages_to(smtp_server, address) == []  # queued in Redis, not sent by the web process
            run_worker(app)
            received = messages_to(smtp_server, address)
            assert len(received) == 1
            assert received[0]["Subject"] == "Convocation"
            assert "Ordre du jour" in received[0].get_payload(decode=True).decode()
        else:
            files = list((tmp_path / "outbox").glob("*.eml"))
            assert [f.name for f in files] == [f"{mail_id:08d}.eml"]
            text = files[0].read_text()
            assert f"To: {address}" in text and "Subject: Convocation" in text and "Ordre du jour" in text
        with system_session(app) as session:
            rows = session.execute(sa.select(OutboundMail).where(OutboundMail.key == "test:twice")).scalars().all()
            assert len(rows) == 1 and rows[0].sent_at is not None
            with app.test_request_context():
                assert outbox_dir() == tmp_path / "outbox"
