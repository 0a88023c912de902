"""POST /api/v1/auth/tokens and its siblings: the API's only door is as strong as the web login."""

import time

import pyotp
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context
from saas.identity import authentication, operations
from saas.identity.models import AccessToken, GrantKind, LoginFailure
from tests.fixtures.people import PASSWORD
from tests.fixtures.web import bearer, login

URL = "/api/v1/auth/tokens"


def _enroll(session, person) -> pyotp.TOTP:
    """Enrol a TOTP app with the previous step's code, so the current code is still unused."""
    secret = authentication.new_totp_secret()
    totp = pyotp.TOTP(secret)
    with context(session, SYSTEM):
        assert authentication.enroll_totp(person, secret, totp.at(time.time() - totp.interval))
        session.flush()
    return totp


def _wrong_code(totp: pyotp.TOTP) -> str:
    """A code that no step of the accepted window (±1) produces."""
    now = time.time()
    window = {totp.at(now + drift * totp.interval) for drift in (-1, 0, 1, 2)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in window)


def _live_tokens(session, person) -> list[AccessToken]:
    with context(session, SYSTEM):
        return (
            session.execute(
                sa.select(AccessToken).where(AccessToken.person_id == person.id, AccessToken.revoked_at.is_(None))
            )
            .scalars()
            .all()
        )


def test_token_from_password_works_as_bearer(client, session, create_person):
    person = create_person()
    response = client.post(URL, json={"email": person.email.upper(), "password": PASSWORD, "name": "Tablette"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"token", "id", "name", "prefix", "created_at", "device"}
    assert body["name"] == "Tablette" and body["token"].startswith(body["prefix"])
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["email"] == person.email
    assert [t.id for t in _live_tokens(session, person)] == [body["id"]]


def test_wrong_password_and_unknown_email_look_the_same(client, create_person):
    known = create_person()
    wrong = client.post(URL, json={"email": known.email, "password": "not the password"})
    unknown = client.post(URL, json={"email": f"nobody-{known.id}@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["message"] == "Adresse e-mail ou mot de passe incorrect."
    assert wrong.headers["WWW-Authenticate"] == unknown.headers["WWW-Authenticate"] == "Bearer"


def test_failures_are_counted_then_throttled(app, client, monkeypatch, create_person):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_HOUR", 2)
    email = create_person().email
    for _ in range(2):
        assert client.post(URL, json={"email": email, "password": "guess"}).status_code == 401
    throttled = client.post(URL, json={"email": email, "password": PASSWORD})
    assert throttled.status_code == 429
    assert throttled.get_json()["message"] == "Trop de tentatives. Réessayez plus tard."


def _lock_out(session, email: str, limit: int = 100) -> None:
    """The rows of ``limit`` failed guesses from clients without a device (real ones: see the test above)."""
    with context(session, SYSTEM):
        session.add_all(LoginFailure(account_key=operations.sha256(email)) for _ in range(limit))
        commit(session)


def test_a_registered_tablet_keeps_working_while_new_devices_are_throttled(client, session, create_person):
    """The web's device rule: the device id given with the first token lets that tablet in while a guesser
    without it has locked the account; a device id of someone else, or forged, counts for nothing."""
    person, other = create_person(), create_person()
    first = client.post(URL, json={"email": person.email, "password": PASSWORD, "name": "Tablette"})
    assert first.status_code == 201
    device = first.get_json()["device"]
    foreign = client.post(URL, json={"email": other.email, "password": PASSWORD}).get_json()["device"]
    _lock_out(session, person.email)

    for sent in (None, foreign, device[:-2] + "xx", "n'importe quoi"):
        attempt = {"email": person.email, "password": PASSWORD, **({"device": sent} if sent else {})}
        assert client.post(URL, json=attempt).status_code == 429, sent

    wrong = client.post(URL, json={"email": person.email, "password": "pas le bon", "device": device})
    assert wrong.status_code == 401  # the tablet's own mistakes are checked, and counted apart
    with context(session, SYSTEM):
        own = session.execute(
            sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.device_key.is_not(None))
        ).scalar_one()
    assert own == 1
    again = client.post(URL, json={"email": person.email, "password": PASSWORD, "device": device})
    assert again.status_code == 201
    assert again.get_json()["device"] != device  # renewed at each token, like the browser's cookie
    renewed = client.post(URL, json={"email": person.email, "password": PASSWORD, "device": again.get_json()["device"]})
    assert renewed.status_code == 201
    assert len(_live_tokens(session, person)) == 3


def test_a_device_has_its_own_limit(app, client, session, monkeypatch, create_person):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_HOUR", 2)
    person = create_person()
    device = client.post(URL, json={"email": person.email, "password": PASSWORD}).get_json()["device"]
    for _ in range(2):
        assert client.post(URL, json={"email": person.email, "password": "faux", "device": device}).status_code == 401
    throttled = client.post(URL, json={"email": person.email, "password": PASSWORD, "device": device})
    assert throttled.status_code == 429
    assert client.post(URL, json={"email": person.email, "password": PASSWORD}).status_code == 201  # others: not


def test_totp_is_required_checked_and_single_use(client, session, create_person):
    person = create_person()
    totp = _enroll(session, person)
    credentials = {"email": person.email, "password": PASSWORD}

    missing = client.post(URL, json=credentials)
    assert missing.status_code == 401 and "otp" in missing.get_json()["message"]
    assert client.post(URL, json={**credentials, "otp": _wrong_code(totp)}).status_code == 401
    assert _live_tokens(session, person) == []

    code = totp.now()
    assert client.post(URL, json={**credentials, "otp": code}).status_code == 201
    replayed = client.post(URL, json={**credentials, "otp": code})
    assert replayed.status_code == 401
    assert len(_live_tokens(session, person)) == 1


def test_wrong_codes_are_throttled(monkeypatch, client, session, create_person):
    """Knowing the password is not enough to try codes without limit: after the limit of wrong codes
    in an hour, even the right code is refused."""
    monkeypatch.setattr(authentication, "TOTP_FAILURES_PER_HOUR", 2)
    person = create_person()
    totp = _enroll(session, person)
    for _ in range(2):
        wrong = client.post(URL, json={"email": person.email, "password": PASSWORD, "otp": _wrong_code(totp)})
        assert wrong.status_code == 401
    again = client.post(URL, json={"email": person.email, "password": PASSWORD, "otp": totp.now()})
    assert again.status_code == 401
    assert session.query(AccessToken).filter_by(person_id=person.id).count() == 0


def test_mfa_required_but_not_enrolled_is_sent_to_the_web_app(
    client, session, create_person, create_tenant, give_grant
):
    admin = create_person()
    give_grant(admin, create_tenant(), GrantKind.TENANT_ADMIN)
    response = client.post(URL, json={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "application web" in response.get_json()["message"]
    assert _live_tokens(session, admin) == []


def test_invalid_input_is_a_french_422(client):
    response = client.post(URL, json={"email": "not-an-email", "extra": 1})
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert errors["email"] == ["Adresse e-mail invalide."]
    assert errors["password"] == ["Ce champ est obligatoire."]
    assert errors["extra"] == ["Champ inconnu."]


def test_list_own_tokens_without_values(client, session, create_person):
    person, other = create_person(), create_person()
    headers = bearer(person, "tablette")
    _, revoked_value = authentication.create_token(person, "ancien")
    with context(session, SYSTEM):
        authentication.revoke_token(_live_tokens(session, person)[-1], person)
    other_headers = bearer(other, "autre")
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    assert [t["name"] for t in response.get_json()] == ["tablette"]
    assert set(response.get_json()[0]) == {"id", "name", "prefix", "created_at", "last_used_at"}
    text = response.get_data(as_text=True)
    for value in (headers["Authorization"], other_headers["Authorization"]):
        assert value.removeprefix("Bearer ") not in text


def test_last_use_of_a_token_is_saved(client, session, create_person):
    """Even a read-only call records it, so a person can spot a token nobody should be using."""
    person = create_person()
    headers = bearer(person)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    session.expire_all()  # forget what the request changed in memory: read what it saved
    [token] = _live_tokens(session, person)
    assert token.last_used_at is not None


def test_revoked_token_stops_working(client, session, create_person):
    person = create_person()
    headers = bearer(person)
    [token] = _live_tokens(session, person)
    assert client.delete(f"{URL}/{token.id}", headers=headers).status_code == 204
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert set(refused.get_json()) == {"code", "status", "message"}


def test_another_persons_token_cannot_be_revoked(client, session, create_person):
    person, other = create_person(), create_person()
    headers, other_headers = bearer(person), bearer(other)
    [other_token] = _live_tokens(session, other)
    response = client.delete(f"{URL}/{other_token.id}", headers=headers)
    missing = client.delete(f"{URL}/{other_token.id + 1000}", headers=headers)
    assert response.status_code == missing.status_code == 404
    assert response.get_json() == missing.get_json()
    assert client.get("/api/v1/me", headers=other_headers).status_code == 200


def test_api_ignores_the_browser_session_cookie(client, create_person):
    """A logged-in browser must not be able to call the API, so no cross-site request can."""
    person = create_person()
    login(client, person)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


def test_unauthenticated_calls_are_refused(client):
    for method, url in (
        ("GET", "/api/v1/me"),
        ("GET", URL),
        ("DELETE", f"{URL}/1"),
        ("GET", "/api/v1/tenants/x/assemblies"),
    ):
        response = client.open(url, method=method)
        assert response.status_code == 401, url
        assert response.is_json and response.get_json()["status"] == "Unauthorized"
