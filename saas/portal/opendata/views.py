"""The open data of a collectivity's portal, public like the portal: ``/<collectivité>/donnees/deliberations.csv``,
its SCDL « Délibérations » file, and the Table Schema it follows."""

from flask import Blueprint, g, jsonify, render_template

from saas.portal import access
from saas.portal.opendata import scdl

bp = Blueprint("opendata", __name__, url_prefix="/<tenant_slug>/donnees")


@bp.url_value_preprocessor
def pop_tenant_slug(endpoint, values):
    g.tenant_slug = values.pop("tenant_slug")


@bp.before_request
def enter():
    access.enter_portal(g.tenant_slug)


@bp.get("/deliberations.csv")
def deliberations():
    if not g.tenant.siret:
        return render_template("error.html", code=404, message=scdl.NO_SIRET), 404
    return scdl.download(g.tenant)


@bp.get("/deliberations.schema.json")
def deliberations_schema():
    return jsonify(scdl.table_schema())
