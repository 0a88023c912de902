"""The automatic ORM filter and, on PostgreSQL, row-level security hide other tenants' rows."""

import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context
from saas.identity.models import Mandate
from saas.tenancy.models import Assembly, Tenant
from tests import services


def test_orm_filter_shows_only_the_current_tenant(session, create_tenant):
    a, b = create_tenant(), create_tenant()
    with context(session, TenantContext(tenant_id=a.id)):
        session.expunge_all()
        assemblies = session.execute(sa.select(Assembly)).scalars().all()
        assert {x.tenant_id for x in assemblies} == {a.id}
    with context(session, TenantContext(tenant_id=b.id)):
        session.expunge_all()
        assert {x.tenant_id for x in session.execute(sa.select(Assembly)).scalars()} == {b.id}


def test_no_context_sees_nothing(session, create_tenant):
    create_tenant()
    with context(session, TenantContext()):
        session.expunge_all()
        assert session.execute(sa.select(Assembly)).scalars().all() == []


def test_person_reads_own_mandates_across_tenants(session, create_tenant, create_person, give_mandate):
    a, b, c = create_tenant(), create_tenant(), create_tenant()
    member, other = create_person(), create_person()
    give_mandate(member, a)
    give_mandate(member, b)
    give_mandate(other, c)
    with context(session, TenantContext(person_id=member.id)):
        session.expunge_all()
        mandates = session.execute(sa.select(Mandate)).scalars().all()
        assert {m.tenant_id for m in mandates} == {a.id, b.id}
    with context(session, TenantContext(tenant_id=a.id, person_id=other.id)):
        session.expunge_all()
        mandates = session.execute(sa.select(Mandate)).scalars().all()
        assert {m.tenant_id for m in mandates} == {a.id, c.id}


def test_a_lazy_load_takes_the_context_of_its_moment_not_of_the_objects_load(session, create_tenant, create_person):
    """A page's collectivity, expired by a commit, is loaded again by the navigation for the person alone
    (« À traiter » crosses collectivities); read on by system code, it still has its assemblies: the filter
    of the query that loaded it does not stick to its relationships."""
    a = create_tenant()
    person = create_person()
    with context(session, TenantContext(tenant_id=a.id)):
        tenant = session.get(Tenant, a.id)
    session.expire(tenant)
    with context(session, TenantContext(person_id=person.id)):
        session.execute(sa.select(Tenant).where(Tenant.id == a.id)).scalar_one()
    with context(session, SYSTEM):
        assert tenant.assemblies and {x.tenant_id for x in tenant.assemblies} == {a.id}


def test_raw_sql_sees_only_current_tenant_on_postgresql(session, create_tenant):
    """Row-level security: even a raw SELECT, as the application role, returns no row of tenant B."""
    a, b = create_tenant(), create_tenant()
    with context(session, TenantContext(tenant_id=a.id)):
        rows = session.execute(sa.text("SELECT tenant_id FROM assembly")).scalars().all()
        role = (
            session.execute(sa.text("SELECT current_user")).scalar_one() if services.profile() == "production" else None
        )
    if services.profile() == "production":
        assert role == services.APP_ROLE
        assert set(rows) == {a.id}
    else:
        assert b.id in rows  # SQLite has no row-level security: the ORM filter is the guard there
