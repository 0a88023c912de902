"""API input and output of the acts: explicit fields, French messages. Inputs only shape values; the operations
(saas.acts.operations) check the rules and refuse in French."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.core.inputs import Id

REQUIRED = {"required": "Champ obligatoire.", "null": "Ce champ ne peut pas être vide.", "invalid": "Texte attendu."}


class _Input(ma.Schema):
    """A JSON object whose every field is named here: another one is refused, in French."""

    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}


class ActsQuerySchema(ma.Schema):
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2200, error="Une année entre 2000 et 2200."),
        metadata={"description": "Les actes de cette année (celle de la séance)."},
    )
    sitting_id = Id(metadata={"description": "Les actes de cette séance."})


class CorrectionInSchema(_Input):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=2000, error="Entre 1 et 2 000 caractères."),
        error_messages=REQUIRED,
        metadata={"description": "Le motif de la correction, repris dans l'acte rectificatif."},
    )


class NumberFormatInSchema(_Input):
    year = fields.Integer(
        required=True,
        validate=validate.Range(min=2000, max=2200, error="Une année entre 2000 et 2200."),
        error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire.", "invalid": "Année attendue."},
        metadata={"description": "L'année des actes numérotés ainsi."},
    )
    number_format = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60, error="Entre 1 et 60 caractères."),
        error_messages=REQUIRED,
        metadata={"description": "Avec {year} et {seq}, par exemple « {year}-{seq:03d} » (2026-044)."},
    )


class NumberFormatSchema(ma.Schema):
    year = fields.Integer()
    number_format = fields.String()
    last_sequence = fields.Integer(metadata={"description": "Le dernier rang donné cette année (0 avant le premier)."})


class ActSummarySchema(ma.Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "Le numéro de l'acte, par exemple « 2026-044 »."})
    title = fields.String()
    decided_on = fields.Date(metadata={"description": "Le jour de la séance (heure de la collectivité)."})
    sitting_id = fields.Integer()
    agenda_item_id = fields.Integer()
    item_position = fields.Integer(allow_none=True, metadata={"description": "Le rang du point dans la séance."})
    subject_code = fields.String(allow_none=True)
    outcome = fields.Function(lambda act: act.outcome.value, metadata={"description": "adopted, rejected, noted"})
    corrects_id = fields.Integer(allow_none=True)
    corrected = fields.Function(lambda act: act.corrected_at is not None)
    signature = fields.Function(
        lambda act: act.signature, metadata={"description": "generating, not_started, running, signed, refused"}
    )


class ActSchema(ActSummarySchema):
    text = fields.String(metadata={"description": "Le texte de l'acte, paragraphes séparés par une ligne vide."})
    assembly = fields.Function(lambda act: act.sitting.assembly.name)
    correction_reason = fields.String(allow_none=True)
    corrected_by = fields.Function(lambda act: act.corrected_by, metadata={"description": "Les actes rectificatifs."})
    outcome_snapshot = fields.Dict(metadata={"description": "Le résultat du vote dont l'acte est issu."})
    sha256 = fields.Function(lambda act: act.document_version.sha256 if act.document_version else None)
    created_at = fields.DateTime()
