"""Signature book API: my pending signatures across collectivities; a request's detail and current file;
sign (with a second-factor code in the body), refuse, comment; batches; and, for the secretariat,
requesting signatures on a document version or an uploaded PDF.

Objects are loaded and access is checked before the body is read: a request of another collectivity, or
one whose turn has not come to the caller yet, answers 404 exactly like a missing one. Refusals answer
422 with their French message; a refused second-factor code is committed first (it counts towards the
code throttle).
"""

import marshmallow as ma
from flask import request
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import ValidationError, fields, validate

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.inputs import Id, load_json
from saas.core.rest import FormSchema, form_body, json_body, json_response, operation
from saas.documents.models import DocumentVersion
from saas.documents.operations import latest_sitting
from saas.documents.schemas import pdf_file
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.signing.book import batches as book_batches
from saas.signing.book import operations as book
from saas.signing.book.access import candidate_signers, load_batch, load_request, signers_from
from saas.signing.book.models import SignatureRequest
from saas.signing.models import SigningBatch
from saas.storage.http import send_blob
from saas.tenancy.models import Tenant

blp = Blueprint(
    "signature_book_api",
    __name__,
    url_prefix="/api/v1",
    description="Parapheur : documents à signer dans l'ordre des signataires, signature avec un code à usage "
    "unique, refus motivé, commentaires, signature par lot.",
)

NOT_VISIBLE = "Document inconnu, d'une autre collectivité, ou dont votre tour de signature n'est pas encore venu."
REFUSED = "Refus : le message dit pourquoi, en français (code incorrect ou déjà utilisé, pas votre tour…)."
REQUEST = "/tenants/<tenant_slug>/signature-requests/<int:request_id>"


# --- Schemas --------------------------------------------------------------------------------------


class BookEntrySchema(ma.Schema):
    tenant_slug = fields.String()
    tenant_name = fields.String()
    request_id = fields.Integer()
    title = fields.String()
    role = fields.String(metadata={"description": "La qualité en laquelle je signe (sur le tampon)."})
    position = fields.Integer(metadata={"description": "Ma place dans l'ordre des signataires (1 : le premier)."})
    signers = fields.Integer(metadata={"description": "Nombre de signataires du document."})
    sitting_id = fields.Integer(allow_none=True)
    requested_at = fields.AwareDateTime()


class SignatureStepSchema(ma.Schema):
    position = fields.Integer()
    person_id = fields.Integer()
    name = fields.Function(lambda step: step.person.full_name)
    role = fields.String()
    status = fields.Function(
        lambda step: step.status.value,
        metadata={"description": "waiting (attend les précédents), pending, signed, refused, cancelled."},
    )
    signed_at = fields.AwareDateTime(allow_none=True)
    refused_at = fields.AwareDateTime(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "Motif du refus."})
    comment = fields.String(allow_none=True)


class SignatureRequestSchema(ma.Schema):
    id = fields.Integer()
    tenant_slug = fields.Function(lambda r: db.session.get(Tenant, r.tenant_id).slug)
    title = fields.String()
    filename = fields.String()
    status = fields.Function(lambda r: r.status.value, metadata={"description": "pending, signed, refused, cancelled."})
    document_version_id = fields.Integer(allow_none=True)
    sitting_id = fields.Integer(allow_none=True)
    sha256 = fields.Function(
        lambda r: r.current_blob.sha256, metadata={"description": "SHA-256 du fichier tel que signé jusqu'ici."}
    )
    created_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    steps = fields.List(fields.Nested(SignatureStepSchema))


class SignerInSchema(ma.Schema):
    person_id = Id(required=True)
    role = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SignatureRequestCreateSchema(ma.Schema):
    document_version_id = Id(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    signers = fields.List(
        fields.Nested(SignerInSchema),
        required=True,
        validate=validate.Length(min=1, max=book.MAX_SIGNERS),
        metadata={"description": "Dans l'ordre de signature."},
    )


SIGNERS_AS_JSON = "« signers » doit être une liste JSON de {person_id, role}."
#: as a marshmallow error message, which is a format string
SIGNERS_ERROR = SIGNERS_AS_JSON.replace("{", "{{").replace("}", "}}")


class SignersJSON(fields.String):
    """The signers of a multipart form: a JSON list of {person_id, role} written in a text field."""

    default_error_messages = {"invalid": SIGNERS_ERROR}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return SignerInSchema(many=True).load(load_json(text))
        except (ValueError, ValidationError):
            raise self.make_error("invalid") from None


class SignatureRequestUploadSchema(FormSchema):
    """An uploaded PDF put to signature (multipart form)."""

    file = pdf_file(named=True)
    title = fields.String(required=True, error_messages={"required": "Le titre est obligatoire."})
    signers = SignersJSON(
        required=True,
        error_messages={"required": SIGNERS_ERROR},
        metadata={"description": 'JSON : [{"person_id": 1, "role": "Maire"}, …], dans l\'ordre de signature.'},
    )


class SignInSchema(ma.Schema):
    code = fields.String(
        required=True, metadata={"description": "Le code affiché maintenant par l'application TOTP du signataire."}
    )


class RefusalInSchema(ma.Schema):
    reason = fields.String(required=True, metadata={"description": "Motif du refus (obligatoire)."})


class CommentInSchema(ma.Schema):
    comment = fields.String(required=True)


class SignatureBatchInSchema(ma.Schema):
    request_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=100))
    code = fields.String(required=True)


class SignatureBatchItemSchema(ma.Schema):
    position = fields.Integer()
    request_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "pending, signed, already_signed, failed."})
    message = fields.String(allow_none=True, metadata={"description": "Pourquoi l'échec, en français."})


class SignatureBatchSchema(ma.Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "pending, running, done."})
    done = fields.Integer(metadata={"description": "Documents traités."})
    total = fields.Integer()
    items = fields.List(fields.Nested(SignatureBatchItemSchema))


# --- Helpers --------------------------------------------------------------------------------------


def _request_view(signature_request: SignatureRequest, status: int = 200):
    return json_response(SignatureRequestSchema().dump(signature_request), status)


def _batch_view(batch: SigningBatch, status: int = 200):
    rows = book_batches.batch_steps(batch)
    return json_response(
        SignatureBatchSchema().dump(
            {
                "id": batch.id,
                "status": batch.status.value,
                "done": batch.done,
                "total": len(batch.items),
                "items": [
                    {
                        "position": item.position,
                        "request_id": step.request_id if step else None,
                        "status": item.status.value,
                        "message": item.message,
                    }
                    for item, step in rows
                ],
            }
        ),
        status,
    )


def _signers(tenant, rows: list[dict]) -> list[book.Signer]:
    return signers_from([(row["person_id"], row["role"]) for row in rows], candidate_signers(tenant))


def _step(tenant_slug: str, request_id: int, schema, act, field: str):
    """What a signer does on a request (sign, refuse, comment): load it and check it is theirs to see, then
    read the body, act, commit once, answer the request as it now is."""
    tenant = enter_tenant(tenant_slug, current_user)
    signature_request = load_request(tenant, request_id, current_user)
    data = json_body(schema)
    act(signature_request, current_user, data[field])
    commit(db.session)
    return _request_view(signature_request)


# --- Routes ---------------------------------------------------------------------------------------


@operation(
    blp,
    "/me/signatures",
    "GET",
    200,
    BookEntrySchema(many=True),
    summary="Mon parapheur",
    description="Les documents qui attendent ma signature maintenant, dans toutes mes collectivités (un "
    "document n'y entre qu'une fois que les signataires précédents ont signé).",
)
def my_signatures():
    return book.book_for(current_user)


@operation(
    blp,
    "/tenants/<tenant_slug>/signature-requests",
    "POST",
    201,
    SignatureRequestSchema,
    summary="Mettre un document à la signature (secrétariat)",
    description="Une version de document d'une séance (JSON), ou un PDF déposé (multipart : file, title, "
    "signers en JSON). Le fichier est copié et tous les emplacements de signature sont créés avant la "
    "première signature ; la version d'origine n'est jamais modifiée.",
    not_found="Collectivité inconnue, ou vous n'en assurez pas le secrétariat.",
    refused=REFUSED,
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": SignatureRequestCreateSchema},
            "multipart/form-data": {"schema": SignatureRequestUploadSchema},
        },
    },
)
def create_request(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    if not book.may_request(current_user, tenant):
        abort(404, message="Collectivité inconnue, ou vous n'en assurez pas le secrétariat.")
    if request.mimetype == "multipart/form-data":
        form = form_body(SignatureRequestUploadSchema)
        created = book.request_signatures(
            tenant,
            title=form["title"],
            signers=_signers(tenant, form["signers"]),
            actor=current_user,
            upload=(form["file"].stream, form["file"].filename),
        )
    else:
        data = json_body(SignatureRequestCreateSchema)
        version = db.session.get(DocumentVersion, data["document_version_id"])
        sitting = latest_sitting(version.document.report) if version and version.tenant_id == tenant.id else None
        if sitting is None or not book.may_request(current_user, tenant, sitting):
            abort(422, message="Version de document inconnue, ou d'une séance dont vous n'assurez pas le secrétariat.")
        created = book.request_signatures(
            tenant,
            title=data["title"],
            signers=_signers(tenant, data["signers"]),
            actor=current_user,
            version=version,
        )
    commit(db.session)
    return _request_view(created, 201)


@operation(
    blp,
    REQUEST,
    "GET",
    200,
    SignatureRequestSchema,
    summary="Un document du parapheur",
    description="Son état et ses signataires dans l'ordre.",
    not_found=NOT_VISIBLE,
)
def get_request(tenant_slug, request_id):
    tenant = enter_tenant(tenant_slug, current_user)
    return _request_view(load_request(tenant, request_id, current_user))


@operation(
    blp,
    REQUEST + "/file",
    summary="Télécharger le document",
    description="Le fichier courant : signé par les signataires passés.",
    not_found=NOT_VISIBLE,
    answer="Le PDF tel que signé jusqu'ici (requêtes Range acceptées).",
)
def get_file(tenant_slug, request_id):
    tenant = enter_tenant(tenant_slug, current_user)
    signature_request = load_request(tenant, request_id, current_user)
    return send_blob(signature_request.current_blob, signature_request.filename, "application/pdf")


@operation(
    blp,
    REQUEST + "/sign",
    "POST",
    200,
    SignatureRequestSchema,
    summary="Signer",
    description="Signature électronique PAdES du signataire dont c'est le tour, après un code TOTP frais "
    "(chaque code ne sert qu'une fois).",
    body=SignInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def sign(tenant_slug, request_id):
    return _step(tenant_slug, request_id, SignInSchema, book.sign, "code")


@operation(
    blp,
    REQUEST + "/refuse",
    "POST",
    200,
    SignatureRequestSchema,
    summary="Refuser de signer",
    description="Avec un motif, obligatoire ; le document sort du parapheur et le secrétariat est prévenu.",
    body=RefusalInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def refuse(tenant_slug, request_id):
    return _step(tenant_slug, request_id, RefusalInSchema, book.refuse, "reason")


@operation(
    blp,
    REQUEST + "/comment",
    "POST",
    200,
    SignatureRequestSchema,
    summary="Commenter",
    description="Mon commentaire sur le document (remplace le précédent), visible du secrétariat et des signataires.",
    body=CommentInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def comment(tenant_slug, request_id):
    return _step(tenant_slug, request_id, CommentInSchema, book.comment, "comment")


@operation(
    blp,
    "/tenants/<tenant_slug>/signature-batches",
    "POST",
    202,
    SignatureBatchSchema,
    summary="Signer par lot",
    description="Plusieurs documents de la collectivité (par exemple les délibérations d'une séance) avec un "
    "seul code ; la signature se fait en arrière-plan, suivez-la avec GET …/signature-batches/{batch_id}.",
    body=SignatureBatchInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def create_batch(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    data = json_body(SignatureBatchInSchema)
    requests_ = [load_request(tenant, request_id, current_user) for request_id in sorted(set(data["request_ids"]))]
    batch = book_batches.sign_batch(tenant, current_user, requests_, data["code"])
    commit(db.session)
    return _batch_view(db.session.get(SigningBatch, batch.id), 202)


@operation(
    blp,
    "/tenants/<tenant_slug>/signature-batches/<int:batch_id>",
    "GET",
    200,
    SignatureBatchSchema,
    summary="Avancement d'un lot",
    description="Nombre de documents traités et résultat de chacun.",
    not_found="Lot inconnu, ou que vous n'avez pas lancé.",
)
def get_batch(tenant_slug, batch_id):
    tenant = enter_tenant(tenant_slug, current_user)
    return _batch_view(load_batch(tenant, batch_id, current_user))


api_blueprint(blp)
