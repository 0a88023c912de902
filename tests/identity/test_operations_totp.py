"""Second factor: codes are single-use, one step of clock drift is tolerated, wrong codes are throttled for an
hour, the secret is sealed. The clock is stopped and moved by the test (``clock``), never waited for."""

import time
from datetime import timedelta

import pyotp
import sqlalchemy as sa

from saas.core.database import utcnow
from saas.core.secrets import unseal
from saas.identity import authentication
from saas.identity.models import LoginFailure


def enrolled(create_person) -> tuple:
    person = create_person()
    secret = authentication.new_totp_secret()
    # enrol with the previous step's code, so the tests can use the current step
    assert authentication.enroll_totp(person, secret, pyotp.TOTP(secret).at(time.time() - 30))
    return person, pyotp.TOTP(secret)


def test_the_clock_moves_both_time_and_utcnow(clock):
    """The seam the tests rely on: ``time.time()`` (TOTP steps) and ``utcnow()`` (sessions, throttling) move
    together, and stay where they are put."""
    before_time, before_now = time.time(), utcnow()
    assert int(before_time) % 30 == 0 and before_now.timestamp() == before_time
    clock.shift(90)
    assert time.time() == before_time + 90
    assert utcnow() - before_now == timedelta(seconds=90)


def test_enrolment_needs_a_code_of_the_secret(session, clock, create_person):
    person = create_person()
    secret = authentication.new_totp_secret()
    other = pyotp.TOTP(authentication.new_totp_secret())
    assert not authentication.enroll_totp(person, secret, other.now())
    assert not person.has_totp
    assert authentication.enroll_totp(person, secret, pyotp.TOTP(secret).now())
    assert person.has_totp


def test_a_code_is_accepted_once(session, clock, create_person):
    person, totp = enrolled(create_person)
    code = totp.now()
    assert authentication.verify_totp(person, code)
    assert not authentication.verify_totp(person, code)
    clock.shift(29)  # still the same step: the same code, typed again, is still refused
    assert not authentication.verify_totp(person, code)
    clock.shift(1)
    assert authentication.verify_totp(person, totp.now())  # the next step's code is a new one


def test_one_step_of_drift_is_accepted_two_are_not(session, clock, create_person):
    person, totp = enrolled(create_person)
    now = time.time()
    assert not authentication.verify_totp(person, totp.at(now + 60))
    assert not authentication.verify_totp(person, totp.at(now - 60))
    assert authentication.verify_totp(person, totp.at(now + 30))  # a phone running 30 s fast


def test_the_code_of_the_previous_step_is_accepted_until_the_step_after(session, clock, create_person):
    person, totp = enrolled(create_person)
    person.totp_last_step = None
    late = totp.now()
    clock.shift(30)  # the member typed it as the step turned: one step late is still accepted
    assert authentication.verify_totp(person, late)
    person.totp_last_step = None
    clock.shift(30)  # two steps late is not
    assert not authentication.verify_totp(person, late)


def test_a_late_code_is_accepted_if_no_newer_one_was(session, clock, create_person):
    person, totp = enrolled(create_person)
    person.totp_last_step = None
    now = time.time()
    assert authentication.verify_totp(person, totp.at(now - 30))  # a phone running 30 s slow
    assert authentication.verify_totp(person, totp.at(now))


def test_an_older_code_is_refused_after_a_newer_one(session, clock, create_person):
    person, totp = enrolled(create_person)
    now = time.time()
    assert authentication.verify_totp(person, totp.at(now + 30))
    assert not authentication.verify_totp(person, totp.at(now))


def test_wrong_codes_are_throttled_for_an_hour(session, clock, create_person):
    """After TOTP_FAILURES_PER_HOUR wrong codes even the right one is refused; an hour after the first
    failure, that one no longer counts and a right code is accepted again."""
    person, totp = enrolled(create_person)

    def wrong() -> str:
        return f"{(int(totp.now()) + 1) % 1_000_000:06d}"

    assert not authentication.verify_totp(person, wrong())  # the first failure, at the start
    clock.shift(timedelta(minutes=10))
    for _ in range(authentication.TOTP_FAILURES_PER_HOUR - 1):
        assert not authentication.verify_totp(person, wrong())
    failures = (
        sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.at >= utcnow() - timedelta(hours=1))
    )
    assert session.scalar(failures) >= authentication.TOTP_FAILURES_PER_HOUR
    assert not authentication.verify_totp(person, totp.now())  # throttled: the right code is refused
    clock.shift(timedelta(minutes=49, seconds=30))  # 59 min 30 s after the first failure: still throttled
    assert not authentication.verify_totp(person, totp.now())
    clock.shift(timedelta(seconds=60))  # the first failure is now older than an hour
    assert authentication.verify_totp(person, totp.now())


def test_secret_is_kept_sealed(session, clock, create_person):
    person = create_person()
    secret = authentication.new_totp_secret()
    assert authentication.enroll_totp(person, secret, pyotp.TOTP(secret).now())
    sealed = person.totp_secret_sealed
    assert secret not in sealed and sealed != secret
    assert unseal(sealed, authentication.TOTP_PURPOSE) == secret
    other = create_person()
    assert authentication.enroll_totp(other, secret, pyotp.TOTP(secret).now())
    assert other.totp_secret_sealed != sealed  # a fresh nonce each time


def test_no_second_factor_means_no_code_accepted(session, create_person):
    person = create_person()
    assert not authentication.verify_totp(person, "123456")
