"""API input and output of the sitting held: opening, roll call, arrivals and departures, presence at an item.
Inputs only shape values; the operations check the law."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.core.inputs import Id
from saas.sittings.roll_call.models import SeatStatus

SEAT_STATUSES = [status.value for status in SeatStatus]


class OpeningInSchema(ma.Schema):
    secretary_id = Id(
        required=True,
        metadata={"description": "Le membre en exercice désigné secrétaire de séance (L2121-15)."},
    )


class SeatInSchema(ma.Schema):
    person_id = Id(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(SEAT_STATUSES),
        metadata={"description": "present, remote (si la séance le permet), absent, represented, replaced."},
    )
    proxy_holder_id = Id(
        load_default=None, allow_none=True, metadata={"description": "represented : le collègue présent."}
    )
    deputy_name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "replaced : le nom du suppléant qui siège."},
    )
    deputy_person_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "replaced : le suppléant comme personne de Quorum, s'il y a un compte."},
    )


class RollCallInSchema(ma.Schema):
    entries = fields.List(fields.Nested(SeatInSchema), load_default=list, validate=validate.Length(max=2000))
    confirm_all = fields.Boolean(
        load_default=False,
        metadata={"description": "Confirmer aussi, telles quelles, les propositions des membres non cités."},
    )


class RollCallEntrySchema(ma.Schema):
    person_id = fields.Integer()
    name = fields.Function(lambda entry: entry.person.full_name)
    status = fields.Function(lambda entry: entry.status.value)
    proxy_holder_id = fields.Integer(allow_none=True)
    proxy_holder_name = fields.Function(lambda entry: entry.proxy_holder.full_name if entry.proxy_holder else None)
    deputy_name = fields.String(allow_none=True)
    deputy_person_id = fields.Integer(allow_none=True)
    answered = fields.String(
        allow_none=True, metadata={"description": "La réponse du membre à la convocation (null : aucune)."}
    )
    confirmed = fields.Function(lambda entry: entry.confirmed_at is not None)


class RollCallSchema(ma.Schema):
    complete = fields.Boolean(metadata={"description": "Chaque membre est confirmé par le secrétariat."})
    locked = fields.Boolean(metadata={"description": "Un premier vote a eu lieu : l'appel ne change plus."})
    entries = fields.List(fields.Nested(RollCallEntrySchema))


class ArrivalInSchema(ma.Schema):
    person_id = Id(required=True)
    remote = fields.Boolean(load_default=False, metadata={"description": "Arrive en visioconférence."})


class DepartureInSchema(ma.Schema):
    person_id = Id(required=True)
    proxy_holder_id = Id(
        load_default=None, allow_none=True, metadata={"description": "Laisse pouvoir à ce collègue présent."}
    )


class PresenceEventSchema(ma.Schema):
    id = fields.Integer()
    person_id = fields.Integer()
    name = fields.Function(lambda event: event.person.full_name)
    kind = fields.Function(lambda event: event.kind.value, metadata={"description": "arrival ou departure."})
    remote = fields.Boolean()
    proxy_holder_id = fields.Integer(allow_none=True)
    item_id = fields.Integer(allow_none=True, metadata={"description": "Le point en discussion à ce moment."})
    at = fields.AwareDateTime()


class SeatSchema(ma.Schema):
    person_id = fields.Integer()
    name = fields.String()
    status = fields.Function(lambda seat: seat.status.value)
    proxy_holder_id = fields.Integer(allow_none=True)
    deputy_name = fields.String(allow_none=True)
    not_taking_part = fields.Boolean()


class FrozenPresenceSchema(ma.Schema):
    """Presence at an item as frozen with its result (saas.sittings.outcomes.Presence)."""

    in_office = fields.Integer(metadata={"description": "Membres en exercice."})
    present = fields.List(fields.String())
    remote = fields.List(fields.String())
    represented = fields.List(fields.List(fields.String()), metadata={"description": "[mandant, mandataire]"})
    replaced = fields.List(fields.List(fields.String()), metadata={"description": "[membre, suppléant]"})
    absent = fields.List(fields.String())
    quorum_required = fields.Integer()
    quorum_present = fields.Integer(metadata={"description": "Présents comptés pour le quorum de ce point."})
    quorum_reached = fields.Boolean()
    quorum_article = fields.String()
    quorum_waived = fields.Boolean(metadata={"description": "Séance reconvoquée : pas de condition de quorum."})


class PresenceSchema(FrozenPresenceSchema):
    seats = fields.List(
        fields.Nested(SeatSchema), metadata={"description": "Chaque membre en exercice (vide une fois le point réglé)."}
    )
