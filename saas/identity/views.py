"""Browser screens of identity: login (password, then code), logout, invitation, second factor,
account, and "Mes mandats". Views stay thin: identity.operations acts, each request commits once."""

import base64
import time
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from saas.core.database import commit, utcnow
from saas.core.extensions import db
from saas.identity import authentication, operations
from saas.identity.forms import (
    CodeForm,
    ConfirmForm,
    LocaleForm,
    LoginForm,
    PrimaryTenantForm,
    SetPasswordForm,
    TokenForm,
    UnlockRequestForm,
)
from saas.identity.mandates.labels import GRANT_LABELS, labels
from saas.identity.mandates.operations import current_rights, current_seats, group_by_tenant
from saas.identity.models import AccessToken, GrantKind, LoginSession, Person

bp = Blueprint("identity", __name__)

DEVICE_COOKIE = "quorum_device"
DEVICE_COOKIE_SECONDS = 365 * 24 * 3600
#: the password was right and the code is awaited: kept in the session this long
PENDING_LOGIN_SECONDS = 5 * 60
PENDING_LOGIN = "pending_login"
ENROLL_SECRET = "mfa_enroll_secret"


@bp.app_context_processor
def inject_locale():
    return {"current_locale": lambda: str(get_locale() or "fr")}


def _me() -> Person:
    """The person behind ``current_user``: operations record it in the audit, which needs the real class."""
    return current_user._get_current_object()


def _safe_next(target: str | None) -> str | None:
    """A local path to return to after login; anything that could leave the site is dropped."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _complete_login(person: Person, *, mfa_verified: bool, next_url: str | None):
    """Rotate the session, open a server-side login session, and renew the device cookie."""
    session.clear()
    key = authentication.open_session(
        person, mfa_verified=mfa_verified, ip=request.remote_addr, user_agent=request.user_agent.string
    )
    person.session_key, person.login_session = key, authentication.find_session(key)
    login_user(person)
    commit(db.session)
    return _with_device_cookie(redirect(_safe_next(next_url) or url_for(".home")), person)


def _with_device_cookie(response, person: Person):
    """Mark this browser as one of the person's devices: its failed logins are counted apart (authentication)."""
    response.set_cookie(
        DEVICE_COOKIE,
        authentication.device_token(person),
        max_age=DEVICE_COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["HTTPS"],
    )
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(".home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = _safe_next(request.args.get("next")) or ""
    status, unlock_form = 200, None
    if form.validate_on_submit():
        email = form.email.data
        device_key = authentication.device_key_for(request.cookies.get(DEVICE_COOKIE), email)
        try:
            person = authentication.check_password(email, form.password.data, device_key)
        except authentication.LoginRefused as refused:
            commit(db.session)  # the failure counts towards the throttle
            if refused.throttled:
                status = 429
                form.form_errors.append(_("Trop de tentatives pour ce compte. Réessayez dans une heure."))
                unlock_form = UnlockRequestForm(formdata=None, email=email)
            else:
                form.form_errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        else:
            if not person.has_totp:
                return _complete_login(person, mfa_verified=False, next_url=form.next.data)
            session[PENDING_LOGIN] = {"person_id": person.id, "at": time.time(), "next": form.next.data}
            commit(db.session)
            return redirect(url_for(".login_otp"))
    return render_template("identity/login.html", form=form, unlock_form=unlock_form), status


@bp.route("/login/unlock", methods=["GET", "POST"])
def request_unlock():
    """Ask for an unlock link: the same answer whether the account exists, is locked or was sent one."""
    form = UnlockRequestForm()
    if form.validate_on_submit():
        authentication.request_unlock(form.email.data)
        commit(db.session)
        message = _(
            "Si cette adresse est celle d'un compte bloqué, un lien de déblocage vient d'y être envoyé (valable "
            "%(minutes)s minutes). Un seul lien est envoyé par heure.",
            minutes=authentication.UNLOCK_LINK_MINUTES,
        )
        flash(message, "success")
        return redirect(url_for(".login"))
    return _unlock_page(form=form), 422 if request.method == "POST" else 200


def _unlock_page(form=None, unlock=None, expired=False) -> str:
    return render_template(
        "identity/unlock.html", form=form, unlock=unlock, expired=expired, minutes=authentication.UNLOCK_LINK_MINUTES
    )


@bp.route("/login/unlock/<token>", methods=["GET", "POST"])
def unlock(token: str):
    """The link of the mail. Following it shows a button (a GET changes nothing, so a mail scanner that
    opens links does not use it up); the button lifts the lock and leads to the login page."""
    found = authentication.unlock_for_token(token)
    if found is None:
        return _unlock_page(expired=True), 404
    form = ConfirmForm()
    if request.method == "GET":
        return _unlock_page(form=form, unlock=found)
    if not form.validate_on_submit():
        abort(400)
    person = found.person
    if not authentication.unlock_account(found):
        db.session.rollback()
        return _unlock_page(expired=True), 404
    commit(db.session)
    flash(_("Votre compte est débloqué : vous pouvez vous connecter."), "success")
    # this browser opened the mail's link: it becomes one of the person's devices, so a guesser still at work
    # cannot lock it out again
    return _with_device_cookie(redirect(url_for(".login")), person)


def _pending_person() -> Person | None:
    pending = session.get(PENDING_LOGIN)
    if not pending or time.time() - pending.get("at", 0) > PENDING_LOGIN_SECONDS:
        return None
    person = db.session.get(Person, pending["person_id"])
    return person if person is not None and person.is_active and person.has_totp else None


@bp.route("/login/otp", methods=["GET", "POST"])
def login_otp():
    person = _pending_person()
    if person is None:
        session.pop(PENDING_LOGIN, None)
        flash(_("Votre connexion a expiré. Saisissez à nouveau votre mot de passe."), "warning")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        if authentication.verify_totp(person, form.code.data):
            return _complete_login(person, mfa_verified=True, next_url=session[PENDING_LOGIN].get("next"))
        commit(db.session)  # keeps the audit of the failed code
        form.code.errors.append(_("Code incorrect ou déjà utilisé."))
    return render_template("identity/otp.html", form=form, at_login=True)


@bp.post("/logout")
def logout():
    if ConfirmForm().validate_on_submit() and current_user.is_authenticated:
        authentication.close_session(current_user.login_session)
        commit(db.session)
        logout_user()
    elif current_user.is_authenticated:
        abort(400)
    session.clear()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for(".login"))


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    person = operations.person_for_set_password_token(token)
    if person is None:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        authentication.set_password(person, form.password.data)
        commit(db.session)
        flash(_("Votre mot de passe est enregistré. Vous pouvez vous connecter."), "success")
        return redirect(url_for(".login"))
    return render_template("identity/set_password.html", form=form, person=person)


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@bp.route("/account/mfa/enroll", methods=["GET", "POST"])
@login_required
def enroll_mfa():
    """Enrol an authenticator app; a person who has one already only proves it for this session."""
    form = CodeForm()
    login = current_user.login_session
    if current_user.has_totp:
        if login.mfa_verified:
            return redirect(url_for(".account"))
        if form.validate_on_submit():
            if authentication.verify_totp(_me(), form.code.data):
                login.mfa_verified = True
                commit(db.session)
                return redirect(url_for(".home"))
            commit(db.session)
            form.code.errors.append(_("Code incorrect ou déjà utilisé."))
        return render_template("identity/otp.html", form=form, at_login=False)
    secret = session.get(ENROLL_SECRET) or authentication.new_totp_secret()
    session[ENROLL_SECRET] = secret
    if form.validate_on_submit():
        if authentication.enroll_totp(_me(), secret, form.code.data):
            login.mfa_verified = True
            commit(db.session)
            session.pop(ENROLL_SECRET, None)
            flash(_("La double authentification est activée."), "success")
            return redirect(url_for(".account"))
        form.code.errors.append(_("Code incorrect. Vérifiez l'heure de votre téléphone et réessayez."))
    uri = authentication.totp_uri(_me(), secret)
    return render_template(
        "identity/mfa_enroll.html",
        form=form,
        qr=_qr_data_uri(uri),
        secret=secret,
        required=authentication.mfa_required(current_user),
    )


def _live_sessions(person: Person) -> list[LoginSession]:
    config, now = current_app.config, utcnow()
    rows = db.session.execute(
        sa.select(LoginSession)
        .where(LoginSession.person_id == person.id, LoginSession.revoked_at.is_(None))
        .order_by(LoginSession.created_at.desc())
    ).scalars()
    idle, longest = config["SESSION_IDLE_MINUTES"] * 60, config["SESSION_MAX_HOURS"] * 3600
    return [
        s
        for s in rows
        if (now - s.last_seen_at).total_seconds() <= idle and (now - s.created_at).total_seconds() <= longest
    ]


def _account_page(new_token: str | None = None, token_form=None, remove_form=None, status: int = 200):
    person = current_user
    tokens = db.session.execute(
        sa.select(AccessToken).where(AccessToken.person_id == person.id).order_by(AccessToken.created_at.desc())
    ).scalars()
    page = render_template(
        "identity/account.html",
        locale_form=LocaleForm(locale=person.locale),
        primary_form=_primary_tenant_form(
            person, PrimaryTenantForm(formdata=None, tenant=person.primary_tenant_id or 0)
        ),
        token_form=token_form or TokenForm(formdata=None),
        remove_form=remove_form or CodeForm(formdata=None),
        confirm_form=ConfirmForm(),
        tokens=list(tokens),
        new_token=new_token,
        sessions=_live_sessions(person),
        current_session_id=person.login_session.id,
        mfa_required=authentication.mfa_required(person),
    )
    return page, status


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/locale")
@login_required
def set_locale():
    form = LocaleForm()
    if not form.validate_on_submit():
        abort(400)
    current_user.locale = form.locale.data
    commit(db.session)
    refresh()  # the message below is already in the chosen language
    flash(_("Votre langue est enregistrée."), "success")
    return redirect(url_for(".account"))


def _primary_tenant_form(person: Person, form: PrimaryTenantForm) -> PrimaryTenantForm:
    """Offered to a person with current mandates in several collectivities; none means 1/k in each."""
    tenants = [tenant for tenant, _seats in group_by_tenant(current_seats(person))]
    form.tenant.choices = [SelectChoice(0, _("— Aucune : une part égale dans chacune —"))] + [
        SelectChoice(tenant.id, tenant.name) for tenant in tenants
    ]
    return form


@bp.post("/account/primary-tenant")
@login_required
def set_primary_tenant():
    form = _primary_tenant_form(current_user, PrimaryTenantForm())
    if not form.validate_on_submit():
        abort(400)
    current_user.primary_tenant_id = form.tenant.data or None
    commit(db.session)
    flash(_("Votre collectivité principale est enregistrée."), "success")
    return redirect(url_for(".account"))


@bp.post("/account/mfa/remove")
@login_required
def remove_mfa():
    form = CodeForm()
    if authentication.mfa_required(current_user) or not current_user.has_totp:
        abort(403)
    if not form.validate_on_submit():
        return _account_page(remove_form=form, status=400)
    if not authentication.verify_totp(_me(), form.code.data):
        commit(db.session)
        form.code.errors.append(_("Code incorrect ou déjà utilisé."))
        return _account_page(remove_form=form, status=400)
    authentication.remove_totp(_me(), _me())
    commit(db.session)
    flash(_("La double authentification est désactivée."), "success")
    return redirect(url_for(".account"))


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(token_form=form, status=400)
    _, value = authentication.create_token(_me(), form.name.data)
    commit(db.session)
    return _account_page(new_token=value)  # shown now, never again: only its hash is kept


def _own_or_404(model, object_id: int):
    row = db.session.get(model, object_id)
    if row is None or row.person_id != current_user.id:
        abort(404)
    return row


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = _own_or_404(AccessToken, token_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if token.revoked_at is None:
        authentication.revoke_token(token, _me())
        commit(db.session)
    flash(_("Le jeton « %(name)s » est révoqué.", name=token.name), "success")
    return redirect(url_for(".account"))


@bp.post("/account/sessions/<int:session_id>/revoke")
@login_required
def revoke_session(session_id: int):
    login = _own_or_404(LoginSession, session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if login.revoked_at is None:
        authentication.close_session(login)
        commit(db.session)
    if login.id == current_user.login_session.id:
        logout_user()
        session.clear()
        return redirect(url_for(".login"))
    flash(_("La session est fermée."), "success")
    return redirect(url_for(".account"))


@bp.get("/")
@login_required
def home():
    """Mes mandats: every current seat in every collectivity, then the rights the person holds."""
    has_admin = "admin.home" in current_app.view_functions
    return render_template(
        "identity/home.html",
        tenants=group_by_tenant(current_seats(current_user)),
        rights=current_rights(current_user),
        admin_home=has_admin,
        grant_labels=GRANT_LABELS,
        admin_kind=GrantKind.TENANT_ADMIN,
        **labels(),
    )
