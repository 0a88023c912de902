"""API input and output of the portal: explicit fields, French messages."""

import marshmallow as ma
from flask import url_for
from marshmallow import fields, validate

from saas.core.inputs import Id
from saas.portal.models import PublicationKind

KINDS = [kind.value for kind in PublicationKind]


class PublishInSchema(ma.Schema):
    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}

    kind = fields.String(
        required=True,
        validate=validate.OneOf(KINDS, error="Un de : " + ", ".join(KINDS) + "."),
        error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire.", "invalid": "Texte attendu."},
        metadata={"description": "deliberation, minutes (procès-verbal signé) ou deliberation_list."},
    )
    id = Id(
        required=True,
        error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire.", "invalid": "Entier attendu."},
        metadata={"description": "L'identifiant de la délibération, du procès-verbal ou de la version de liste."},
    )
    personal_data_checked = fields.Boolean(
        required=True,
        error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire.", "invalid": "Booléen attendu."},
        metadata={
            "description": "Vrai : le document ne comporte aucune donnée personnelle dont la loi interdit la diffusion "
            "(article L312-1-2 du CRPA). Faux : il n'est pas publié."
        },
    )


class EnforceabilitySchema(ma.Schema):
    enforceable = fields.Function(lambda e: e.since is not None, metadata={"description": "Exécutoire aujourd'hui."})
    since = fields.Date(
        allow_none=True, metadata={"description": "Exécutoire depuis ce jour (vide tant qu'il ne l'est pas)."}
    )
    published_on = fields.Date(allow_none=True, metadata={"description": "Mis en ligne sur le portail ce jour."})
    transmission_required = fields.Boolean(
        metadata={"description": "La loi demande sa transmission à la préfecture (obligations.toml)."}
    )
    received_on = fields.Date(
        allow_none=True, metadata={"description": "DateReception de l'accusé de réception de la préfecture."}
    )
    id_acte = fields.String(allow_none=True, metadata={"description": "L'identifiant de l'acte à la préfecture."})
    missing = fields.List(
        fields.String(), metadata={"description": "Ce qui manque encore : publication, transmission."}
    )
    enforceability_article = fields.String(metadata={"description": "Par exemple L2131-1."})
    transmission_article = fields.String(metadata={"description": "Par exemple L2131-2."})
    sentence = fields.Function(lambda e: e.sentence(), metadata={"description": "La phrase affichée, en français."})


class PublicationSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.Function(lambda item: item.kind.value, metadata={"description": ", ".join(KINDS)})
    deliberation_id = fields.Integer(allow_none=True)
    minutes_id = fields.Integer(allow_none=True)
    deliberation_list_id = fields.Integer(allow_none=True)
    sitting_id = fields.Integer()
    number = fields.String(allow_none=True)
    title = fields.String()
    subject_code = fields.String(allow_none=True)
    decided_on = fields.Date()
    sha256 = fields.String(metadata={"description": "SHA-256 du PDF publié, tel que servi sur le portail."})
    published_at = fields.DateTime(metadata={"description": "Mis en ligne le (UTC)."})
    published_by_id = fields.Integer(allow_none=True)
    url = fields.Function(
        lambda item: url_for(
            "portal.publication", tenant_slug=item.tenant.slug, publication_id=item.id, _external=True
        ),
        metadata={"description": "La page publique."},
    )
