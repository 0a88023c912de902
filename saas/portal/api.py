"""Portal API: the collectivity's publications, and publishing a signed deliberation, signed minutes or a version
of a list of deliberations (the secretariat of its assembly, or an admin). Publishing twice answers the first
publication (200) instead of a new one (201). Refusals answer 422 in French; what the caller may not manage answers
404, exactly like a missing id. There is no route to unpublish: nothing put online is taken down."""

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint

from saas.acts import access as acts_access
from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.portal import access, enforceability
from saas.portal import operations as portal
from saas.portal.models import Publication
from saas.portal.schemas import EnforceabilitySchema, PublicationSchema, PublishInSchema

blp = api_blueprint(
    Blueprint(
        "portal_api",
        __name__,
        url_prefix="/api/v1",
        description="Portail public : les documents publiés (délibérations signées, procès-verbaux signés, listes "
        "des délibérations), et leur publication par le secrétariat.",
    )
)

PUBLICATIONS = "/tenants/<tenant_slug>/publications"


@operation(
    blp,
    PUBLICATIONS,
    "GET",
    200,
    PublicationSchema(many=True),
    summary="Les documents publiés",
    description="Ce que la collectivité a mis en ligne sur son portail, le plus récent d'abord.",
    not_found="Collectivité inconnue, ou que vous ne pouvez pas voir.",
)
def list_publications(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    return list(
        db.session.execute(
            sa.select(Publication)
            .where(Publication.tenant_id == tenant.id)
            .order_by(Publication.published_at.desc(), Publication.id.desc())
        ).scalars()
    )


@operation(
    blp,
    PUBLICATIONS,
    "POST",
    201,
    PublicationSchema,
    summary="Publier sur le portail",
    description="Met en ligne le PDF signé d'une délibération ou d'un procès-verbal, ou une version de la liste des "
    "délibérations. Déjà publié : la publication existante, en 200.",
    body=PublishInSchema,
    not_found="Collectivité ou document inconnu, ou dont vous n'êtes pas le secrétariat.",
    refused="Refus en français : non signé, point examiné à huis clos, données personnelles, acte corrigé.",
    answer="Publié maintenant.",
)
@blp.alt_response(200, schema=PublicationSchema, description="Déjà publié : la publication existante, inchangée.")
def publish(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    data = json_body(PublishInSchema)
    checked = data["personal_data_checked"]
    if data["kind"] == "deliberation":
        act = acts_access.load_managed_act(tenant, data["id"], current_user)
        publication, made = portal.publish_deliberation(act, actor=current_user, personal_data_checked=checked)
    elif data["kind"] == "minutes":
        minutes = access.load_managed_minutes(tenant, data["id"], current_user)
        publication, made = portal.publish_minutes(minutes, actor=current_user, personal_data_checked=checked)
    else:
        listing = access.load_managed_list(tenant, data["id"], current_user)
        publication, made = portal.publish_list(listing, actor=current_user, personal_data_checked=checked)
    commit(db.session)
    return json_response(PublicationSchema().dump(publication), 201 if made else 200)


@operation(
    blp,
    "/tenants/<tenant_slug>/deliberations/<int:act_id>/enforceability",
    "GET",
    200,
    EnforceabilitySchema,
    summary="Le caractère exécutoire d'une délibération",
    description="Exécutoire une fois publiée et, quand la loi la range parmi les actes à transmettre (article "
    "L2131-2 du CGCT et ses équivalents), reçue par la préfecture : depuis le plus tardif des deux jours.",
    not_found="Collectivité ou délibération inconnue, ou que vous ne pouvez pas voir.",
)
def get_enforceability(tenant_slug, act_id):
    tenant = enter_tenant(tenant_slug, current_user)
    act, _manager = acts_access.load_act(tenant, act_id, current_user)
    return enforceability.of_act(act)
