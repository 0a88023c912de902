"""A tenant with an admin and a plain member, and a second tenant with its own admin and member.

Slugs and e-mails are generated, never fixed, so a test never depends on what another one left behind.
"""

import dataclasses

import pytest

from saas.identity.models import GrantKind, Person
from saas.tenancy.models import Tenant


@dataclasses.dataclass
class World:
    tenant: Tenant
    admin: Person
    member: Person
    other_tenant: Tenant
    other_admin: Person
    other_member: Person

    def url(self, path: str = "") -> str:
        return f"/t/{self.tenant.slug}/admin/{path}"


@pytest.fixture
def world(session, create_tenant, create_person, give_mandate, give_grant) -> World:
    tenant = create_tenant()
    other = create_tenant()
    admin = create_person(first_name="Alice", last_name="Admin")
    give_mandate(admin, tenant)
    give_grant(admin, tenant, GrantKind.TENANT_ADMIN)
    member = create_person(first_name="Marc", last_name="Membre")
    give_mandate(member, tenant)
    other_admin = create_person(first_name="Bruno", last_name="Badmin")
    give_mandate(other_admin, other)
    give_grant(other_admin, other, GrantKind.TENANT_ADMIN)
    other_member = create_person(first_name="Béa", last_name="Bmembre")
    give_mandate(other_member, other)
    return World(tenant, admin, member, other, other_admin, other_member)
