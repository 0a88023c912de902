"""My annotated dossier through the API: the same PDF as the web page, for a bearer token."""

from flask_login import current_user
from flask_smorest import Blueprint

from saas.documents.dossier.operations import send_annotated_dossier
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.sittings.access import load_sitting, visible_items

blp = Blueprint(
    "document_exports_api",
    __name__,
    url_prefix="/api/v1",
    description="Mon dossier annoté : les documents d'une séance avec mes annotations, suivis du résumé de mes notes.",
)


@blp.route("/tenants/<tenant_slug>/sittings/<int:sitting_id>/annotated-dossier", methods=["GET"])
@blp.response(200, description="Le PDF (application/pdf).")
@blp.alt_response(404, description="Séance inconnue, ou à laquelle vous n'avez pas accès.")
@blp.doc(
    summary="Mon dossier annoté",
    description="Les documents de la séance que vous pouvez lire (version en vigueur, dans l'ordre du jour), avec "
    "vos propres annotations dessinées et aplaties dans les pages, suivis du résumé de vos notes (page, passage, "
    "texte ; les notes non replacées sur la nouvelle version avec leur page d'origine), avec des signets. Les "
    "annotations que d'autres ont partagées avec vous n'y figurent pas. Les fichiers déposés ne sont jamais "
    "modifiés : le PDF est construit sur des copies.",
)
def get_annotated_dossier(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = load_sitting(tenant, sitting_id, current_user)
    return send_annotated_dossier(sitting, visible_items(sitting, current_user, manager), current_user)


api_blueprint(blp)
