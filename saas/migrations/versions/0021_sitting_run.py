"""the sitting is held: a sitting reconvened without quorum, its secretary, its opening, closing and cancellation

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sitting") as batch:
        batch.add_column(sa.Column("reconvened_from_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("secretary_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("opened_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_sitting_reconvened_from_id_sitting", "sitting", ["reconvened_from_id"], ["id"])
        batch.create_foreign_key("fk_sitting_secretary_id_person", "person", ["secretary_id"], ["id"])


def downgrade():
    with op.batch_alter_table("sitting") as batch:
        batch.drop_constraint("fk_sitting_secretary_id_person", type_="foreignkey")
        batch.drop_constraint("fk_sitting_reconvened_from_id_sitting", type_="foreignkey")
        for name in ("cancel_reason", "cancelled_at", "closed_at", "opened_at", "secretary_id", "reconvened_from_id"):
            batch.drop_column(name)
