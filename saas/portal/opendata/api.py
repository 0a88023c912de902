"""Open data API, public like the portal (no token): a collectivity's SCDL « Délibérations » CSV, the same file as
``/<collectivité>/donnees/deliberations.csv``. An unknown collectivity answers 404."""

from flask_smorest import Blueprint

from saas.core.rest import operation
from saas.identity.web import api_blueprint
from saas.portal import access
from saas.portal.opendata import scdl

blp = Blueprint(
    "opendata_api",
    __name__,
    url_prefix="/api/v1",
    description="Données ouvertes : le fichier SCDL « Délibérations » de chaque collectivité, public.",
)


@operation(
    blp,
    "/tenants/<tenant_slug>/opendata/deliberations.csv",
    status=None,
    summary="Les délibérations publiées, au format SCDL",
    description="Une ligne par délibération publiée sur le portail : colonnes et règles du schéma SCDL "
    "« Délibérations » (COLL_NOM … DELIB_URL), UTF-8, séparateur virgule. Public : aucun jeton.",
    not_found="Collectivité inconnue, ou dont le SIRET n'est pas renseigné.",
    responses={"200": {"description": "Le fichier CSV.", "content": {"text/csv": {}}}},
    security=[],
)
def deliberations(tenant_slug):
    return scdl.download(access.enter_portal(tenant_slug))


api_blueprint(blp, public=(("deliberations", "GET"), ("deliberations", "HEAD")))
