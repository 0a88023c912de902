"""Tables of saas.identity.mandates.operations."""

import dataclasses
from datetime import date

import sqlalchemy as sa

from saas.core.database import TenantContext, context
from saas.core.extensions import db
from saas.identity.models import GrantKind, Mandate, MandateRole, Person, TenantGrant
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, Tenant


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
            .where(Mandate.person_id == person.id, Mandate.in_office_on(on))
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


def members_in_office(assembly: Assembly, on: date) -> list:
    """Who sits in ``assembly`` on day ``on``: role, names and political group, by name."""
    return db.session.execute(
        sa.select(Mandate.role, Person.first_name, Person.last_name, PoliticalGroup.name.label("group_name"))
        .join(Person, Person.id == Mandate.person_id)
        .outerjoin(PoliticalGroup, PoliticalGroup.id == Mandate.political_group_id)
        .where(Mandate.tenant_id == assembly.tenant_id, Mandate.assembly_id == assembly.id, Mandate.in_office_on(on))
        .order_by(Person.last_name, Person.first_name)
    ).all()
