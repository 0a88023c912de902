"""A tenant with an admin and a plain member, and a second tenant with its own admin and member.

Slugs and e-mails are generated, never fixed, so a test never depends on what another one left behind.
"""

import dataclasses
import re
import uuid

import pytest
import sqlalchemy as sa
from flask import g

from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, context
from saas.identity.models import GrantKind, Person
from saas.tenancy.models import Assembly, PoliticalGroup, Tenant
from tests.helpers import csrf_token, login


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


def unique_email(prefix: str = "nouveau") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.org"


def sign_in(client, person: Person) -> None:
    """Log ``person`` in; the test's application context outlives requests, so forget the cached user."""
    g.pop("_login_user", None)
    login(client, person)


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST with the caller's CSRF token (read from their account page), as the browser would."""
    g.pop("_login_user", None)
    token = csrf_token(client, "/account")
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


def text(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, to assert on what a reader sees."""
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&#34;", '"')


def audit_actions(session, tenant: Tenant) -> list[str]:
    with context(session, SYSTEM):
        query = sa.select(AuditEvent.action).where(AuditEvent.tenant_id == tenant.id).order_by(AuditEvent.seq)
        return list(session.execute(query).scalars())


def first_assembly(session, tenant: Tenant) -> Assembly:
    with context(session, SYSTEM):
        return session.execute(sa.select(Assembly).where(Assembly.tenant_id == tenant.id)).scalars().first()


def first_group(session, tenant: Tenant) -> PoliticalGroup:
    with context(session, SYSTEM):
        return session.execute(sa.select(PoliticalGroup).where(PoliticalGroup.tenant_id == tenant.id)).scalars().first()
