"""Documents API: upload, replace, list and download the documents of a report, or of an agenda item (the
documents of its report: an upload onto an item without a report makes one, see saas.documents.operations).

Whatever the caller may not see answers 404 with the same body as what does not exist: another tenant's
item, an item of an assembly where the caller sits nowhere, a closed-session item for a guest. Uploading
and replacing also answer 404 to a member who may read the item but not manage it, so the API never
tells a caller which items exist beyond what they may already read (see docs/documents.md).

The request body is parsed only after those checks, so a caller without the right cannot make the
server receive a file. Werkzeug spools the file part to an anonymous temporary file (flat memory), and
the operation copies it into the instance folder with its own limit before the check.
"""

import sqlalchemy as sa
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import form_body, form_doc
from saas.documents import operations
from saas.documents.access import NOT_VISIBLE, document_or_404, item_or_404, report_or_404
from saas.documents.models import DocumentVersion
from saas.documents.readings import note_download
from saas.documents.schemas import (
    DocumentReplaceSchema,
    DocumentSchema,
    DocumentUploadSchema,
    ItemDocumentsSchema,
    VersionSchema,
)
from saas.identity.web import api_blueprint
from saas.storage.http import send_blob

blp = Blueprint(
    "documents_api",
    __name__,
    url_prefix="/api/v1",
    description="Documents des rapports et des points de l'ordre du jour : rapports, notes de synthèse, annexes, "
    "versions.",
)

PDF_REFUSED = "Le fichier est refusé (message en français : pas un PDF, endommagé, chiffré…) ou le formulaire invalide."
TOO_LARGE = "Le fichier dépasse la taille maximale (MAX_REQUEST_MB) ; rien n'est conservé."


@blp.route("/tenants/<tenant_slug>/items/<int:item_id>/documents", methods=["POST"])
@blp.response(201, DocumentSchema)
@blp.alt_response(404, description=NOT_VISIBLE + " Aussi pour qui peut lire le point sans le préparer.")
@blp.alt_response(413, description=TOO_LARGE)
@blp.alt_response(422, description=PDF_REFUSED)
@blp.doc(
    summary="Joindre un document à un point",
    description="Rapport, note de synthèse ou annexe, au format PDF. Le fichier est vérifié dans un processus "
    "isolé ; le contenu actif (JavaScript, actions automatiques, fichiers joints…) est retiré avant publication. "
    "Réservé au secrétariat de l'assemblée et aux administrateurs de la collectivité.",
    **form_doc(DocumentUploadSchema),
)
def add_document(tenant_slug, item_id):
    item = item_or_404(tenant_slug, item_id, manage=True)
    form = form_body(DocumentUploadSchema)
    upload = form["file"]
    document = operations.add_item_document(
        item, form["kind"], form["title"], upload.stream, upload.filename, current_user
    )
    commit(db.session)
    return document


@blp.route("/tenants/<tenant_slug>/items/<int:item_id>/documents", methods=["GET"])
@blp.response(200, ItemDocumentsSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Documents d'un point",
    description="Rapport, note de synthèse puis annexes dans l'ordre, chacun avec sa version en vigueur, et "
    "si la loi impose une note de synthèse dans cette collectivité. Les points à huis clos ne sont visibles "
    "que des membres et du personnel, pas des invités.",
)
def list_documents(tenant_slug, item_id):
    item = item_or_404(tenant_slug, item_id)
    return {
        "summary_note_required": operations.summary_note_required(item.sitting.tenant),
        "documents": operations.documents_of(item.report),
    }


@blp.route("/tenants/<tenant_slug>/reports/<int:report_id>/documents", methods=["POST"])
@blp.response(201, DocumentSchema)
@blp.alt_response(404, description=NOT_VISIBLE + " Aussi pour qui peut lire le rapport sans pouvoir le modifier.")
@blp.alt_response(413, description=TOO_LARGE)
@blp.alt_response(422, description=PDF_REFUSED)
@blp.doc(
    summary="Joindre un document à un rapport",
    description="Rapport, note de synthèse ou annexe, au format PDF, vérifié comme tout document. Réservé au "
    "rédacteur (tant que le rapport n'est pas prêt), au secrétariat et aux administrateurs. Un document changé "
    "après une validation le signale, et l'étape qui le demande valide à nouveau (docs/workflows.md).",
    **form_doc(DocumentUploadSchema),
)
def add_report_document(tenant_slug, report_id):
    report = report_or_404(tenant_slug, report_id, manage=True)
    form = form_body(DocumentUploadSchema)
    upload = form["file"]
    document = operations.add_document(
        report, form["kind"], form["title"], upload.stream, upload.filename, current_user
    )
    commit(db.session)
    return document


@blp.route("/tenants/<tenant_slug>/reports/<int:report_id>/documents", methods=["GET"])
@blp.response(200, ItemDocumentsSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Documents d'un rapport",
    description="Rapport, note de synthèse puis annexes, chacun avec sa version en vigueur. Visibles de qui voit "
    "le rapport : son rédacteur, son rapporteur, les personnes que son circuit sollicite, le secrétariat, et les "
    "membres des séances où il est inscrit.",
)
def list_report_documents(tenant_slug, report_id):
    report = report_or_404(tenant_slug, report_id)
    return {
        "summary_note_required": operations.summary_note_required(report.tenant),
        "documents": operations.documents_of(report),
    }


@blp.route("/tenants/<tenant_slug>/documents/<int:document_id>/versions", methods=["POST"])
@blp.response(201, VersionSchema)
@blp.alt_response(404, description=NOT_VISIBLE + " Aussi pour qui peut lire le document sans le préparer.")
@blp.alt_response(413, description=TOO_LARGE)
@blp.alt_response(422, description=PDF_REFUSED)
@blp.doc(
    summary="Remplacer un document",
    description="Dépose une nouvelle version ; les précédentes restent téléchargeables. Une version déposée "
    "après l'envoi de la convocation est signalée (added_after_convocation).",
    **form_doc(DocumentReplaceSchema),
)
def replace_document(tenant_slug, document_id):
    document = document_or_404(tenant_slug, document_id, manage=True)
    form = form_body(DocumentReplaceSchema)
    upload = form["file"]
    version = operations.replace_document(document, upload.stream, upload.filename, current_user, form["note"])
    commit(db.session)
    return version


@blp.route("/tenants/<tenant_slug>/documents/<int:document_id>/versions", methods=["GET"])
@blp.response(200, VersionSchema(many=True))
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="Versions d'un document", description="Toutes les versions, de la première à celle en vigueur.")
def list_versions(tenant_slug, document_id):
    return document_or_404(tenant_slug, document_id).versions


@blp.route("/tenants/<tenant_slug>/documents/<int:document_id>/versions/<int:number>/file", methods=["GET"])
@blp.response(200, description="Le PDF (application/pdf), en entier ou la plage demandée.")
@blp.alt_response(206, description="La plage demandée par l'en-tête Range (Content-Range).")
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(416, description="Plage hors du fichier.")
@blp.doc(
    summary="Télécharger une version",
    description="Accepte les requêtes partielles (Range: bytes=…) ; seuls les blocs nécessaires sont déchiffrés.",
)
def download_version(tenant_slug, document_id, number):
    document = document_or_404(tenant_slug, document_id)
    version = db.session.execute(
        sa.select(DocumentVersion).where(DocumentVersion.document_id == document.id, DocumentVersion.number == number)
    ).scalar_one_or_none()
    if version is None:
        abort(404, message=NOT_VISIBLE)
    note_download(current_user, version)
    return send_blob(version.blob, version.filename, "application/pdf")


api_blueprint(blp)
