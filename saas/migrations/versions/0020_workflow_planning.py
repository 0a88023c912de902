"""a running circuit keeps the plan worked back from its sitting's legal notice day, computed at submission

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workflow_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("workflow_run", schema=None) as batch_op:
        batch_op.drop_column("plan")
