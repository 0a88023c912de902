"""Annotations API: the annotations of a document (list, sync, create, answer), one annotation (read, change,
delete), and "Mes notes" across collectivities.

A private annotation answers 404 to anyone but its author — another member, a tenant admin, an operator —
exactly like a missing id; so does a shared one to whoever may not read its document (closed-session
items). Only the author changes or deletes: a reader of a shared annotation gets 403. A change made on a
stale revision answers 409 with the current record; nothing is written then.
"""

import marshmallow as ma
from flask import request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.inputs import Id, Integer
from saas.core.rest import json_body
from saas.documents.access import NOT_VISIBLE, document_or_404
from saas.documents.annotations import operations as annotations
from saas.documents.annotations.access import (
    NOT_VISIBLE_ANNOTATION,
    ONLY_AUTHOR,
    annotation_or_404,
    authored_or_refuse,
    changes_of,
)
from saas.documents.annotations.answers import conflict, refused
from saas.identity.web import api_blueprint

blp = Blueprint(
    "annotations_api",
    __name__,
    url_prefix="/api/v1",
    description="Annotations des documents : surlignages, notes, tracés et zones de texte, privés par défaut, "
    "partagés à la demande ; synchronisation entre appareils ; « Mes notes ».",
)

PALETTE = ", ".join(annotations.PALETTE)


class QuoteSchema(ma.Schema):
    exact = fields.String(required=True)
    prefix = fields.String()
    suffix = fields.String()


class PositionSchema(ma.Schema):
    start = Integer(required=True, validate=validate.Range(min=0))
    end = Integer(required=True, validate=validate.Range(min=0))


class SharingSchema(ma.Schema):
    scope = fields.String(
        required=True,
        metadata={"enum": ["private", "people", "group", "assembly"], "description": "private par défaut."},
    )
    people = fields.List(Id(), metadata={"description": "Pour « people » : les personnes nommées."})


class AuthorSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()


class AnnotationInSchema(ma.Schema):
    kind = fields.String(metadata={"enum": ["highlight", "note", "ink", "text"]})
    page = Integer(validate=validate.Range(min=1), metadata={"description": "Numéro de page, à partir de 1."})
    color = fields.String(metadata={"enum": list(annotations.PALETTE)})
    rects = fields.List(
        fields.List(fields.Float()),
        metadata={"description": "[[x1, y1, x2, y2], …] en points PDF, origine en bas à gauche de la CropBox."},
    )
    ink = fields.List(fields.List(fields.List(fields.Float())), metadata={"description": "Traits [[[x, y], …], …]."})
    body = fields.String(metadata={"description": f"Texte brut, {annotations.MAX_BODY} caractères au plus."})
    quote = fields.Nested(QuoteSchema, allow_none=True, metadata={"description": "TextQuoteSelector (W3C)."})
    position = fields.Nested(PositionSchema, allow_none=True, metadata={"description": "TextPositionSelector."})
    sharing = fields.Nested(SharingSchema)
    reply_to = Id(allow_none=True, metadata={"description": "Répondre à une annotation partagée."})
    revision = Integer(
        validate=validate.Range(min=0), metadata={"description": "Obligatoire en modification : la révision lue."}
    )


class AnnotationCreateSchema(AnnotationInSchema):
    """A new annotation: what it is, where, and in which colour."""

    class Meta:
        exclude = ("reply_to", "revision")

    kind = fields.String(required=True, metadata={"enum": ["highlight", "note", "ink", "text"]})
    page = Integer(
        required=True, validate=validate.Range(min=1), metadata={"description": "Numéro de page, à partir de 1."}
    )
    color = fields.String(required=True, metadata={"enum": list(annotations.PALETTE)})


class AnnotationReplySchema(ma.Schema):
    """An answer to an annotation: a note on the same place, shared as the annotation is."""

    reply_to = Id(required=True, metadata={"description": "L'annotation à laquelle je réponds."})
    kind = fields.String(metadata={"enum": ["note"]})
    body = fields.String(
        required=True, metadata={"description": f"Texte brut, {annotations.MAX_BODY} caractères au plus."}
    )


class AnnotationUpdateSchema(AnnotationInSchema):
    """A change: the revision as read, and the fields to change."""

    class Meta:
        exclude = ("reply_to",)

    revision = Integer(required=True, validate=validate.Range(min=0), metadata={"description": "La révision lue."})


class AnnotationSchema(AnnotationInSchema):
    id = fields.Integer()
    document_id = fields.Integer()
    version_number = fields.Integer()
    author = fields.Nested(AuthorSchema)
    mine = fields.Boolean()
    orphaned = fields.Boolean(metadata={"description": "Non replacée sur la nouvelle version du document."})
    orphaned_from = fields.Dict(allow_none=True, metadata={"description": "{version_number, page} d'origine."})
    created_at = fields.String()
    updated_at = fields.String()
    w3c = fields.Dict(metadata={"description": "La même annotation au format W3C Web Annotation (JSON-LD)."})


class AnnotationChangesSchema(ma.Schema):
    annotations = fields.List(fields.Nested(AnnotationSchema))
    orphaned = fields.List(fields.Nested(AnnotationSchema))
    deleted = fields.List(fields.Integer())
    cursor = fields.String(metadata={"description": "À renvoyer dans « since » pour n'avoir que la suite."})


class MyNoteSchema(ma.Schema):
    annotation = fields.Nested(AnnotationSchema)
    tenant_slug = fields.String()
    tenant_name = fields.String()
    document_title = fields.String(allow_none=True)
    sitting_starts_at = fields.DateTime(allow_none=True)


CREATE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"oneOf": [AnnotationCreateSchema, AnnotationReplySchema]}}},
    }
}
UPDATE_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": AnnotationUpdateSchema}}}}
DOCUMENT = "/tenants/<tenant_slug>/documents/<int:document_id>/annotations"
ONE = "/tenants/<tenant_slug>/annotations/<int:annotation_id>"


# --- Shared with the web JSON routes --------------------------------------------------------------


# --- Routes ---------------------------------------------------------------------------------------


@blp.route(DOCUMENT, methods=["GET"])
@blp.response(200, AnnotationChangesSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description="Paramètre « since » invalide.")
@blp.doc(
    summary="Annotations d'un document",
    description="Ce que je peux lire sur la version en vigueur : les miennes et celles partagées avec moi ; "
    "à part, celles qui n'ont pu être replacées sur une nouvelle version (orphaned). Avec « since » (le "
    "curseur reçu), seulement ce qui a changé depuis, suppressions comprises (deleted).",
    parameters=[{"in": "query", "name": "since", "schema": {"type": "string"}, "required": False}],
)
def list_annotations(tenant_slug, document_id):
    document = document_or_404(tenant_slug, document_id)
    return changes_of(document, request.args.get("since"))


@blp.route(DOCUMENT, methods=["POST"])
@blp.response(201, AnnotationSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description="Annotation invalide : le message et le détail par champ sont en français.")
@blp.doc(
    summary="Annoter un document",
    description="Sur la version en vigueur. Privée par défaut ; « sharing » la partage avec des collègues nommés, "
    f"mon groupe politique ou l'assemblée. Couleurs : {PALETTE}. Avec « reply_to », une réponse à une "
    "annotation que je peux lire (elle en reprend le partage).",
    **CREATE_BODY,
)
def create_annotation(tenant_slug, document_id):
    document = document_or_404(tenant_slug, document_id)
    annotation = annotations.create(document, current_user, json_body())
    commit(db.session)
    return annotations.record(annotation, current_user)


@blp.route(ONE, methods=["GET"])
@blp.response(200, AnnotationSchema)
@blp.alt_response(404, description=NOT_VISIBLE_ANNOTATION + " Une annotation privée n'est lue que de son auteur.")
@blp.doc(summary="Une annotation")
def get_annotation(tenant_slug, annotation_id):
    return annotations.record(annotation_or_404(tenant_slug, annotation_id), current_user)


@blp.route(ONE, methods=["PATCH"])
@blp.response(200, AnnotationSchema)
@blp.alt_response(403, description=ONLY_AUTHOR)
@blp.alt_response(404, description=NOT_VISIBLE_ANNOTATION)
@blp.alt_response(409, description=annotations.CONFLICT + " Corps : error.current.")
@blp.alt_response(422, description="Annotation invalide.")
@blp.doc(
    summary="Modifier une annotation",
    description="Envoyez « revision » telle que lue et les champs à changer.",
    **UPDATE_BODY,
)
def update_annotation(tenant_slug, annotation_id):
    annotation = authored_or_refuse(annotation_or_404(tenant_slug, annotation_id))
    try:
        annotations.update(annotation, current_user, json_body())
    except annotations.AnnotationError as error:
        return refused(error)
    except annotations.AnnotationConflict as error:
        return conflict(error)
    commit(db.session)
    return annotations.record(annotation, current_user)


@blp.route(ONE, methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, description=ONLY_AUTHOR)
@blp.alt_response(404, description=NOT_VISIBLE_ANNOTATION)
@blp.alt_response(409, description=annotations.CONFLICT)
@blp.alt_response(422, description="Révision manquante.")
@blp.doc(
    summary="Supprimer une annotation",
    parameters=[{"in": "query", "name": "revision", "schema": {"type": "integer"}, "required": True}],
)
def delete_annotation(tenant_slug, annotation_id):
    annotation = authored_or_refuse(annotation_or_404(tenant_slug, annotation_id))
    try:
        annotations.delete(annotation, current_user, request.args.get("revision", type=int))
    except annotations.AnnotationError as error:
        return refused(error)
    except annotations.AnnotationConflict as error:
        return conflict(error)
    commit(db.session)
    return None


@blp.route("/me/annotations", methods=["GET"])
@blp.response(200, MyNoteSchema(many=True))
@blp.doc(
    summary="Mes notes",
    description="Toutes mes annotations, dans toutes mes collectivités, les plus récentes d'abord ; « q » cherche "
    "dans le texte et la citation (sans tenir compte des majuscules ni des accents).",
    parameters=[{"in": "query", "name": "q", "schema": {"type": "string"}, "required": False}],
)
def my_annotations():
    return [
        {
            "annotation": note.record,
            "tenant_slug": note.tenant_slug,
            "tenant_name": note.tenant_name,
            "document_title": note.document_title,
            "sitting_starts_at": note.sitting_starts_at,
        }
        for note in annotations.my_notes(current_user, request.args.get("q"))
    ]


api_blueprint(blp)
