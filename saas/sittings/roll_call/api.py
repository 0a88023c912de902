"""The sitting held, API: opening, roll call, arrivals and departures (presence at an item: the votes' API).

Objects are loaded and access checked before the body is read: another tenant's sitting or item, or one the
caller may not see, answers 404 like a missing one; a member who does not chair the sitting (its secretariat,
or the assembly's president) gets 404 on the chair's routes too (the house's rule). Refusals of the law answer
422, refusals because of where the sitting stands 409, with their French message.
"""

from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import enter_tenant
from saas.identity.models import Person
from saas.identity.web import api_blueprint
from saas.sittings.operations import members_in_office
from saas.sittings.roll_call import operations as ops
from saas.sittings.roll_call.access import load_held_sitting, require_chair
from saas.sittings.roll_call.models import SeatStatus
from saas.sittings.roll_call.schemas import (
    ArrivalInSchema,
    DepartureInSchema,
    OpeningInSchema,
    PresenceEventSchema,
    RollCallInSchema,
    RollCallSchema,
)

blp = Blueprint(
    "roll_call_api",
    __name__,
    url_prefix="/api/v1",
    description="Séance tenue : ouverture, appel, arrivées et départs.",
)

NOT_VISIBLE = "Séance ou point inconnu, ou auquel vous n'avez pas accès."
CHAIR_ONLY = NOT_VISIBLE + " Aussi pour qui ne préside pas la séance ni n'en assure le secrétariat."
REFUSED = "Refus (422 ; 409 quand l'état de la séance s'y oppose) : le message dit pourquoi, avec l'article du CGCT."
SITTING = "/tenants/<tenant_slug>/sittings/<int:sitting_id>"


def _member(sitting, person_id: int | None, field: str) -> Person | None:
    """A member in office of the sitting's assembly; anyone else is refused without naming them."""
    if person_id is None:
        return None
    if person_id not in members_in_office(sitting):
        message = "Choisissez un membre en exercice de cette assemblée."
        abort(422, message=message, errors={"json": {field: [message]}})
    return db.session.get(Person, person_id)


def _roll_call_view(sitting) -> dict:
    state = ops.floor(sitting)
    return RollCallSchema().dump(
        {
            "complete": ops.roll_call_complete(sitting),
            "locked": bool(state and state.roll_call_locked_at),
            "entries": ops.roll_call(sitting),
        }
    )


@operation(
    blp,
    SITTING + "/opening",
    "POST",
    200,
    RollCallSchema,
    summary="Ouvrir la séance (président ou secrétariat)",
    description="Le jour de la séance : désigne le secrétaire de séance (L2121-15), ouvre la séance, commence "
    "l'appel à partir des réponses des membres et des procurations, et met le premier point en discussion.",
    body=OpeningInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def open_sitting(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, chair = load_held_sitting(tenant, sitting_id, current_user)
    require_chair(chair)
    data = json_body(OpeningInSchema)
    secretary = _member(sitting, data["secretary_id"], "secretary_id")
    ops.open_sitting(sitting, secretary=secretary, actor=current_user)
    commit(db.session)
    return json_response(_roll_call_view(sitting))


@operation(
    blp,
    SITTING + "/roll-call",
    "GET",
    200,
    RollCallSchema,
    summary="L'appel",
    description="Chaque membre en exercice : sa situation à l'ouverture, la réponse dont elle est partie, "
    "confirmée ou non par le secrétariat.",
    not_found=NOT_VISIBLE,
)
def get_roll_call(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, _chair = load_held_sitting(tenant, sitting_id, current_user)
    return json_response(_roll_call_view(sitting))


@operation(
    blp,
    SITTING + "/roll-call",
    "PUT",
    200,
    RollCallSchema,
    summary="Confirmer ou corriger l'appel (président ou secrétariat)",
    description="Présent, à distance (si la séance le permet), absent, représenté par un collègue présent "
    "(un pouvoir par mandataire), remplacé par un suppléant (si l'assemblée le permet). Jusqu'au premier vote.",
    body=RollCallInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def put_roll_call(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, chair = load_held_sitting(tenant, sitting_id, current_user)
    require_chair(chair)
    data = json_body(RollCallInSchema)
    changes = [
        ops.SeatChange(
            person_id=entry["person_id"],
            status=SeatStatus(entry["status"]),
            proxy_holder_id=entry["proxy_holder_id"],
            deputy_name=entry["deputy_name"],
            deputy_person_id=entry["deputy_person_id"],
        )
        for entry in data["entries"]
    ]
    for change in changes:
        if change.deputy_person_id is not None and db.session.get(Person, change.deputy_person_id) is None:
            abort(422, message="Suppléant inconnu.", errors={"json": {"deputy_person_id": ["Suppléant inconnu."]}})
    ops.confirm_roll_call(sitting, changes, actor=current_user, confirm_all=data["confirm_all"])
    commit(db.session)
    return json_response(_roll_call_view(sitting))


@operation(
    blp,
    SITTING + "/presence-events",
    "GET",
    200,
    PresenceEventSchema(many=True),
    summary="Arrivées et départs",
    description="Dans l'ordre où ils ont eu lieu, avec l'heure et le point en discussion.",
    not_found=NOT_VISIBLE,
)
def list_presence_events(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, _chair = load_held_sitting(tenant, sitting_id, current_user)
    return json_response(PresenceEventSchema(many=True).dump(ops.presence_events(sitting)))


@operation(
    blp,
    SITTING + "/arrivals",
    "POST",
    201,
    PresenceEventSchema,
    summary="Enregistrer une arrivée (président ou secrétariat)",
    body=ArrivalInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def post_arrival(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, chair = load_held_sitting(tenant, sitting_id, current_user)
    require_chair(chair)
    data = json_body(ArrivalInSchema)
    event = ops.record_arrival(
        sitting, _member(sitting, data["person_id"], "person_id"), actor=current_user, remote=data["remote"]
    )
    commit(db.session)
    return json_response(PresenceEventSchema().dump(event), 201)


@operation(
    blp,
    SITTING + "/departures",
    "POST",
    201,
    PresenceEventSchema,
    summary="Enregistrer un départ (président ou secrétariat)",
    description="Le membre quitte la séance, en laissant éventuellement pouvoir à un collègue présent.",
    body=DepartureInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def post_departure(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, chair = load_held_sitting(tenant, sitting_id, current_user)
    require_chair(chair)
    data = json_body(DepartureInSchema)
    person = _member(sitting, data["person_id"], "person_id")
    holder = _member(sitting, data["proxy_holder_id"], "proxy_holder_id")
    event = ops.record_departure(sitting, person, actor=current_user, proxy_holder=holder)
    commit(db.session)
    return json_response(PresenceEventSchema().dump(event), 201)


api_blueprint(blp)
