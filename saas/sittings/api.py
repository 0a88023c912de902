"""Sittings API: the member's inbox, a sitting with its agenda, attendance and proxies; for the
secretariat, creating sittings and agenda items.

Objects are loaded and access is checked before the body is read, so a sitting of another tenant
answers 404 whatever is sent (exactly like a missing one). Refusals of the domain answer 422 with
their French message.
"""

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
from saas.sittings.models import AttendanceAnswer
from saas.sittings.operations import colleagues
from saas.sittings.schemas import (
    AttendanceBoardSchema,
    AttendanceInSchema,
    InboxEntrySchema,
    ItemCreateSchema,
    ItemSchema,
    ProxyInSchema,
    SittingCreateSchema,
    SittingSchema,
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


api_blueprint(blp)
