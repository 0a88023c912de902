"""Admin API of a collectivity: its identity in the @ctes envelope (département, arrondissement, nature of the
collectivity, return mailbox), read and set by its admins; anyone else answers 404 like an unknown
collectivity. Refusals answer 422 in French, naming the field."""

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, operation
from saas.identity.access import can_manage, enter_tenant
from saas.identity.web import api_blueprint
from saas.prefecture import operations as prefecture
from saas.prefecture.schemas import IdentityInSchema, IdentitySchema

blp = api_blueprint(
    Blueprint(
        "admin_api",
        __name__,
        url_prefix="/api/v1",
        description="Administration d'une collectivité : son identité pour la télétransmission des actes (@ctes).",
    )
)

IDENTITY = "/tenants/<tenant_slug>/teletransmission"
NOT_ADMIN = "Collectivité inconnue, ou dont vous n'êtes pas administrateur."


def _tenant(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    if not can_manage(current_user, "admin", tenant):
        abort(404)
    return tenant


@operation(
    blp,
    IDENTITY,
    "GET",
    200,
    IdentitySchema,
    summary="Identité @ctes de la collectivité",
    description="SIREN, code département, arrondissement, nature de la collectivité, adresse de retour.",
    not_found=NOT_ADMIN,
)
def get_identity(tenant_slug):
    return _tenant(tenant_slug)


@operation(
    blp,
    IDENTITY,
    "PUT",
    200,
    IdentitySchema,
    summary="Définir l'identité @ctes",
    description="Tous les champs, null pour effacer : un paquet est refusé tant qu'il manque le département, "
    "l'arrondissement ou la nature.",
    body=IdentityInSchema,
    not_found=NOT_ADMIN,
    refused="Refus nommant le champ (departement, arrondissement, nature, email).",
)
def set_identity(tenant_slug):
    tenant = _tenant(tenant_slug)
    data = json_body(IdentityInSchema)
    prefecture.set_identity(tenant, **data, actor=current_user)
    commit(db.session)
    return tenant
