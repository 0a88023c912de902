"""PostgreSQL row-level security, used by migrations: every tenant-owned table gets these policies.

The application connects as a role that owns nothing, and sets per transaction (see saas.core.database):
``quorum.tenant_id`` (the tenant in the URL), ``quorum.person_id`` (the caller) and ``quorum.system``
(CLI and platform jobs). A row is visible when it belongs to the current tenant, or when the
system flag is on; rows of person-owned tables are also readable by their own person from anywhere.
"""

from alembic import op
from flask import current_app

CURRENT_TENANT = "NULLIF(current_setting('quorum.tenant_id', true), '')::integer"
CURRENT_PERSON = "NULLIF(current_setting('quorum.person_id', true), '')::integer"
SYSTEM = "coalesce(current_setting('quorum.system', true), 'off') = 'on'"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def isolate_tenant_table(table: str, person_readable: bool = False) -> None:
    if not _postgresql():
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    condition = f"(tenant_id = {CURRENT_TENANT} OR {SYSTEM})"
    op.execute(f"CREATE POLICY tenant_isolation ON {table} USING {condition} WITH CHECK {condition}")
    if person_readable:
        op.execute(f"CREATE POLICY own_rows ON {table} FOR SELECT USING (person_id = {CURRENT_PERSON})")


def isolate_audit_table(table: str) -> None:
    """Audit events: a tenant reads and appends to its own chain; platform events are appended by anyone
    (logins) and read by the system only; nobody updates or deletes, not even the owner."""
    if not _postgresql():
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY audit_read ON {table} FOR SELECT USING (tenant_id = {CURRENT_TENANT} OR {SYSTEM})")
    op.execute(
        f"CREATE POLICY audit_append ON {table} FOR INSERT"
        f" WITH CHECK (tenant_id IS NULL OR tenant_id = {CURRENT_TENANT} OR {SYSTEM})"
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION quorum_reject_audit_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
        " FOR EACH ROW EXECUTE FUNCTION quorum_reject_audit_change()"
    )


#: tables whose rows not even the application may delete (what was put online stays online)
NEVER_DELETED = ("publication",)


def grant_application_role() -> None:
    """Give the application role (DATABASE_APP_ROLE) data access to current and future tables."""
    role = current_app.config["DATABASE_APP_ROLE"]
    if not _postgresql() or not role:
        return
    op.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    op.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"')
    op.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"')
    op.execute(f'REVOKE UPDATE, DELETE ON audit_event FROM "{role}"')
    for table in NEVER_DELETED:  # once the migration that makes it has run
        op.execute(
            f"DO $$ BEGIN IF to_regclass('public.{table}') IS NOT NULL THEN "
            f"EXECUTE 'REVOKE DELETE ON {table} FROM \"{role}\"'; END IF; END $$"
        )
