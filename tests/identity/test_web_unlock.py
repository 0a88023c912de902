"""A member locked out by a guesser unlocks the account from a link mailed to them: once, for 30 minutes."""

import email
import email.policy
import json
import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import time_machine

from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, commit, context, utcnow
from saas.identity import authentication, operations
from saas.identity.models import AccountUnlock, LoginFailure
from saas.jobs.queues import run
from saas.mail.models import OutboundMail
from tests.fixtures.instances import production
from tests.fixtures.people import PASSWORD
from tests.fixtures.web import csrf_token, post_login

LIMIT = 100
SENT = "Si cette adresse est celle d&#39;un compte bloqué, un lien de déblocage vient d&#39;y être envoyé"


def lock_out(session, address: str) -> None:
    """The rows 100 failed guesses of the last hour left (tests/identity/test_operations_login.py shows real
    attempts write exactly these)."""
    with context(session, SYSTEM):
        account_key = operations.sha256(operations.normalize_email(address))
        session.add_all(LoginFailure(account_key=account_key) for _ in range(LIMIT))
        commit(session)


def failures(session, address: str) -> int:
    with context(session, SYSTEM):
        return session.execute(
            sa.select(sa.func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.account_key == operations.sha256(address))
        ).scalar_one()


def unlock_mails(session, address: str) -> list[OutboundMail]:
    with context(session, SYSTEM):
        query = sa.select(OutboundMail).where(
            OutboundMail.key.like("account-unlock:%"), OutboundMail.to_address == address
        )
        return list(session.execute(query).scalars())


def received(app, smtp_server, session, address: str) -> list:
    """The unlock mails ``address`` received: by SMTP (production; the delivery job runs here, where the test
    data is), or in the outbox folder (embedded, where it ran right after the request's commit)."""
    if production():
        for mail in unlock_mails(session, address):
            run("saas.mail.jobs.deliver_mail", None, [mail.id])
        raw = [m.as_bytes() for m in smtp_server.messages if m["To"] == address]
    else:
        raw = [path.read_bytes() for path in sorted((Path(app.instance_path) / "outbox").glob("*.eml"))]
    messages = [email.message_from_bytes(r, policy=email.policy.default) for r in raw]
    return [m for m in messages if m["To"] == address and m["Subject"] == "Débloquer votre compte Quorum"]


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/login/unlock/[A-Za-z0-9_-]+)\s", body).group(1)


def ask_for_link(client, address: str):
    return client.post("/login/unlock", data={"email": address, "csrf_token": csrf_token(client, "/login/unlock")})


def platform_events(session, action: str) -> list[dict]:
    with context(session, SYSTEM):
        query = sa.select(AuditEvent).where(AuditEvent.tenant_id.is_(None), AuditEvent.action == action)
        return [json.loads(e.data) | {"object_id": e.object_id} for e in session.execute(query).scalars()]


def test_locked_member_unlocks_once_from_the_mailed_link(app, client, session, smtp_server, create_person):
    person = create_person()
    lock_out(session, person.email)
    locked = post_login(client, person.email, PASSWORD)
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Trop de tentatives pour ce compte." in page and "Recevoir un lien de déblocage" in page
    assert f'name="email" value="{person.email}"' in page  # the offer carries the address just typed

    response = ask_for_link(client, person.email)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert SENT in client.get("/login").get_data(as_text=True)
    [message] = received(app, smtp_server, session, person.email)
    link = link_in(message)
    assert "valable 30 minutes, une seule fois" in message.get_body(preferencelist=("plain",)).get_content()

    browser = app.test_client()  # the member opens the mail elsewhere
    shown = browser.get(link)
    assert shown.status_code == 200 and "data-unlock" in shown.get_data(as_text=True)
    assert failures(session, person.email) == LIMIT  # opening the link changes nothing (mail scanners open links)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', shown.get_data(as_text=True)).group(1)
    unlocked = browser.post(link, data={"csrf_token": token})
    assert unlocked.status_code == 302 and unlocked.headers["Location"] == "/login"
    assert browser.get_cookie("quorum_device") is not None  # that browser is now one of the member's devices
    assert "Votre compte est débloqué" in browser.get("/login").get_data(as_text=True)
    assert failures(session, person.email) == 0
    assert platform_events(session, "login.unlocked") == [{"failures_cleared": LIMIT, "object_id": str(person.id)}]

    again = app.test_client()
    assert post_login(again, person.email, PASSWORD).status_code == 302  # no device cookie needed any more

    second = app.test_client()
    refused = second.get(link)
    assert refused.status_code == 404 and "Ce lien de déblocage n'est plus valable" in refused.get_data(as_text=True)
    assert second.post(link, data={"csrf_token": csrf_token(second, "/login")}).status_code == 404
    assert len(platform_events(session, "login.unlocked")) == 1


def test_the_answer_is_the_same_whoever_asks_and_one_mail_per_lock(app, client, session, smtp_server, create_person):
    locked, free = create_person(), create_person()
    lock_out(session, locked.email)
    lock_out(session, "nobody-at-all@example.org")  # unknown addresses are throttled too
    answers = []
    for address in ("nobody-at-all@example.org", free.email, locked.email, locked.email, locked.email.upper()):
        response = ask_for_link(client, address)
        flashed = re.search(r'<p class="flash[^>]*>([^<]*)</p>', client.get("/login").get_data(as_text=True))
        answers.append((response.status_code, response.headers["Location"], flashed.group(1)))
    assert len(set(answers)) == 1 and SENT in answers[0][2]
    assert len(unlock_mails(session, locked.email)) == 1  # asked three times during one lock: one mail
    assert len(received(app, smtp_server, session, locked.email)) == 1
    assert unlock_mails(session, free.email) == [] and unlock_mails(session, "nobody-at-all@example.org") == []
    with context(session, SYSTEM):
        assert session.execute(sa.select(sa.func.count()).select_from(AccountUnlock)).scalar_one() == 1


def test_a_link_expires_after_30_minutes(app, client, session, smtp_server, create_person):
    person = create_person()
    lock_out(session, person.email)
    assert ask_for_link(client, person.email).status_code == 302
    [message] = received(app, smtp_server, session, person.email)
    link = link_in(message)
    with time_machine.travel(utcnow() + timedelta(minutes=29), tick=False):
        assert client.get(link).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        token = csrf_token(client, "/login")
        expired = client.post(link, data={"csrf_token": token})
        assert expired.status_code == 404
        assert "Ce lien de déblocage n'est plus valable" in expired.get_data(as_text=True)
        assert failures(session, person.email) == LIMIT  # still locked out
        assert ask_for_link(client, person.email).status_code == 302  # and no second mail within the hour
    assert len(unlock_mails(session, person.email)) == 1


def test_a_new_lock_after_an_unlock_sends_a_new_link(app, client, session, smtp_server, create_person):
    person = create_person()
    lock_out(session, person.email)
    ask_for_link(client, person.email)
    [message] = received(app, smtp_server, session, person.email)
    with context(session, SYSTEM):
        found = authentication.unlock_for_token(link_in(message).rsplit("/", 1)[1])
        assert authentication.unlock_account(found) and not authentication.unlock_account(found)
        commit(session)
    lock_out(session, person.email)  # the guesser goes on
    ask_for_link(client, person.email)
    assert len(unlock_mails(session, person.email)) == 2


def test_a_bad_unlock_request_is_refused_in_french(client):
    response = client.post("/login/unlock", data={"email": "", "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 422 and "Recevoir un lien de déblocage" in response.get_data(as_text=True)
    assert client.get("/login/unlock/" + "x" * 500).status_code == 404
