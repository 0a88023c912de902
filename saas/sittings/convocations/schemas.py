"""API output of the secretariat's convocation calls: the progress of a sending and each recipient's state."""

import marshmallow as ma
from marshmallow import fields

from saas.sittings.convocations.models import ConvocationKind
from saas.sittings.convocations.operations import MailStatus


class RecipientStatusSchema(ma.Schema):
    person_id = fields.Integer()
    name = fields.String()
    email = fields.String()
    kind = fields.String(
        metadata={"description": "convocation (élus) ou invitation (agents, invités).", "enum": list(ConvocationKind)}
    )
    mail_status = fields.String(
        metadata={
            "description": "preparing (convocation en cours de préparation), queued (en attente du serveur de "
            "messagerie) ou sent (accepté par le serveur de messagerie).",
            "enum": list(MailStatus),
        }
    )
    delivered_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Remise du courriel horodatée (preuve) ; null avant."}
    )
    opened_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Première ouverture par la personne, horodatée ; null avant."}
    )


class ConvocationProgressSchema(ma.Schema):
    sitting_id = fields.Integer()
    status = fields.String(metadata={"description": "Statut de la séance (convened après l'envoi)."})
    sent = fields.Integer(metadata={"description": "Courriels acceptés par le serveur de messagerie."})
    total = fields.Integer(metadata={"description": "Personnes convoquées ou invitées."})
    done = fields.Boolean(metadata={"description": "Tous les courriels sont partis."})
    recipients = fields.List(fields.Nested(RecipientStatusSchema))
