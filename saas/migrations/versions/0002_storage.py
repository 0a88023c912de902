"""storage: per-tenant data keys and content-addressed blobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.String(length=200), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_data_key_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_key")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_data_key_tenant_id")),
    )
    op.create_table(
        "stored_blob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("object_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_stored_blob_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_blob")),
        sa.UniqueConstraint("tenant_id", "sha256", name=op.f("uq_stored_blob_tenant_id_sha256")),
    )
    rls.isolate_tenant_table("data_key")
    rls.isolate_tenant_table("stored_blob")
    rls.grant_application_role()


def downgrade():
    op.drop_table("stored_blob")
    op.drop_table("data_key")
