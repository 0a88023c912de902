"""board book: one merged PDF per sitting, rebuilt when its inputs change

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "board_book",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "building", "ready", "failed", name="boardbookstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=True),
        sa.Column("built_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_board_book_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_board_book_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_board_book_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_book")),
        sa.UniqueConstraint("sitting_id", name=op.f("uq_board_book_sitting_id")),
    )
    rls.isolate_tenant_table("board_book")
    rls.grant_application_role()


def downgrade():
    op.drop_table("board_book")
