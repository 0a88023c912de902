"""The annotations' JSON answers to a refusal (422) or a conflict (409), for the API and the viewer's
browser routes alike (saas/documents/annotations/api.py and views.py)."""

from flask import jsonify
from flask_login import current_user

from saas.core.errors import json_error
from saas.core.extensions import db
from saas.documents.annotations import operations as annotations
from saas.documents.annotations.models import Annotation


def _response(body: dict, code: int, headers: dict):
    """A finished response: flask-smorest passes it through instead of dumping it with the route's schema."""
    response = jsonify(body)
    response.status_code = code
    response.headers.update(headers)
    return response


def refused(error: annotations.AnnotationError):
    """422 in the annotations' JSON shape, for the API and the viewer's browser routes alike."""
    db.session.rollback()
    return _response(*json_error(422, error.message, error.errors or None))


def conflict(error: annotations.AnnotationConflict):
    """409 with the current record, so the client shows both versions and nothing is silently lost."""
    db.session.rollback()
    current = db.session.get(Annotation, error.current.id, populate_existing=True)
    body, code, headers = json_error(409, annotations.CONFLICT)
    record = annotations.record(current, current_user)
    body["error"] = {"code": "conflict", "message": annotations.CONFLICT, "current": record}
    return _response(body, code, headers)
