"""Purchasing group API (/api/v1/group/…): the coordinator's console for API clients — the group, its
members, new members.

The other routes are in ``agreement_api`` (the agreement and its signature), ``contract_api`` (contracts,
lots, calendar), ``device_api`` (devices, the saving) and ``statement_api`` (usage, paper saved, cost
statements); what they share, the access check first, is in
``console``. Only the coordinator and operators may call them; for anyone else every route answers 404, as
a missing id would. Objects named in the URL are loaded before the body is read. Refusals answer 422 in
French.
"""

from datetime import date

from flask_login import current_user

from saas.core.database import SYSTEM, commit, context
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.groupement import operations
from saas.groupement.console import (
    NOT_VISIBLE,
    REFUSED,
    attachment,
    console_api_blueprint,
    load,
    load_group,
)
from saas.groupement.contracts.schemas import milestone_view
from saas.groupement.devices.schemas import savings_view
from saas.groupement.models import Membership
from saas.groupement.schemas import (
    MembershipSchema,
    MembershipUpdateSchema,
    ProvisionSchema,
    PurchasingGroupSchema,
    WithdrawalSchema,
)
from saas.tenancy.operations import export_tenant_file

blp = console_api_blueprint(
    "groupement_api",
    __name__,
    "Groupement de commandes (coordonnateur) : le groupement, ses membres, nouveaux membres. Convention, "
    "marchés, équipements et répartition des coûts : étiquettes groupement_agreement_api, "
    "groupement_contracts_api, groupement_devices_api et groupement_statements_api.",
)


def _membership_view(membership: Membership) -> dict:
    return {**MembershipSchema().dump(membership), "active": membership.is_active(date.today())}


@operation(
    blp,
    "",
    "GET",
    200,
    PurchasingGroupSchema,
    summary="Le groupement",
    description="Le coordonnateur, les membres, la convention, l'économie d'équipements et les étapes en retard.",
    not_found=NOT_VISIBLE,
)
def get_group():
    group = load_group()
    today = date.today()
    return json_response(
        {
            **PurchasingGroupSchema(
                only=("id", "name", "coordinator", "agreement_filename", "agreement_uploaded_at")
            ).dump(group),
            "members": [_membership_view(m) for m in operations.memberships(group)],
            "savings": savings_view(group),
            "overdue_milestones": [milestone_view(m) for m in operations.milestones(group) if m.is_overdue(today)],
        }
    )


@operation(
    blp,
    "/members",
    "GET",
    200,
    MembershipSchema(many=True),
    summary="Les membres",
    description="Adhésions, licences, signature de la convention, retraits.",
)
def list_members():
    return json_response([_membership_view(m) for m in operations.memberships(load_group())])


@operation(
    blp,
    "/members",
    "POST",
    201,
    MembershipSchema,
    summary="Accueillir une nouvelle collectivité",
    description="Crée la collectivité (un syndicat par défaut) avec sa première assemblée, invite son "
    "administrateur (lien pour choisir son mot de passe) et l'inscrit au groupement avec sa délibération.",
    body=ProvisionSchema,
    refused=REFUSED,
)
def provision_member():
    group = load_group()
    data = json_body(ProvisionSchema)
    membership = operations.provision_member(group, data, current_user)
    commit(db.session)
    return json_response(_membership_view(membership), 201)


@operation(
    blp, "/members/<int:membership_id>", "GET", 200, MembershipSchema, summary="Une adhésion", not_found=NOT_VISIBLE
)
def get_member(membership_id):
    return json_response(_membership_view(load(Membership, membership_id)[1]))


@operation(
    blp,
    "/members/<int:membership_id>",
    "PATCH",
    200,
    MembershipSchema,
    summary="Licences et signature de la convention",
    description="Nombre de licences ; convention signée sur papier le … par … (la signature électronique, "
    "POST /group/agreement/signings, remplit ces champs d'elle-même).",
    body=MembershipUpdateSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def patch_member(membership_id):
    membership = load(Membership, membership_id)[1]
    data = json_body(MembershipUpdateSchema)
    operations.update_membership(
        membership,
        seats=data.get("seats", membership.seats),
        agreement_signed_on=data.get("agreement_signed_on", membership.agreement_signed_on),
        agreement_signed_by=data.get("agreement_signed_by", membership.agreement_signed_by),
        actor=current_user,
    )
    commit(db.session)
    return json_response(_membership_view(membership))


@operation(
    blp,
    "/members/<int:membership_id>/withdrawal",
    "POST",
    200,
    MembershipSchema,
    summary="Retrait d'un membre",
    description="Date et effet financier.",
    body=WithdrawalSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def withdraw_member(membership_id):
    membership = load(Membership, membership_id)[1]
    data = json_body(WithdrawalSchema)
    operations.withdraw(
        membership, data["withdrawn_on"], data["withdrawal_effect"], data["withdrawal_amount_cents"], current_user
    )
    commit(db.session)
    return json_response(_membership_view(membership))


@operation(
    blp,
    "/members/<int:membership_id>/export",
    "GET",
    None,
    summary="Exporter la collectivité (fichier tenants/*.toml)",
    description="Le format que « quorum tenants load » relit : identité, assemblées, groupes politiques.",
    not_found=NOT_VISIBLE,
    responses={"200": {"description": "Le fichier TOML.", "content": {"application/toml": {}}}},
)
def export_member(membership_id):
    membership = load(Membership, membership_id)[1]
    with context(db.session, SYSTEM):
        text = export_tenant_file(membership.tenant)
    return attachment(text, "application/toml", f"{membership.tenant.slug}.toml")
