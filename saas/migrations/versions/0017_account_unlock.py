"""account unlock links: a locked-out person lifts the lock from a link sent by mail

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_unlock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("used_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_account_unlock_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_unlock")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_unlock_token_hash")),
    )
    with op.batch_alter_table("account_unlock", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_unlock_person_id"), ["person_id"], unique=False)
    rls.grant_application_role()


def downgrade():
    with op.batch_alter_table("account_unlock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_unlock_person_id"))
    op.drop_table("account_unlock")
