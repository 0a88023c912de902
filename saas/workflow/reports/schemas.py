"""API input and output of reports: explicit fields, French messages. Inputs only shape values; the operations
(saas.reports.operations, saas.workflow.operations) check the rules and refuse in French."""

import marshmallow as ma
from marshmallow import fields, validate

from saas.core.inputs import Id

REQUIRED = {"required": "Champ obligatoire.", "null": "Ce champ ne peut pas être vide.", "invalid": "Texte attendu."}


class _Input(ma.Schema):
    """A JSON object whose every field is named here: another one is refused, in French."""

    error_messages = {"unknown": "Champ inconnu.", "type": "Un objet JSON est attendu."}


class ReportInSchema(_Input):
    service_id = Id(required=True, error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire."})
    title = fields.String(
        required=True,
        validate=validate.Length(min=1, max=499, error="Entre 1 et 499 caractères (limite @ctes)."),
        error_messages=REQUIRED,
    )
    subject_code = fields.String(
        required=True,
        validate=validate.Length(max=5, error="5 caractères au plus, par exemple « 7.1 »."),
        error_messages=REQUIRED,
        metadata={"description": "Code matière @ctes (niveau 2), par exemple « 7.1 »."},
    )
    assembly_id = Id(
        required=True,
        error_messages={"required": "Champ obligatoire.", "null": "Champ obligatoire."},
        metadata={"description": "L'assemblée qui délibérera."},
    )
    sitting_id = Id(allow_none=True, metadata={"description": "La séance visée, de cette assemblée ; facultative."})
    rapporteur_id = Id(allow_none=True, metadata={"description": "Un élu de la collectivité ; facultatif."})


class ReportPatchSchema(_Input):
    """The fields to change; the others stay as they are (the service does not change); ``{}`` changes nothing."""

    title = fields.String(
        validate=validate.Length(min=1, max=499, error="Entre 1 et 499 caractères."), error_messages=REQUIRED
    )
    subject_code = fields.String(
        validate=validate.Length(max=5, error="5 caractères au plus."), error_messages=REQUIRED
    )
    assembly_id = Id(error_messages={"null": "Ce champ ne peut pas être vide."})
    sitting_id = Id(allow_none=True)
    rapporteur_id = Id(allow_none=True)


class StartSigningInSchema(_Input):
    definition_id = Id(
        metadata={"description": "Le circuit d'actes à signer ; facultatif quand la collectivité n'en a qu'un."}
    )


class UrgentValidationInSchema(_Input):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=5000, error="Entre 1 et 5 000 caractères."),
        error_messages=REQUIRED,
        metadata={"description": "Motif de l'urgence (obligatoire), gardé dans l'historique."},
    )


class DocumentVersionSeenSchema(ma.Schema):
    document_title = fields.String()
    number = fields.Integer(metadata={"description": "Numéro de la version du document."})
    sha256 = fields.String()


class CircuitTaskSchema(ma.Schema):
    person_id = fields.Integer()
    person_name = fields.Function(lambda task: task.person.full_name)
    state = fields.Function(
        lambda task: task.state.value,
        metadata={"description": "open, waiting, approved, refused, sent_back, informed, cancelled."},
    )
    inserted = fields.Function(lambda task: task.kind.value == "inserted", metadata={"description": "Avis demandé."})
    due_on = fields.Date(allow_none=True)


class CircuitStepSchema(ma.Schema):
    key = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "approval, committee_opinion, signature, information."})
    mode = fields.String(metadata={"description": "one (l'un d'eux) ou all (tous)."})
    state = fields.String(metadata={"description": "done, current, to_come, refused, skipped (validation d'urgence)."})
    finish_by = fields.Date(allow_none=True, metadata={"description": "À finir au plus tard (plan de la soumission)."})
    late = fields.Boolean(metadata={"description": "Déjà en retard sur ce plan à la soumission."})
    overdue = fields.Date(allow_none=True, metadata={"description": "Étape en cours : son échéance passée."})
    tasks = fields.List(fields.Nested(CircuitTaskSchema))


class ReportCircuitSchema(ma.Schema):
    run_id = fields.Integer()
    definition_key = fields.String()
    definition_name = fields.String()
    version = fields.Integer(metadata={"description": "Version du circuit que suit ce passage."})
    report_version = fields.Integer(metadata={"description": "Version du rapport soumise."})
    state = fields.String(metadata={"description": "running, completed, refused."})
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    steps = fields.List(fields.Nested(CircuitStepSchema))


class ReportDocumentSchema(ma.Schema):
    id = fields.Integer()
    kind = fields.Function(lambda document: document.kind.value)
    title = fields.String()
    version = fields.Function(lambda document: document.current_version.number)
    sha256 = fields.Function(lambda document: document.current_version.sha256)


class ReportSchema(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    subject_code = fields.String(allow_none=True)
    status = fields.Function(
        lambda report: report.status.value, metadata={"description": "draft, in_circuit, refused, ready."}
    )
    version = fields.Integer()
    service_id = fields.Integer()
    service_name = fields.Function(lambda report: report.service.name)
    drafter_id = fields.Integer(allow_none=True)
    drafter_name = fields.Function(lambda report: report.drafter.full_name if report.drafter else None)
    rapporteur_id = fields.Integer(allow_none=True)
    rapporteur_name = fields.Function(lambda report: report.rapporteur.full_name if report.rapporteur else None)
    assembly_id = fields.Integer()
    assembly_name = fields.Function(lambda report: report.assembly.name)
    sitting_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ReportDetailSchema(ReportSchema):
    editable = fields.Boolean(metadata={"description": "Le rapport peut être modifié et soumis par l'appelant."})
    committee_opinion = fields.String(
        allow_none=True,
        metadata={
            "description": "L'avis à citer dans la délibération : « sur avis favorable unanime de la Commission n° 1 »."
        },
    )
    documents = fields.List(fields.Nested(ReportDocumentSchema))
    circuit = fields.Nested(
        ReportCircuitSchema, allow_none=True, metadata={"description": "Le dernier passage en circuit."}
    )
    warning = fields.List(
        fields.String(),
        metadata={
            "description": "Quand le calendrier de la séance visée ne peut pas être tenu : les lignes à montrer."
        },
    )


class ReportHistoryEntrySchema(ma.Schema):
    at = fields.AwareDateTime()
    kind = fields.String(
        metadata={"description": "submit, approve, refuse, send_back, insert, give_opinion, validate_urgently."}
    )
    actor_id = fields.Function(lambda entry: entry.actor.id if entry.actor else None)
    actor_name = fields.Function(lambda entry: entry.actor.full_name if entry.actor else None)
    on_behalf_of_name = fields.Function(
        lambda entry: entry.on_behalf_of.full_name if entry.on_behalf_of else None,
        metadata={"description": "La personne absente pour qui un délégué a agi."},
    )
    step_name = fields.String(allow_none=True)
    report_version = fields.Integer()
    comment = fields.String(allow_none=True)
    data = fields.Dict(metadata={"description": "Les données exigées par l'étape, ou l'avis de la commission."})
    documents = fields.List(fields.Nested(DocumentVersionSeenSchema), metadata={"description": "Les versions vues."})
    outdated = fields.Boolean(metadata={"description": "Donné sur une version antérieure des documents."})
