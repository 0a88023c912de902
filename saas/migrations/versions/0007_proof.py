"""proof: time-stamped statements of convocation sending, delivery and first opening

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proof_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("manifest", "delivery", "opening", name="proofkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_proof_record_person_id_person")),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_proof_record_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_proof_record_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proof_record")),
        sa.UniqueConstraint(
            "sitting_id", "kind", "person_id", "channel", name=op.f("uq_proof_record_sitting_id_kind_person_id_channel")
        ),
    )
    with op.batch_alter_table("proof_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proof_record_sitting_id"), ["sitting_id"], unique=False)

    rls.isolate_tenant_table("proof_record")
    rls.grant_application_role()


def downgrade():
    with op.batch_alter_table("proof_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proof_record_sitting_id"))
    op.drop_table("proof_record")
