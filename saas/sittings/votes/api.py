"""The votes, API: the item on the floor, presence and quorum at an item, ballot type requests, not taking part,
the three entry modes (totals, named, electronic), who has not voted yet, the tally, the frozen outcome,
postponing, withdrawing or taking note, closing the sitting, and the sitting's live state.

Objects are loaded and access checked before the body is read: another tenant's sitting or item, or one the
caller may not see, answers 404 like a missing one; a member who does not chair the sitting (its secretariat,
or the assembly's president) gets 404 on the chair's routes (the house's rule). Refusals answer 409 when the
state of the sitting or of the vote is against it (no quorum, vote closed, second ballot…), 422 for input,
with their French message citing the article.
"""

from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import can_manage, enter_tenant
from saas.identity.web import api_blueprint
from saas.sittings.access import visible_items
from saas.sittings.outcomes import BALLOT_LABELS, BallotType
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.operations import seats_at
from saas.sittings.roll_call.schemas import PresenceSchema
from saas.sittings.votes import operations as ops
from saas.sittings.votes.access import load_held_sitting, load_item, require_chair, voter_for
from saas.sittings.votes.schemas import (
    BallotInSchema,
    BallotOutSchema,
    BallotRequestInSchema,
    BallotTypeSchema,
    CurrentItemInSchema,
    LiveStateSchema,
    NamedVotesInSchema,
    NotTakingPartInSchema,
    NotTakingPartSchema,
    NotVotedSchema,
    OutcomeSchema,
    PostponeInSchema,
    ReasonInSchema,
    TallySchema,
    TotalsInSchema,
)

blp = Blueprint(
    "votes_api",
    __name__,
    url_prefix="/api/v1",
    description="Votes en séance : point en discussion, présence et quorum, mode de scrutin, vote (totaux, par "
    "nom, électronique), résultat arrêté, report, retrait, prise d'acte, clôture, état en direct.",
)

NOT_VISIBLE = "Séance ou point inconnu, ou auquel vous n'avez pas accès."
CHAIR_ONLY = NOT_VISIBLE + " Aussi pour qui ne préside pas la séance ni n'en assure le secrétariat."
REFUSED = "Refus (409 quand l'état de la séance ou du vote s'y oppose — quorum, vote clos, second bulletin — ; 422 "
"pour une saisie invalide) : le message dit pourquoi, avec l'article du CGCT."
SITTING = "/tenants/<tenant_slug>/sittings/<int:sitting_id>"
ITEM = SITTING + "/items/<int:item_id>"


def _item(tenant_slug, sitting_id, item_id, *, chair_only: bool = False):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, chair = load_held_sitting(tenant, sitting_id, current_user)
    if chair_only:
        require_chair(chair)
    return sitting, load_item(sitting, item_id, current_user), chair


def _outcome_view(item) -> dict:
    row = ops.result_of(item)
    return OutcomeSchema().dump({"decided": row is not None, "result": ops.result_view(row) if row else None})


def _live(sitting) -> dict:
    state = ops.live_state(sitting)
    if state["item"] is not None:
        manager = can_manage(current_user, "secretary", sitting.tenant, sitting.assembly)
        if state["item"]["id"] not in {item.id for item in visible_items(sitting, current_user, manager)}:
            state["item"] = {**state["item"], "title": "Point examiné à huis clos"}
    return LiveStateSchema().dump(state)


# --- the sitting -----------------------------------------------------------------------------------------------


@operation(
    blp,
    SITTING + "/live",
    "GET",
    200,
    LiveStateSchema,
    summary="État en direct de la séance",
    description="Le point en discussion, la présence et le quorum pour ce point, l'avancement du vote (combien "
    "ont voté ; rien des choix au scrutin secret tant qu'il est ouvert) et le résultat une fois arrêté. Lecture "
    "légère, faite pour être interrogée toutes les secondes par les écrans.",
    not_found=NOT_VISIBLE,
)
def get_live_state(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, _chair = load_held_sitting(tenant, sitting_id, current_user)
    return json_response(_live(sitting))


@operation(
    blp,
    SITTING + "/current-item",
    "PUT",
    200,
    LiveStateSchema,
    summary="Mettre un point en discussion (président ou secrétariat)",
    description="Un point non encore réglé ; pas pendant qu'un vote est ouvert.",
    body=CurrentItemInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def put_current_item(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, chair = load_held_sitting(tenant, sitting_id, current_user)
    require_chair(chair)
    data = json_body(CurrentItemInSchema)
    item = None
    if data["item_id"] is not None:
        item = next((item for item in visible_items(sitting, current_user, True) if item.id == data["item_id"]), None)
        if item is None:
            message = "Choisissez un point de l'ordre du jour de cette séance."
            abort(422, message=message, errors={"json": {"item_id": [message]}})
    ops.set_current_item(sitting, item, actor=current_user)
    commit(db.session)
    return json_response(_live(sitting))


@operation(
    blp,
    SITTING + "/closing",
    "POST",
    200,
    LiveStateSchema,
    summary="Clore la séance (président ou secrétariat)",
    description="Refusé tant qu'un vote est ouvert.",
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def close_sitting(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, chair = load_held_sitting(tenant, sitting_id, current_user)
    require_chair(chair)
    ops.close_sitting(sitting, actor=current_user)
    commit(db.session)
    return json_response(_live(sitting))


# --- an item: presence, ballot type, not taking part -------------------------------------------------------------


@operation(
    blp,
    ITEM + "/presence",
    "GET",
    200,
    PresenceSchema,
    summary="Présence et quorum pour un point",
    description="Qui est présent, à distance, représenté, remplacé ou absent pour ce point, et le quorum selon la "
    "règle de la collectivité ; figés avec le résultat une fois le point réglé (``seats`` est alors vide).",
    not_found=NOT_VISIBLE,
)
def get_item_presence(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id)
    if ops.result_of(item) is not None:
        return json_response(PresenceSchema().dump({**ops.presence_at(item).__dict__, "seats": []}))
    seats = seats_at(item)
    ordered = sorted(seats.seats.values(), key=lambda seat: (seat.name, seat.person_id))
    return json_response(PresenceSchema().dump({**seats.presence().__dict__, "seats": ordered}))


def _ballot_type_view(item) -> dict:
    seats = seats_at(item)
    ballot_type = ops.ballot_type_of(item, seats)
    return BallotTypeSchema().dump(
        {
            "ballot_type": ballot_type.value,
            "ballot_label": BALLOT_LABELS[ballot_type],
            "appointment": item.appointment,
            "present": len(seats.members_present()),
            "requests": ops.ballot_requests(item),
        }
    )


@operation(
    blp,
    ITEM + "/ballot-type",
    "GET",
    200,
    BallotTypeSchema,
    summary="Mode de scrutin d'un point",
    description="À main levée par défaut ; au scrutin public si un quart des présents le demande, secret si un "
    "tiers le demande et toujours pour une nomination (L2121-21 ; seuils selon la collectivité) ; les demandes.",
    not_found=NOT_VISIBLE,
)
def get_ballot_type(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id)
    return json_response(_ballot_type_view(item))


@operation(
    blp,
    ITEM + "/ballot-requests",
    "POST",
    201,
    BallotTypeSchema,
    summary="Demander un scrutin public ou secret",
    description="Un membre présent le demande pour lui-même ; le secrétariat enregistre la demande d'un membre.",
    body=BallotRequestInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def post_ballot_request(tenant_slug, sitting_id, item_id):
    sitting, item, chair = _item(tenant_slug, sitting_id, item_id)
    data = json_body(BallotRequestInSchema)
    if data["person_id"] not in (None, current_user.id):
        require_chair(chair)
    person = voter_for(sitting, data["person_id"], current_user)
    ops.request_ballot(item, person, BallotType(data["kind"]), actor=current_user)
    commit(db.session)
    return json_response(_ballot_type_view(item), 201)


@operation(
    blp,
    ITEM + "/not-taking-part",
    "GET",
    200,
    NotTakingPartSchema(many=True),
    summary="Qui ne prend pas part au vote",
    description="Les déclarations (L2131-11) en cours pour ce point.",
    not_found=NOT_VISIBLE,
)
def list_not_taking_part(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id)
    return json_response(NotTakingPartSchema(many=True).dump(roll_call.not_taking_part(item)))


@operation(
    blp,
    ITEM + "/not-taking-part",
    "POST",
    201,
    NotTakingPartSchema(many=True),
    summary="Déclarer ne pas prendre part au vote",
    description="Conflit d'intérêts (L2131-11) : à l'avance ou en séance, par le membre ou le secrétariat. Le "
    "membre ne vote alors ni en son nom ni comme mandataire, et n'est pas compté pour le quorum du point si la "
    "règle de la collectivité le dit. Jusqu'à l'ouverture du vote.",
    body=NotTakingPartInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def post_not_taking_part(tenant_slug, sitting_id, item_id):
    sitting, item, chair = _item(tenant_slug, sitting_id, item_id)
    data = json_body(NotTakingPartInSchema)
    if data["person_id"] not in (None, current_user.id):
        require_chair(chair)
    person = voter_for(sitting, data["person_id"], current_user)
    ops.declare_not_taking_part(item, person, actor=current_user, reason=data["reason"])
    commit(db.session)
    return json_response(NotTakingPartSchema(many=True).dump(roll_call.not_taking_part(item)), 201)


@operation(
    blp,
    ITEM + "/not-taking-part/<int:person_id>",
    "DELETE",
    200,
    NotTakingPartSchema(many=True),
    summary="Retirer une déclaration de non-participation",
    description="Faite par erreur, avant l'ouverture du vote : par le membre ou le secrétariat (la déclaration "
    "reste dans l'historique).",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def delete_not_taking_part(tenant_slug, sitting_id, item_id, person_id):
    sitting, item, chair = _item(tenant_slug, sitting_id, item_id)
    if person_id != current_user.id:
        require_chair(chair)
    person = voter_for(sitting, person_id, current_user)
    ops.withdraw_not_taking_part(item, person, actor=current_user)
    commit(db.session)
    return json_response(NotTakingPartSchema(many=True).dump(roll_call.not_taking_part(item)))


# --- entry by the secretariat ----------------------------------------------------------------------------------


@operation(
    blp,
    ITEM + "/totals",
    "POST",
    201,
    OutcomeSchema,
    summary="Saisir les totaux (président ou secrétariat)",
    description="Pour, contre, abstentions (et blancs au scrutin secret) : au plus le nombre de votants possibles. "
    "Le point en discussion, avec le quorum. En cas de partage, le vote du président (sauf scrutin secret).",
    body=TotalsInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def post_totals(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id, chair_only=True)
    data = json_body(TotalsInSchema)
    ops.enter_totals(item, actor=current_user, **data)
    commit(db.session)
    return json_response(_outcome_view(item), 201)


@operation(
    blp,
    ITEM + "/named-votes",
    "POST",
    201,
    OutcomeSchema,
    summary="Saisir les votes par nom (président ou secrétariat)",
    description="Pour chaque votant (un membre, ou le mandant d'un pouvoir) : for, against, abstention ou "
    "not_taking_part ; un votant omis n'a pas voté. Jamais au scrutin secret.",
    body=NamedVotesInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def post_named_votes(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id, chair_only=True)
    data = json_body(NamedVotesInSchema)
    choices: dict[int, str] = {}
    for vote in data["votes"]:
        if vote["voter_id"] in choices:
            message = "Chaque votant n'apparaît qu'une fois."
            abort(422, message=message, errors={"json": {"votes": [message]}})
        choices[vote["voter_id"]] = vote["choice"]
    ops.enter_named_votes(item, choices, actor=current_user)
    commit(db.session)
    return json_response(_outcome_view(item), 201)


# --- electronic vote -------------------------------------------------------------------------------------------


@operation(
    blp,
    ITEM + "/electronic-vote",
    "POST",
    201,
    TallySchema,
    summary="Ouvrir le vote électronique (président ou secrétariat)",
    description="Sur le point en discussion, l'appel confirmé et le quorum atteint (sinon 409, avec l'article).",
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def open_electronic_vote(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id, chair_only=True)
    ops.open_electronic_vote(item, actor=current_user)
    commit(db.session)
    return json_response(TallySchema().dump(ops.tally(item)), 201)


@operation(
    blp,
    ITEM + "/electronic-vote/closing",
    "POST",
    200,
    OutcomeSchema,
    summary="Clore le vote électronique (président ou secrétariat)",
    description="Les votants possibles sont figés avec le résultat, selon la loi : majorité absolue des suffrages "
    "exprimés, voix prépondérante du président en cas de partage sauf au scrutin secret.",
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def close_electronic_vote(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id, chair_only=True)
    ops.close_electronic_vote(item, actor=current_user)
    commit(db.session)
    return json_response(_outcome_view(item))


@operation(
    blp,
    ITEM + "/ballots",
    "POST",
    201,
    BallotOutSchema,
    summary="Voter",
    description="Mon vote, ou (``voter_id``) celui du collègue dont je porte le pouvoir ; le secrétariat peut "
    "enregistrer le vote d'un membre sans tablette. Un seul bulletin par votant ; refusé après la clôture (409).",
    body=BallotInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def post_ballot(tenant_slug, sitting_id, item_id):
    sitting, item, chair = _item(tenant_slug, sitting_id, item_id)
    data = json_body(BallotInSchema)
    voter = voter_for(sitting, data["voter_id"], current_user)
    # the chair records the ballot of another member, unless the chair holds that member's proxy
    by_secretariat = voter.id != current_user.id and chair and not _holds_proxy(item, voter.id)
    ballot = ops.cast_ballot(
        item, voter=voter, choice=data["choice"], actor=current_user, by_secretariat=by_secretariat
    )
    commit(db.session)
    return json_response(BallotOutSchema().dump(ballot), 201)


def _holds_proxy(item, voter_id: int) -> bool:
    seat = seats_at(item).seats.get(voter_id)
    return seat is not None and seat.proxy_holder_id == current_user.id


@operation(
    blp,
    ITEM + "/not-voted",
    "GET",
    200,
    NotVotedSchema(many=True),
    summary="Qui n'a pas encore voté",
    description="Les votants possibles sans bulletin, par nom, et qui peut voter pour eux.",
    not_found=NOT_VISIBLE,
)
def get_not_voted(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id)
    return json_response(NotVotedSchema(many=True).dump(ops.not_voted_yet(item)))


@operation(
    blp,
    ITEM + "/tally",
    "GET",
    200,
    TallySchema,
    summary="Décompte du vote",
    description="Combien ont voté sur combien ; les voix par choix, sauf au scrutin secret tant que le résultat "
    "n'est pas arrêté.",
    not_found=NOT_VISIBLE,
)
def get_tally(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id)
    return json_response(TallySchema().dump(ops.tally(item)))


@operation(
    blp,
    ITEM + "/outcome",
    "GET",
    200,
    OutcomeSchema,
    summary="Résultat arrêté d'un point",
    description="decided false tant que le point n'est pas réglé ; sinon le résultat figé, qui ne change plus.",
    not_found=NOT_VISIBLE,
)
def get_outcome(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id)
    return json_response(_outcome_view(item))


# --- no vote ---------------------------------------------------------------------------------------------------


@operation(
    blp,
    ITEM + "/postponement",
    "POST",
    201,
    OutcomeSchema,
    summary="Reporter le point (président ou secrétariat)",
    description="Avec son motif ; ``lack_of_quorum`` : reporté faute de quorum (refusé si le quorum est atteint), "
    "l'assemblée pouvant alors être convoquée à nouveau et délibérer sans condition de quorum.",
    body=PostponeInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def post_postponement(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id, chair_only=True)
    data = json_body(PostponeInSchema)
    if data["lack_of_quorum"]:
        ops.postpone_for_lack_of_quorum(item, actor=current_user)
    else:
        ops.postpone_item(item, actor=current_user, reason=data["reason"])
    commit(db.session)
    return json_response(_outcome_view(item), 201)


@operation(
    blp,
    ITEM + "/withdrawal",
    "POST",
    201,
    OutcomeSchema,
    summary="Retirer le point en séance (président ou secrétariat)",
    description="Le point garde son numéro ; pas de vote.",
    body=ReasonInSchema,
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def post_withdrawal(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id, chair_only=True)
    data = json_body(ReasonInSchema)
    ops.withdraw_at_sitting(item, actor=current_user, reason=data["reason"])
    commit(db.session)
    return json_response(_outcome_view(item), 201)


@operation(
    blp,
    ITEM + "/noting",
    "POST",
    201,
    OutcomeSchema,
    summary="Prendre acte (président ou secrétariat)",
    description="Une communication : l'assemblée en prend acte, sans vote.",
    not_found=CHAIR_ONLY,
    refused=REFUSED,
)
def post_noting(tenant_slug, sitting_id, item_id):
    _sitting, item, _chair = _item(tenant_slug, sitting_id, item_id, chair_only=True)
    ops.take_note(item, actor=current_user)
    commit(db.session)
    return json_response(_outcome_view(item), 201)


api_blueprint(blp)
