"""Errors: one JSON shape under /api/ (flask-smorest's), a French page elsewhere, and a handler that cannot fail.

flask-smorest registers ``Api.handle_http_exception`` for ``HTTPException``; ``init_app`` here runs after
it and replaces it, so this module is the one error handler. It honours the same ``abort`` keywords
(``message``, ``errors``, webargs' ``messages``, ``headers``) and produces the same shape
``{code, status, message, errors?}``, so the documented ``ErrorSchema`` stays true.

Any other exception is Flask's: logged with its traceback, then turned into an ``InternalServerError`` that
this same handler answers (a clean 500, nothing of the exception shown). The handler first rolls back the
session, so a failed flush (``PendingRollbackError`` on any later query, such as loading the person for the
page's header) cannot make it fail; if answering still fails, a fixed answer of the right shape goes out.
"""

import logging

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from saas.core.database import commit
from saas.core.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("La requête est mal formée."),
    401: _l("Vous devez vous connecter."),
    403: _l("Vous n'avez pas le droit de faire cela."),
    404: _l("Cette page n'existe pas, ou vous n'y avez pas accès."),
    405: _l("Cette méthode n'est pas permise ici."),
    413: _l("Le contenu envoyé est trop volumineux."),
    422: _l("Les données envoyées ne sont pas valides."),
    429: _l("Trop de tentatives. Réessayez plus tard."),
    500: _l("Une erreur interne est survenue. Elle a été enregistrée."),
    503: _l("Le service est très sollicité : réessayez dans un instant."),
}
#: what goes out when answering itself failed (no translation, no template, no database)
LAST_RESORT_MESSAGE = "Une erreur est survenue. Elle a été enregistrée."
LAST_RESORT_PAGE = (
    '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur {code}</title>'
    '<h1>Erreur {code}</h1><p>{message}</p><p><a href="/">Retour à l\'accueil</a></p></html>'
)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def json_error(code: int, message: str, errors: dict | None = None, headers: dict | None = None):
    """The API error response; a 401 also says which scheme to use (RFC 6750)."""
    body = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Unknown Error"), "message": str(message)}
    if errors:
        body["errors"] = errors
    headers = dict(headers or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return body, code, headers


def message_of(code: int) -> str:
    """The French message of a status; a 413 says the configured limit."""
    if code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        if limit < 1024 * 1024:  # a small limit (a test's, a field's) in Ko, never "0 Mo"
            return _(
                "Le contenu envoyé dépasse la limite de %(size)s Ko.", size=format_decimal(limit / 1024, "#,##0.##")
            )
        megabytes = limit / (1024 * 1024)
        return _("Le contenu envoyé dépasse la limite de %(size)s Mo.", size=format_decimal(megabytes, "#,##0.##"))
    message = MESSAGES.get(code)
    return str(message) if message is not None else HTTP_STATUS_CODES.get(code, "Erreur")


def _api_message(error: HTTPException, data: dict) -> str:
    """An explicit message if the code gave one, else the French message of the status."""
    if data.get("message"):
        return str(data["message"])
    if error.description and error.description != type(error).description:
        return str(error.description)
    return message_of(error.code)


def _roll_back() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone: the answer must still go out
        log.exception("rolling back before an error answer failed")


def _answer(error: HTTPException):
    if is_api_request():
        data = getattr(error, "data", None) or {}
        headers = dict(data.get("headers") or {})
        if getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(error.valid_methods)
        errors = data.get("errors") or data.get("messages")
        return json_error(error.code, _api_message(error, data), errors, headers)
    return render_template("error.html", code=error.code, message=message_of(error.code)), error.code


def _last_resort(code: int):
    if is_api_request():
        return json_error(code, LAST_RESORT_MESSAGE)
    return LAST_RESORT_PAGE.format(code=code, message=LAST_RESORT_MESSAGE), code, {"Content-Type": "text/html"}


class DomainError(Exception):
    """A refusal by the rules of the domain, raised by an operation before it writes anything.

    ``message`` is French and shown as it is; ``field`` names the input it is about (shown under it) or
    ``errors`` gives the detail per field; the API answers ``status`` (422 unless a subclass says otherwise).
    One handler turns it into the answer, after rolling the session back — except for a refusal that
    ``keeps_changes`` (a failed second factor is counted), committed before answering.
    """

    status = 422
    keeps_changes = False

    def __init__(self, message: str, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message, self.field = message, field
        self.errors = errors if errors is not None else ({"json": {field: [message]}} if field else None)


REFUSAL_PAGE = "quorum.refusal_page"


def on_refusal(page) -> None:
    """The page a refusal of this request is shown on (web): ``page(error)`` renders the form again with the
    message, and the one handler below answers it with the refusal's status, after rolling back (or
    committing what the refusal keeps). A page that returns a response (a redirect after a flash) or a
    ``(body, status)`` tuple is answered as it is. Without it, a refusal shows the French error page. Kept with the
    request itself (not ``g``, which outlives a request when an application context was pushed first)."""
    request.environ[REFUSAL_PAGE] = page


def show_on(form, error: DomainError, default: str | None = None):
    """``error`` on ``form``: under the field it names (``field``, or each field of ``errors["form"]``), else
    under the ``default`` field (a form of one field), else above the form (``form_errors``). Returns the
    form, for ``on_refusal(lambda e: page(show_on(form, e)))``."""
    named = error.field if error.field and hasattr(form, error.field) else default
    per_field = (error.errors or {}).get("form") or ({named: [error.message]} if named else {})
    placed = False
    for name, messages in per_field.items():
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *(messages if isinstance(messages, list) else [messages])]
            placed = True
    if not placed:
        form.form_errors.append(error.message)
    return form


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_refusal(error: DomainError):
        try:
            if error.keeps_changes:
                commit(db.session)
            else:
                _roll_back()
            if is_api_request():
                return json_error(error.status, error.message, error.errors or None)
            page = request.environ.get(REFUSAL_PAGE)
            if page is not None:
                answer = page(error)  # a rendered form takes the refusal's status; a response is answered as it is
                return (answer, error.status) if isinstance(answer, str) else answer
            return render_template("error.html", code=error.status, message=error.message), error.status
        except Exception:
            log.exception("answering a refusal (%s) failed", error.status)
            _roll_back()
            return _last_resort(error.status)

    @app.errorhandler(sa.exc.TimeoutError)
    def handle_no_connection(error: sa.exc.TimeoutError):
        """Every database connection busy for the pool's whole timeout: too many at once, try again."""
        log.warning("no database connection free: %s", error)
        return handle_http_error(ServiceUnavailable())

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        _roll_back()
        try:
            return _answer(error)
        except Exception:
            log.exception("answering a %s failed", error.code)
            _roll_back()
            return _last_resort(error.code or 500)
