"""Purchasing group API: contracts and their lots, and the procurement calendar (/api/v1/group/contracts,
/lots, /milestones). Amounts are in cents. Access and loading: ``console``."""

from flask_login import current_user

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.groupement import operations
from saas.groupement.console import NOT_VISIBLE, REFUSED, console_api_blueprint, load, load_group
from saas.groupement.contracts.schemas import milestone_view
from saas.groupement.models import Contract, Lot, Milestone, MilestoneStatus
from saas.groupement.schemas import (
    ContractInSchema,
    ContractSchema,
    LotInSchema,
    LotSchema,
    MilestoneInSchema,
    MilestoneSchema,
)

blp = console_api_blueprint(
    "groupement_contracts_api",
    __name__,
    "Groupement de commandes (coordonnateur) : marchés et lots, calendrier de la procédure.",
)


# --- Contracts and lots ---------------------------------------------------------------------------


@operation(
    blp,
    "/contracts",
    "GET",
    200,
    ContractSchema(many=True),
    summary="Les marchés et leurs lots",
    description="Montants en centimes.",
)
def list_contracts():
    return operations.contracts(load_group())


@operation(
    blp,
    "/contracts",
    "POST",
    201,
    ContractSchema,
    summary="Enregistrer un marché",
    body=ContractInSchema,
    refused=REFUSED,
)
def create_contract():
    group = load_group()
    data = json_body(ContractInSchema)
    contract = operations.save_contract(group, data, current_user)
    commit(db.session)
    return contract


@operation(blp, "/contracts/<int:contract_id>", "GET", 200, ContractSchema, summary="Un marché", not_found=NOT_VISIBLE)
def get_contract(contract_id):
    return load(Contract, contract_id)[1]


@operation(
    blp,
    "/contracts/<int:contract_id>/lots",
    "POST",
    201,
    LotSchema,
    summary="Ajouter un lot",
    description="Unités et montants en centimes.",
    body=LotInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def create_lot(contract_id):
    contract = load(Contract, contract_id)[1]
    data = json_body(LotInSchema)
    lot = operations.save_lot(contract, data, current_user)
    commit(db.session)
    return lot


@operation(
    blp,
    "/lots/<int:lot_id>",
    "PUT",
    200,
    LotSchema,
    summary="Modifier un lot",
    body=LotInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def update_lot(lot_id):
    lot = load(Lot, lot_id)[1]
    data = json_body(LotInSchema)
    operations.save_lot(lot.contract, data, current_user, lot=lot)
    commit(db.session)
    return lot


# --- Milestones -----------------------------------------------------------------------------------


@operation(
    blp,
    "/milestones",
    "GET",
    200,
    MilestoneSchema(many=True),
    summary="Le calendrier",
    description="Dates prévues et réelles, état, alerte de retard (overdue).",
)
def list_milestones():
    return json_response([milestone_view(m) for m in operations.milestones(load_group())])


@operation(
    blp,
    "/milestones/<int:milestone_id>",
    "PATCH",
    200,
    MilestoneSchema,
    summary="Mettre à jour une étape",
    body=MilestoneInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def update_milestone(milestone_id):
    milestone = load(Milestone, milestone_id)[1]
    data = json_body(MilestoneInSchema)
    operations.update_milestone(
        milestone,
        planned_date=data["planned_date"],
        status=MilestoneStatus(data["status"]),
        actual_date=data["actual_date"],
        actor=current_user,
    )
    commit(db.session)
    return json_response(milestone_view(milestone))
