"""What a tenant admin does that identity and tenancy do not already offer: configure assemblies and
political groups, end mandates, remove grants safely, and import members from a spreadsheet.

Plain functions: they flush and audit, never commit (the view commits once).
"""

import dataclasses
import re
import unicodedata
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from saas.audit.operations import record
from saas.extensions import db
from saas.identity import operations as identity
from saas.identity.models import GrantKind, Mandate, Person, TenantGrant
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, PoliticalGroupKind, Tenant


class AdminError(ValueError):
    """A refusal to show the admin as is (a French message)."""


# --- Reading the tenant's configuration -----------------------------------------------------------


def assemblies(tenant: Tenant, *, include_archived: bool = True) -> list[Assembly]:
    query = sa.select(Assembly).where(Assembly.tenant_id == tenant.id).order_by(Assembly.archived, Assembly.name)
    if not include_archived:
        query = query.where(Assembly.archived.is_(False))
    return list(db.session.execute(query).scalars())


def political_groups(tenant: Tenant) -> list[PoliticalGroup]:
    query = sa.select(PoliticalGroup).where(PoliticalGroup.tenant_id == tenant.id).order_by(PoliticalGroup.name)
    return list(db.session.execute(query).scalars())


def mandates(tenant: Tenant, assembly: Assembly | None = None) -> list[Mandate]:
    """The tenant's mandates only: the filter is explicit because a person's own rows of other
    tenants are visible in the request context too."""
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
    """Everyone holding a mandate or a grant in the tenant: the only people an admin may give rights to."""
    with_mandate = sa.select(Mandate.person_id).where(Mandate.tenant_id == tenant.id)
    with_grant = sa.select(TenantGrant.person_id).where(TenantGrant.tenant_id == tenant.id)
    query = (
        sa.select(Person)
        .where(sa.or_(Person.id.in_(with_mandate), Person.id.in_(with_grant)))
        .order_by(Person.last_name, Person.first_name)
    )
    return list(db.session.execute(query).scalars())


# --- Assemblies and political groups --------------------------------------------------------------


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:63] or "assemblee"


def _key_taken(tenant: Tenant, key: str) -> bool:
    query = sa.select(Assembly.id).where(Assembly.tenant_id == tenant.id, Assembly.key == key)
    return db.session.execute(query).first() is not None


def create_assembly(
    tenant: Tenant, *, name: str, kind: AssemblyKind, seats: int | None, key: str | None, actor: Person
) -> Assembly:
    """A new assembly; its key (the name in tenant files) is derived from the name unless given."""
    if key:
        if _key_taken(tenant, key):
            raise AdminError(_l("Une assemblée porte déjà l'identifiant « %(key)s ».", key=key))
    else:
        base = key = slugify(name)
        number = 2
        while _key_taken(tenant, key):
            key, number = f"{base[:58]}-{number}", number + 1
    assembly = Assembly(tenant_id=tenant.id, key=key, name=name.strip(), kind=kind, seats=seats)
    db.session.add(assembly)
    db.session.flush()
    record(
        "assembly.created",
        tenant_id=tenant.id,
        actor_id=actor.id,
        obj=assembly,
        data={"key": key, "name": assembly.name, "kind": kind.value, "seats": seats},
    )
    return assembly


def update_assembly(assembly: Assembly, *, name: str, kind: AssemblyKind, seats: int | None, actor: Person) -> None:
    before = {"name": assembly.name, "kind": assembly.kind.value, "seats": assembly.seats}
    assembly.name, assembly.kind, assembly.seats = name.strip(), kind, seats
    after = {"name": assembly.name, "kind": kind.value, "seats": seats}
    if after != before:
        db.session.flush()
        record("assembly.updated", tenant_id=assembly.tenant_id, actor_id=actor.id, obj=assembly, data={"before": before, "after": after})


def set_assembly_archived(assembly: Assembly, archived: bool, actor: Person) -> None:
    """Archive (or bring back) an assembly: council records are never deleted, they stop taking new work."""
    if assembly.archived == archived:
        return
    assembly.archived = archived
    db.session.flush()
    action = "assembly.archived" if archived else "assembly.restored"
    record(action, tenant_id=assembly.tenant_id, actor_id=actor.id, obj=assembly)


def _group_name_taken(tenant_id: int, name: str, except_id: int | None = None) -> bool:
    query = sa.select(PoliticalGroup.id).where(
        PoliticalGroup.tenant_id == tenant_id, sa.func.lower(PoliticalGroup.name) == name.strip().lower()
    )
    if except_id is not None:
        query = query.where(PoliticalGroup.id != except_id)
    return db.session.execute(query).first() is not None


def create_group(tenant: Tenant, *, name: str, kind: PoliticalGroupKind, actor: Person) -> PoliticalGroup:
    if _group_name_taken(tenant.id, name):
        raise AdminError(_l("Un groupe politique porte déjà ce nom."))
    group = PoliticalGroup(tenant_id=tenant.id, name=name.strip(), kind=kind)
    db.session.add(group)
    db.session.flush()
    record("political_group.created", tenant_id=tenant.id, actor_id=actor.id, obj=group, data={"name": group.name, "kind": kind.value})
    return group


def update_group(group: PoliticalGroup, *, name: str, kind: PoliticalGroupKind, actor: Person) -> None:
    if _group_name_taken(group.tenant_id, name, except_id=group.id):
        raise AdminError(_l("Un groupe politique porte déjà ce nom."))
    before = {"name": group.name, "kind": group.kind.value}
    group.name, group.kind = name.strip(), kind
    after = {"name": group.name, "kind": kind.value}
    if after != before:
        db.session.flush()
        record("political_group.updated", tenant_id=group.tenant_id, actor_id=actor.id, obj=group, data={"before": before, "after": after})


# --- Mandates and grants --------------------------------------------------------------------------


def end_mandate(mandate: Mandate, end_date: date, actor: Person) -> None:
    """End a mandate on ``end_date`` (its last day). Mandates are council records: never deleted."""
    if mandate.end_date is not None and mandate.end_date < date.today():
        raise AdminError(_l("Ce mandat est déjà terminé."))
    if end_date < mandate.start_date:
        raise AdminError(_l("La date de fin ne peut pas précéder le début du mandat (%(start)s).", start=mandate.start_date.strftime("%d/%m/%Y")))
    previous = mandate.end_date
    mandate.end_date = end_date
    db.session.flush()
    record(
        "mandate.ended",
        tenant_id=mandate.tenant_id,
        actor_id=actor.id,
        obj=mandate,
        data={"person_id": mandate.person_id, "end_date": end_date.isoformat(), "previous_end_date": previous},
    )


def remove_grant(grant: TenantGrant, actor: Person) -> None:
    """Remove a grant, except the admin's own admin grant: a collectivity must never lock itself out."""
    if grant.kind == GrantKind.TENANT_ADMIN and grant.person_id == actor.id:
        raise AdminError(_l("Vous ne pouvez pas retirer votre propre droit d'administration : demandez-le à un autre administrateur."))
    identity.remove_grant(grant, actor)


