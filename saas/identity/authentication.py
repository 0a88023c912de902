"""Proving who one is: passwords, login throttling, the second factor, login sessions and access tokens."""

import hmac
import secrets
import time
from datetime import date, timedelta

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from saas.audit.operations import record
from saas.core.database import TenantContext, context, utcnow, write_apart
from saas.core.extensions import db
from saas.core.secrets import seal, unseal
from saas.core.urls import external_url
from saas.identity.models import AccessToken, AccountUnlock, LoginFailure, LoginSession, Person
from saas.identity.operations import normalize_email, person_by_email, sha256
from saas.mail.operations import queue_mail

password_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
#: checked against when the e-mail is unknown, so both answers take the same time
_UNKNOWN_ACCOUNT_HASH = password_hasher.hash(secrets.token_hex(16))
TOTP_PURPOSE = b"totp"
#: wrong second-factor codes per person and hour before every code is refused
TOTP_FAILURES_PER_HOUR = 10
#: how long an unlock link works after it was sent
UNLOCK_LINK_MINUTES = 30
#: the throttle's window: failures of the last hour count, and one unlock link is sent per lock (per hour)
LOCK_PERIOD = timedelta(hours=1)


def set_password(person: Person, password: str) -> None:
    if len(password) < 12:
        raise ValueError("Le mot de passe doit compter au moins 12 caractères.")
    person.password_hash = password_hasher.hash(password)
    record("password.set", actor_id=person.id, obj=person)


# --- Login and throttling -------------------------------------------------------------------------


class LoginRefused(Exception):
    """The login failed: ``throttled`` or not, the caller never learns whether the account exists."""

    def __init__(self, throttled: bool = False):
        super().__init__("throttled" if throttled else "invalid")
        self.throttled = throttled


def _failures_last_hour(account_key: str, device_key: str | None) -> int:
    since = utcnow() - LOCK_PERIOD
    device_clause = LoginFailure.device_key.is_(None) if device_key is None else LoginFailure.device_key == device_key
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account_key == account_key, device_clause, LoginFailure.at >= since)
    ).scalar_one()


def check_password(email: str, password: str, device_key: str | None = None) -> Person:
    """Return the person whose e-mail and password these are, or raise ``LoginRefused``.

    Failures are counted per account and hour, separately for each browser that once logged in to the
    account (its device cookie, see ``device_key_for``) and for all other clients together. A guesser
    without that cookie is stopped after the limit; the real person's browser keeps its own count.
    """
    account_key = sha256(normalize_email(email))
    if _failures_last_hour(account_key, device_key) >= current_app.config["LOGIN_FAILURES_PER_HOUR"]:
        raise LoginRefused(throttled=True)
    person = person_by_email(email)
    stored_hash = person.password_hash if person is not None and person.password_hash else _UNKNOWN_ACCOUNT_HASH
    try:
        matches = password_hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        matches = False
    if not matches or person is None or not person.password_hash or not person.is_active:
        db.session.add(LoginFailure(account_key=account_key, device_key=device_key))
        record("login.failed", actor_id=person.id if person else None, data={"account_key": account_key})
        raise LoginRefused()
    if password_hasher.check_needs_rehash(person.password_hash):
        person.password_hash = password_hasher.hash(password)
    return person


def device_token(person: Person) -> str:
    """The value of the device cookie given to a browser after a successful login (and to the tablet app
    with each token it creates, see saas.identity.api)."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device")
    return serializer.dumps({"p": person.id, "n": secrets.token_urlsafe(16)})


def device_key_for(token: str | None, email: str) -> str | None:
    """The key counting this browser's failures, if its device cookie belongs to ``email``'s account."""
    if not token:
        return None
    try:
        payload = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device").loads(
            token, max_age=365 * 24 * 3600
        )
    except BadSignature:
        return None
    person = person_by_email(email)
    if person is None or payload.get("p") != person.id:
        return None
    return sha256(payload["n"])


# --- Unlock link ----------------------------------------------------------------------------------


def request_unlock(email: str) -> None:
    """Mail an unlock link to the account of ``email`` if it is locked out for clients without a device.

    Says nothing to the caller: whether the account exists, is locked or was sent a link already, the answer
    is the same. One link per lock: none is sent while a link of the last hour is still unused.
    """
    person = person_by_email(email)
    if person is None or not person.is_active or not person.password_hash:
        return
    if _failures_last_hour(sha256(person.email), None) < current_app.config["LOGIN_FAILURES_PER_HOUR"]:
        return
    pending = db.session.execute(
        sa.select(AccountUnlock.id).where(
            AccountUnlock.person_id == person.id,
            AccountUnlock.used_at.is_(None),
            AccountUnlock.created_at >= utcnow() - LOCK_PERIOD,
        )
    ).first()
    if pending is not None:
        return
    value = secrets.token_urlsafe(32)
    unlock = AccountUnlock(person=person, token_hash=sha256(value))
    db.session.add(unlock)
    db.session.flush()
    record("login.unlock_requested", actor_id=None, obj=person)
    queue_mail(
        f"account-unlock:{unlock.id}",
        to=person.email,
        subject="Débloquer votre compte Quorum",
        body=(
            f"Bonjour {person.full_name},\n\n"
            "Trop de tentatives de connexion ont échoué sur votre compte Quorum : il est bloqué pour une heure "
            "dans les navigateurs et applications où vous ne vous êtes encore jamais connecté.\n\n"
            f"Pour le débloquer, ouvrez ce lien (valable {UNLOCK_LINK_MINUTES} minutes, une seule fois) :\n"
            f"{external_url(f'/login/unlock/{value}')}\n\n"
            "Si ces tentatives ne viennent pas de vous, quelqu'un essaie de deviner votre mot de passe : "
            "choisissez un mot de passe long et activez la double authentification (Mon compte).\n"
        ),
        tenant_id=None,
    )


def unlock_for_token(value: str) -> AccountUnlock | None:
    """The unlock link of ``value`` if it may still be used (not used, not expired, account active)."""
    if len(value) > 100:
        return None
    unlock = db.session.execute(
        sa.select(AccountUnlock).where(AccountUnlock.token_hash == sha256(value))
    ).scalar_one_or_none()
    if unlock is None or unlock.used_at is not None or not unlock.person.is_active:
        return None
    if utcnow() - unlock.created_at > timedelta(minutes=UNLOCK_LINK_MINUTES):
        return None
    return unlock


def unlock_account(unlock: AccountUnlock) -> bool:
    """Use the link: forget the account's failed logins, so it is no longer locked out. False if the link was
    used meanwhile (two clicks at once: one wins)."""
    now = utcnow()
    used = db.session.execute(
        sa.update(AccountUnlock)
        .where(AccountUnlock.id == unlock.id, AccountUnlock.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if used != 1:
        return False
    person = unlock.person
    failures = db.session.execute(
        sa.delete(LoginFailure)
        .where(LoginFailure.account_key == sha256(person.email))
        .execution_options(synchronize_session=False)
    ).rowcount
    record("login.unlocked", actor_id=person.id, obj=person, data={"failures_cleared": failures})
    return True


# --- Second factor (TOTP) -------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(person: Person, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=person.email, issuer_name="Quorum")


def _accept_code(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (±1 step of drift), if it was not used already."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    current_step = int(time.time()) // totp.interval
    for step in (current_step - 1, current_step, current_step + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enroll_totp(person: Person, secret: str, code: str) -> bool:
    """Keep ``secret`` as the person's second factor if ``code`` proves their app holds it."""
    step = _accept_code(secret, code, None)
    if step is None:
        return False
    person.totp_secret_sealed = seal(secret, TOTP_PURPOSE)
    person.totp_last_step = step
    record("mfa.enrolled", actor_id=person.id, obj=person)
    return True


def verify_totp(person: Person, code: str) -> bool:
    """Check a code of the person's enrolled app; each code is accepted once, and after
    TOTP_FAILURES_PER_HOUR wrong codes in an hour none is, so the 6 digits cannot be guessed."""
    if not person.has_totp:
        return False
    failures_key = sha256(f"totp:{person.id}")
    if _failures_last_hour(failures_key, None) >= TOTP_FAILURES_PER_HOUR:
        record("mfa.throttled", actor_id=person.id, obj=person)
        return False
    step = _accept_code(unseal(person.totp_secret_sealed, TOTP_PURPOSE), code, person.totp_last_step)
    if step is None:
        db.session.add(LoginFailure(account_key=failures_key))
        record("mfa.failed", actor_id=person.id, obj=person)
        return False
    person.totp_last_step = step
    return True


def remove_totp(person: Person, actor: Person) -> None:
    person.totp_secret_sealed = None
    person.totp_last_step = None
    record("mfa.removed", actor_id=actor.id, obj=person)


def mfa_required(person: Person) -> bool:
    """Admins, secretaries, coordinators and operators always; members where their tenant asks."""
    if person.is_operator or person.is_coordinator:
        return True
    with context(db.session, TenantContext(person_id=person.id)):
        if person.grants:
            return True
        today = date.today()
        return any(m.tenant.require_mfa_for_members for m in person.mandates if m.in_office_on(today))


# --- Login sessions -------------------------------------------------------------------------------


def open_session(person: Person, *, mfa_verified: bool, ip: str | None, user_agent: str | None) -> str:
    """Start a login session and return its key (a fresh one at every login: the id is rotated)."""
    key = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            key_hash=sha256(key), person=person, mfa_verified=mfa_verified, ip=ip, user_agent=(user_agent or "")[:300]
        )
    )
    record("login.succeeded", actor_id=person.id, obj=person, data={"mfa": mfa_verified})
    db.session.flush()
    return key


def find_session(key: str) -> LoginSession | None:
    """The live session for ``key``; revoked, idle, expired or disabled ones are None."""
    login = db.session.execute(sa.select(LoginSession).where(LoginSession.key_hash == sha256(key))).scalar_one_or_none()
    if login is None or login.revoked_at is not None or not login.person.is_active:
        return None
    now = utcnow()
    config = current_app.config
    if now - login.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return None
    if now - login.created_at > timedelta(hours=config["SESSION_MAX_HOURS"]):
        return None
    if now - login.last_seen_at > timedelta(seconds=60):  # at most once a minute, even on page loads
        with write_apart(db.session):
            login.last_seen_at = now
    return login


def close_session(login: LoginSession) -> None:
    login.revoked_at = utcnow()
    record("logout", actor_id=login.person_id, obj=login.person)


def revoke_all_access(person: Person, reason: str) -> tuple[int, int]:
    """Revoke every open login session and every access token of ``person`` at once; they log in again.

    Returns how many sessions and tokens were revoked. ``reason`` (e.g. "device.lost") goes to the
    platform audit chain with the counts.
    """
    now = utcnow()
    sessions = db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.person_id == person.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    tokens = db.session.execute(
        sa.update(AccessToken)
        .where(AccessToken.person_id == person.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    record("access.revoked", actor_id=None, obj=person, data={"reason": reason, "sessions": sessions, "tokens": tokens})
    return sessions, tokens


def disable_person(person: Person, actor: Person) -> None:
    """Disable an account: its sessions and tokens stop working at once."""
    person.is_active = False
    revoke_all_access(person, "person.disabled")
    record("person.disabled", actor_id=actor.id, obj=person)


# --- Personal access tokens -----------------------------------------------------------------------

TOKEN_PREFIX = "qrm_"


def create_token(person: Person, name: str) -> tuple[AccessToken, str]:
    """Create a token; its value is returned once and only its hash is kept."""
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(person=person, name=name.strip()[:100] or "API", token_hash=sha256(value), prefix=value[:10])
    db.session.add(token)
    db.session.flush()
    record("token.created", actor_id=person.id, obj=token, data={"name": token.name})
    return token, value


def person_for_token(value: str) -> Person | None:
    token = db.session.execute(
        sa.select(AccessToken).where(AccessToken.token_hash == sha256(value))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.person.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        with write_apart(db.session):
            token.last_used_at = now
    return token.person


def revoke_token(token: AccessToken, actor: Person) -> None:
    token.revoked_at = utcnow()
    record("token.revoked", actor_id=actor.id, obj=token)
