"""page sizes: each document version's CropBox sizes, measured by the upload check (annotations use them)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document_version") as batch:
        batch.add_column(sa.Column("page_sizes", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("document_version") as batch:
        batch.drop_column("page_sizes")
