"""Annotations for the browser: the JSON routes the viewer calls (session cookie, CSRF header X-CSRFToken on
writes) and the "Mes notes" page. Same records, rules and refusals as the API (saas/documents/annotations/api.py,
whose helpers are imported rather than copied, so both doors answer the same 404s, 409s and 422s).
"""

from flask import Blueprint, g, render_template, request, url_for
from flask_login import current_user, login_required

from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.core.rest import json_body
from saas.documents.access import document_or_404
from saas.documents.annotations import operations as annotations
from saas.documents.annotations.access import annotation_or_404, authored_or_refuse, changes_of
from saas.documents.annotations.answers import conflict, refused
from saas.identity.web import tenant_blueprint

bp = tenant_blueprint("annotations", __name__)
notes_bp = Blueprint("annotation_notes", __name__)


def _answer(error):
    """A refusal in the annotations' JSON shape (422), or a conflict with the current record (409): each
    route names it with ``on_refusal``, and the one refusal handler rolls back before answering."""
    return conflict(error) if isinstance(error, annotations.AnnotationConflict) else refused(error)


@bp.get("/documents/<int:document_id>/annotations")
def list_annotations(document_id: int):
    document = document_or_404(g.tenant.slug, document_id)
    on_refusal(_answer)
    return changes_of(document, request.args.get("since"))


@bp.post("/documents/<int:document_id>/annotations")
def create_annotation(document_id: int):
    document = document_or_404(g.tenant.slug, document_id)
    on_refusal(_answer)
    annotation = annotations.create(document, current_user, json_body())
    commit(db.session)
    return annotations.record(annotation, current_user), 201


@bp.patch("/annotations/<int:annotation_id>")
def update_annotation(annotation_id: int):
    annotation = authored_or_refuse(annotation_or_404(g.tenant.slug, annotation_id))
    on_refusal(_answer)
    annotations.update(annotation, current_user, json_body())
    commit(db.session)
    return annotations.record(annotation, current_user)


@bp.delete("/annotations/<int:annotation_id>")
def delete_annotation(annotation_id: int):
    annotation = authored_or_refuse(annotation_or_404(g.tenant.slug, annotation_id))
    on_refusal(_answer)
    annotations.delete(annotation, current_user, request.args.get("revision", type=int))
    commit(db.session)
    return "", 204


def viewer_link(note: annotations.Note) -> str:
    """The viewer at the note's page, scrolled to the note."""
    record = note.record
    return url_for(
        "documents_viewer.read",
        tenant_slug=note.tenant_slug,
        document_id=record["document_id"],
        page=record["page"],
        _anchor=f"annotation-{record['id']}",
    )


@notes_bp.get("/notes")
@login_required
def my_notes():
    search = request.args.get("q", "").strip()
    notes = annotations.my_notes(current_user, search)
    return render_template("documents/notes.html", notes=notes, search=search, link=viewer_link)
