"""Second factor: codes are single-use, one step of clock drift is tolerated, the secret is sealed."""

import time

import pyotp

from saas.core.secrets import unseal
from saas.identity import authentication


def steady_clock() -> float:
    """Now, at least 3 seconds away from the next 30-second step, so a code stays in its step."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return time.time()


def enrolled(create_person) -> tuple:
    person = create_person()
    secret = authentication.new_totp_secret()
    now = steady_clock()
    # enrol with the previous step's code, so the tests can use the current step
    assert authentication.enroll_totp(person, secret, pyotp.TOTP(secret).at(now - 30))
    return person, pyotp.TOTP(secret)


def test_enrolment_needs_a_code_of_the_secret(session, create_person):
    person = create_person()
    secret = authentication.new_totp_secret()
    other = pyotp.TOTP(authentication.new_totp_secret())
    steady_clock()
    assert not authentication.enroll_totp(person, secret, other.now())
    assert not person.has_totp
    assert authentication.enroll_totp(person, secret, pyotp.TOTP(secret).now())
    assert person.has_totp


def test_a_code_is_accepted_once(session, create_person):
    person, totp = enrolled(create_person)
    code = totp.now()
    assert authentication.verify_totp(person, code)
    assert not authentication.verify_totp(person, code)


def test_one_step_of_drift_is_accepted_two_are_not(session, create_person):
    person, totp = enrolled(create_person)
    now = time.time()
    assert not authentication.verify_totp(person, totp.at(now + 60))
    assert not authentication.verify_totp(person, totp.at(now - 60))
    assert authentication.verify_totp(person, totp.at(now + 30))  # a phone running 30 s fast


def test_a_late_code_is_accepted_if_no_newer_one_was(session, create_person):
    person, totp = enrolled(create_person)
    person.totp_last_step = None
    now = steady_clock()
    assert authentication.verify_totp(person, totp.at(now - 30))  # a phone running 30 s slow
    assert authentication.verify_totp(person, totp.at(now))


def test_an_older_code_is_refused_after_a_newer_one(session, create_person):
    person, totp = enrolled(create_person)
    now = time.time()
    assert authentication.verify_totp(person, totp.at(now + 30))
    assert not authentication.verify_totp(person, totp.at(now))


def test_secret_is_kept_sealed(session, create_person):
    person = create_person()
    secret = authentication.new_totp_secret()
    steady_clock()
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
