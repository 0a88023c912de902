"""Tenancy API: the assemblies of a collectivity, for the people who sit or work in it.

A tenant or assembly the caller may not see answers 404 with the same body as one that does not exist.
"""

import sqlalchemy as sa
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from saas.core.extensions import db
from saas.identity.access import can_access_assembly, can_manage, enter_tenant, get_assembly_or_404
from saas.identity.mandates.schemas import AssemblyAdminSchema, AssemblySchema
from saas.identity.web import api_blueprint
from saas.tenancy.models import Assembly

blp = Blueprint(
    "tenancy_api",
    __name__,
    url_prefix="/api/v1",
    description="Collectivités et assemblées, vues par leurs membres et leurs administrateurs.",
)

ROLE_VIEW = "Un administrateur de la collectivité reçoit aussi « key » ; un membre ne le reçoit pas."
NOT_VISIBLE = "Collectivité ou assemblée inconnue, ou à laquelle vous n'avez pas accès."


def _dump(schema_for_member, schema_for_admin, tenant, value, many=False):
    """Serialize with the role view of the caller (the response decorator only documents)."""
    schema = schema_for_admin if can_manage(current_user, "admin", tenant) else schema_for_member
    return current_app.json.response(schema(many=many).dump(value))


@blp.route("/tenants/<tenant_slug>/assemblies", methods=["GET"])
@blp.response(200, AssemblyAdminSchema(many=True), description=ROLE_VIEW)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Assemblées d'une collectivité",
    description="Les assemblées de la collectivité que la personne connectée peut voir : celles où elle "
    "a un mandat en cours ou assure le secrétariat, ou toutes si elle administre la collectivité.",
)
def list_assemblies(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    assemblies = db.session.execute(sa.select(Assembly).order_by(Assembly.id)).scalars()
    visible = [a for a in assemblies if can_access_assembly(current_user, a)]
    return _dump(AssemblySchema, AssemblyAdminSchema, tenant, visible, many=True)


@blp.route("/tenants/<tenant_slug>/assemblies/<int:assembly_id>", methods=["GET"])
@blp.response(200, AssemblyAdminSchema, description=ROLE_VIEW)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="Une assemblée", description="Une assemblée que la personne connectée peut voir.")
def get_assembly(tenant_slug, assembly_id):
    tenant = enter_tenant(tenant_slug, current_user)
    return _dump(AssemblySchema, AssemblyAdminSchema, tenant, get_assembly_or_404(assembly_id, current_user))


api_blueprint(blp)
