"""deliberations: the acts of a sitting, numbered by a per-collectivity counter of each year

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-06

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0024"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "act_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("number_format", sa.String(length=60), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_act_counter_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_act_counter")),
        sa.UniqueConstraint("tenant_id", "year", name=op.f("uq_act_counter_tenant_id_year")),
    )
    op.create_table(
        "deliberation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("item_position", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("subject_code", sa.String(length=5), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "adopted", "rejected", "postponed", "withdrawn", "noted", name="outcome", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("outcome_snapshot", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("corrected_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"], ["agenda_item.id"], name=op.f("fk_deliberation_agenda_item_id_agenda_item")
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["deliberation.id"], name=op.f("fk_deliberation_corrects_id_deliberation")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"], name=op.f("fk_deliberation_created_by_id_person")),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_deliberation_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name=op.f("fk_deliberation_report_id_report")),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_deliberation_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_deliberation_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliberation")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_deliberation_tenant_id_number")),
        sa.UniqueConstraint("tenant_id", "year", "sequence", name=op.f("uq_deliberation_tenant_id_year_sequence")),
    )
    with op.batch_alter_table("deliberation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliberation_agenda_item_id"), ["agenda_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliberation_corrects_id"), ["corrects_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliberation_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliberation_sitting_id"), ["sitting_id"], unique=False)
        batch_op.create_index("ix_deliberation_tenant_id_decided_on", ["tenant_id", "decided_on"], unique=False)
        batch_op.create_index(
            "uq_deliberation_original_item",
            ["agenda_item_id"],
            unique=True,
            sqlite_where=sa.text("corrects_id IS NULL"),
            postgresql_where=sa.text("corrects_id IS NULL"),
        )
    for table in ("act_counter", "deliberation"):
        rls.isolate_tenant_table(table)
    rls.grant_application_role()


def downgrade():
    with op.batch_alter_table("deliberation", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deliberation_original_item",
            sqlite_where=sa.text("corrects_id IS NULL"),
            postgresql_where=sa.text("corrects_id IS NULL"),
        )
        batch_op.drop_index("ix_deliberation_tenant_id_decided_on")
        batch_op.drop_index(batch_op.f("ix_deliberation_sitting_id"))
        batch_op.drop_index(batch_op.f("ix_deliberation_report_id"))
        batch_op.drop_index(batch_op.f("ix_deliberation_corrects_id"))
        batch_op.drop_index(batch_op.f("ix_deliberation_agenda_item_id"))
    op.drop_table("deliberation")
    op.drop_table("act_counter")
