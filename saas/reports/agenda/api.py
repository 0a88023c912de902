"""Placing a report on a sitting's agenda, for native apps: the reports the agenda may take, and putting one
on it (a draft sitting takes it as an item, a convened one by a convocation complémentaire).

The sitting is loaded and the caller's secretariat checked before the body is read: a sitting of another
collectivity, or one the caller does not run, answers 404 exactly like a missing one. Refusals answer 422 with
their French message (a report not ready, already on the agenda, the notice period lapsed for a supplement).
"""

from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.reports.agenda.operations import placeable
from saas.reports.agenda.schemas import PlaceableReportSchema, PlaceReportInSchema
from saas.reports.models import Report
from saas.reports.operations import place_on_agenda
from saas.sittings.access import load_sitting
from saas.sittings.schemas import ItemSchema

blp = Blueprint(
    "reports_agenda_api",
    __name__,
    url_prefix="/api/v1",
    description="Inscription des rapports à l'ordre du jour d'une séance.",
)

NOT_VISIBLE = "Séance inconnue, ou dont vous n'assurez pas le secrétariat."
SITTING_REPORTS = "/tenants/<tenant_slug>/sittings/<int:sitting_id>/reports"


def _managed(tenant_slug: str, sitting_id: int):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    if not manager:
        abort(404, message=NOT_VISIBLE)
    return sitting


@operation(
    blp,
    SITTING_REPORTS,
    schema=PlaceableReportSchema(many=True),
    summary="Rapports que l'ordre du jour peut recevoir (secrétariat)",
    description="Ceux de l'assemblée de la séance dont le circuit est terminé ; ceux d'une autre assemblée "
    "(une commission qui donne son avis) soumis ou terminés ; pas ceux déjà inscrits.",
    not_found=NOT_VISIBLE,
)
def placeable_reports(tenant_slug, sitting_id):
    return placeable(_managed(tenant_slug, sitting_id))


@operation(
    blp,
    SITTING_REPORTS,
    "POST",
    201,
    ItemSchema,
    summary="Inscrire un rapport à l'ordre du jour",
    description="Séance en préparation : le rapport devient un point. Séance convoquée : par une convocation "
    "complémentaire envoyée à chaque personne convoquée, si le délai de convocation tient encore de cet envoi à "
    "la séance (sauf urgence).",
    body=PlaceReportInSchema,
    not_found=NOT_VISIBLE + " Aussi pour un rapport inconnu ou d'une autre collectivité.",
    refused="Rapport pas prêt, déjà inscrit, séance ni en préparation ni convoquée, délai de convocation dépassé.",
)
def place_report(tenant_slug, sitting_id):
    sitting = _managed(tenant_slug, sitting_id)
    data = json_body(PlaceReportInSchema)
    report = db.session.get(Report, data["report_id"])
    if report is None or report.tenant_id != sitting.tenant_id:
        abort(404, message=NOT_VISIBLE)
    item = place_on_agenda(report, sitting, actor=current_user)
    commit(db.session)
    return json_response(ItemSchema().dump(item), 201)


api_blueprint(blp)
