"""Minutes and list of deliberations API: a sitting's minutes as drafted (presence, quorum, items, results,
debates), writing the debates of an item, ready for approval, back to draft, the PDF, the day put online; the
sitting's lists of deliberations: generate, download, the day put online, sending to the municipal councillors.

The same rule as the pages (``access.py``): a sitting of another collectivity, or one the caller may not see,
answers 404 exactly like a missing one, before the body is read. Refusals answer 422 with their French message.
"""

from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from saas.acts.minutes import access
from saas.acts.minutes import operations as minutes_ops
from saas.acts.minutes.models import MINUTES_STATUS_LABELS
from saas.acts.minutes.schemas import (
    CouncillorImportInSchema,
    CouncillorImportSchema,
    CouncillorInSchema,
    CouncillorSchema,
    DebateInSchema,
    DeliberationListSchema,
    MinutesSchema,
    OnlineInSchema,
)
from saas.acts.register import record as records
from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.sittings.access import visible_items
from saas.storage.http import send_blob

blp = api_blueprint(
    Blueprint(
        "minutes_api",
        __name__,
        url_prefix="/api/v1",
        description="Procès-verbal des séances (L2121-15) et liste des délibérations (L2121-25, L5211-40-2).",
    )
)

NOT_VISIBLE = "Collectivité ou séance inconnue, ou que vous ne pouvez pas voir (ou modifier)."
REFUSED = "Refus : le message dit pourquoi, en français (déjà approuvé, séance non close…)."
MINUTES = "/tenants/<tenant_slug>/sittings/<int:sitting_id>/minutes"
LISTS = "/tenants/<tenant_slug>/sittings/<int:sitting_id>/deliberation-lists"
COUNCILLORS = "/tenants/<tenant_slug>/sittings/<int:sitting_id>/outside-councillors"
NOT_EPCI = NOT_VISIBLE + " Aussi hors d'un EPCI à fiscalité propre (L5211-40-2)."
PDF = {"responses": {"200": {"description": "Le PDF/A.", "content": {"application/pdf": {}}}}}


def _view(sitting, manager: bool, writer: bool) -> dict:
    minutes = minutes_ops.minutes_of(sitting)
    record = minutes_ops.record_for(sitting)
    visible = {item.id for item in visible_items(sitting, current_user, manager)}
    presence = record.presence
    status = minutes.status if minutes is not None else minutes_ops.MinutesStatus.DRAFT
    return {
        "sitting_id": sitting.id,
        "status": status.value,
        "status_label": MINUTES_STATUS_LABELS[status],
        "president": record.president,
        "secretary": record.secretary,
        "present": list(presence.present) if presence else [],
        "represented": [list(pair) for pair in presence.represented] if presence else [],
        "absent": list(presence.absent) if presence else [],
        "quorum": records.quorum_phrase(presence) if presence else None,
        "approval_item_id": minutes.approval_item_id if minutes else None,
        "approved_at": minutes.approved_at if minutes else None,
        "online_due_on": minutes.online_due_on if minutes else None,
        "online_on": minutes.online_on if minutes else None,
        "signed_at": minutes.signed_at if minutes else None,
        "writable": writer and status not in minutes_ops.FROZEN,
        "items": [
            {
                "item_id": item.item_id,
                "position": item.position,
                "title": item.title,
                "result": records.result_phrase(item.outcome) if item.outcome else None,
                "act_number": item.act.number if item.act else None,
                "debate": item.debate,
            }
            for item in record.items
            if item.item_id in visible
        ],
    }


@operation(
    blp,
    MINUTES,
    "GET",
    200,
    MinutesSchema,
    summary="Le procès-verbal",
    not_found=NOT_VISIBLE,
    description="Tel que rédigé : présents, représentés, quorum, points, résultats, teneur des débats.",
)
def get_minutes(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    return _view(*access.load_minutes_sitting(tenant, sitting_id, current_user))


@operation(
    blp,
    MINUTES + "/items/<int:item_id>/debate",
    "PUT",
    200,
    MinutesSchema,
    body=DebateInSchema,
    summary="Teneur des débats d'un point",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
    description="Le secrétaire de séance ou le secrétariat, jusqu'à l'approbation du procès-verbal.",
)
def put_debate(tenant_slug, sitting_id, item_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = access.load_writable_sitting(tenant, sitting_id, current_user)
    item = access.load_item(sitting, item_id)
    data = json_body(DebateInSchema)
    minutes_ops.save_debate(sitting, item, data["text"], actor=current_user)
    commit(db.session)
    return _view(*access.load_minutes_sitting(tenant, sitting_id, current_user))


@operation(
    blp,
    MINUTES + "/ready",
    "POST",
    200,
    MinutesSchema,
    summary="Prêt pour approbation",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
    description="Son approbation est proposée à la prochaine séance en préparation de l'assemblée.",
)
def post_ready(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = access.load_writable_sitting(tenant, sitting_id, current_user)
    minutes_ops.mark_ready(sitting, actor=current_user)
    commit(db.session)
    return _view(*access.load_minutes_sitting(tenant, sitting_id, current_user))


@operation(
    blp,
    MINUTES + "/draft",
    "POST",
    200,
    MinutesSchema,
    summary="Reprendre en rédaction",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def post_draft(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = access.load_writable_sitting(tenant, sitting_id, current_user)
    minutes_ops.back_to_draft(sitting, actor=current_user)
    commit(db.session)
    return _view(*access.load_minutes_sitting(tenant, sitting_id, current_user))


@operation(
    blp,
    MINUTES + "/online",
    "POST",
    200,
    MinutesSchema,
    body=OnlineInSchema,
    summary="Mis en ligne le",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
    description="Le secrétariat dit quand le procès-verbal approuvé a été mis en ligne (sous une semaine).",
)
def post_minutes_online(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = access.load_managed_sitting(tenant, sitting_id, current_user)
    minutes = minutes_ops.minutes_of(sitting)
    data = json_body(OnlineInSchema)
    if minutes is None:
        raise minutes_ops.MinutesError(
            "Le procès-verbal est mis en ligne une fois approuvé (article L2121-15 du CGCT)."
        )
    minutes_ops.record_minutes_online(minutes, data["online_on"], actor=current_user)
    commit(db.session)
    return _view(*access.load_minutes_sitting(tenant, sitting_id, current_user))


@operation(
    blp,
    MINUTES + "/pdf",
    status=None,
    summary="Le PDF du procès-verbal",
    not_found=NOT_VISIBLE,
    description="Approuvé : le fichier figé (signé une fois signé) ; sinon le projet tel qu'il est.",
    **PDF,
)
def get_minutes_pdf(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, _manager, _writer = access.load_minutes_sitting(tenant, sitting_id, current_user)
    minutes = minutes_ops.minutes_of(sitting)
    if minutes is not None and minutes.status in minutes_ops.FROZEN:
        blob, _signed = minutes_ops.minutes_file(minutes)
        if blob is not None:
            return send_blob(blob, f"proces-verbal-{sitting.id}.pdf", "application/pdf")
    return Response(minutes_ops.render(sitting, minutes), mimetype="application/pdf")


@operation(
    blp,
    LISTS,
    "GET",
    200,
    DeliberationListSchema(many=True),
    summary="Les listes des délibérations",
    not_found=NOT_VISIBLE,
    description="Les versions de la liste de la séance, la plus récente d'abord.",
)
def get_lists(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, _manager, _writer = access.load_minutes_sitting(tenant, sitting_id, current_user)
    return minutes_ops.lists_of(sitting)


@operation(
    blp,
    LISTS,
    "POST",
    201,
    DeliberationListSchema,
    summary="Établir la liste des délibérations",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
    description="Une nouvelle version, une fois la séance close.",
)
def post_list(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = access.load_managed_sitting(tenant, sitting_id, current_user)
    listing = minutes_ops.generate_list(sitting, actor=current_user)
    commit(db.session)
    return json_response(DeliberationListSchema().dump(listing), 201)


@operation(
    blp,
    LISTS + "/<int:number>/pdf",
    status=None,
    summary="Le PDF d'une version de la liste",
    not_found=NOT_VISIBLE,
    **PDF,
)
def get_list_pdf(tenant_slug, sitting_id, number):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, _manager, _writer = access.load_minutes_sitting(tenant, sitting_id, current_user)
    listing = access.load_list(sitting, number)
    return send_blob(listing.blob, f"liste-deliberations-{sitting.id}-v{number}.pdf", "application/pdf")


@operation(
    blp,
    LISTS + "/<int:number>/online",
    "POST",
    200,
    DeliberationListSchema,
    body=OnlineInSchema,
    summary="Liste mise en ligne le",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def post_list_online(tenant_slug, sitting_id, number):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = access.load_managed_sitting(tenant, sitting_id, current_user)
    listing = access.load_list(sitting, number)
    data = json_body(OnlineInSchema)
    minutes_ops.record_list_online(listing, data["online_on"], actor=current_user)
    commit(db.session)
    return listing


@operation(
    blp,
    LISTS + "/<int:number>/send",
    "POST",
    200,
    DeliberationListSchema,
    summary="Envoyer aux conseillers municipaux",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
    description="EPCI à fiscalité propre : sous un mois, aux conseillers des communes membres qui ne siègent "
    "pas (L5211-40-2) ; un envoi répété n'envoie rien de plus.",
)
def post_send(tenant_slug, sitting_id, number):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting = access.load_managed_sitting(tenant, sitting_id, current_user)
    listing = access.load_list(sitting, number)
    minutes_ops.send_to_councillors(listing, actor=current_user)
    commit(db.session)
    return listing


# --- The municipal councillors of the member communes (an EPCI) -----------------------------------------------


def _councillors_sitting(tenant_slug: str, sitting_id: int):
    return access.load_councillors_sitting(enter_tenant(tenant_slug, current_user), sitting_id, current_user)


@operation(
    blp,
    COUNCILLORS,
    schema=CouncillorSchema(many=True),
    summary="Conseillers municipaux des communes membres qui ne siègent pas",
    description="Ceux qui reçoivent la liste des délibérations (L5211-40-2), par commune ; les archivés n'y "
    "sont plus. La liste est celle de la collectivité : la même depuis chacune de ses séances.",
    not_found=NOT_EPCI,
)
def get_councillors(tenant_slug, sitting_id):
    sitting = _councillors_sitting(tenant_slug, sitting_id)
    return minutes_ops.active_councillors(sitting.tenant)


@operation(
    blp,
    COUNCILLORS,
    "POST",
    201,
    CouncillorSchema,
    summary="Ajouter un conseiller municipal",
    body=CouncillorInSchema,
    not_found=NOT_EPCI,
    refused="Nom, adresse ou commune manquant, trop long ou invalide ; adresse déjà dans la liste.",
)
def post_councillor(tenant_slug, sitting_id):
    sitting = _councillors_sitting(tenant_slug, sitting_id)
    data = json_body(CouncillorInSchema)
    councillor = minutes_ops.add_councillor(sitting.tenant, actor=current_user, **data)
    commit(db.session)
    return json_response(CouncillorSchema().dump(councillor), 201)


@operation(
    blp,
    COUNCILLORS + "/import",
    "POST",
    200,
    CouncillorImportSchema,
    summary="Importer des conseillers municipaux (une ligne chacun)",
    description="« nom ; adresse électronique ; commune » par ligne ; une adresse déjà dans la liste est "
    "comptée à part et non ajoutée ; une ligne invalide refuse tout l'import, avec son numéro.",
    body=CouncillorImportInSchema,
    not_found=NOT_EPCI,
    refused="Ligne invalide (son numéro et le champ en cause).",
)
def post_councillor_import(tenant_slug, sitting_id):
    sitting = _councillors_sitting(tenant_slug, sitting_id)
    data = json_body(CouncillorImportInSchema)
    added, skipped = minutes_ops.import_councillors(sitting.tenant, data["text"], actor=current_user)
    commit(db.session)
    return {"added": added, "skipped": skipped}


@operation(
    blp,
    COUNCILLORS + "/<int:councillor_id>/archive",
    "POST",
    200,
    CouncillorSchema,
    summary="Retirer un conseiller de la liste (archivé, jamais effacé)",
    not_found=NOT_EPCI + " Ou conseiller inconnu ou déjà archivé.",
)
def post_councillor_archive(tenant_slug, sitting_id, councillor_id):
    sitting = _councillors_sitting(tenant_slug, sitting_id)
    councillor = access.load_councillor(sitting.tenant, councillor_id)
    minutes_ops.archive_councillor(councillor, actor=current_user)
    commit(db.session)
    return councillor
