"""Tenant pages: a collectivity's home and an assembly page; and the mandates a person holds anywhere.

Mandates are the person's own rows, readable from any tenant; the assemblies and political groups they
name belong to each tenant and are read in that tenant's context, one tenant at a time, so that the
ORM filter and row-level security never have to be bypassed.
"""

import dataclasses
from datetime import date

import sqlalchemy as sa
from flask import g, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from saas.core.database import TenantContext, context
from saas.core.extensions import db
from saas.identity.access import can_access_assembly, can_manage, get_assembly_or_404
from saas.identity.models import GrantKind, Mandate, MandateRole, Person, TenantGrant
from saas.identity.web import tenant_blueprint
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, Tenant, TenantKind

bp = tenant_blueprint("tenancy", __name__)

ROLE_LABELS = {
    MandateRole.MEMBER: _l("Membre"),
    MandateRole.PRESIDENT: _l("Président ou présidente"),
    MandateRole.SECRETARY_OF_SITTING: _l("Secrétaire de séance"),
    MandateRole.STAFF: _l("Agent"),
    MandateRole.GUEST: _l("Invité ou invitée"),
}
ASSEMBLY_KIND_LABELS = {
    AssemblyKind.COUNCIL: _l("Conseil"),
    AssemblyKind.BUREAU: _l("Bureau"),
    AssemblyKind.STANDING_COMMITTEE: _l("Commission permanente"),
    AssemblyKind.COMMITTEE: _l("Commission"),
}
TENANT_KIND_LABELS = {
    TenantKind.COMMUNE: _l("Commune"),
    TenantKind.EPCI: _l("Intercommunalité (EPCI)"),
    TenantKind.DEPARTEMENT: _l("Département"),
    TenantKind.REGION: _l("Région"),
    TenantKind.SYNDICAT: _l("Syndicat"),
}
GRANT_LABELS = {GrantKind.TENANT_ADMIN: _l("Administration"), GrantKind.SECRETARY: _l("Secrétariat")}
QUORUM_RULE_LABELS = {
    "half_physically_present": _l("La majorité des membres en exercice doit être physiquement présente."),
    "absolute_majority_in_office": _l("La majorité absolue des membres en exercice doit être présente."),
}
NOTICE_COUNTING_LABELS = {"clear": _l("jours francs"), "plain": _l("jours")}


@dataclasses.dataclass(frozen=True)
class Seat:
    """One current mandate of a person, with the names it needs to be shown."""

    tenant: Tenant
    assembly_id: int
    assembly_name: str
    assembly_kind: AssemblyKind
    role: MandateRole
    group_name: str | None


@dataclasses.dataclass(frozen=True)
class Right:
    """One grant of a person: administration of a tenant, or the secretariat of one of its assemblies."""

    tenant: Tenant
    kind: GrantKind
    assembly_id: int | None
    assembly_name: str | None


def _current(column_start, column_end, on: date):
    return sa.and_(column_start <= on, sa.or_(column_end.is_(None), column_end >= on))


def _names_in_tenant(tenant_id: int, person: Person, assembly_ids: set, group_ids: set) -> tuple[dict, dict]:
    """Assembly (name, kind) and group names of one tenant, read in that tenant's context."""
    with context(db.session, TenantContext(tenant_id=tenant_id, person_id=person.id)):
        assemblies = {
            row.id: (row.name, row.kind)
            for row in db.session.execute(
                sa.select(Assembly.id, Assembly.name, Assembly.kind).where(
                    Assembly.tenant_id == tenant_id, Assembly.id.in_(assembly_ids)
                )
            )
        }
        groups = dict(
            db.session.execute(
                sa.select(PoliticalGroup.id, PoliticalGroup.name).where(
                    PoliticalGroup.tenant_id == tenant_id, PoliticalGroup.id.in_(group_ids)
                )
            ).all()
        )
    return assemblies, groups


def current_seats(person: Person, on: date | None = None) -> list[Seat]:
    """Every current mandate of ``person`` in every collectivity, ordered by tenant then assembly name."""
    on = on or date.today()
    with context(db.session, TenantContext(person_id=person.id)):
        rows = db.session.execute(
            sa.select(Mandate.tenant_id, Mandate.assembly_id, Mandate.role, Mandate.political_group_id)
            .where(Mandate.person_id == person.id, _current(Mandate.start_date, Mandate.end_date, on))
            .order_by(Mandate.id)
        ).all()
    seats = []
    for tenant_id in {row.tenant_id for row in rows}:
        tenant = db.session.get(Tenant, tenant_id)
        mine = [row for row in rows if row.tenant_id == tenant_id]
        assemblies, groups = _names_in_tenant(
            tenant_id,
            person,
            {r.assembly_id for r in mine},
            {r.political_group_id for r in mine if r.political_group_id},
        )
        for row in mine:
            name, kind = assemblies[row.assembly_id]
            seats.append(Seat(tenant, row.assembly_id, name, kind, row.role, groups.get(row.political_group_id)))
    return sorted(seats, key=lambda s: (s.tenant.name.casefold(), s.assembly_name.casefold(), s.assembly_id))


def current_rights(person: Person) -> list[Right]:
    with context(db.session, TenantContext(person_id=person.id)):
        rows = db.session.execute(
            sa.select(TenantGrant.tenant_id, TenantGrant.kind, TenantGrant.assembly_id)
            .where(TenantGrant.person_id == person.id)
            .order_by(TenantGrant.id)
        ).all()
    rights = []
    for row in rows:
        name = None
        if row.assembly_id is not None:
            assemblies, _ = _names_in_tenant(row.tenant_id, person, {row.assembly_id}, set())
            name = assemblies[row.assembly_id][0]
        rights.append(Right(db.session.get(Tenant, row.tenant_id), row.kind, row.assembly_id, name))
    return sorted(rights, key=lambda r: (r.tenant.name.casefold(), r.kind.value, r.assembly_name or ""))


def group_by_tenant(seats: list[Seat]) -> list[tuple[Tenant, list[Seat]]]:
    grouped: dict[int, tuple[Tenant, list[Seat]]] = {}
    for seat in seats:
        grouped.setdefault(seat.tenant.id, (seat.tenant, []))[1].append(seat)
    return list(grouped.values())


def labels() -> dict:
    """Translated names of enum values, for the templates."""
    return {
        "role_labels": ROLE_LABELS,
        "assembly_kind_labels": ASSEMBLY_KIND_LABELS,
        "tenant_kind_labels": TENANT_KIND_LABELS,
    }


@bp.get("/")
def home():
    """The assemblies of this collectivity the caller may open, with their role where they sit."""
    roles = {s.assembly_id: s.role for s in current_seats(current_user) if s.tenant.id == g.tenant.id}
    assemblies = db.session.execute(
        sa.select(Assembly).where(Assembly.tenant_id == g.tenant.id).order_by(Assembly.archived, Assembly.name)
    ).scalars()
    visible = [a for a in assemblies if a.id in roles or can_access_assembly(current_user, a)]
    return render_template("tenancy/home.html", tenant=g.tenant, assemblies=visible, roles=roles, **labels())


@bp.get("/a/<int:assembly_id>")
def assembly(assembly_id: int):
    """An assembly: its legal rules, its current members, and a switcher to the caller's other seats."""
    assembly = get_assembly_or_404(assembly_id, current_user)
    try:
        rules = tenant_rules(g.tenant)
    except LookupError:
        rules = None
    members = db.session.execute(
        sa.select(Mandate.role, Person.first_name, Person.last_name, PoliticalGroup.name.label("group_name"))
        .join(Person, Person.id == Mandate.person_id)
        .outerjoin(PoliticalGroup, PoliticalGroup.id == Mandate.political_group_id)
        .where(
            Mandate.tenant_id == g.tenant.id,
            Mandate.assembly_id == assembly.id,
            _current(Mandate.start_date, Mandate.end_date, date.today()),
        )
        .order_by(Person.last_name, Person.first_name)
    ).all()
    others = [s for s in current_seats(current_user) if s.assembly_id != assembly.id]
    return render_template(
        "tenancy/assembly.html",
        tenant=g.tenant,
        assembly=assembly,
        is_secretary=can_manage(current_user, "secretary", g.tenant, assembly),
        rules=rules,
        quorum_rule_labels=QUORUM_RULE_LABELS,
        notice_counting_labels=NOTICE_COUNTING_LABELS,
        members=members,
        others=group_by_tenant(others),
        **labels(),
    )
