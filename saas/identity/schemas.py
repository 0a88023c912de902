"""API input and output of the identity area, with explicit field lists.

Error texts are French because API clients show them to the person as they are.
"""

import marshmallow as ma
from marshmallow import fields, validate

REQUIRED = {"required": "Ce champ est obligatoire.", "null": "Ce champ est obligatoire."}


class InputSchema(ma.Schema):
    """Input: unknown fields are refused rather than silently ignored."""

    class Meta:
        unknown = ma.RAISE

    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}


class TokenRequestSchema(InputSchema):
    email = fields.Email(
        required=True,
        validate=validate.Length(max=254),
        error_messages={**REQUIRED, "invalid": "Adresse e-mail invalide."},
        metadata={"description": "Identifiant de connexion."},
    )
    password = fields.String(required=True, validate=validate.Length(max=1000), error_messages=REQUIRED, load_only=True)
    otp = fields.String(
        load_default=None,
        validate=validate.Length(max=20),
        load_only=True,
        metadata={"description": "Code à six chiffres de l'application d'authentification, si elle est activée."},
    )
    name = fields.String(
        load_default="API",
        validate=validate.Length(min=1, max=100, error="Entre 1 et 100 caractères."),
        metadata={"description": "Nom du jeton, pour le reconnaître dans la liste (ex. « Tablette »)."},
    )
    device = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        load_only=True,
        metadata={
            "description": "Identifiant d'appareil reçu à la dernière création de jeton sur cet appareil (champ "
            "« device » de la réponse). Les échecs de connexion d'un appareil connu sont comptés à part : "
            "un compte bloqué par des tentatives venues d'ailleurs reste ouvert à cet appareil."
        },
    )


class TokenSchema(ma.Schema):
    """A token as listed: never its value, which only its creator saw once."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "Premiers caractères du jeton, pour le reconnaître."})
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)


class TokenCreatedSchema(ma.Schema):
    token = fields.String(metadata={"description": "Valeur du jeton : elle n'est donnée qu'une fois."})
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.AwareDateTime()
    device = fields.String(
        metadata={
            "description": "Identifiant de cet appareil, nouveau à chaque jeton : l'application le garde et "
            "l'envoie (champ « device ») à la prochaine création de jeton, à la place du précédent."
        }
    )


class TenantRefSchema(ma.Schema):
    slug = fields.String()
    name = fields.String()
    kind = fields.String()


class AssemblyRefSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class MandateSchema(ma.Schema):
    id = fields.Integer()
    tenant = fields.Nested(TenantRefSchema)
    assembly = fields.Nested(AssemblyRefSchema)
    role = fields.String(metadata={"description": "member, president, secretary_of_sitting, staff ou guest."})
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    political_group = fields.String(allow_none=True, metadata={"description": "Nom du groupe politique."})
    current = fields.Boolean(metadata={"description": "Le mandat court aujourd'hui."})


class GrantSchema(ma.Schema):
    id = fields.Integer()
    tenant = fields.Nested(TenantRefSchema)
    kind = fields.String(metadata={"description": "tenant_admin, secretary, drafter ou urgent_validator."})
    assembly = fields.Nested(AssemblyRefSchema, allow_none=True, metadata={"description": "Pour un secrétariat."})


class MeSchema(ma.Schema):
    id = fields.Integer()
    email = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    locale = fields.String()
    mandates = fields.List(fields.Nested(MandateSchema))
    grants = fields.List(fields.Nested(GrantSchema))
