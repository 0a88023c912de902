"""The API's view of "À traiter" and of a task, and the body of an action on a task."""

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from saas.core.inputs import Id
from saas.workflow.inbox.access import ENGINE_NAMES
from saas.workflow.operations import OPINIONS

TEXT = 4000


class TaskEntrySchema(ma.Schema):
    task_id = fields.Integer()
    report_id = fields.Integer()
    report_title = fields.String()
    step_key = fields.String()
    step_name = fields.String()
    step_kind = fields.String(metadata={"description": "approval, committee_opinion, signature."})
    kind = fields.String(metadata={"description": "step, ou inserted : on me demande mon avis avant de répondre."})
    due_on = fields.Date(allow_none=True, metadata={"description": "Dernier jour pour agir (jour de la collectivité)."})
    late = fields.Boolean(metadata={"description": "L'échéance est passée (en retard)."})
    since = fields.AwareDateTime()
    on_behalf_of = fields.String(allow_none=True, metadata={"description": "La personne absente que je remplace."})


class SignatureEntrySchema(ma.Schema):
    request_id = fields.Integer()
    title = fields.String()
    role = fields.String()
    position = fields.Integer()
    signers = fields.Integer()
    requested_at = fields.AwareDateTime()
    report_id = fields.Integer(allow_none=True)


class TenantInboxSchema(ma.Schema):
    tenant_slug = fields.String(attribute="slug")
    tenant_name = fields.String(attribute="name")
    tasks = fields.List(fields.Nested(TaskEntrySchema))
    signatures = fields.List(
        fields.Nested(SignatureEntrySchema),
        metadata={"description": "Documents du parapheur dont c'est mon tour (GET /api/v1/me/signatures)."},
    )


class StepSchema(ma.Schema):
    key = fields.String()
    name = fields.String()
    kind = fields.String()
    required_metadata = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Les données à fournir pour valider (approve) ou refuser (refuse)."},
    )


class HistoryEntrySchema(ma.Schema):
    at = fields.AwareDateTime()
    kind = fields.String()
    actor = fields.Function(lambda action: action.actor.full_name)
    comment = fields.String(allow_none=True)
    data = fields.Dict()


class PersonChoiceSchema(ma.Schema):
    id = fields.Integer()
    name = fields.Function(lambda person: person.full_name)


class TaskSchema(ma.Schema):
    id = fields.Integer()
    tenant_slug = fields.String()
    state = fields.String(metadata={"description": "open, waiting, approved, refused, sent_back, informed, cancelled."})
    kind = fields.String()
    due_on = fields.Date(allow_none=True)
    late = fields.Boolean()
    report = fields.Dict(metadata={"description": "id, title, version, subject_code."})
    step = fields.Nested(StepSchema)
    allowed_actions = fields.List(
        fields.String(),
        metadata={"description": "Exactement ce que je peux faire maintenant (approve, refuse, send_back, insert, "
                  "opinion, validate_urgently) ; vide : rien."},
    )  # fmt: skip
    earlier_steps = fields.List(fields.Nested(StepSchema), metadata={"description": "Pour send_back (to_step)."})
    people_to_ask = fields.List(fields.Nested(PersonChoiceSchema), metadata={"description": "Pour insert."})
    history = fields.List(fields.Nested(HistoryEntrySchema))


class CountsSchema(ma.Schema):
    votes_for = fields.Integer(data_key="for", validate=validate.Range(min=0, max=10_000))
    votes_against = fields.Integer(data_key="against", validate=validate.Range(min=0, max=10_000))
    abstain = fields.Integer(validate=validate.Range(min=0, max=10_000))


#: what each action needs, and the French message when it is missing
REQUIRED = {
    "refuse": ("reason", "Indiquez le motif du refus."),
    "validate_urgently": ("reason", "Indiquez le motif de l'urgence."),
    "send_back": ("to_step", "Choisissez l'étape à laquelle renvoyer le rapport (to_step)."),
    "insert": ("person_id", "Choisissez la personne dont vous voulez l'avis (person_id)."),
    "opinion": ("opinion", "Indiquez l'avis : favourable, unfavourable ou reserved."),
}


class TaskActionInSchema(ma.Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(list(ENGINE_NAMES), error="Action inconnue ; actions possibles : {choices}."),
        error_messages={"required": "Indiquez l'action (approve, refuse, send_back, insert, opinion…)."},
    )
    comment = fields.String(validate=validate.Length(max=TEXT))
    reason = fields.String(validate=validate.Length(max=TEXT), metadata={"description": "refuse, validate_urgently."})
    metadata = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.String(validate=validate.Length(max=500)),
        validate=validate.Length(max=20),
        metadata={"description": "Les données que l'étape demande (approve, refuse)."},
    )
    to_step = fields.String(
        validate=validate.Length(max=63), metadata={"description": "send_back : la clé d'une étape précédente."}
    )
    person_id = Id(metadata={"description": "insert : une personne de la collectivité."})
    opinion = fields.String(
        validate=validate.OneOf(list(OPINIONS), error="L'avis est favourable, unfavourable ou reserved."),
        metadata={"description": "opinion : favourable, unfavourable, reserved."},
    )
    unanimous = fields.Boolean(allow_none=True)
    counts = fields.Nested(CountsSchema, metadata={"description": "opinion : voix pour (for), contre, abstentions."})

    @validates_schema
    def _required(self, data, **kwargs):
        needed = REQUIRED.get(data.get("action"))
        if needed and not str(data.get(needed[0]) or "").strip():
            raise ma.ValidationError(needed[1], field_name=needed[0])


class ActionResultSchema(ma.Schema):
    outcome = fields.String(metadata={"description": "La clé de l'étape suivante, completed, drafter, "
                                      "waiting_for_others, returned ou inserted."})  # fmt: skip
    message = fields.String()
    task = fields.Nested(TaskSchema)
