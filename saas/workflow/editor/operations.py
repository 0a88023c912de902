"""What the circuit editor does to a collectivity's definitions: list them with their use, edit a document
step by step, export a version as TOML and import a file. Plain functions: every change goes through the
schema of the TOML files (``definitions.validate_document``) and saves a version with ``revise_definition``
(an unchanged document makes none); they flush, never commit."""

import copy
import re
import tomllib
import unicodedata

import sqlalchemy as sa
import tomli_w

from saas.core.extensions import db
from saas.identity.models import Mandate, Person, TenantGrant
from saas.reports.models import Service
from saas.tenancy.models import Assembly, Tenant
from saas.workflow import definitions
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import WorkflowDefinition, WorkflowRun, WorkflowTemplate, WorkflowVersion

#: an imported file larger than this is refused (the shipped ones are under 2 Ko)
MAX_IMPORT_BYTES = 64 * 1024
#: the order of the fields in an exported file, as in the shipped ones (docs/workflows.md)
DEFINITION_FIELDS = ("key", "name", "description", "applies_to", "assembly_kind", "steps")
STEP_FIELDS = (
    "key",
    "name",
    "kind",
    "who",
    "mode",
    "deadline",
    "required_metadata",
    "on_refusal",
    "reapprove_after_change",
)


# --- Reading ----------------------------------------------------------------------------------------------


def definitions_of(tenant: Tenant) -> list[WorkflowDefinition]:
    return list(
        db.session.execute(
            sa.select(WorkflowDefinition)
            .where(WorkflowDefinition.tenant_id == tenant.id)
            .order_by(WorkflowDefinition.status, WorkflowDefinition.name, WorkflowDefinition.id)
        ).scalars()
    )


def use_counts(tenant: Tenant) -> dict[int, int]:
    """How many reports each definition served (any of its versions), by definition id."""
    rows = db.session.execute(
        sa.select(WorkflowVersion.definition_id, sa.func.count(sa.distinct(WorkflowRun.report_id)))
        .join(WorkflowRun, WorkflowRun.version_id == WorkflowVersion.id)
        .where(WorkflowVersion.tenant_id == tenant.id)
        .group_by(WorkflowVersion.definition_id)
    )
    return dict(rows.all())


def templates_not_adopted(tenant: Tenant) -> list[WorkflowTemplate]:
    """The latest version of each platform template the collectivity has no copy of (by key)."""
    latest = (
        sa.select(WorkflowTemplate.key, sa.func.max(WorkflowTemplate.number).label("number"))
        .group_by(WorkflowTemplate.key)
        .subquery()
    )
    owned = sa.select(WorkflowDefinition.key).where(WorkflowDefinition.tenant_id == tenant.id)
    return list(
        db.session.execute(
            sa.select(WorkflowTemplate)
            .join(latest, sa.and_(latest.c.key == WorkflowTemplate.key, latest.c.number == WorkflowTemplate.number))
            .where(WorkflowTemplate.key.not_in(owned))
            .order_by(WorkflowTemplate.name)
        ).scalars()
    )


def assemblies_of(tenant: Tenant, include_archived: bool = False) -> list[Assembly]:
    query = sa.select(Assembly).where(Assembly.tenant_id == tenant.id).order_by(Assembly.name)
    if not include_archived:
        query = query.where(Assembly.archived.is_(False))
    return list(db.session.execute(query).scalars())


def people_of(tenant: Tenant) -> list[Person]:
    """Everyone with a mandate or a right in the collectivity: the only people a step may name."""
    with_mandate = sa.select(Mandate.person_id).where(Mandate.tenant_id == tenant.id)
    with_grant = sa.select(TenantGrant.person_id).where(TenantGrant.tenant_id == tenant.id)
    query = sa.select(Person).where(sa.or_(Person.id.in_(with_mandate), Person.id.in_(with_grant)))
    return list(db.session.execute(query.order_by(Person.last_name, Person.first_name, Person.id)).scalars())


def services_of(tenant: Tenant) -> list[Service]:
    return list(
        db.session.execute(
            sa.select(Service).where(Service.tenant_id == tenant.id, Service.archived.is_(False)).order_by(Service.name)
        ).scalars()
    )


def version_number(definition: WorkflowDefinition, number: int) -> WorkflowVersion | None:
    return db.session.execute(
        sa.select(WorkflowVersion).where(
            WorkflowVersion.definition_id == definition.id, WorkflowVersion.number == number
        )
    ).scalar_one_or_none()


# --- Editing a document -----------------------------------------------------------------------------------


def working_copy(definition: WorkflowDefinition) -> dict:
    """The latest version's document, to change and save as the next one (versions never change)."""
    return copy.deepcopy(definitions.latest_version(definition).document)


def save(definition: WorkflowDefinition, document: dict, actor: Person) -> tuple[WorkflowVersion, bool]:
    """Check ``document`` with the schema of the files and save it as the next version, unless unchanged."""
    return definitions.revise_definition(definition, document, actor=actor, source=f"circuit « {definition.key} »")


def step_index(document: dict, key: str) -> int | None:
    return next((index for index, step in enumerate(document["steps"]) if step["key"] == key), None)


def move_step(document: dict, index: int, offset: int) -> dict:
    """The document with the step at ``index`` moved by ``offset`` (-1 up, +1 down), kept inside the list."""
    target = min(max(index + offset, 0), len(document["steps"]) - 1)
    steps = document["steps"]
    steps.insert(target, steps.pop(index))
    return document


def key_from(name: str, taken: set[str]) -> str:
    """A step key made from its name (lower case, no accents, hyphens), unique among ``taken``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:56] or "etape"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


# --- Export and import ------------------------------------------------------------------------------------


def _ordered(values: dict, order: tuple[str, ...]) -> dict:
    return {name: values[name] for name in order if name in values} | {
        name: value for name, value in values.items() if name not in order
    }


def export_toml(definition: WorkflowDefinition, version: WorkflowVersion, tenant: Tenant) -> str:
    """The version as a file of ``workflows/``: read back with the schema, it has the same fingerprint."""
    document = _ordered(version.document, DEFINITION_FIELDS)
    document["steps"] = [_ordered(step, STEP_FIELDS) for step in version.document["steps"]]
    header = (
        f"# {definition.name} — {tenant.name}, version {version.number}"
        f" ({version.created_at:%d/%m/%Y}, SHA-256 {version.sha256[:12]}…)\n"
        "# Format : docs/workflows.md. Importez ce fichier dans Administration › Circuits.\n\n"
    )
    return header + tomli_w.dumps(document)


def read_toml(data: bytes, filename: str) -> dict:
    """The parsed and checked document of an uploaded file, or a WorkflowError naming the file."""
    if len(data) > MAX_IMPORT_BYTES:
        raise WorkflowError(f"{filename} : le fichier dépasse {MAX_IMPORT_BYTES // 1024} Ko.", field="file")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise WorkflowError(f"{filename} : le fichier n'est pas en UTF-8.", field="file") from None
    except tomllib.TOMLDecodeError as error:
        raise WorkflowError(f"{filename} : TOML invalide ({error}).", field="file") from None
    return definitions.validate_document(filename, raw)


def import_toml(tenant: Tenant, data: bytes, filename: str, *, actor: Person) -> tuple[WorkflowDefinition, str]:
    """A file into the collectivity: a new definition, or the next version of the one with its key.
    Returns the definition and what happened: "created", "revised" or "unchanged"."""
    document = read_toml(data, filename)
    existing = definitions.definition_by_key(tenant, document["key"])
    if existing is None:
        return definitions.create_definition(tenant, document, actor=actor, source=filename), "created"
    _, changed = definitions.revise_definition(existing, document, actor=actor, source=filename)
    return existing, "revised" if changed else "unchanged"
