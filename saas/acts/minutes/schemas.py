"""API input and output of the minutes and the list of deliberations: explicit fields, French messages. Inputs
only shape values; ``saas.acts.minutes.operations`` checks the rules and refuses in French."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.acts.minutes.operations import MAX_DEBATE


class _Input(ma.Schema):
    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}


class DebateInSchema(_Input):
    text = fields.String(
        required=True,
        validate=validate.Length(max=MAX_DEBATE, error="Au plus 50 000 caractères."),
        error_messages={
            "required": "Champ obligatoire.",
            "null": "Ce champ ne peut pas être vide.",
            "invalid": "Texte attendu.",
        },
        metadata={"description": "La teneur des débats sur ce point (L2121-15)."},
    )


class OnlineInSchema(_Input):
    online_on = fields.Date(
        required=True,
        error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire.", "invalid": "Date attendue."},
        metadata={"description": "Le jour de la mise en ligne (AAAA-MM-JJ)."},
    )


class MinutesItemSchema(ma.Schema):
    item_id = fields.Integer()
    position = fields.Integer(allow_none=True)
    title = fields.String()
    result = fields.String(allow_none=True, metadata={"description": "Le résultat, tel que le procès-verbal le dit."})
    act_number = fields.String(allow_none=True)
    debate = fields.String()


class MinutesSchema(ma.Schema):
    sitting_id = fields.Integer()
    status = fields.String(metadata={"description": "draft, ready, approved ou signed."})
    status_label = fields.String()
    president = fields.String(allow_none=True)
    secretary = fields.String(allow_none=True)
    present = fields.List(fields.String())
    represented = fields.List(fields.List(fields.String()), metadata={"description": "(mandant, mandataire)"})
    absent = fields.List(fields.String())
    quorum = fields.String(allow_none=True)
    approval_item_id = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    online_due_on = fields.Date(allow_none=True)
    online_on = fields.Date(allow_none=True)
    signed_at = fields.DateTime(allow_none=True)
    writable = fields.Boolean(metadata={"description": "Je peux rédiger la teneur des débats."})
    items = fields.List(fields.Nested(MinutesItemSchema))


class DeliberationListSchema(ma.Schema):
    version = fields.Integer()
    created_at = fields.DateTime()
    online_due_on = fields.Date(allow_none=True)
    online_on = fields.Date(allow_none=True)
    councillors_due_on = fields.Date(allow_none=True)
    councillors_sent_at = fields.DateTime(allow_none=True)


_TEXT = {"required": "Champ obligatoire.", "null": "Ce champ ne peut pas être vide.", "invalid": "Texte attendu."}


class CouncillorInSchema(_Input):
    """Lengths and the address are checked by the operation, with a French message naming the field."""

    full_name = fields.String(required=True, error_messages=_TEXT)
    email = fields.String(required=True, error_messages=_TEXT)
    commune = fields.String(required=True, error_messages=_TEXT)


class CouncillorImportInSchema(_Input):
    text = fields.String(
        required=True,
        validate=validate.Length(max=200_000, error="Au plus 200 000 caractères."),
        error_messages=_TEXT,
        metadata={"description": "Une ligne par conseiller : nom ; adresse électronique ; commune."},
    )


class CouncillorSchema(ma.Schema):
    id = fields.Integer()
    full_name = fields.String()
    email = fields.String()
    commune = fields.String()
    created_at = fields.DateTime()


class CouncillorImportSchema(ma.Schema):
    added = fields.Integer()
    skipped = fields.Integer()
