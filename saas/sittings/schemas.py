"""API input and output of sittings. Inputs only shape values; the domain operations check the law."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.core.inputs import Id
from saas.sittings.models import AttendanceAnswer

MEMBER_ANSWERS = [AttendanceAnswer.PRESENT.value, AttendanceAnswer.REMOTE.value, AttendanceAnswer.ABSENT.value]


class InboxEntrySchema(ma.Schema):
    tenant_slug = fields.String()
    tenant_name = fields.String()
    assembly_id = fields.Integer()
    assembly_name = fields.String()
    sitting_id = fields.Integer()
    starts_at = fields.AwareDateTime(metadata={"description": "Ouverture de la séance (ISO 8601, UTC)."})
    place = fields.String()
    status = fields.String(metadata={"description": "convened ou in_progress."})
    answer = fields.String(allow_none=True, metadata={"description": "Ma réponse ; null si pas encore répondu."})
    unread_documents = fields.Integer(
        metadata={
            "description": "Documents en vigueur de la séance que je peux lire et que je n'ai pas encore "
            "téléchargés (un document remplacé redevient non lu)."
        }
    )


class ItemSchema(ma.Schema):
    id = fields.Integer()
    position = fields.Integer()
    title = fields.String()
    subject_code = fields.String(allow_none=True)
    committee_opinion = fields.String(allow_none=True)
    rapporteur_id = fields.Integer(allow_none=True)
    rapporteur_name = fields.Function(lambda item: item.rapporteur.full_name if item.rapporteur else None)
    confidential = fields.Boolean()


class ProxyOutSchema(ma.Schema):
    holder_id = fields.Integer()
    holder_name = fields.Function(lambda proxy: proxy.holder.full_name)
    illness = fields.Boolean()


class SittingSchema(ma.Schema):
    id = fields.Integer()
    tenant_slug = fields.String()
    assembly_id = fields.Integer()
    assembly_name = fields.String()
    starts_at = fields.AwareDateTime()
    place = fields.String()
    remote_allowed = fields.Boolean()
    urgency = fields.Boolean()
    urgency_reason = fields.String(allow_none=True)
    first_after_renewal = fields.Boolean()
    status = fields.String()
    cancelled_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Annulation ; null sinon."})
    cancel_reason = fields.String(allow_none=True, metadata={"description": "Motif de l'annulation."})
    reconvened_from_id = fields.Integer(
        allow_none=True,
        metadata={"description": "La séance sans quorum que celle-ci reprend (sans condition de quorum)."},
    )
    items = fields.List(fields.Nested(ItemSchema), metadata={"description": "Huis clos : membres et agents."})
    my_answer = fields.String(allow_none=True, metadata={"description": "Ma réponse ; null si pas encore répondu."})
    my_proxy = fields.Nested(
        ProxyOutSchema, allow_none=True, metadata={"description": "La procuration que j'ai donnée."}
    )


class SittingCreateSchema(ma.Schema):
    starts_at = fields.AwareDateTime(
        required=True, metadata={"description": "Avec son fuseau, ex. 2027-03-15T18:00:00+01:00."}
    )
    place = fields.String(required=True, validate=validate.Length(min=1, max=300))
    remote_allowed = fields.Boolean(load_default=False)
    urgency = fields.Boolean(load_default=False)
    urgency_reason = fields.String(load_default=None, allow_none=True)
    first_after_renewal = fields.Boolean(
        load_default=False, metadata={"description": "Première séance après le renouvellement (L2121-7)."}
    )


class ItemCreateSchema(ma.Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    subject_code = fields.String(load_default=None, allow_none=True)
    committee_opinion = fields.String(load_default=None, allow_none=True)
    rapporteur_id = Id(load_default=None, allow_none=True)
    confidential = fields.Boolean(load_default=False)


class AttendanceInSchema(ma.Schema):
    answer = fields.String(required=True, validate=validate.OneOf(MEMBER_ANSWERS))


class ProxyInSchema(ma.Schema):
    holder_id = Id(required=True)
    illness = fields.Boolean(load_default=False)


class BoardMemberSchema(ma.Schema):
    person_id = fields.Function(lambda row: row.person.id)
    name = fields.Function(lambda row: row.person.full_name)
    answer = fields.Function(
        lambda row: row.answer.value if row.answer else None,
        metadata={"description": "present, remote, absent, proxy, replaced ; null : pas encore répondu."},
    )
    proxy_holder_id = fields.Function(
        lambda row: row.proxy_holder.id if row.proxy_holder else None,
        metadata={"description": "À qui ce membre a donné procuration."},
    )
    proxy_giver_id = fields.Function(
        lambda row: row.proxy_giver.id if row.proxy_giver else None,
        metadata={"description": "De qui ce membre porte la procuration."},
    )


class BoardProxySchema(ma.Schema):
    giver_id = fields.Integer()
    giver_name = fields.Function(lambda proxy: proxy.giver.full_name)
    holder_id = fields.Integer()
    holder_name = fields.Function(lambda proxy: proxy.holder.full_name)
    illness = fields.Boolean()


class QuorumSchema(ma.Schema):
    required = fields.Integer(metadata={"description": "Présents requis : plus de la moitié des membres en exercice."})
    present = fields.Integer(metadata={"description": "Membres en exercice ayant annoncé leur présence physique."})
    reached = fields.Boolean(metadata={"description": "Le quorum est attendu d'après les réponses."})
    rule = fields.String()
    article = fields.String()
    in_office = fields.Integer(metadata={"description": "Membres en exercice à la date de la séance."})


class AttendanceBoardSchema(ma.Schema):
    members = fields.List(
        fields.Nested(BoardMemberSchema),
        attribute="rows",
        metadata={"description": "Chaque membre en exercice, par nom, avec sa réponse ou null."},
    )
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Nombre de membres en exercice par réponse ; « none » : pas encore répondu."},
    )
    proxies = fields.List(fields.Nested(BoardProxySchema), metadata={"description": "Procurations en cours."})
    quorum = fields.Nested(QuorumSchema)


class SittingUpdateSchema(ma.Schema):
    """Only what changes; the others keep their value."""

    starts_at = fields.AwareDateTime(metadata={"description": "Avec son fuseau ; une date à venir."})
    place = fields.String(validate=validate.Length(min=1, max=300))
    remote_allowed = fields.Boolean()
    urgency = fields.Boolean()
    urgency_reason = fields.String(allow_none=True)
    first_after_renewal = fields.Boolean()
    reason = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=5000),
        metadata={"description": "Motif, obligatoire une fois la séance convoquée (dans la nouvelle convocation)."},
    )
    postponed = fields.Boolean(
        load_default=False, metadata={"description": "Report à une date ultérieure (séance convoquée)."}
    )


class StatusInSchema(ma.Schema):
    status = fields.String(
        required=True,
        validate=validate.Length(max=32),
        metadata={"description": "convened seulement : in_progress et closed sont refusés (409)."},
    )


class CancelInSchema(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ReconveneInSchema(ma.Schema):
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "Avec son fuseau."})
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=300))
    item_ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "Points de la séance sans quorum à reprendre (404 pour un point d'une autre séance)."},
    )


class NoticeSchema(ma.Schema):
    id = fields.Integer()
    number = fields.Integer()
    kind = fields.Function(
        lambda n: n.kind.value,
        metadata={"description": "new_convocation (aussi un report), supplement ou cancellation."},
    )
    postponed = fields.Boolean()
    reason = fields.String(allow_none=True)
    previous_starts_at = fields.AwareDateTime()
    previous_place = fields.String()
    agenda_item_id = fields.Integer(allow_none=True)
    sent_at = fields.AwareDateTime()
