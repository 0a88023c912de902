"""Logging in through the browser screens: password, second factor, throttling, session lifetime."""

import re
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context
from saas.core.secrets import seal
from saas.identity import authentication, operations
from saas.identity.models import GrantKind, LoginFailure, LoginSession
from tests.fixtures.people import PASSWORD
from tests.fixtures.web import csrf_token, post_login


def session_key(client) -> str | None:
    with client.session_transaction() as cookie_session:
        return cookie_session.get("_user_id")


def with_totp(session, person) -> pyotp.TOTP:
    secret = pyotp.random_base32()
    with context(session, SYSTEM):
        person.totp_secret_sealed = seal(secret, authentication.TOTP_PURPOSE)
        person.totp_last_step = None
        commit(session)
    return pyotp.TOTP(secret)


def test_login_without_totp_opens_a_session_and_sets_the_device_cookie(client, session, create_person):
    person = create_person()
    response = post_login(client, person.email, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    login = authentication.find_session(session_key(client))
    assert login.person_id == person.id and login.mfa_verified is False
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("quorum_device="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert "Secure" not in cookie  # HTTPS is off in tests
    home = client.get("/")
    assert home.status_code == 200 and person.full_name in home.get_data(as_text=True)


def test_login_honours_a_local_next_only(client, create_person):
    person = create_person()
    assert post_login(client, person.email, PASSWORD, next="/account").headers["Location"] == "/account"
    other = create_person()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post_login(client, other.email, PASSWORD, next=target)
        assert response.headers["Location"] == "/", target
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def test_login_with_totp_asks_for_the_code_and_the_code_is_single_use(client, session, create_person):
    person = create_person()
    totp = with_totp(session, person)
    response = post_login(client, person.email, PASSWORD)
    assert response.headers["Location"] == "/login/otp"
    assert session_key(client) is None  # not logged in before the code
    assert client.get("/").status_code == 302
    code = totp.now()
    response = client.post("/login/otp", data={"code": code, "csrf_token": csrf_token(client, "/login/otp")})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    login = authentication.find_session(session_key(client))
    assert login.person_id == person.id and login.mfa_verified is True

    # The same code, replayed in a second login, is refused.
    other_browser = client.application.test_client()
    assert post_login(other_browser, person.email, PASSWORD).headers["Location"] == "/login/otp"
    replay = other_browser.post(
        "/login/otp", data={"code": code, "csrf_token": csrf_token(other_browser, "/login/otp")}
    )
    assert replay.status_code == 200
    assert "Code incorrect ou déjà utilisé." in replay.get_data(as_text=True)
    assert session_key(other_browser) is None


def test_pending_code_step_expires_after_five_minutes(client, session, create_person):
    person = create_person()
    totp = with_totp(session, person)
    post_login(client, person.email, PASSWORD)
    token = csrf_token(client, "/login/otp")
    with client.session_transaction() as cookie_session:
        pending = cookie_session["pending_login"]
        cookie_session["pending_login"] = {**pending, "at": pending["at"] - 301}
    response = client.post("/login/otp", data={"code": totp.now(), "csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert session_key(client) is None


def _normalized(response, *emails) -> str:
    body = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "csrf", response.get_data(as_text=True))
    for email in emails:
        body = body.replace(email, "EMAIL")
    return body


def test_wrong_password_and_unknown_email_answer_identically(client, create_person):
    person = create_person()
    wrong_password = post_login(client, person.email, "not the password at all")
    unknown = post_login(client, "nobody-here@example.org", "not the password at all")
    assert wrong_password.status_code == unknown.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in wrong_password.get_data(as_text=True)
    assert _normalized(wrong_password, person.email) == _normalized(unknown, "nobody-here@example.org")


def test_101st_failure_is_throttled_but_the_real_browser_still_logs_in(app, client, session, create_person):
    person = create_person()
    real_browser = app.test_client()
    assert post_login(real_browser, person.email, PASSWORD).status_code == 302  # receives a device cookie
    real_browser.post("/logout", data={"csrf_token": csrf_token(real_browser, "/account")})
    assert real_browser.get_cookie("quorum_device") is not None

    account_key = operations.sha256(person.email)
    with context(session, SYSTEM):
        session.add_all(LoginFailure(account_key=account_key) for _ in range(99))
        commit(session)
    assert post_login(client, person.email, "guess number 100").status_code == 200
    throttled = post_login(client, person.email, "guess number 101")
    assert throttled.status_code == 429
    assert "Trop de tentatives" in throttled.get_data(as_text=True)
    # Even the right password is refused to a client without the device cookie...
    assert post_login(client, person.email, PASSWORD).status_code == 429
    # ...while the person's own browser is not locked out.
    response = post_login(real_browser, person.email, PASSWORD)
    assert response.status_code == 302 and authentication.find_session(session_key(real_browser)) is not None


def test_login_rotates_the_session(client, session, create_person):
    person = create_person()
    csrf_token(client, "/login")
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = "planted-by-an-attacker"
        cookie_session["planted"] = "x"
    post_login(client, person.email, PASSWORD)
    with client.session_transaction() as cookie_session:
        first_key = cookie_session["_user_id"]
        assert "planted" not in cookie_session
    assert first_key != "planted-by-an-attacker"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    post_login(client, person.email, PASSWORD)
    assert session_key(client) not in (None, first_key)


def test_logout_revokes_the_session_server_side(client, session, create_person):
    person = create_person()
    post_login(client, person.email, PASSWORD)
    key = session_key(client)
    old_cookie = client.get_cookie("session").value
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.headers["Location"] == "/login"
    with context(session, SYSTEM):
        assert session.execute(sa.select(LoginSession.revoked_at)).scalars().all() != [None]
    assert authentication.find_session(key) is None
    client.set_cookie("session", old_cookie)  # replay the cookie captured before logout
    assert session_key(client) == key
    refused = client.get("/account")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


def test_disabling_a_person_ends_their_sessions(client, session, create_person):
    person, operator = create_person(), create_person(is_operator=True)
    post_login(client, person.email, PASSWORD)
    assert client.get("/").status_code == 200
    with context(session, SYSTEM):
        authentication.disable_person(person, operator)
        commit(session)
    assert client.get("/").headers["Location"].startswith("/login")
    assert post_login(client, person.email, PASSWORD).status_code == 200  # and cannot log in again


def test_idle_session_expires_after_30_minutes(client, session, clock, create_person):
    person = create_person()
    post_login(client, person.email, PASSWORD)
    clock.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200  # activity within the limit keeps it alive
    clock.shift(timedelta(minutes=29))
    assert client.get("/").status_code == 200  # 58 minutes after login, but 29 after the last request
    clock.shift(timedelta(minutes=30, seconds=1))
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_page_load_that_changes_nothing_in_the_session_does_not_rewrite_its_cookie(client, create_person):
    """A poll answered after the page that showed a flash message would otherwise bring the message back."""
    person = create_person()
    post_login(client, person.email, PASSWORD)
    client.get("/account")  # the form's CSRF token is now in the session
    response = client.get("/account")
    assert response.status_code == 200
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    flashed = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert any(c.startswith("session=") for c in flashed.headers.getlist("Set-Cookie"))  # a change is written


def test_session_ends_12_hours_after_login_even_when_active(client, session, clock, create_person):
    person = create_person()
    post_login(client, person.email, PASSWORD)
    for _ in range(24):  # a request every 29 minutes, for 11 h 36 min: never idle
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=24))
    assert client.get("/").status_code == 200  # 12 hours on the dot
    clock.shift(timedelta(seconds=1))
    assert client.get("/").headers["Location"].startswith("/login")


def test_tenant_admin_without_totp_must_enrol(client, session, create_person, create_tenant, give_grant):
    admin = create_person()
    give_grant(admin, create_tenant(), kind=GrantKind.TENANT_ADMIN)
    post_login(client, admin.email, PASSWORD)
    assert client.get("/").headers["Location"] == "/account/mfa/enroll"
    assert client.get("/account").headers["Location"] == "/account/mfa/enroll"
    page = client.get("/account/mfa/enroll").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    token = csrf_token(client, "/account/mfa/enroll")
    wrong = client.post("/account/mfa/enroll", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 200 and client.get("/").status_code == 302
    code = pyotp.TOTP(secret).now()
    token = csrf_token(client, "/account/mfa/enroll")
    response = client.post("/account/mfa/enroll", data={"code": code, "csrf_token": token})
    assert response.headers["Location"] == "/account"
    assert client.get("/").status_code == 200
    with context(session, SYSTEM):
        assert admin.has_totp
        assert authentication.find_session(session_key(client)).mfa_verified is True


def test_posts_without_csrf_token_are_refused(client, session, create_person):
    person = create_person()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 400
    assert session_key(client) is None
    post_login(client, person.email, PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.post("/account/tokens", data={"name": "Tablette"}).status_code == 400
    assert client.get("/").status_code == 200  # still logged in: the forged logout did nothing
