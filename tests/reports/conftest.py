"""A collectivity with a service, its head and a drafter, built with the shared factories (by name only)."""

import dataclasses

import pytest

from saas.core.database import SYSTEM, TenantContext, context
from saas.identity.models import Person
from saas.reports import operations as reports
from saas.reports.models import Service
from saas.tenancy.models import Assembly, Tenant


@dataclasses.dataclass
class Drafting:
    tenant: Tenant
    council: Assembly
    service: Service
    head: Person
    drafter: Person


@pytest.fixture
def make_drafting(session, create_tenant, create_person):
    def make() -> Drafting:
        tenant = create_tenant()
        head, drafter = create_person(), create_person()
        with context(session, SYSTEM):
            service = reports.create_service(tenant, "Direction des finances", head=head, actor=None)
            reports.give_drafter_grant(drafter, service, actor=None)
        return Drafting(tenant=tenant, council=tenant.assemblies[0], service=service, head=head, drafter=drafter)

    return make


@pytest.fixture
def drafting(make_drafting) -> Drafting:
    return make_drafting()


@pytest.fixture
def as_person(session):
    def enter(person: Person, tenant: Tenant):
        return context(session, TenantContext(tenant_id=tenant.id, person_id=person.id))

    return enter
