"""Who may do what: the one place access rules live. An unknown permission is an error, never a "no"."""

from datetime import date

import sqlalchemy as sa
from flask import abort, g

from saas.core.database import TenantContext, context, set_context
from saas.core.extensions import db
from saas.identity.models import GrantKind, Person
from saas.tenancy.models import Assembly, Tenant

#: named permissions inside a tenant, and what they mean
TENANT_PERMISSIONS = {
    "admin": "configure the collectivity: assemblies, members and mandates, political groups",
    "secretary": "prepare and convene the sittings of an assembly",
}
PLATFORM_PERMISSIONS = {
    "operator": "run the platform: provisioning, outbox, queues",
    "coordinator": "run the purchasing group's shared contract",
}


def _own_rows(person: Person):
    return context(db.session, TenantContext(person_id=person.id))


def can_access_tenant(person: Person, tenant: Tenant) -> bool:
    """A current mandate or any grant in the tenant."""
    today = date.today()
    with _own_rows(person):
        return any(m.tenant_id == tenant.id and m.in_office_on(today) for m in person.mandates) or any(
            g.tenant_id == tenant.id for g in person.grants
        )


def can_access_assembly(person: Person, assembly: Assembly) -> bool:
    today = date.today()
    with _own_rows(person):
        if any(m.assembly_id == assembly.id and m.in_office_on(today) for m in person.mandates):
            return True
    return can_manage(person, "secretary", assembly.tenant, assembly) or can_manage(person, "admin", assembly.tenant)


def can_manage(person: Person, permission: str, tenant: Tenant, assembly: Assembly | None = None) -> bool:
    if permission not in TENANT_PERMISSIONS:
        raise KeyError(f"unknown tenant permission {permission!r}")
    with _own_rows(person):
        grants = [g for g in person.grants if g.tenant_id == tenant.id]
    if any(g.kind == GrantKind.TENANT_ADMIN for g in grants):
        return True
    if permission == "secretary":
        return any(g.kind == GrantKind.SECRETARY and (assembly is None or g.assembly_id == assembly.id) for g in grants)
    return False


def has_platform_role(person: Person, role: str) -> bool:
    if role not in PLATFORM_PERMISSIONS:
        raise KeyError(f"unknown platform permission {role!r}")
    return bool(getattr(person, f"is_{role}"))


def enter_tenant(slug: str, person: Person) -> Tenant:
    """The tenant ``slug`` if ``person`` may see it (404 otherwise, exactly like an unknown slug)."""
    tenant = db.session.execute(sa.select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None or not can_access_tenant(person, tenant):
        abort(404)
    set_context(db.session, TenantContext(tenant_id=tenant.id, person_id=person.id))
    g.tenant = tenant
    return tenant


def get_assembly_or_404(assembly_id: int, person: Person) -> Assembly:
    """An assembly of the current tenant that ``person`` may see."""
    assembly = db.session.get(Assembly, assembly_id)
    if assembly is None or assembly.tenant_id != g.tenant.id or not can_access_assembly(person, assembly):
        abort(404)
    return assembly
