"""sitting lifecycle: the notices sent after the first convocation (new convocation, supplement, cancellation)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sitting_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("new_convocation", "supplement", "cancellation", name="noticekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("postponed", sa.Boolean(), nullable=False),
        sa.Column("previous_starts_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("previous_place", sa.String(length=300), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["person.id"], name=op.f("fk_sitting_notice_actor_id_person")),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"], ["agenda_item.id"], name=op.f("fk_sitting_notice_agenda_item_id_agenda_item")
        ),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_sitting_notice_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_sitting_notice_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitting_notice")),
        sa.UniqueConstraint("sitting_id", "number", name=op.f("uq_sitting_notice_sitting_id_number")),
    )
    with op.batch_alter_table("sitting_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sitting_notice_sitting_id"), ["sitting_id"], unique=False)

    rls.isolate_tenant_table("sitting_notice")
    rls.grant_application_role()


def downgrade():
    with op.batch_alter_table("sitting_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sitting_notice_sitting_id"))
    op.drop_table("sitting_notice")
