"""API output of the documents area: documents of an agenda item and their versions."""

import marshmallow as ma
from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from saas.core.rest import FormSchema
from saas.documents.models import UPLOADED_KINDS
from saas.documents.operations import UNKNOWN_KIND


class RemovalSchema(ma.Schema):
    kind = fields.String(metadata={"description": "Code stable de ce qui a été retiré (ex. document_javascript)."})
    label = fields.String(metadata={"description": "Libellé en français."})
    count = fields.Integer()


class VersionSchema(ma.Schema):
    number = fields.Integer(metadata={"description": "1 pour le premier dépôt, puis 2, 3… à chaque remplacement."})
    filename = fields.String()
    size = fields.Integer(metadata={"description": "Taille en octets du fichier publié."})
    sha256 = fields.String(metadata={"description": "Empreinte SHA-256 (hexadécimal) du fichier publié."})
    page_count = fields.Integer()
    pdf_version = fields.String()
    removed_active_content = fields.List(
        fields.Nested(RemovalSchema),
        metadata={"description": "Contenu actif retiré avant publication ; vide si le fichier est publié tel quel."},
    )
    added_after_convocation = fields.Boolean(
        metadata={"description": "Déposée après l'envoi de la convocation : les membres doivent en être avertis."}
    )
    uploaded_by = fields.Function(lambda v: v.uploaded_by.full_name if v.uploaded_by else None, allow_none=True)
    uploaded_at = fields.DateTime()
    note = fields.String(allow_none=True)
    download_url = fields.Function(
        lambda v: url_for(
            "documents_api.download_version",
            tenant_slug=v.document.report.tenant.slug,
            document_id=v.document_id,
            number=v.number,
        )
    )


class DocumentSchema(ma.Schema):
    id = fields.Integer()
    report_id = fields.Integer()
    kind = fields.Function(lambda d: d.kind.value, metadata={"description": "report, summary_note ou annex."})
    title = fields.String()
    position = fields.Integer(allow_none=True, metadata={"description": "Rang parmi les annexes du rapport."})
    withdrawn = fields.Boolean()
    created_at = fields.DateTime()
    current_version = fields.Nested(VersionSchema)


class ItemDocumentsSchema(ma.Schema):
    summary_note_required = fields.Boolean(
        metadata={"description": "La loi impose une note explicative de synthèse dans cette collectivité."}
    )
    documents = fields.List(fields.Nested(DocumentSchema))


MISSING_FILE = "Joignez le fichier PDF (champ « file »)."


def pdf_file(description: str = "Le PDF.", missing: str = MISSING_FILE, named: bool = False) -> Upload:
    """The PDF part of a multipart form (its content is checked by the intake, not here): a file part, not a
    text field of that name, and with ``named`` a file that has a name (a browser sends an unnamed empty part
    when no file was chosen)."""

    def is_file(value) -> bool:
        if not isinstance(value, FileStorage) or (named and not value.filename):
            raise ValidationError(missing)
        return True

    return Upload(
        required=True, validate=is_file, error_messages={"required": missing}, metadata={"description": description}
    )


class DocumentUploadSchema(FormSchema):
    """A document joined to an agenda item (multipart form)."""

    file = pdf_file()
    kind = fields.String(
        required=True,
        validate=validate.OneOf([kind.value for kind in UPLOADED_KINDS], error=UNKNOWN_KIND),
        error_messages={"required": UNKNOWN_KIND},
    )
    title = fields.String(
        required=True,
        error_messages={"required": "Le titre du document est obligatoire."},
        metadata={"maxLength": 300},
    )


class DocumentReplaceSchema(FormSchema):
    """A new version of a document (multipart form)."""

    file = pdf_file()
    note = fields.String(load_default=None, metadata={"description": "Motif du remplacement (facultatif)."})
