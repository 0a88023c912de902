"""Signing API: validation reports of signed PDFs (the signature book's routes come with it, later).

Any member of the collectivity may validate; elsewhere the tenant answers 404 like an unknown one. The
body is read only after that check; nothing of the upload is kept.
"""

from flask import Response, request
from flask_login import current_user
from flask_smorest import Blueprint

from saas.core.rest import FormSchema, form_body, form_doc
from saas.documents.schemas import pdf_file
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.signing.reports import report_for_upload, report_pdf
from saas.signing.schemas import ValidationReportSchema

blp = api_blueprint(
    Blueprint(
        "signing_api",
        __name__,
        url_prefix="/api/v1",
        description="Signature électronique : rapports de vérification de PDF signés.",
    )
)


class ValidationUploadSchema(FormSchema):
    """The signed PDF to check (multipart form)."""

    file = pdf_file("Le PDF signé à vérifier.", missing="Joignez le PDF signé (champ « file »).")


@blp.route("/tenants/<tenant_slug>/signatures/validate", methods=["POST"])
@blp.response(200, ValidationReportSchema)
@blp.alt_response(
    200,
    success=True,
    description="Avec ?format=pdf : le rapport en PDF.",
    content_type="application/pdf",
)
@blp.alt_response(404, description="Collectivité inconnue ou dont vous n'êtes pas membre.")
@blp.alt_response(413, description="Le fichier dépasse la taille maximale (MAX_REQUEST_MB).")
@blp.alt_response(422, description="Pas de fichier, pas un PDF, PDF illisible ou sans signature.")
@blp.doc(
    summary="Vérifier un PDF signé",
    description="Pour chaque signature : signataire, chaîne de certification et confiance (autorités de la "
    "collectivité), heure et horodatage, intégrité, portée, modifications ultérieures (analyse des différences), "
    "niveau PAdES. Le fichier n'est pas conservé. Paramètre ?format=pdf : le même rapport en PDF.",
    **form_doc(ValidationUploadSchema),
    parameters=[{"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["pdf"]}}],
)
def validate_signatures(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    report = report_for_upload(tenant, form_body(ValidationUploadSchema)["file"])
    if request.args.get("format") == "pdf":
        headers = {"Content-Disposition": 'attachment; filename="rapport-verification.pdf"'}
        return Response(report_pdf(report), mimetype="application/pdf", headers=headers)
    return report.as_dict()
