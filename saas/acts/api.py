"""Acts API: the collectivity's deliberations the caller may see (by year or sitting), one act with its text and
its signature's state, its PDF (signed once signed), its certified extract; for the secretariat, putting it to
signature and correcting it; for the admins, how numbers are written.

The same rule as the pages (``access.py``): an act of another collectivity, or one the caller may not see
(a closed-session item…), answers 404 exactly like a missing one, before the body is read. Refusals answer 422
with their French message.
"""

from flask import abort as flask_abort
from flask_login import current_user
from flask_smorest import Blueprint

from saas.acts import access, printing
from saas.acts import operations as acts
from saas.acts.models import ActCounter, Deliberation
from saas.acts.schemas import (
    ActSchema,
    ActsQuerySchema,
    ActSummarySchema,
    CorrectionInSchema,
    NumberFormatInSchema,
    NumberFormatSchema,
)
from saas.core.database import commit, utcnow
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import can_manage, enter_tenant
from saas.identity.web import api_blueprint
from saas.sittings.access import load_sitting
from saas.storage.http import send_blob

blp = api_blueprint(
    Blueprint(
        "acts_api",
        __name__,
        url_prefix="/api/v1",
        description="Délibérations : numérotées, générées, signées par le président et le secrétaire de séance, "
        "corrigées par un acte rectificatif ; extraits certifiés conformes.",
    )
)

NOT_VISIBLE = "Collectivité ou délibération inconnue, ou que vous ne pouvez pas voir."
REFUSED = "Refus : le message dit pourquoi, en français (déjà corrigée, en cours de signature…)."
ACTS = "/tenants/<tenant_slug>/deliberations"
ACT = ACTS + "/<int:act_id>"
PDF = {"responses": {"200": {"description": "Le PDF/A.", "content": {"application/pdf": {}}}}}


class ActView:
    """The act with what the answer adds (read by the schemas as attributes)."""

    def __init__(self, act: Deliberation):
        self._act = act
        self.signature = acts.signature_state(act)
        self.corrected_by = [other.number for other in acts.chain(act) if other.corrects_id == act.id]

    def __getattr__(self, name):
        return getattr(self._act, name)


@operation(
    blp,
    ACTS,
    "GET",
    200,
    ActSummarySchema(many=True),
    summary="Les délibérations",
    description="Les actes de la collectivité que je peux voir, dans l'ordre du registre ; par année ou par séance.",
    not_found="Collectivité ou séance inconnue, ou que vous ne pouvez pas voir.",
)
@blp.arguments(ActsQuerySchema, location="query")
def list_acts(query, tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = None
    if query.get("sitting_id") is not None:
        sitting, _ = load_sitting(tenant, query["sitting_id"], current_user)
    return [ActView(act) for act in access.visible_acts(tenant, current_user, year=query.get("year"), sitting=sitting)]


@operation(
    blp,
    ACT,
    "GET",
    200,
    ActSchema,
    summary="Une délibération",
    description="Son numéro, son texte, le résultat du vote dont elle est issue, l'état de sa signature, ses "
    "corrections.",
    not_found=NOT_VISIBLE,
)
def get_act(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    act, _ = access.load_act(tenant, act_id, current_user)
    return ActView(act)


@operation(
    blp,
    ACT + "/pdf",
    status=None,
    summary="Le PDF de la délibération",
    description="Signé par les signataires passés dès la première signature ; sinon tel que généré.",
    not_found=NOT_VISIBLE + " Ou dont le document est encore en cours de génération.",
    **PDF,
)
def get_pdf(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    act, _ = access.load_act(tenant, act_id, current_user)
    if act.document_version_id is None:
        flask_abort(404)
    signed = acts.signed_request(act)
    blob = signed.current_blob if signed is not None else act.document_version.blob
    return send_blob(blob, f"deliberation-{act.number}.pdf", "application/pdf")


@operation(
    blp,
    ACT + "/extract",
    status=None,
    summary="Extrait certifié conforme",
    description="L'extrait du registre des délibérations pour cet acte, certifié par le président, du jour.",
    not_found=NOT_VISIBLE,
    **PDF,
)
def get_extract(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    act, _ = access.load_act(tenant, act_id, current_user)
    return printing.extract_response(act, utcnow())


@operation(
    blp,
    ACT + "/signature",
    "POST",
    200,
    ActSchema,
    summary="Mettre à la signature",
    description="Le circuit des actes à signer commence : le président, puis le secrétaire de séance (L2121-23).",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def start_signing(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    act = access.load_managed_act(tenant, act_id, current_user)
    acts.start_signing(act, current_user)
    commit(db.session)
    return ActView(act)


@operation(
    blp,
    ACT + "/corrections",
    "POST",
    201,
    ActSchema,
    summary="Corriger une délibération",
    description="Un acte rectificatif, d'un nouveau numéro, qui renvoie au premier ; le premier reste tel quel, "
    "marqué corrigé.",
    body=CorrectionInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def correct_act(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    act = access.load_managed_act(tenant, act_id, current_user)
    data = json_body(CorrectionInSchema)
    correction = acts.correct_deliberation(act, data["reason"], actor=current_user)
    commit(db.session)
    return json_response(ActSchema().dump(ActView(correction)), 201)


@operation(
    blp,
    "/tenants/<tenant_slug>/deliberation-numbers",
    "PUT",
    200,
    NumberFormatSchema,
    summary="Format des numéros",
    description="Pour les administrateurs : comment s'écrivent les numéros des actes de l'année, à partir du "
    "prochain ; les numéros donnés ne changent pas.",
    body=NumberFormatInSchema,
    not_found="Collectivité inconnue, ou dont vous n'êtes pas administrateur.",
    refused=REFUSED,
)
def set_number_format(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    if not can_manage(current_user, "admin", tenant):
        flask_abort(404)
    data = json_body(NumberFormatInSchema)
    counter: ActCounter = acts.set_number_format(tenant, data["year"], data["number_format"], current_user)
    commit(db.session)
    return counter
