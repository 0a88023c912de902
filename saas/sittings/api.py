"""Sittings API: the member's inbox, a sitting with its agenda, attendance and proxies; for the
secretariat, creating, changing (a new convocation once convened), cancelling sittings, agenda items and
supplements, convening again after a failed quorum.

Objects are loaded and access is checked before the body is read, so a sitting of another tenant
answers 404 whatever is sent (exactly like a missing one). Refusals of the domain answer 422 with
their French message.
"""

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import body_doc, json_body, json_response
from saas.identity.access import enter_tenant
from saas.identity.models import Person
from saas.identity.web import api_blueprint
from saas.sittings import inbox, operations
from saas.sittings.access import load_managed_assembly, load_sitting, visible_items
from saas.sittings.attendance import operations as attendance
from saas.sittings.convocations import operations as convening
from saas.sittings.models import AgendaItem, AttendanceAnswer, SittingStatus
from saas.sittings.operations import colleagues
from saas.sittings.schemas import (
    AttendanceBoardSchema,
    AttendanceInSchema,
    CancelInSchema,
    InboxEntrySchema,
    ItemCreateSchema,
    ItemSchema,
    NoticeSchema,
    ProxyInSchema,
    ReconveneInSchema,
    SittingCreateSchema,
    SittingSchema,
    SittingUpdateSchema,
    StatusInSchema,
)

blp = Blueprint(
    "sittings_api",
    __name__,
    url_prefix="/api/v1",
    description="Séances : boîte de réception, ordre du jour, présence et procurations ; "
    "préparation par le secrétariat.",
)

NOT_VISIBLE = "Séance ou assemblée inconnue, ou à laquelle vous n'avez pas accès."
REFUSED = "Refus : le message dit pourquoi (en français, avec l'article du CGCT quand la loi refuse)."
SITTING = "/tenants/<tenant_slug>/sittings/<int:sitting_id>"


def _sitting_view(sitting, manager: bool) -> dict:
    mine = attendance.attendance_of(sitting, current_user.id)
    proxy = attendance.active_proxy(sitting, giver_id=current_user.id)
    return SittingSchema().dump(
        {
            "id": sitting.id,
            "tenant_slug": sitting.tenant.slug,
            "assembly_id": sitting.assembly_id,
            "assembly_name": sitting.assembly.name,
            "starts_at": sitting.starts_at,
            "place": sitting.place,
            "remote_allowed": sitting.remote_allowed,
            "urgency": sitting.urgency,
            "urgency_reason": sitting.urgency_reason,
            "first_after_renewal": sitting.first_after_renewal,
            "status": sitting.status.value,
            "cancelled_at": sitting.cancelled_at,
            "cancel_reason": sitting.cancel_reason,
            "reconvened_from_id": sitting.reconvened_from_id,
            "items": visible_items(sitting, current_user, manager),
            "my_answer": mine.answer.value if mine else None,
            "my_proxy": proxy,
        }
    )


def _colleague(sitting, person_id: int | None, exclude: int | None = None) -> Person | None:
    """A member in office of the sitting's assembly: anyone else is refused without naming them."""
    if person_id is None:
        return None
    for person in colleagues(sitting, exclude=exclude):
        if person.id == person_id:
            return person
    abort(422, message="Choisissez un membre en exercice de cette assemblée.")


@blp.route("/me/inbox", methods=["GET"])
@blp.response(200, InboxEntrySchema(many=True))
@blp.doc(
    summary="Mes séances",
    description="Les séances convoquées ou en cours de toutes les assemblées où je siège, dans toutes mes "
    "collectivités, avec ma réponse et le nombre de documents que je n'ai pas encore lus.",
)
def my_sittings():
    return inbox.inbox_for(current_user)


@blp.route(SITTING, methods=["GET"])
@blp.response(200, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Une séance", description="La séance, son ordre du jour (huis clos : membres et agents) et ma réponse."
)
def get_sitting(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    return json_response(_sitting_view(*load_sitting(tenant, sitting_id, current_user)))


@blp.route(SITTING + "/attendance", methods=["GET"])
@blp.response(200, AttendanceBoardSchema)
@blp.alt_response(404, description=NOT_VISIBLE + " Aussi pour qui n'en assure pas le secrétariat.")
@blp.doc(
    summary="Tableau des présences (secrétariat)",
    description="Chaque membre en exercice avec sa réponse (null : pas encore répondu), les décomptes par "
    "réponse, les procurations en cours et le quorum attendu.",
)
def get_attendance_board(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    if not manager:
        abort(404, message=NOT_VISIBLE)
    return attendance.attendance_board(sitting)


@blp.route(SITTING + "/attendance", methods=["PUT"])
@blp.response(200, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Répondre à la convocation",
    description="present, remote (si permis) ou absent.",
    **body_doc(AttendanceInSchema),
)
def put_attendance(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    data = json_body(AttendanceInSchema)
    attendance.answer_attendance(current_user, sitting, AttendanceAnswer(data["answer"]))
    commit(db.session)
    return json_response(_sitting_view(sitting, manager))


@blp.route(SITTING + "/proxy", methods=["POST"])
@blp.response(201, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Donner procuration",
    description="À un collègue de la même assemblée (L2121-20).",
    **body_doc(ProxyInSchema),
)
def post_proxy(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    data = json_body(ProxyInSchema)
    holder = _colleague(sitting, data["holder_id"], exclude=current_user.id)
    attendance.give_proxy(current_user, holder, sitting, illness=data["illness"])
    commit(db.session)
    return json_response(_sitting_view(sitting, manager), 201)


@blp.route(SITTING + "/proxy", methods=["DELETE"])
@blp.response(200, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Retirer ma procuration", description="Je suis indiqué absent jusqu'à ma nouvelle réponse.")
def delete_proxy(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    proxy = attendance.active_proxy(sitting, giver_id=current_user.id)
    if proxy is None:
        abort(422, message="Vous n'avez pas donné de procuration pour cette séance.")
    attendance.revoke_proxy(proxy, actor=current_user)
    commit(db.session)
    return json_response(_sitting_view(sitting, manager))


@blp.route("/tenants/<tenant_slug>/assemblies/<int:assembly_id>/sittings", methods=["POST"])
@blp.response(201, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Créer une séance (secrétariat)", description="En préparation (draft).", **body_doc(SittingCreateSchema)
)
def create_sitting(tenant_slug, assembly_id):
    tenant = enter_tenant(tenant_slug, current_user)
    assembly = load_managed_assembly(tenant, assembly_id, current_user)
    data = json_body(SittingCreateSchema)
    sitting = operations.create_sitting(tenant, assembly, actor=current_user, **data)
    commit(db.session)
    return json_response(_sitting_view(sitting, True), 201)


@blp.route(SITTING + "/items", methods=["POST"])
@blp.response(201, ItemSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Ajouter un point à l'ordre du jour (secrétariat)", **body_doc(ItemCreateSchema))
def create_item(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    if not manager:
        abort(404)
    data = json_body(ItemCreateSchema)
    rapporteur = _colleague(sitting, data.pop("rapporteur_id"))
    item = operations.add_item(sitting, rapporteur=rapporteur, actor=current_user, **data)
    commit(db.session)
    return json_response(ItemSchema().dump(item), 201)


def _managed(tenant_slug: str, sitting_id: int):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    if not manager:
        abort(404, message=NOT_VISIBLE)
    return sitting


@blp.route(SITTING, methods=["PATCH"])
@blp.response(200, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE + " Aussi pour qui n'en assure pas le secrétariat.")
@blp.alt_response(422, description=REFUSED + " Date passée, délai de convocation, motif manquant…")
@blp.doc(
    summary="Modifier la séance (secrétariat)",
    description="En préparation : date, heure, lieu, modalités changent librement (une date à venir). Convoquée : "
    "le changement est une nouvelle convocation envoyée à chaque personne convoquée ou invitée (PDF, courriel, "
    "agenda ; horodatée), avec son motif (`reason`, obligatoire) ; le délai de convocation se compte de cet envoi "
    "à la nouvelle date. `postponed` : report à une date ultérieure.",
    **body_doc(SittingUpdateSchema),
)
def update_sitting(tenant_slug, sitting_id):
    sitting = _managed(tenant_slug, sitting_id)
    data = json_body(SittingUpdateSchema)
    reason, postponed = data.pop("reason"), data.pop("postponed")
    if sitting.status == SittingStatus.CONVENED:
        convening.reissue_convocation(sitting, actor=current_user, reason=reason, postponed=postponed, **data)
    else:
        operations.update_sitting(sitting, actor=current_user, **data)
    commit(db.session)
    return json_response(_sitting_view(sitting, True))


@blp.route(SITTING + "/status", methods=["POST"])
@blp.response(200, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(409, description="« en cours » et « close » ne se fixent pas ici (ouverture et clôture à part).")
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Changer l'état de la séance (secrétariat)",
    description="Seulement `convened` (envoie les convocations, après le contrôle du délai). L'ouverture et la "
    "clôture sont des opérations à part (le jour de la séance, après l'appel) : 409 ; l'annulation a sa route, "
    "avec son motif.",
    **body_doc(StatusInSchema),
)
def change_status(tenant_slug, sitting_id):
    sitting = _managed(tenant_slug, sitting_id)
    data = json_body(StatusInSchema)
    if data["status"] == SittingStatus.CONVENED.value:
        convening.send_convocations(sitting, current_user)
    else:
        operations.change_status(sitting, data["status"], actor=current_user)
    commit(db.session)
    return json_response(_sitting_view(sitting, True))


@blp.route(SITTING + "/cancel", methods=["POST"])
@blp.response(200, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Annuler la séance (secrétariat)",
    description="En préparation ou convoquée, avec son motif. Convoquée : chaque personne convoquée ou invitée "
    "reçoit un courriel (un seul par personne), horodaté comme la convocation. Les points restent ; leurs "
    "rapports peuvent être inscrits à une autre séance.",
    **body_doc(CancelInSchema),
)
def cancel_sitting(tenant_slug, sitting_id):
    sitting = _managed(tenant_slug, sitting_id)
    data = json_body(CancelInSchema)
    convening.cancel_sitting(sitting, actor=current_user, reason=data["reason"])
    commit(db.session)
    return json_response(_sitting_view(sitting, True))


@blp.route(SITTING + "/supplement", methods=["POST"])
@blp.response(201, ItemSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED + " Délai de convocation non respecté pour le complément…")
@blp.doc(
    summary="Ajouter un point après la convocation (convocation complémentaire)",
    description="La séance convoquée reçoit le point ; chaque personne convoquée reçoit une convocation "
    "complémentaire (PDF, courriel, horodatée), si le délai de convocation tient encore de cet envoi à la séance.",
    **body_doc(ItemCreateSchema),
)
def add_supplement(tenant_slug, sitting_id):
    sitting = _managed(tenant_slug, sitting_id)
    data = json_body(ItemCreateSchema)
    rapporteur = _colleague(sitting, data.pop("rapporteur_id"))
    item, _notice = convening.add_supplement_item(sitting, rapporteur=rapporteur, actor=current_user, **data)
    commit(db.session)
    return json_response(ItemSchema().dump(item), 201)


@blp.route(SITTING + "/notices", methods=["GET"])
@blp.response(200, NoticeSchema(many=True))
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Avis envoyés après la convocation (secrétariat)",
    description="Nouvelles convocations (reports compris), convocations complémentaires, annulation, dans l'ordre.",
)
def list_notices(tenant_slug, sitting_id):
    return convening.notices_of(_managed(tenant_slug, sitting_id))


@blp.route(SITTING + "/reconvene", methods=["POST"])
@blp.response(201, SittingSchema)
@blp.alt_response(404, description=NOT_VISIBLE + " Aussi pour un point qui n'est pas de cette séance.")
@blp.alt_response(422, description=REFUSED + " Moins de trois jours après la séance sans quorum…")
@blp.doc(
    summary="Convoquer à nouveau faute de quorum (secrétariat)",
    description="Crée et convoque la nouvelle séance de la même assemblée, au moins "
    "`quorum_failed_reconvene_days` jours après la séance sans quorum (en cours ou close), avec les points "
    "choisis ; elle délibère sans condition de quorum et sa convocation le dit (article du CGCT).",
    **body_doc(ReconveneInSchema),
)
def reconvene(tenant_slug, sitting_id):
    sitting = _managed(tenant_slug, sitting_id)
    data = json_body(ReconveneInSchema)
    ids = data["item_ids"]
    items = {
        item.id: item
        for item in db.session.execute(
            sa.select(AgendaItem).where(
                AgendaItem.id.in_(ids), AgendaItem.sitting_id == sitting.id, AgendaItem.tenant_id == sitting.tenant_id
            )
        ).scalars()
    }
    if any(item_id not in items for item_id in ids):
        abort(404, message="Point inconnu, ou qui n'est pas à l'ordre du jour de cette séance.")
    new = convening.reconvene_without_quorum(
        sitting, [items[i] for i in ids], data["starts_at"], place=data["place"], actor=current_user
    )
    commit(db.session)
    return json_response(_sitting_view(new, True), 201)


api_blueprint(blp)
