"""Marshmallow schemas of the signing API: the validation report."""

from marshmallow import Schema, fields


class TimestampReportSchema(Schema):
    time = fields.DateTime(metadata={"description": "Heure de l'horodatage (UTC)."})
    authority = fields.String(metadata={"description": "Autorité d'horodatage."})
    valid = fields.Boolean()
    trusted = fields.Boolean()


class SignatureReportSchema(Schema):
    field = fields.String(metadata={"description": "Nom du champ de signature."})
    kind = fields.String(metadata={"description": "« signature » ou « horodatage » (horodatage de document)."})
    signer = fields.String(metadata={"description": "Nom du signataire (CN du certificat)."})
    subject = fields.String()
    issuer = fields.String()
    chain = fields.List(fields.String(), metadata={"description": "De l'autorité de confiance au signataire."})
    intact = fields.Boolean(metadata={"description": "Les données signées n'ont pas été modifiées."})
    valid = fields.Boolean(metadata={"description": "La signature cryptographique est valide."})
    trusted = fields.Boolean(metadata={"description": "Le certificat remonte à une autorité de confiance."})
    trust_message = fields.String()
    signing_time = fields.DateTime(allow_none=True, metadata={"description": "Heure déclarée par le signataire."})
    timestamp = fields.Nested(TimestampReportSchema, allow_none=True)
    coverage = fields.String(metadata={"description": "Ce que couvre la signature."})
    modification = fields.String(metadata={"description": "Ce qui a changé après la signature."})
    changes = fields.List(fields.String(), metadata={"description": "Les changements, nommés."})
    unchanged = fields.Boolean(metadata={"description": "Rien d'autre qu'une signature ou des données de validation."})
    level = fields.String(metadata={"description": "Niveau PAdES : B-B, B-T, B-LT, B-LTA."})
    not_qualified = fields.Boolean(metadata={"description": "Certificat de la PKI intégrée (non qualifié)."})
    ok = fields.Boolean(metadata={"description": "Intègre, valide, de confiance et sans modification après."})


class ValidationReportSchema(Schema):
    filename = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    revisions = fields.Integer(metadata={"description": "Nombre de versions (mises à jour incrémentales)."})
    signatures = fields.List(fields.Nested(SignatureReportSchema))
    generated_at = fields.DateTime()
    tenant = fields.String()
    ok = fields.Boolean(metadata={"description": "Toutes les signatures sont valides et rien n'a changé après."})
