"""API output of the tenancy area. Role views: an admin sees configuration fields a member does not."""

import marshmallow as ma
from marshmallow import fields


class AssemblySchema(ma.Schema):
    """What any member with access to the assembly sees."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "council, bureau, standing_committee ou committee."})
    seats = fields.Integer(allow_none=True, metadata={"description": "Effectif légal, base du quorum."})
    archived = fields.Boolean()


class AssemblyAdminSchema(AssemblySchema):
    """The admin view adds the identifier used in the tenant file (tenants/*.toml)."""

    key = fields.String(metadata={"description": "Identifiant dans le fichier de la collectivité (vue admin)."})
