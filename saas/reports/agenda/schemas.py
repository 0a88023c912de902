"""API input and output of placing a report on a sitting's agenda."""

import marshmallow as ma
from marshmallow import fields

from saas.core.inputs import Id


class PlaceReportInSchema(ma.Schema):
    """The report to put on the agenda; another field is refused, in French."""

    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}
    report_id = Id(required=True, error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire."})


class PlaceableReportSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String(attribute="status.value")
    subject_code = fields.String(allow_none=True)
    assembly_id = fields.Integer()
    assembly_name = fields.String(attribute="assembly.name")
