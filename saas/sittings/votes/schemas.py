"""API input and output of the votes. Inputs only shape values; the operations check the law."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.core.inputs import Id, Integer
from saas.sittings.outcomes import BallotType, Outcome
from saas.sittings.roll_call.schemas import FrozenPresenceSchema
from saas.sittings.votes.models import Choice
from saas.sittings.votes.operations import NOT_TAKING_PART

CHOICES = [choice.value for choice in Choice]
COUNT = {"load_default": 0, "validate": validate.Range(min=0, error="Nombre positif ou nul attendu.")}


class CurrentItemInSchema(ma.Schema):
    item_id = Id(required=True, allow_none=True, metadata={"description": "Le point mis en discussion ; null : aucun."})


class BallotRequestInSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf([BallotType.NAMED.value, BallotType.SECRET.value]))
    person_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "Le membre qui demande (secrétariat) ; par défaut, moi."},
    )


class BallotRequestSchema(ma.Schema):
    person_id = fields.Integer()
    kind = fields.Function(lambda request: request.kind.value)
    requested_at = fields.AwareDateTime()


class BallotTypeSchema(ma.Schema):
    ballot_type = fields.String(metadata={"description": "show_of_hands, named ou secret."})
    ballot_label = fields.String(metadata={"description": "« à main levée », « au scrutin public »…"})
    appointment = fields.Boolean(metadata={"description": "Une nomination : toujours au scrutin secret."})
    present = fields.Integer(metadata={"description": "Membres présents (les demandes se comptent sur eux)."})
    requests = fields.List(fields.Nested(BallotRequestSchema))


class NotTakingPartInSchema(ma.Schema):
    person_id = Id(
        load_default=None, allow_none=True, metadata={"description": "Le membre (secrétariat) ; par défaut, moi."}
    )
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class NotTakingPartSchema(ma.Schema):
    person_id = fields.Integer()
    name = fields.Function(lambda declaration: declaration.person.full_name)
    reason = fields.String(allow_none=True)
    declared_at = fields.AwareDateTime()


class TotalsInSchema(ma.Schema):
    votes_for = Integer(**COUNT)
    votes_against = Integer(**COUNT)
    abstentions = Integer(**COUNT)
    blank = Integer(**COUNT, metadata={"description": "Bulletins blancs : scrutin secret seulement."})
    president_choice = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([Choice.FOR.value, Choice.AGAINST.value, Choice.ABSTENTION.value]),
        metadata={"description": "En cas de partage (hors scrutin secret) : le vote du président, prépondérant."},
    )


class NamedVoteInSchema(ma.Schema):
    voter_id = Id(required=True)
    choice = fields.String(
        required=True,
        validate=validate.OneOf([Choice.FOR.value, Choice.AGAINST.value, Choice.ABSTENTION.value, NOT_TAKING_PART]),
    )


class NamedVotesInSchema(ma.Schema):
    votes = fields.List(fields.Nested(NamedVoteInSchema), required=True, validate=validate.Length(max=2000))


class BallotInSchema(ma.Schema):
    choice = fields.String(required=True, validate=validate.OneOf(CHOICES))
    voter_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "Pour qui : moi par défaut, ou le membre dont je porte le pouvoir."},
    )


class BallotOutSchema(ma.Schema):
    voter_id = fields.Integer()
    cast_at = fields.AwareDateTime()
    recorded = fields.Function(lambda ballot: True)


class ReasonInSchema(ma.Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class PostponeInSchema(ReasonInSchema):
    lack_of_quorum = fields.Boolean(
        load_default=False, metadata={"description": "Reporté faute de quorum (le motif est alors écrit)."}
    )


class NotVotedSchema(ma.Schema):
    voter_id = fields.Integer()
    name = fields.String()
    cast_by = fields.List(fields.String(), metadata={"description": "Qui peut déposer ce vote (mandataire)."})


class TallySchema(ma.Schema):
    state = fields.String(allow_none=True, metadata={"description": "null (pas de vote), open ou closed."})
    mode = fields.String(allow_none=True, metadata={"description": "totals, named ou electronic."})
    ballot_type = fields.String()
    entitled = fields.Integer(metadata={"description": "Votants possibles (figés à la clôture)."})
    voted = fields.Integer(metadata={"description": "Bulletins déposés."})
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Par choix ; vide au scrutin secret tant que le résultat n'est pas arrêté."},
    )


class EntitledSchema(ma.Schema):
    voter_id = fields.Integer()
    name = fields.String()
    voted = fields.Boolean()


class ResultSchema(ma.Schema):
    item_id = fields.Integer()
    outcome = fields.String(metadata={"description": " | ".join(outcome.value for outcome in Outcome)})
    ballot_type = fields.String(allow_none=True)
    mode = fields.String(allow_none=True)
    votes_for = fields.Integer()
    votes_against = fields.Integer()
    abstentions = fields.Integer()
    blank = fields.Integer()
    votes_cast = fields.Integer(metadata={"description": "Suffrages exprimés : pour et contre."})
    unanimous = fields.Boolean(metadata={"description": "À l'unanimité des suffrages exprimés."})
    not_taking_part = fields.List(fields.String())
    names_against = fields.List(fields.String(), metadata={"description": "Scrutin public seulement."})
    names_abstaining = fields.List(fields.String(), metadata={"description": "Scrutin public seulement."})
    casting_vote = fields.Boolean(metadata={"description": "La voix du président a départagé."})
    presence = fields.Nested(FrozenPresenceSchema)
    entitled = fields.List(fields.Nested(EntitledSchema))
    reason = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime()


class OutcomeSchema(ma.Schema):
    decided = fields.Boolean()
    result = fields.Nested(ResultSchema, allow_none=True)


class LiveItemSchema(ma.Schema):
    id = fields.Integer()
    position = fields.Integer(allow_none=True)
    title = fields.String()
    appointment = fields.Boolean()
    confidential = fields.Boolean()


class LivePresenceSchema(ma.Schema):
    in_office = fields.Integer()
    present = fields.Integer()
    remote = fields.Integer()
    represented = fields.Integer()
    replaced = fields.Integer()
    absent = fields.Integer()


class LiveQuorumSchema(ma.Schema):
    required = fields.Integer()
    present = fields.Integer()
    reached = fields.Boolean()
    waived = fields.Boolean()
    article = fields.String()


class LiveVoteSchema(TallySchema):
    ballot_label = fields.String()


class LiveStateSchema(ma.Schema):
    sitting_id = fields.Integer()
    status = fields.String()
    opened_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    secretary_id = fields.Integer(allow_none=True)
    roll_call_locked = fields.Boolean()
    item = fields.Nested(LiveItemSchema, allow_none=True, metadata={"description": "Le point en discussion."})
    presence = fields.Nested(LivePresenceSchema, allow_none=True)
    quorum = fields.Nested(LiveQuorumSchema, allow_none=True)
    vote = fields.Nested(LiveVoteSchema, allow_none=True)
    result = fields.Nested(ResultSchema, allow_none=True)
