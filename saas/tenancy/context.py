"""Entering a tenant named in the URL: 404 unless the caller may see it, then the tenant context."""

import sqlalchemy as sa
from flask import abort, g

from saas.database import TenantContext, set_context
from saas.extensions import db
from saas.identity.access import can_access_assembly, can_access_tenant
from saas.identity.models import Person
from saas.tenancy.models import Assembly, Tenant


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
