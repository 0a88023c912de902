"""What a tenant admin does that identity and tenancy do not already offer: configure assemblies and
political groups, end mandates, remove grants safely, and import members from a spreadsheet.

Plain functions without a request: they flush and audit, never commit (the view commits once).
"""

import csv
import dataclasses
import io
import re
import unicodedata
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from saas.audit.operations import record
from saas.core import display
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity import operations as identity
from saas.identity.models import GrantKind, Mandate, MandateRole, Person, TenantGrant
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, PoliticalGroupKind, Tenant


class AdminError(DomainError):
    """A refusal, with the French message to show the admin."""


# --- Reading (filtered explicitly: a person's own mandates and grants elsewhere are visible too) -----


def assemblies(tenant: Tenant, *, include_archived: bool = True) -> list[Assembly]:
    query = sa.select(Assembly).where(Assembly.tenant_id == tenant.id).order_by(Assembly.archived, Assembly.name)
    if not include_archived:
        query = query.where(Assembly.archived.is_(False))
    return list(db.session.execute(query).scalars())


def political_groups(tenant: Tenant) -> list[PoliticalGroup]:
    query = sa.select(PoliticalGroup).where(PoliticalGroup.tenant_id == tenant.id).order_by(PoliticalGroup.name)
    return list(db.session.execute(query).scalars())


def mandates(tenant: Tenant, assembly: Assembly | None = None) -> list[Mandate]:
    query = (
        sa.select(Mandate)
        .join(Mandate.person)
        .join(Mandate.assembly)
        .where(Mandate.tenant_id == tenant.id)
        .order_by(Assembly.name, Person.last_name, Person.first_name, Mandate.start_date)
    )
    if assembly is not None:
        query = query.where(Mandate.assembly_id == assembly.id)
    return list(db.session.execute(query).scalars())


def grants(tenant: Tenant) -> list[TenantGrant]:
    query = (
        sa.select(TenantGrant)
        .join(TenantGrant.person)
        .where(TenantGrant.tenant_id == tenant.id)
        .order_by(TenantGrant.kind, Person.last_name, Person.first_name)
    )
    return list(db.session.execute(query).scalars())


def people(tenant: Tenant) -> list[Person]:
    """Everyone with a mandate or a grant in the tenant: the only people an admin may give rights to."""
    with_mandate = sa.select(Mandate.person_id).where(Mandate.tenant_id == tenant.id)
    with_grant = sa.select(TenantGrant.person_id).where(TenantGrant.tenant_id == tenant.id)
    query = sa.select(Person).where(sa.or_(Person.id.in_(with_mandate), Person.id.in_(with_grant)))
    return list(db.session.execute(query.order_by(Person.last_name, Person.first_name)).scalars())


# --- Assemblies and political groups --------------------------------------------------------------


def _simplify(text: str, separator: str = "_") -> str:
    """Lower case, no accents, one separator between words: keys, header names and role codes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()
    return re.sub(r"[^a-z0-9]+", separator, ascii_text).strip(separator)


def _key_taken(tenant: Tenant, key: str) -> bool:
    query = sa.select(Assembly.id).where(Assembly.tenant_id == tenant.id, Assembly.key == key)
    return db.session.execute(query).first() is not None


def _update(obj, values: dict, action: str, actor: Person) -> None:
    """Apply ``values`` and audit what changed (nothing is recorded when nothing changed)."""
    before = {name: getattr(obj, name) for name in values}
    if before == values:
        return
    for name, value in values.items():
        setattr(obj, name, value)
    db.session.flush()
    record(action, tenant_id=obj.tenant_id, actor_id=actor.id, obj=obj, data={"before": before, "after": values})


def create_assembly(
    tenant: Tenant, *, name: str, kind: AssemblyKind, seats: int | None, key: str | None, actor: Person
) -> Assembly:
    """A new assembly; its key (its name in tenant files) is derived from the name unless given."""
    if key and _key_taken(tenant, key):
        raise AdminError(_l("Une assemblée porte déjà l'identifiant « %(key)s ».", key=key))
    if not key:
        base = key = _simplify(name, "-")[:60] or "assemblee"
        number = 2
        while _key_taken(tenant, key):
            key, number = f"{base}-{number}", number + 1
    assembly = Assembly(tenant_id=tenant.id, key=key, name=name.strip(), kind=kind, seats=seats)
    db.session.add(assembly)
    db.session.flush()
    data = {"key": key, "name": assembly.name, "kind": kind.value, "seats": seats}
    record("assembly.created", tenant_id=tenant.id, actor_id=actor.id, obj=assembly, data=data)
    return assembly


def update_assembly(assembly: Assembly, *, name: str, kind: AssemblyKind, seats: int | None, actor: Person) -> None:
    _update(assembly, {"name": name.strip(), "kind": kind, "seats": seats}, "assembly.updated", actor)


def set_assembly_archived(assembly: Assembly, archived: bool, actor: Person) -> None:
    """Archive (or bring back) an assembly: council records are never deleted, they stop taking new work."""
    if assembly.archived != archived:
        assembly.archived = archived
        db.session.flush()
        action = "assembly.archived" if archived else "assembly.restored"
        record(action, tenant_id=assembly.tenant_id, actor_id=actor.id, obj=assembly)


def _check_group_name(tenant_id: int, name: str, except_id: int | None = None) -> None:
    query = sa.select(PoliticalGroup.id).where(
        PoliticalGroup.tenant_id == tenant_id,
        sa.func.lower(PoliticalGroup.name) == name.strip().lower(),
        PoliticalGroup.id != (except_id or 0),
    )
    if db.session.execute(query).first() is not None:
        raise AdminError(_l("Un groupe politique porte déjà ce nom."))


def create_group(tenant: Tenant, *, name: str, kind: PoliticalGroupKind, actor: Person) -> PoliticalGroup:
    _check_group_name(tenant.id, name)
    group = PoliticalGroup(tenant_id=tenant.id, name=name.strip(), kind=kind)
    db.session.add(group)
    db.session.flush()
    data = {"name": group.name, "kind": kind.value}
    record("political_group.created", tenant_id=tenant.id, actor_id=actor.id, obj=group, data=data)
    return group


def update_group(group: PoliticalGroup, *, name: str, kind: PoliticalGroupKind, actor: Person) -> None:
    _check_group_name(group.tenant_id, name, except_id=group.id)
    _update(group, {"name": name.strip(), "kind": kind}, "political_group.updated", actor)


# --- Mandates and grants --------------------------------------------------------------------------


def end_mandate(mandate: Mandate, end_date: date, actor: Person) -> None:
    """End a mandate on ``end_date`` (its last day). Mandates are council records: never deleted."""
    if mandate.end_date is not None and mandate.end_date < date.today():
        raise AdminError(_l("Ce mandat est déjà terminé."))
    if end_date < mandate.start_date:
        start = display.format_date(mandate.start_date)
        raise AdminError(_l("La date de fin ne peut pas précéder le début du mandat (%(start)s).", start=start))
    data = {"person_id": mandate.person_id, "end_date": end_date, "previous_end_date": mandate.end_date}
    mandate.end_date = end_date
    db.session.flush()
    record("mandate.ended", tenant_id=mandate.tenant_id, actor_id=actor.id, obj=mandate, data=data)


def remove_grant(grant: TenantGrant, actor: Person) -> None:
    """Remove a grant, but never the admin's own admin grant: a collectivity must not lock itself out."""
    if grant.kind == GrantKind.TENANT_ADMIN and grant.person_id == actor.id:
        raise AdminError(
            _l(
                "Vous ne pouvez pas retirer votre propre droit d'administration :"
                " demandez-le à un autre administrateur."
            )
        )
    identity.remove_grant(grant, actor)


# --- Importing members from a spreadsheet ---------------------------------------------------------

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
REQUIRED_COLUMNS = ("email", "prenom", "nom", "assemblee", "role")
OPTIONAL_COLUMNS = ("groupe", "debut", "fin")
#: role codes accepted in the file: French (accents and case ignored) or the English code
ROLE_CODES = {
    **{role.value: role for role in MandateRole},
    "membre": MandateRole.MEMBER,
    "president": MandateRole.PRESIDENT,
    "presidente": MandateRole.PRESIDENT,
    "secretaire_de_seance": MandateRole.SECRETARY_OF_SITTING,
    "personnel": MandateRole.STAFF,
    "invite": MandateRole.GUEST,
    "invitee": MandateRole.GUEST,
}
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclasses.dataclass
class RowProblem:
    #: line of the file (the header is line 1)
    line: int
    #: column name as in the file; empty when the whole row is at fault
    column: str
    message: str


@dataclasses.dataclass
class ImportRow:
    line: int
    request: identity.MandateRequest
    #: after import: "created" (new account, invited), "existing" (account already on the platform),
    #: "created_earlier" (account created by an earlier line of the same file, at ``created_line``)
    outcome: str | None = None
    created_line: int | None = None
    mandate_id: int | None = None


@dataclasses.dataclass
class ImportReport:
    rows: list[ImportRow] = dataclasses.field(default_factory=list)
    problems: list[RowProblem] = dataclasses.field(default_factory=list)
    #: a fault of the whole file (encoding, size, columns), reported instead of row problems
    file_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.problems and bool(self.rows)


def _parse_date(text: str) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY (as French spreadsheets write dates); None when empty or invalid."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    return None


class _Lookup:
    """The tenant's assemblies, groups and mandates, loaded once to check every row against."""

    def __init__(self, tenant: Tenant):
        self.assemblies = assemblies(tenant)
        self.groups = {group.name.casefold(): group for group in political_groups(tenant)}
        query = sa.select(Person.email, Mandate.assembly_id, Mandate.role, Mandate.start_date, Mandate.end_date)
        self.mandates: dict[tuple, list[tuple]] = {}
        for email, assembly_id, role, start, end in db.session.execute(
            query.join(Mandate.person).where(Mandate.tenant_id == tenant.id)
        ):
            self.mandates.setdefault((email, assembly_id, role), []).append((start, end))

    def assembly(self, text: str):
        """The assembly named by key or exact name, or the French reason why not."""
        found = [a for a in self.assemblies if a.key.casefold() == text.casefold()]
        found = found or [a for a in self.assemblies if a.name.casefold() == text.casefold()]
        if not found:
            return None, _l("Assemblée inconnue « %(value)s » : indiquez son identifiant ou son nom exact.", value=text)
        if len(found) > 1:
            return None, _l("Plusieurs assemblées s'appellent « %(value)s » : indiquez leur identifiant.", value=text)
        if found[0].archived:
            return None, _l("L'assemblée « %(value)s » est archivée.", value=text)
        return found[0], None

    def holds(self, request: identity.MandateRequest) -> bool:
        """Whether the person already holds this mandate on overlapping dates."""
        held = self.mandates.get((request.email, request.assembly.id, request.role), [])
        end = request.end_date or date.max
        return any(start <= end and request.start_date <= (other_end or date.max) for start, other_end in held)


def check_members_csv(tenant: Tenant, data: bytes) -> ImportReport:
    """Parse and check every row of a members file; nothing is written.

    UTF-8 with or without BOM, ',' or ';' as separator (French Excel writes ';'). Every fault is reported
    with its line and column, so the admin fixes the whole file in one go.
    """
    report = ImportReport()
    if len(data) > MAX_IMPORT_BYTES:
        report.file_problem = _l("Le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers.")
        return report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_problem = _l(
            "Le fichier n'est pas encodé en UTF-8. Dans Excel, enregistrez-le au format « CSV UTF-8 »."
        )
        return report
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        report.file_problem = _l("Le fichier est vide.")
        return report
    separator = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        _check_rows(tenant, reader, report)
    except csv.Error as error:
        report.rows, report.problems = [], []
        report.file_problem = _l("Ligne %(line)s illisible : %(error)s", line=reader.line_num, error=str(error))
    return report


def _check_rows(tenant: Tenant, reader, report: ImportReport) -> None:
    header = next(row for row in reader if any(cell.strip() for cell in row))
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        columns.setdefault(_simplify(name), index)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        report.file_problem = _l(
            "Colonnes manquantes : %(missing)s. La première ligne doit nommer les colonnes %(expected)s.",
            missing=", ".join(missing),
            expected=", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
        )
        return
    lookup, seen, count = _Lookup(tenant), {}, 0
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_IMPORT_ROWS:
            report.rows, report.problems = [], []
            report.file_problem = _l(
                "Le fichier dépasse %(max)s lignes : découpez-le en plusieurs fichiers.", max=MAX_IMPORT_ROWS
            )
            return
        line = reader.line_num
        values = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
        request = _check_row(line, values, lookup, report.problems)
        if request is None:
            continue
        key = (request.email, request.assembly.id, request.role)
        if key in seen:
            message = _l(
                "Ligne en double : même personne, même assemblée et même rôle qu'à la ligne %(line)s.", line=seen[key]
            )
            report.problems.append(RowProblem(line, "", message))
        elif lookup.holds(request):
            report.problems.append(RowProblem(line, "assemblee", _l("Cette personne a déjà ce mandat à ces dates.")))
        else:
            seen[key] = line
            report.rows.append(ImportRow(line, request))
    if count == 0:
        report.file_problem = _l("Le fichier ne contient aucune ligne de membre sous l'en-tête.")


def _check_row(line: int, values: dict, lookup: _Lookup, problems: list[RowProblem]) -> identity.MandateRequest | None:
    """One row checked column by column; each fault is added to ``problems`` and the row is then None."""
    found_before = len(problems)

    def problem(column: str, message) -> None:
        problems.append(RowProblem(line, column, message))

    email = identity.normalize_email(values["email"])
    if not email:
        problem("email", _l("L'adresse e-mail est obligatoire."))
    elif len(email) > 254 or not EMAIL_PATTERN.fullmatch(email):
        problem("email", _l("Adresse e-mail invalide « %(value)s ».", value=values["email"]))
    for column, what in (("prenom", _l("Le prénom")), ("nom", _l("Le nom"))):
        if not values[column]:
            problem(column, _l("%(what)s est obligatoire.", what=what))
        elif len(values[column]) > 100:
            problem(column, _l("%(what)s dépasse 100 caractères.", what=what))
    assembly = None
    if not values["assemblee"]:
        problem("assemblee", _l("L'assemblée est obligatoire."))
    else:
        assembly, message = lookup.assembly(values["assemblee"])
        if message:
            problem("assemblee", message)
    role = ROLE_CODES.get(_simplify(values["role"]))
    if role is None:
        problem(
            "role",
            _l(
                "Rôle inconnu « %(value)s » : membre, president, secretaire_de_seance, personnel ou invite.",
                value=values["role"],
            ),
        )
    group = lookup.groups.get(values.get("groupe", "").casefold())
    if values.get("groupe") and group is None:
        problem("groupe", _l("Groupe politique inconnu « %(value)s ».", value=values["groupe"]))
    dates = {column: _parse_date(values.get(column, "")) for column in ("debut", "fin")}
    for column, parsed in dates.items():
        if values.get(column) and parsed is None:
            problem(column, _l("Date invalide « %(value)s » : écrivez AAAA-MM-JJ ou JJ/MM/AAAA.", value=values[column]))
    start, end = dates["debut"] or date.today(), dates["fin"]
    if end is not None and end < start:
        problem("fin", _l("La fin du mandat précède son début."))
    if len(problems) > found_before:
        return None
    return identity.MandateRequest(email, values["prenom"], values["nom"], assembly, role, start, end, group)


def import_members(tenant: Tenant, report: ImportReport, actor: Person) -> None:
    """Give every checked row its mandate, noting whether an account was created or an existing one used.

    Only for a report without problems; the caller commits once, so a file is imported whole or not at all.
    """
    if not report.ok:
        raise AdminError(_l("Le fichier contient des erreurs : rien n'a été importé."))
    created_at_line: dict[str, int] = {}
    for row in report.rows:
        existed = identity.person_by_email(row.request.email) is not None
        row.mandate_id = identity.give_mandate(tenant, row.request, actor).id
        if not existed:
            row.outcome, created_at_line[row.request.email] = "created", row.line
        elif row.request.email in created_at_line:
            row.outcome, row.created_line = "created_earlier", created_at_line[row.request.email]
        else:
            row.outcome = "existing"
    record("members.imported", tenant_id=tenant.id, actor_id=actor.id, data={"rows": len(report.rows)})
