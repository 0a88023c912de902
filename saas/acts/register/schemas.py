"""API input and output of the register: explicit fields, French messages. Inputs only shape values;
``saas.acts.register.operations`` checks the rules and refuses in French."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.acts.register.operations import FIRST_YEAR, LAST_YEAR

YEAR_ERROR = f"Une année entre {FIRST_YEAR} et {LAST_YEAR}."


class _Input(ma.Schema):
    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}


class RegisterQuerySchema(ma.Schema):
    year = fields.Integer(
        validate=validate.Range(min=FIRST_YEAR, max=LAST_YEAR, error=YEAR_ERROR),
        metadata={"description": "L'année du registre (par défaut, la plus récente)."},
    )


class YearExportInSchema(_Input):
    year = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(min=FIRST_YEAR, max=LAST_YEAR, error=YEAR_ERROR),
        error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire.", "invalid": "Année attendue."},
    )


class ActLineSchema(ma.Schema):
    number = fields.String()
    position = fields.Integer(allow_none=True, metadata={"description": "Son numéro d'ordre dans la séance."})
    title = fields.String()
    decided_on = fields.Date()
    corrects = fields.String(allow_none=True)


class ExportSchema(ma.Schema):
    id = fields.Integer()
    scope = fields.String()
    sitting_id = fields.Integer(allow_none=True)
    year = fields.Integer(allow_none=True)
    acts = fields.Integer()
    signature = fields.String(metadata={"description": "L'état de la signature, en français."})
    created_at = fields.DateTime()


class RegisterSittingSchema(ma.Schema):
    sitting_id = fields.Integer()
    starts_at = fields.DateTime()
    opened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    president = fields.String(allow_none=True)
    secretary = fields.String(allow_none=True)
    acts = fields.List(fields.Nested(ActLineSchema))
    exports = fields.List(fields.Nested(ExportSchema))


class RegisterSchema(ma.Schema):
    assembly_id = fields.Integer()
    year = fields.Integer()
    years = fields.List(fields.Integer())
    sittings = fields.List(fields.Nested(RegisterSittingSchema))
    exports = fields.List(fields.Nested(ExportSchema), metadata={"description": "Les exports de l'année."})
