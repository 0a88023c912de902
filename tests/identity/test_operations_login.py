"""Password checks and their throttling: guessers are stopped, the real person's browser is not."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from saas.core.database import utcnow
from saas.identity import authentication, operations
from saas.identity.models import LoginFailure
from tests.fixtures.people import PASSWORD

LIMIT = 100


def fail(email: str, times: int, device_key: str | None = None) -> None:
    """``times`` real failed attempts (each one costs an argon2 check)."""
    for _ in range(times):
        with pytest.raises(authentication.LoginRefused) as refused:
            authentication.check_password(email, "wrong password!", device_key)
        assert not refused.value.throttled


def earlier_failures(session, email: str, times: int) -> None:
    """The rows ``times`` failed attempts of the last hour left, written directly: 100 argon2 checks would
    take half a minute. ``test_failures_are_counted`` proves real attempts write exactly these rows."""
    session.add_all(LoginFailure(account_key=operations.sha256(email), device_key=None) for _ in range(times))
    session.flush()


def count_failures(session, email: str) -> int:
    return session.execute(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account_key == operations.sha256(operations.normalize_email(email)))
    ).scalar_one()


def test_failures_are_counted(session, create_person):
    person = create_person()
    fail(person.email, 3)
    fail("  " + person.email.upper(), 2)  # the same account, however the e-mail is typed
    assert count_failures(session, person.email) == 5


def test_right_password_opens_wrong_one_refuses(session, create_person):
    person = create_person()
    assert authentication.check_password(person.email.upper() + "  ", PASSWORD) == person
    with pytest.raises(authentication.LoginRefused) as refused:
        authentication.check_password(person.email, "not the password")
    assert not refused.value.throttled


def test_101st_attempt_is_refused_even_with_the_right_password(session, create_person, app):
    assert app.config["LOGIN_FAILURES_PER_HOUR"] == LIMIT
    person = create_person()
    earlier_failures(session, person.email, LIMIT - 1)
    fail(person.email, 1)  # the 100th failure is still checked, and refused as a wrong password
    with pytest.raises(authentication.LoginRefused) as refused:
        authentication.check_password(person.email, PASSWORD)  # the 101st attempt
    assert refused.value.throttled
    assert count_failures(session, person.email) == LIMIT  # a refused attempt is not even checked


def test_99_failures_still_let_the_right_password_in(session, create_person):
    person = create_person()
    earlier_failures(session, person.email, LIMIT - 1)
    assert authentication.check_password(person.email, PASSWORD) == person


def test_failures_older_than_an_hour_do_not_count(session, create_person):
    person = create_person()
    earlier_failures(session, person.email, LIMIT)
    session.execute(
        sa.update(LoginFailure)
        .where(LoginFailure.account_key == operations.sha256(person.email))
        .values(at=utcnow() - timedelta(minutes=61))
    )
    assert authentication.check_password(person.email, PASSWORD) == person


def test_browser_that_logged_in_before_is_not_locked_out(session, create_person):
    person = create_person()
    assert authentication.check_password(person.email, PASSWORD) == person
    device_key = authentication.device_key_for(authentication.device_token(person), person.email)
    assert device_key is not None
    earlier_failures(session, person.email, LIMIT)  # a guesser without the device cookie
    with pytest.raises(authentication.LoginRefused) as refused:
        authentication.check_password(person.email, PASSWORD)
    assert refused.value.throttled
    assert authentication.check_password(person.email, PASSWORD, device_key) == person
    fail(person.email, 1, device_key)  # the browser's own mistakes count apart
    session.flush()
    own = session.execute(
        sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.device_key == device_key)
    ).scalar_one()
    assert own == 1


def test_device_cookie_of_another_account_gives_no_device_key(session, create_person):
    owner, other = create_person(), create_person()
    token = authentication.device_token(owner)
    assert authentication.device_key_for(token, other.email) is None
    assert authentication.device_key_for(token + "x", owner.email) is None
    assert authentication.device_key_for(None, owner.email) is None


def test_unknown_email_answers_and_throttles_identically(session, create_person):
    known, unknown = create_person().email, "nobody-at-all@example.org"
    for email in (known, unknown):
        with pytest.raises(authentication.LoginRefused) as refused:
            authentication.check_password(email, "wrong password!")
        assert str(refused.value) == "invalid" and not refused.value.throttled
        earlier_failures(session, email, LIMIT - 1)
        with pytest.raises(authentication.LoginRefused) as refused:
            authentication.check_password(email, PASSWORD)
        assert str(refused.value) == "throttled" and refused.value.throttled
        assert count_failures(session, email) == LIMIT


def test_disabled_person_cannot_log_in(session, create_person):
    person, admin = create_person(), create_person()
    authentication.disable_person(person, admin)
    with pytest.raises(authentication.LoginRefused):
        authentication.check_password(person.email, PASSWORD)
