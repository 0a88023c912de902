"""first sitting after renewal: a sitting flag for the notice period of L2121-7

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sitting") as batch:
        batch.add_column(sa.Column("first_after_renewal", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("sitting") as batch:
        batch.drop_column("first_after_renewal")
