"""``quorum audit verify`` finds an altered, a deleted and two swapped events, and names them.

The chain must be committed for the command to read it, and the tampering breaks it for good, so each
test runs on an installation of its own (tests.fixtures.instances.fresh_app). On PostgreSQL the
tampering also shows the guard: the application role may not UPDATE audit events at all, and even the
table owner is stopped by the append-only trigger; only a superuser with triggers off gets through.
"""

import itertools
import re

import psycopg
import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.audit.operations import record
from saas.core.database import commit
from saas.core.extensions import db
from saas.tenancy.models import Tenant, TenantKind
from tests import services
from tests.fixtures.instances import admin_connection, fresh_app, production, role_connection, system_session

_numbers = itertools.count(1)


@pytest.fixture
def chains(tmp_path, smtp_server):
    """Three committed events in each of two tenant chains and in the platform chain."""
    with fresh_app(tmp_path, "audit", smtp_server.port) as app:
        with system_session(app) as session:
            tenants = []
            for _ in range(2):
                n = next(_numbers)
                tenant = Tenant(
                    slug=f"audit-{n}",
                    name=f"Commune {n}",
                    kind=TenantKind.COMMUNE,
                    siren=f"{n:09d}",
                    population=900,
                )
                session.add(tenant)
                session.flush()
                tenants.append(tenant)
            for tenant in tenants:
                for i in range(1, 4):
                    record("test.event", tenant_id=tenant.id, data={"n": i})
            for i in range(1, 4):
                record("test.platform", data={"n": i})
            commit(session)
            keys = [f"tenant:{t.id}" for t in tenants]
        yield app, keys


def verify(app) -> tuple[int, dict[str, str]]:
    """Run ``quorum audit verify``; return its exit code and its line for each chain."""
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    lines = dict(line.split(": ", 1) for line in result.output.splitlines() if ": " in line)
    return result.exit_code, lines


def event_id(app, chain: str, seq: int) -> int:
    with system_session(app) as session:
        return session.execute(
            sa.select(AuditEvent.id).where(AuditEvent.chain == chain, AuditEvent.seq == seq)
        ).scalar_one()


def tamper(app, *statements: tuple[str, dict]) -> None:
    """Run raw SQL around the guards: as a superuser with triggers off on PostgreSQL, directly on SQLite."""
    if production():
        with admin_connection(app.config["TEST_DATABASE_NAME"]) as connection, connection.transaction():
            connection.execute("SET LOCAL session_replication_role = replica")
            for sql, params in statements:
                connection.execute(re.sub(r":(\w+)", r"%(\1)s", sql), params)
        return
    with app.app_context(), db.engine.begin() as connection:
        for sql, params in statements:
            connection.execute(sa.text(sql), params)


def test_intact_chains_are_reported_intact(chains):
    app, (first, second) = chains
    code, lines = verify(app)
    assert code == 0
    for chain in (first, second, "platform"):
        assert lines[chain] == "3 events, intact"


def test_altered_event_is_named(chains):
    app, (first, second) = chains
    altered = event_id(app, first, 2)
    if production():
        assert_postgres_refuses_changes(app, altered)
    tamper(app, ("UPDATE audit_event SET data = :data WHERE id = :id", {"data": '{"n": 99}', "id": altered}))
    code, lines = verify(app)
    assert code != 0
    assert lines[first] == f"3 events, BROKEN: event #2 (id {altered}) was altered"
    assert lines[second] == "3 events, intact" and lines["platform"] == "3 events, intact"


def test_deleted_middle_event_is_reported_missing(chains):
    app, (first, _) = chains
    tamper(app, ("DELETE FROM audit_event WHERE id = :id", {"id": event_id(app, first, 2)}))
    code, lines = verify(app)
    assert code != 0
    assert f"event #2 is missing (found #3 next, id {event_id(app, first, 3)})" in lines[first]


def test_deleted_last_event_is_reported_missing(chains):
    app, (_, second) = chains
    tamper(app, ("DELETE FROM audit_event WHERE id = :id", {"id": event_id(app, second, 3)}))
    code, lines = verify(app)
    assert code != 0
    assert "events #3 to #3 are missing at the end of the chain" in lines[second]


def test_swapped_events_are_reported(chains):
    app, (first, _) = chains
    two, three = event_id(app, first, 2), event_id(app, first, 3)
    tamper(
        app,
        ("UPDATE audit_event SET seq = -1 WHERE id = :id", {"id": two}),
        ("UPDATE audit_event SET seq = 2 WHERE id = :id", {"id": three}),
        ("UPDATE audit_event SET seq = 3 WHERE id = :id", {"id": two}),
    )
    code, lines = verify(app)
    assert code != 0
    assert lines[first] == f"3 events, BROKEN: event #2 (id {three}) does not follow event #1: reordered or replaced"


def assert_postgres_refuses_changes(app, target: int) -> None:
    """Three guards: the app role lacks the privilege, row-level security gives even the owner no row to
    update, and the append-only trigger stops whoever bypasses row-level security (a superuser)."""
    dbname = app.config["TEST_DATABASE_NAME"]
    forge = "UPDATE audit_event SET action = 'forged' WHERE id = %s"
    with role_connection(dbname, services.APP_ROLE) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(forge, (target,))
        connection.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute("DELETE FROM audit_event WHERE id = %s", (target,))
        connection.rollback()
    with role_connection(dbname, services.OWNER_ROLE) as connection:
        connection.execute("SELECT set_config('quorum.system', 'on', true)")
        assert connection.execute(forge, (target,)).rowcount == 0
        connection.rollback()
    with admin_connection(dbname) as connection:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            connection.execute(forge, (target,))
