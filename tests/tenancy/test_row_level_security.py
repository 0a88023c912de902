"""Every tenant-owned table is isolated twice: by the ORM filter (both columns) and, on PostgreSQL, by row-level
security enabled and forced, with a policy. The tables are found from the mapped classes deriving
``TenantScoped``, never from a hand list, so a new tenant table without its isolation fails here.

Each check is also run against a table built inside the test transaction without isolation (and then with
it, step by step), to show that the check can fail."""

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from saas.core.database import Base, PersonOwned, TenantContext, TenantOwned, TenantScoped, context
from tests import services

#: a tenant id no fixture creates: the ORM filter's parameter is recognisable in the SQL
SENTINEL_TENANT = 987_654_321
SENTINEL_PERSON = 987_654_322


def tenant_classes(registry: sa.orm.registry) -> list[type]:
    """The mapped classes of ``registry`` whose rows belong to one collectivity."""
    return sorted(
        (mapper.class_ for mapper in registry.mappers if issubclass(mapper.class_, TenantScoped)),
        key=lambda cls: cls.__tablename__,
    )


def isolation_faults(connection: sa.Connection, tables: list[str]) -> dict[str, list[str]]:
    """On PostgreSQL, what each table lacks: row-level security enabled, forced, a policy."""
    faults = {}
    for table in tables:
        row = connection.execute(
            sa.text(
                "SELECT c.relrowsecurity, c.relforcerowsecurity,"
                " (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)"
                " FROM pg_class c WHERE c.oid = to_regclass(:table)"
            ),
            {"table": table},
        ).one_or_none()
        if row is None:
            faults[table] = ["no such table"]
            continue
        enabled, forced, policies = row
        missing = [
            name for name, present in (("ENABLE", enabled), ("FORCE", forced), ("POLICY", policies > 0)) if not present
        ]
        if missing:
            faults[table] = missing
    return faults


def orm_filter_faults(session, classes: list[type]) -> list[str]:
    """The tables a query made inside one tenant reads without the tenant filter (the ORM's own isolation,
    which also holds on SQLite): the SQL sent must compare ``tenant_id`` with the context's tenant."""
    sent = []

    def capture(conn, cursor, statement, parameters, execution_context, executemany):
        sent.append((statement, parameters))

    connection = session.connection()
    sa.event.listen(connection, "before_cursor_execute", capture)
    faults = []
    try:
        with context(session, TenantContext(tenant_id=SENTINEL_TENANT, person_id=SENTINEL_PERSON)):
            for cls in classes:
                sent.clear()
                session.execute(sa.select(cls).limit(1)).all()
                statement, parameters = sent[-1]
                values = parameters.values() if isinstance(parameters, dict) else parameters
                if "tenant_id" not in statement.split("WHERE", 1)[-1] or SENTINEL_TENANT not in values:
                    faults.append(cls.__tablename__)
                elif issubclass(cls, PersonOwned) and SENTINEL_PERSON not in values:
                    faults.append(cls.__tablename__)
    finally:
        sa.event.remove(connection, "before_cursor_execute", capture)
    return faults


def test_tenant_tables_are_found_from_the_mapped_classes(app):
    tables = {cls.__tablename__ for cls in tenant_classes(Base.registry)}
    assert {"assembly", "mandate", "document", "annotation", "signature_request"} <= tables
    assert "tenant" not in tables and "person" not in tables
    assert len(tables) >= 20


#: tables with a tenant column whose rows are not one collectivity's alone, and why
NOT_TENANT_SCOPED = {
    "audit_event": "one hash chain per tenant plus the platform's (tenant_id NULL): policies of its own, append-only",
    "outbound_mail": "platform mail too (tenant_id NULL): read by the mail worker as the system",
    "purchasing_membership": "a purchasing group spans collectivities: its coordinator reads every membership",
    "purchasing_statement_line": "a group's cost statement has one line per member collectivity",
}


def test_a_table_with_a_tenant_column_is_tenant_scoped_or_says_why_not(app):
    """A new model with ``tenant_id`` that forgot ``TenantOwned``/``PersonOwned`` is neither filtered by the ORM
    nor listed in the RLS check: it fails here instead."""
    unscoped = {
        mapper.local_table.name
        for mapper in Base.registry.mappers
        if "tenant_id" in mapper.local_table.c and not issubclass(mapper.class_, TenantScoped)
    }
    assert unscoped == set(NOT_TENANT_SCOPED)


def test_every_tenant_table_is_filtered_by_the_orm_and_on_postgresql_by_forced_rls_with_a_policy(session):
    classes = tenant_classes(Base.registry)
    assert orm_filter_faults(session, classes) == []
    if services.profile() == "production":  # SQLite has no row-level security: the ORM filter is all there is
        tables = [cls.__tablename__ for cls in classes] + ["audit_event"]
        assert isolation_faults(session.connection(), tables) == {}


# --- The checks fail on a table without isolation ----------------------------------------------------


class Scratch(DeclarativeBase):
    """A registry of its own, as a new area's models would be before anyone wrote their migration."""


class NewTenantTable(Scratch, TenantOwned):
    __tablename__ = "scratch_tenant_rows"
    id: Mapped[int] = mapped_column(primary_key=True)


class ForgotTheMixin(Scratch):
    """A table with a tenant column whose class does not say it is tenant-owned: the ORM cannot filter it."""

    __tablename__ = "scratch_forgot_mixin"
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int]


def _create_scratch_tables(session) -> None:
    """Temporary tables, gone with the test transaction (the application role may create nothing else)."""
    for name in ("scratch_tenant_rows", "scratch_forgot_mixin"):
        session.execute(sa.text(f"CREATE TEMPORARY TABLE {name} (id INTEGER PRIMARY KEY, tenant_id INTEGER)"))


def test_the_checks_fail_for_a_table_without_its_isolation(session):
    """The ORM check on a class that forgot the mixin; on PostgreSQL, the RLS check on a new tenant table
    without its migration's ``isolate_tenant_table``, until it is enabled, forced and given a policy."""
    _create_scratch_tables(session)
    assert [cls.__tablename__ for cls in tenant_classes(Scratch.registry)] == ["scratch_tenant_rows"]
    assert orm_filter_faults(session, [NewTenantTable]) == []
    assert orm_filter_faults(session, [ForgotTheMixin]) == ["scratch_forgot_mixin"]
    if services.profile() != "production":
        return
    connection = session.connection()
    tables = [cls.__tablename__ for cls in tenant_classes(Scratch.registry)]
    assert isolation_faults(connection, tables) == {"scratch_tenant_rows": ["ENABLE", "FORCE", "POLICY"]}
    connection.execute(sa.text("ALTER TABLE scratch_tenant_rows ENABLE ROW LEVEL SECURITY"))
    assert isolation_faults(connection, tables) == {"scratch_tenant_rows": ["FORCE", "POLICY"]}
    connection.execute(sa.text("ALTER TABLE scratch_tenant_rows FORCE ROW LEVEL SECURITY"))
    assert isolation_faults(connection, tables) == {"scratch_tenant_rows": ["POLICY"]}
    connection.execute(
        sa.text(
            "CREATE POLICY tenant_isolation ON scratch_tenant_rows"
            " USING (tenant_id = NULLIF(current_setting('quorum.tenant_id', true), '')::integer)"
        )
    )
    assert isolation_faults(connection, tables) == {}
