"""API output of the transmissions and input of the collectivity's @ctes identity: explicit fields, French
messages. Inputs only shape values; ``saas.prefecture.operations`` checks them and refuses in French."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.prefecture.models import STATUS_LABELS

TEXT = {"null": "Ce champ ne peut pas être vide.", "invalid": "Texte attendu."}


class TransmissionSchema(ma.Schema):
    id = fields.Integer()
    act_id = fields.Integer()
    status = fields.Function(
        lambda t: t.status.value,
        metadata={
            "description": "prepared (seul état atteint par la préparation), sent, acknowledged, rejected, "
            "cancelled (posés par le connecteur de télétransmission)"
        },
    )
    status_label = fields.Function(lambda t: STATUS_LABELS[t.status])
    sha256 = fields.String(metadata={"description": "SHA-256 du paquet tar.gz."})
    size = fields.Integer(metadata={"description": "Taille du paquet, en octets."})
    package_name = fields.String(
        metadata={"description": "Nom du paquet, par exemple « QRM-EACT--212500565--20260715-44.tar.gz »."}
    )
    envelope_name = fields.String()
    message_name = fields.String()
    fields_ = fields.Dict(
        data_key="fields",
        attribute="fields",
        metadata={
            "description": "Ce que dit le message actes:Acte : NumeroInterne, CodeNatureActe, CodeMatiere, "
            "Objet, ClassificationDateVersion, les fichiers et leur SHA-256…"
        },
    )
    prepared_at = fields.DateTime()
    prepared_by = fields.Function(lambda t: t.prepared_by.full_name if t.prepared_by else None)
    id_acte = fields.String(
        allow_none=True, metadata={"description": "L'identifiant de l'acte donné par la préfecture."}
    )
    received_on = fields.Date(allow_none=True, metadata={"description": "DateReception de l'accusé de réception."})
    reason = fields.String(allow_none=True, metadata={"description": "La raison d'un refus, telle que donnée."})


class _Input(ma.Schema):
    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}


class IdentityInSchema(_Input):
    departement = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(max=3, error="Trois caractères au plus (025, 02A, 974)."),
        error_messages=TEXT | {"required": "Champ obligatoire (null pour l'effacer)."},
        metadata={"description": "Le département de la préfecture qui contrôle les actes, par exemple « 025 »."},
    )
    arrondissement = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(max=1, error="Un chiffre."),
        error_messages=TEXT | {"required": "Champ obligatoire (null pour l'effacer)."},
        metadata={"description": "L'arrondissement, un chiffre (1 pour celui de la préfecture)."},
    )
    nature = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(max=2, error="Un code de deux chiffres."),
        error_messages=TEXT | {"required": "Champ obligatoire (null pour l'effacer)."},
        metadata={
            "description": "La nature de la collectivité pour la télétransmission : 31 commune, 21 conseil "
            "départemental, 11 conseil régional, 45 communauté urbaine…"
        },
    )
    email = fields.String(
        required=True,
        allow_none=True,
        validate=validate.Length(max=254, error="254 caractères au plus."),
        error_messages=TEXT | {"required": "Champ obligatoire (null pour l'effacer)."},
        metadata={"description": "L'adresse de la collectivité pour les retours de la préfecture."},
    )


class IdentitySchema(ma.Schema):
    siren = fields.String()
    departement = fields.String(attribute="actes_departement", allow_none=True)
    arrondissement = fields.String(attribute="actes_arrondissement", allow_none=True)
    nature = fields.String(attribute="actes_nature", allow_none=True)
    email = fields.String(attribute="actes_email", allow_none=True)
