"""Errors: one JSON shape under /api/ (flask-smorest's), a French page elsewhere."""

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: _l("La requête est mal formée."),
    401: _l("Vous devez vous connecter."),
    403: _l("Vous n'avez pas le droit de faire cela."),
    404: _l("Cette page n'existe pas, ou vous n'y avez pas accès."),
    405: _l("Cette méthode n'est pas permise ici."),
    413: _l("Le contenu envoyé est trop volumineux."),
    429: _l("Trop de tentatives. Réessayez plus tard."),
    500: _l("Une erreur interne est survenue. Elle a été enregistrée."),
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def json_error(code: int, message: str, errors: dict | None = None):
    from http import HTTPStatus

    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body, code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if is_api_request():
            data = getattr(error, "data", None) or {}
            return json_error(error.code, error.description or str(MESSAGES.get(error.code, "")), data.get("messages"))
        message = MESSAGES.get(error.code, error.name)
        return render_template("error.html", code=error.code, message=message), error.code
