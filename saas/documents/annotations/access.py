"""Tables of saas.documents.annotations.access."""

from flask_login import current_user
from flask_smorest import abort

from saas.documents.access import document_or_404
from saas.documents.annotations import operations as annotations
from saas.documents.annotations.models import Annotation
from saas.documents.models import Document
from saas.identity.access import enter_tenant

NOT_VISIBLE_ANNOTATION = "Annotation inconnue, ou que vous ne pouvez pas lire."


ONLY_AUTHOR = "Seul l'auteur d'une annotation peut la modifier ou la supprimer."


def annotation_or_404(tenant_slug: str, annotation_id: int) -> Annotation:
    """An annotation the caller may read, on a document they may read; 404 otherwise."""
    enter_tenant(tenant_slug, current_user)
    annotation = annotations.find_visible(annotation_id, current_user)
    if annotation is None:
        abort(404, message=NOT_VISIBLE_ANNOTATION)
    document_or_404(tenant_slug, annotation.document_id)
    return annotation


def authored_or_refuse(annotation: Annotation) -> Annotation:
    if annotation.person_id != current_user.id:
        abort(403, message=ONLY_AUTHOR)
    return annotation


def changes_of(document: Document, since: str | None) -> dict:
    found = annotations.changes(document, current_user, annotations.parse_cursor(since))
    return {
        "annotations": annotations.records(found.annotations, current_user),
        "orphaned": annotations.records(found.orphaned, current_user),
        "deleted": found.deleted,
        "cursor": found.cursor,
    }
