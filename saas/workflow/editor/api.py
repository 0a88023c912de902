"""Circuits API, for the collectivity's admins (anyone else gets 404, as on the editor's pages): the
collectivity's definitions, and one with its versions, its current steps and its TOML export (the format of
``workflows/``, read back by Administration › Circuits › Importer)."""

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import fields

from saas.core.extensions import db
from saas.core.rest import json_response, operation
from saas.identity.access import can_manage, enter_tenant
from saas.identity.web import api_blueprint
from saas.workflow import definitions
from saas.workflow.editor import operations as ops
from saas.workflow.models import WorkflowDefinition

blp = Blueprint(
    "workflow_definitions_api",
    __name__,
    url_prefix="/api/v1",
    description="Circuits de validation de la collectivité (administrateurs) : définitions, versions, export TOML.",
)

NOT_VISIBLE = "Collectivité ou circuit inconnu, ou vous n'en êtes pas administrateur."
DEFINITIONS = "/tenants/<tenant_slug>/workflow-definitions"


class CircuitVersionSchema(ma.Schema):
    number = fields.Integer()
    sha256 = fields.String(metadata={"description": "SHA-256 du JSON canonique de la définition."})
    created_at = fields.AwareDateTime()
    created_by_id = fields.Integer(allow_none=True)


class CircuitSchema(ma.Schema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    applies_to = fields.String(metadata={"description": "reports, acts, group_agreement."})
    assembly_kind = fields.String(allow_none=True, metadata={"description": "council, bureau, standing_committee…"})
    status = fields.String(metadata={"description": "active ou retired."})
    template_key = fields.String(allow_none=True, metadata={"description": "Le modèle adopté, s'il y en a un."})
    template_number = fields.Integer(allow_none=True)
    version = fields.Integer(metadata={"description": "Numéro de la version en vigueur."})
    reports = fields.Integer(metadata={"description": "Nombre de rapports qui l'ont suivi."})


class CircuitDetailSchema(CircuitSchema):
    steps = fields.List(fields.Dict(), metadata={"description": "Les étapes de la version en vigueur (format TOML)."})
    versions = fields.List(fields.Nested(CircuitVersionSchema))
    toml = fields.String(metadata={"description": "La version en vigueur exportée au format des fichiers workflows/."})


def _tenant(tenant_slug: str):
    tenant = enter_tenant(tenant_slug, current_user)
    if not can_manage(current_user, "admin", tenant):
        abort(404, message=NOT_VISIBLE)
    return tenant


def _summary(definition: WorkflowDefinition, uses: dict[int, int]) -> dict:
    return {
        "id": definition.id,
        "key": definition.key,
        "name": definition.name,
        "applies_to": definition.applies_to.value,
        "assembly_kind": definition.assembly_kind.value if definition.assembly_kind else None,
        "status": definition.status.value,
        "template_key": definition.template_key,
        "template_number": definition.template_number,
        "version": definitions.latest_version(definition).number,
        "reports": uses.get(definition.id, 0),
    }


@operation(
    blp,
    DEFINITIONS,
    "GET",
    200,
    CircuitSchema(many=True),
    summary="Les circuits de la collectivité",
    description="Chaque circuit avec ce à quoi il s'applique, son état, sa version en vigueur et son usage.",
    not_found=NOT_VISIBLE,
)
def list_definitions(tenant_slug):
    tenant = _tenant(tenant_slug)
    uses = ops.use_counts(tenant)
    return [CircuitSchema().dump(_summary(definition, uses)) for definition in ops.definitions_of(tenant)]


@operation(
    blp,
    DEFINITIONS + "/<int:definition_id>",
    "GET",
    200,
    CircuitDetailSchema,
    summary="Un circuit",
    description="Le circuit, ses étapes en vigueur, ses versions et son export TOML.",
    not_found=NOT_VISIBLE,
)
def get_definition(tenant_slug, definition_id):
    tenant = _tenant(tenant_slug)
    definition = db.session.get(WorkflowDefinition, definition_id)
    if definition is None or definition.tenant_id != tenant.id:
        abort(404, message=NOT_VISIBLE)
    version = definitions.latest_version(definition)
    body = _summary(definition, ops.use_counts(tenant)) | {
        "steps": version.steps,
        "versions": definition.versions,
        "toml": ops.export_toml(definition, version, tenant),
    }
    return json_response(CircuitDetailSchema().dump(body))


api_blueprint(blp)
