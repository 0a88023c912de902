"""Workflow definitions as data: the TOML format of ``workflows/``, its schema (French errors naming the file,
the step and the field), the platform's templates loaded from the files, and each collectivity's own copies
with their immutable versions.

Shipped defaults are platform-level templates (``WorkflowTemplate``, one row per version, no tenant); a
collectivity adopts one, which copies it into its own ``WorkflowDefinition`` (tenant-owned, isolated by
row-level security) and adapts that copy. Loading the files again never touches the adopted copies.
"""

import dataclasses
import hashlib
import json
import tomllib
from pathlib import Path

import sqlalchemy as sa
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.models import GrantKind, MandateRole, Person
from saas.reports.models import Report
from saas.tenancy.models import AssemblyKind, Tenant
from saas.workflow.models import (
    AppliesTo,
    DefinitionStatus,
    WorkflowDefinition,
    WorkflowRun,
    WorkflowTemplate,
    WorkflowVersion,
)

KEY = r"^[a-z0-9][a-z0-9-]{0,62}$"
STEP_KINDS = ("approval", "committee_opinion", "signature", "information")
WHO_KINDS = ("persons", "grant", "role", "members", "drafter", "drafter_service_head")
MODES = ("one", "all")
#: "target": the report's target assembly, whatever its key
TARGET_ASSEMBLY = "target"


def members_vote(step: dict) -> bool:
    """Whether a committee's opinion is collected online from its members (an "all of them" step: each gives
    their own, and the committee's is counted from theirs), rather than recorded once by its secretary or
    president with the committee's counts."""
    return step["kind"] == "committee_opinion" and step["mode"] == "all"


class WorkflowError(DomainError):
    """A definition or a circuit action refused by the rules (message in French)."""

    def __init__(self, message: str, field: str | None = None, errors: dict | None = None, problems=()):
        super().__init__(message, field, errors)
        #: a document refused by the schema: each problem as (path in the document, French message), so that
        #: a form can show it next to its field (``("steps", 2, "who", "grant")``)
        self.problems: list[tuple[tuple, str]] = list(problems)


def _choice(values) -> validate.OneOf:
    return validate.OneOf(values, error="valeur « {input} » inconnue ; valeurs possibles : {choices}")


def _messages(**extra) -> dict:
    return {
        "required": "champ obligatoire",
        "null": "ne peut pas être vide",
        "invalid": "valeur invalide",
        "type": "valeur invalide",
        **extra,
    }


def _text(required=True, **kwargs):
    return fields.String(required=required, error_messages=_messages(invalid="doit être un texte"), **kwargs)


def _key_field():
    return _text(
        validate=validate.Regexp(
            KEY, error="« {input} » n'est pas une clé : minuscules, chiffres et tirets, 63 caractères au plus"
        )
    )


def _days():
    return fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=365, error="doit être un nombre de jours entre {min} et {max}"),
        error_messages=_messages(invalid="doit être un nombre entier de jours"),
    )


class _Strict(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "champ inconnu", "type": "doit être une table TOML"}


class WhoSchema(_Strict):
    kind = _text(validate=_choice(WHO_KINDS))
    #: kind "persons"
    emails = fields.List(
        _text(validate=validate.Email(error="« {input} » n'est pas une adresse e-mail")),
        error_messages=_messages(invalid="doit être une liste d'adresses e-mail"),
    )
    #: kind "grant"
    grant = _text(required=False, validate=_choice([kind.value for kind in GrantKind]))
    #: kind "role" or "members" (and optionally "grant", for a secretary): an assembly key, or "target"
    assembly = _text(required=False)
    #: kind "role"
    role = _text(required=False, validate=_choice([role.value for role in MandateRole]))

    @validates_schema
    def _consistent(self, data, **kwargs):
        kind = data.get("kind")
        needed = {"persons": {"emails"}, "grant": {"grant"}, "role": {"role", "assembly"}, "members": {"assembly"}}
        needed = needed.get(kind, set())
        allowed = needed | ({"assembly"} if kind == "grant" else set())
        for name in sorted(needed - data.keys()):
            raise ValidationError(f"obligatoire quand « kind » vaut « {kind} »", name)
        for name in sorted(data.keys() - allowed - {"kind"}):
            raise ValidationError(f"sans objet quand « kind » vaut « {kind} »", name)
        if kind == "persons" and not data["emails"]:
            raise ValidationError("au moins une adresse", "emails")


class DeadlineSchema(_Strict):
    days_after_arrival = _days()
    days_before_sitting = _days()

    @validates_schema
    def _exactly_one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("indiquez soit « days_after_arrival », soit « days_before_sitting »")


class RequiredMetadataSchema(_Strict):
    approve = fields.List(_text(validate=validate.Regexp(r"^[a-z_]{1,40}$", error="nom de donnée invalide")))
    refuse = fields.List(_text(validate=validate.Regexp(r"^[a-z_]{1,40}$", error="nom de donnée invalide")))


class StepSchema(_Strict):
    key = _key_field()
    name = _text(validate=validate.Length(min=1, max=200, error="entre {min} et {max} caractères"))
    kind = _text(validate=_choice(STEP_KINDS))
    who = fields.Nested(WhoSchema, required=True, error_messages=_messages())
    mode = _text(required=False, load_default="one", validate=_choice(MODES))
    deadline = fields.Nested(DeadlineSchema, error_messages=_messages())
    required_metadata = fields.Nested(RequiredMetadataSchema, error_messages=_messages())
    on_refusal = _text(required=False, load_default="drafter")
    reapprove_after_change = fields.Boolean(
        load_default=True, error_messages=_messages(invalid="doit valoir true ou false")
    )


class DefinitionSchema(_Strict):
    key = _key_field()
    name = _text(validate=validate.Length(min=1, max=200, error="entre {min} et {max} caractères"))
    description = _text(required=False)
    applies_to = _text(validate=_choice([value.value for value in AppliesTo]))
    #: for reports: the kind of assembly whose reports the circuit validates
    assembly_kind = _text(required=False, validate=_choice([kind.value for kind in AssemblyKind]))
    steps = fields.List(
        fields.Nested(StepSchema),
        required=True,
        validate=validate.Length(min=1, error="au moins une étape"),
        error_messages=_messages(invalid="doit être une liste d'étapes ([[steps]])"),
    )

    @validates_schema
    def _whole(self, data, **kwargs):
        if data.get("applies_to") == AppliesTo.REPORTS and "assembly_kind" not in data:
            raise ValidationError("obligatoire pour un circuit de rapports", "assembly_kind")
        if data.get("applies_to") != AppliesTo.REPORTS and "assembly_kind" in data:
            raise ValidationError("seulement pour un circuit de rapports", "assembly_kind")
        seen: list[str] = []
        errors: dict = {}
        for index, step in enumerate(data.get("steps", [])):
            if step["key"] in seen:
                errors[index] = {"key": [f"la clé « {step['key']} » est déjà celle d'une étape précédente"]}
            elif step["on_refusal"] != "drafter" and step["on_refusal"] not in seen:
                errors[index] = {
                    "on_refusal": [f"« {step['on_refusal']} » n'est ni « drafter » ni la clé d'une étape précédente"]
                }
            seen.append(step["key"])
        if errors:
            raise ValidationError({"steps": errors})


def _flatten(messages, path=()) -> list[tuple[tuple, str]]:
    if isinstance(messages, dict):
        return [item for key, value in messages.items() for item in _flatten(value, (*path, key))]
    if isinstance(messages, list) and all(isinstance(message, str) for message in messages):
        return [(path, message) for message in messages]
    if isinstance(messages, list):
        return [item for index, value in enumerate(messages) for item in _flatten(value, (*path, index))]
    return [(path, str(messages))]


def describe_errors(source: str, raw: dict, messages: dict) -> list[str]:
    """French lines such as « workflows/urgent.toml, étape « visa-dgs », champ « mode » : … »."""
    lines = []
    for path, message in _flatten(messages):
        parts = [source]
        if path[:1] == ("steps",) and len(path) > 1 and isinstance(path[1], int):
            index = path[1]
            steps = raw.get("steps") if isinstance(raw.get("steps"), list) else []
            step = steps[index] if index < len(steps) and isinstance(steps[index], dict) else {}
            key = step.get("key")
            parts.append(f"étape « {key} »" if isinstance(key, str) else f"étape n° {index + 1}")
            path = path[2:]
        if path and path[-1] == "_schema":
            path = path[:-1]
        if path:
            parts.append(f"champ « {'.'.join(str(part) for part in path)} »")
        lines.append(f"{', '.join(parts)} : {message}")
    return lines


def validate_document(source: str, raw: dict) -> dict:
    """The definition ``raw`` (parsed TOML) checked and completed with defaults, or a WorkflowError."""
    try:
        return DefinitionSchema().load(raw)
    except ValidationError as error:
        raise WorkflowError(
            "\n".join(describe_errors(source, raw, error.messages)), problems=_flatten(error.messages)
        ) from None


def read_file(path: Path) -> dict:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise WorkflowError(f"{path} : TOML invalide ({error})") from None
    except UnicodeDecodeError:
        raise WorkflowError(f"{path} : le fichier n'est pas en UTF-8") from None
    document = validate_document(str(path), raw)
    if document["key"] != path.stem:
        raise WorkflowError(f"{path}, champ « key » : doit être le nom du fichier (« {path.stem} »)")
    return document


def fingerprint(document: dict) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- Platform templates (the files of workflows/) ---------------------------------------------------------


@dataclasses.dataclass
class LoadReport:
    created: list[str] = dataclasses.field(default_factory=list)
    updated: list[str] = dataclasses.field(default_factory=list)
    unchanged: list[str] = dataclasses.field(default_factory=list)


def latest_template(key: str) -> WorkflowTemplate | None:
    return (
        db.session.execute(
            sa.select(WorkflowTemplate).where(WorkflowTemplate.key == key).order_by(WorkflowTemplate.number.desc())
        )
        .scalars()
        .first()
    )


def load_folder(folder: Path) -> LoadReport:
    """Load every ``*.toml`` of ``folder`` as a platform template. All files are checked before anything is
    written; a file equal to its latest version changes nothing (no new version, no audit event)."""
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise WorkflowError(f"{folder} : aucun fichier *.toml")
    documents, problems = [], []
    for path in files:
        try:
            documents.append((path, read_file(path)))
        except WorkflowError as error:
            problems.append(error.message)
    if problems:
        raise WorkflowError("\n".join(problems))
    report = LoadReport()
    for path, document in documents:
        digest = fingerprint(document)
        latest = latest_template(document["key"])
        if latest is not None and latest.sha256 == digest:
            report.unchanged.append(document["key"])
            continue
        template = WorkflowTemplate(
            key=document["key"],
            number=1 if latest is None else latest.number + 1,
            name=document["name"],
            document=document,
            sha256=digest,
            source=path.name,
        )
        db.session.add(template)
        db.session.flush()
        record(
            "workflow.template_loaded",
            obj=template,
            data={"key": template.key, "number": template.number, "sha256": digest},
        )
        (report.created if latest is None else report.updated).append(document["key"])
    return report


# --- A collectivity's own definitions --------------------------------------------------------------------


def latest_version(definition: WorkflowDefinition) -> WorkflowVersion:
    return (
        db.session.execute(
            sa.select(WorkflowVersion)
            .where(WorkflowVersion.definition_id == definition.id)
            .order_by(WorkflowVersion.number.desc())
        )
        .scalars()
        .first()
    )


def _new_version(definition: WorkflowDefinition, document: dict, actor: Person | None) -> WorkflowVersion:
    latest = latest_version(definition) if definition.id else None
    version = WorkflowVersion(
        tenant_id=definition.tenant_id,
        definition=definition,
        number=1 if latest is None else latest.number + 1,
        document=document,
        sha256=fingerprint(document),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def definition_by_key(tenant: Tenant, key: str) -> WorkflowDefinition | None:
    return db.session.execute(
        sa.select(WorkflowDefinition).where(WorkflowDefinition.tenant_id == tenant.id, WorkflowDefinition.key == key)
    ).scalar_one_or_none()


def adopt_template(tenant: Tenant, key: str, *, actor: Person | None) -> WorkflowDefinition:
    """Copy the latest version of template ``key`` into ``tenant``'s own definitions (once: adopting again
    returns the copy already made, adapted or not)."""
    existing = definition_by_key(tenant, key)
    if existing is not None:
        return existing
    template = latest_template(key)
    if template is None:
        raise WorkflowError(f"Aucun circuit modèle « {key} » : chargez d'abord workflows/.")
    document = template.document
    definition = WorkflowDefinition(
        tenant_id=tenant.id,
        key=key,
        name=document["name"],
        applies_to=AppliesTo(document["applies_to"]),
        assembly_kind=AssemblyKind(document["assembly_kind"]) if document.get("assembly_kind") else None,
        template_key=template.key,
        template_number=template.number,
    )
    db.session.add(definition)
    db.session.flush()
    version = _new_version(definition, document, actor)
    record(
        "workflow.adopted",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=definition,
        data={"key": key, "template_number": template.number, "version": version.number},
    )
    return definition


def create_definition(
    tenant: Tenant, raw: dict, *, actor: Person | None, source: str | None = None
) -> WorkflowDefinition:
    """A collectivity's own definition written from ``raw`` (the TOML format, parsed: an import)."""
    document = validate_document(source or "circuit importé", raw)
    if definition_by_key(tenant, document["key"]) is not None:
        raise WorkflowError(f"Un circuit « {document['key']} » existe déjà dans la collectivité.", field="key")
    definition = WorkflowDefinition(
        tenant_id=tenant.id,
        key=document["key"],
        name=document["name"],
        applies_to=AppliesTo(document["applies_to"]),
        assembly_kind=AssemblyKind(document["assembly_kind"]) if document.get("assembly_kind") else None,
    )
    db.session.add(definition)
    db.session.flush()
    version = _new_version(definition, document, actor)
    record(
        "workflow.created",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=definition,
        data={"key": definition.key, "version": version.number, "sha256": version.sha256},
    )
    return definition


def revise_definition(
    definition: WorkflowDefinition, raw: dict, *, actor: Person | None, source: str | None = None
) -> tuple[WorkflowVersion, bool]:
    """Save ``raw`` (the TOML format, parsed) as the definition's next version, unless it is the same as the
    latest one: then nothing changes. Running circuits keep the version they started with."""
    document = validate_document(source or f"circuit « {definition.key} »", raw)
    if document["key"] != definition.key:
        raise WorkflowError(f"Le circuit garde sa clé « {definition.key} ».", field="key")
    if definition.status == DefinitionStatus.RETIRED:
        raise WorkflowError(f"Le circuit « {definition.name} » est retiré : il ne peut plus être modifié.")
    latest = latest_version(definition)
    if latest.sha256 == fingerprint(document):
        return latest, False
    version = _new_version(definition, document, actor)
    definition.name = document["name"]
    definition.applies_to = AppliesTo(document["applies_to"])
    definition.assembly_kind = AssemblyKind(document["assembly_kind"]) if document.get("assembly_kind") else None
    db.session.flush()
    record(
        "workflow.revised",
        tenant_id=definition.tenant_id,
        actor_id=actor.id if actor else None,
        obj=definition,
        data={"version": version.number, "sha256": version.sha256},
    )
    return version, True


def reports_using(definition: WorkflowDefinition) -> list[Report]:
    return list(
        db.session.execute(
            sa.select(Report)
            .join(WorkflowRun, WorkflowRun.report_id == Report.id)
            .join(WorkflowVersion, WorkflowVersion.id == WorkflowRun.version_id)
            .where(WorkflowVersion.definition_id == definition.id)
            .distinct()
            .order_by(Report.id)
        ).scalars()
    )


def definition_for(report: Report) -> WorkflowDefinition:
    """The collectivity's one active circuit for reports of the target assembly's kind (submitting takes it)."""
    candidates = list(
        db.session.execute(
            sa.select(WorkflowDefinition)
            .where(
                WorkflowDefinition.tenant_id == report.tenant_id,
                WorkflowDefinition.applies_to == AppliesTo.REPORTS,
                WorkflowDefinition.assembly_kind == report.assembly.kind,
                WorkflowDefinition.status == DefinitionStatus.ACTIVE,
            )
            .order_by(WorkflowDefinition.id)
        ).scalars()
    )
    if not candidates:
        raise WorkflowError(f"Aucun circuit actif pour les rapports de « {report.assembly.name} ».")
    if len(candidates) > 1:
        names = ", ".join(f"« {definition.name} »" for definition in candidates)
        raise WorkflowError(f"Plusieurs circuits conviennent ({names}) : choisissez-en un.", field="definition")
    return candidates[0]


def active_definitions(tenant_id: int, applies_to: AppliesTo) -> list[WorkflowDefinition]:
    """The collectivity's circuits in service for ``applies_to``, oldest first."""
    return list(
        db.session.execute(
            sa.select(WorkflowDefinition)
            .where(
                WorkflowDefinition.tenant_id == tenant_id,
                WorkflowDefinition.applies_to == applies_to,
                WorkflowDefinition.status == DefinitionStatus.ACTIVE,
            )
            .order_by(WorkflowDefinition.id)
        ).scalars()
    )


def retire_definition(definition: WorkflowDefinition, *, actor: Person | None) -> None:
    """No new circuit starts from a retired definition; those running go on with their version."""
    if definition.status == DefinitionStatus.RETIRED:
        return
    definition.status = DefinitionStatus.RETIRED
    definition.retired_at = utcnow()
    db.session.flush()
    record("workflow.retired", tenant_id=definition.tenant_id, actor_id=actor.id if actor else None, obj=definition)


def delete_definition(definition: WorkflowDefinition, *, actor: Person | None) -> None:
    """Delete a definition that no report ever used; one in use is refused, naming the reports, and can be
    retired instead (a circuit is part of the reports' history)."""
    using = reports_using(definition)
    if using:
        names = ", ".join(f"« {report.title} » (n° {report.id})" for report in using)
        raise WorkflowError(
            f"Le circuit « {definition.name} » ne peut pas être supprimé : il a servi aux rapports {names}."
            " Retirez-le : il ne sera plus proposé, et ces rapports gardent leur historique."
        )
    record(
        "workflow.deleted",
        tenant_id=definition.tenant_id,
        actor_id=actor.id if actor else None,
        obj=definition,
        data={"key": definition.key},
    )
    db.session.execute(sa.delete(WorkflowVersion).where(WorkflowVersion.definition_id == definition.id))
    db.session.delete(definition)
    db.session.flush()
