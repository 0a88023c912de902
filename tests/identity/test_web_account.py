"""The account page: tokens, sessions, second factor removal, language; and "Mes mandats"."""

import re
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context
from saas.core.secrets import seal
from saas.identity import authentication
from saas.identity.models import AccessToken, LoginSession
from tests.fixtures.people import PASSWORD
from tests.fixtures.web import csrf_token, post_login


@pytest.fixture(scope="module")
def english_catalogue():
    """The compiled English catalogue (the install script compiles it; a fresh checkout may not have)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "saas" / "translations" / "en" / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source, mo.open("wb") as target:
            write_mo(target, read_po(source))


def test_token_value_is_shown_once_and_revocation_works(client, session, create_person):
    person = create_person()
    post_login(client, person.email, PASSWORD)
    created = client.post("/account/tokens", data={"name": "Tablette", "csrf_token": csrf_token(client, "/account")})
    assert created.status_code == 200
    value = re.search(r'id="nouveau-jeton">(qrm_[^<]+)<', created.get_data(as_text=True)).group(1)
    assert authentication.person_for_token(value).id == person.id
    page = client.get("/account").get_data(as_text=True)
    assert "Tablette" in page and value not in page and value[:10] in page
    with context(session, SYSTEM):
        token = session.execute(sa.select(AccessToken).where(AccessToken.person_id == person.id)).scalar_one()
    response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client, "/account")})
    assert response.headers["Location"] == "/account"
    assert authentication.person_for_token(value) is None


def test_another_persons_token_or_session_is_404(client, session, create_person):
    person, other = create_person(), create_person()
    with context(session, SYSTEM):
        token, value = authentication.create_token(other, "Tablette")
        authentication.open_session(other, mfa_verified=False, ip=None, user_agent=None)
        other_login = session.execute(sa.select(LoginSession).where(LoginSession.person_id == other.id)).scalar_one()
        commit(session)
    post_login(client, person.email, PASSWORD)
    token_csrf = csrf_token(client, "/account")
    assert client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": token_csrf}).status_code == 404
    assert client.post(f"/account/sessions/{other_login.id}/revoke", data={"csrf_token": token_csrf}).status_code == 404
    assert client.post("/account/tokens/999999/revoke", data={"csrf_token": token_csrf}).status_code == 404
    assert authentication.person_for_token(value).id == other.id
    with context(session, SYSTEM):
        session.refresh(other_login)
        assert other_login.revoked_at is None


def test_revoking_one_of_my_sessions_logs_that_browser_out(app, client, session, create_person):

    person = create_person()
    tablet = app.test_client()
    post_login(tablet, person.email, PASSWORD)
    post_login(client, person.email, PASSWORD)
    page = client.get("/account").get_data(as_text=True)
    session_ids = re.findall(r"/account/sessions/(\d+)/revoke", page)
    assert len(session_ids) == 2
    with context(session, SYSTEM):
        mine = (
            session.execute(
                sa.select(LoginSession.id).where(LoginSession.person_id == person.id).order_by(LoginSession.id)
            )
            .scalars()
            .all()
        )
    tablet_session = mine[0]
    response = client.post(
        f"/account/sessions/{tablet_session}/revoke", data={"csrf_token": csrf_token(client, "/account")}
    )
    assert response.headers["Location"] == "/account"
    assert tablet.get("/").headers["Location"].startswith("/login")
    assert client.get("/").status_code == 200


def test_second_factor_removal_needs_a_current_code_and_is_refused_when_required(
    client, session, create_person, create_tenant, give_grant
):
    person = create_person()
    secret = pyotp.random_base32()
    with context(session, SYSTEM):
        person.totp_secret_sealed = seal(secret, authentication.TOTP_PURPOSE)
        commit(session)
    post_login(client, person.email, PASSWORD)
    client.post("/login/otp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(client, "/login/otp")})
    wrong = client.post("/account/mfa/remove", data={"code": "123456", "csrf_token": csrf_token(client, "/account")})
    assert wrong.status_code == 400 and person.has_totp
    next_code = pyotp.TOTP(secret).at(int(__import__("time").time()) + 30)
    response = client.post(
        "/account/mfa/remove", data={"code": next_code, "csrf_token": csrf_token(client, "/account")}
    )
    assert response.headers["Location"] == "/account"
    with context(session, SYSTEM):
        session.refresh(person)
        assert not person.has_totp
        person.totp_secret_sealed = seal(secret, authentication.TOTP_PURPOSE)
        give_grant(person, create_tenant())
        commit(session)
    page = client.get("/account").get_data(as_text=True)
    assert "/account/mfa/remove" not in page
    assert (
        client.post(
            "/account/mfa/remove", data={"code": "000000", "csrf_token": csrf_token(client, "/account")}
        ).status_code
        == 403
    )


def test_language_choice_switches_the_interface_to_english(client, session, create_person, english_catalogue):
    person = create_person()
    post_login(client, person.email, PASSWORD)
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    response = client.post("/account/locale", data={"locale": "en", "csrf_token": csrf_token(client, "/account")})
    assert response.headers["Location"] == "/account"
    page = client.get("/account").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "My account" in page and "Mon compte" not in page
    assert "Your language has been saved." in page
