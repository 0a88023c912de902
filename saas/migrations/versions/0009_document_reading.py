"""document readings: a member's first download of each document version (unread counts)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=False),
        sa.Column("first_read_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_document_reading_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_document_reading_person_id_person")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_document_reading_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_reading")),
        sa.UniqueConstraint(
            "person_id", "document_version_id", name=op.f("uq_document_reading_person_id_document_version_id")
        ),
    )
    with op.batch_alter_table("document_reading", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_reading_document_version_id"), ["document_version_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_document_reading_person_id"), ["person_id"], unique=False)
    rls.isolate_tenant_table("document_reading", person_readable=True)
    rls.grant_application_role()


def downgrade():
    with op.batch_alter_table("document_reading", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_reading_person_id"))
        batch_op.drop_index(batch_op.f("ix_document_reading_document_version_id"))
    op.drop_table("document_reading")
