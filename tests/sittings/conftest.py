"""Factories for sittings: a sitting of a tenant's council, convened or not, with agenda items."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, TenantContext, context
from saas.sittings import operations
from saas.sittings.models import SittingStatus

#: Monday 15 March 2027 at 18:00 in Paris, well after the fixtures' mandates start (1 January 2026)
MONDAY_15_MARCH_2027 = datetime(2027, 3, 15, 17, 0, tzinfo=UTC)


@pytest.fixture
def in_tenant(session):
    """Run a block inside ``tenant`` as ``person`` (or as nobody in particular), like a request would."""

    def enter(tenant, person=None):
        return context(session, TenantContext(tenant_id=tenant.id, person_id=person.id if person else None))

    return enter


@pytest.fixture
def create_sitting(session, in_tenant):
    def create(tenant, starts_at=MONDAY_15_MARCH_2027, convene=True, items=1, assembly=None, **values):
        with in_tenant(tenant):
            sitting = operations.create_sitting(
                tenant,
                assembly or tenant.assemblies[0],
                starts_at=starts_at,
                place=values.pop("place", "Salle du conseil"),
                actor=None,
                **values,
            )
            for n in range(items):
                operations.add_item(sitting, title=f"Point {n + 1}", actor=None)
            if convene:
                operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=starts_at - timedelta(days=30))
        return sitting

    return create


@pytest.fixture
def audit_events(session):
    """The audit events of ``tenant`` with this action, as (object_id, data) pairs."""

    def events(tenant, action):
        with context(session, SYSTEM):
            rows = session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.tenant_id == tenant.id, AuditEvent.action == action)
                .order_by(AuditEvent.seq)
            ).scalars()
            return [(row.object_id, json.loads(row.data)) for row in rows]

    return events
