"""acts of the sitting: signed exports of the register (R2121-9), the minutes and their debates (L2121-15), the
lists of deliberations (L2121-25) and the councillors of an EPCI's member communes who receive them (L5211-40-2)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

TABLES = ("outside_councillor", "deliberation_list", "minutes", "register_export", "minutes_debate")


def upgrade():
    op.create_table(
        "outside_councillor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("commune", sa.String(length=200), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("archived_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_outside_councillor_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outside_councillor")),
    )
    op.create_index("ix_outside_councillor_tenant_id_email", "outside_councillor", ["tenant_id", "email"], unique=False)
    op.create_table(
        "deliberation_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("online_due_on", sa.Date(), nullable=True),
        sa.Column("online_on", sa.Date(), nullable=True),
        sa.Column("councillors_due_on", sa.Date(), nullable=True),
        sa.Column("councillors_sent_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_deliberation_list_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_deliberation_list_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_deliberation_list_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_deliberation_list_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliberation_list")),
        sa.UniqueConstraint("sitting_id", "version", name=op.f("uq_deliberation_list_sitting_id_version")),
    )
    op.create_index(op.f("ix_deliberation_list_sitting_id"), "deliberation_list", ["sitting_id"], unique=False)
    op.create_table(
        "minutes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "ready", "approved", "signed", name="minutesstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("ready_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("approval_item_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("online_due_on", sa.Date(), nullable=True),
        sa.Column("online_on", sa.Date(), nullable=True),
        sa.Column("blob_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_item_id"], ["agenda_item.id"], name=op.f("fk_minutes_approval_item_id_agenda_item")
        ),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_minutes_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["signature_request.id"], name=op.f("fk_minutes_request_id_signature_request")
        ),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_minutes_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_minutes_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes")),
        sa.UniqueConstraint("sitting_id", name=op.f("uq_minutes_sitting_id")),
    )
    op.create_index(op.f("ix_minutes_approval_item_id"), "minutes", ["approval_item_id"], unique=False)
    op.create_index(op.f("ix_minutes_request_id"), "minutes", ["request_id"], unique=False)
    op.create_table(
        "register_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column(
            "scope", sa.Enum("sitting", "year", name="exportscope", native_enum=False, length=32), nullable=False
        ),
        sa.Column("sitting_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("acts", sa.Integer(), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(scope = 'sitting' AND sitting_id IS NOT NULL) OR (scope = 'year' AND year IS NOT NULL)",
            name=op.f("ck_register_export_scope_named"),
        ),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], name=op.f("fk_register_export_assembly_id_assembly")),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_register_export_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(["created_by_id"], ["person.id"], name=op.f("fk_register_export_created_by_id_person")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["signature_request.id"], name=op.f("fk_register_export_request_id_signature_request")
        ),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_register_export_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_register_export_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_export")),
    )
    op.create_index(op.f("ix_register_export_request_id"), "register_export", ["request_id"], unique=False)
    op.create_index(op.f("ix_register_export_sitting_id"), "register_export", ["sitting_id"], unique=False)
    op.create_index(
        "ix_register_export_tenant_id_assembly_id", "register_export", ["tenant_id", "assembly_id"], unique=False
    )
    op.create_table(
        "minutes_debate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("minutes_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"], ["agenda_item.id"], name=op.f("fk_minutes_debate_agenda_item_id_agenda_item")
        ),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], name=op.f("fk_minutes_debate_minutes_id_minutes")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_minutes_debate_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["person.id"], name=op.f("fk_minutes_debate_updated_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_debate")),
        sa.UniqueConstraint("minutes_id", "agenda_item_id", name=op.f("uq_minutes_debate_minutes_id_agenda_item_id")),
    )
    op.create_index(op.f("ix_minutes_debate_minutes_id"), "minutes_debate", ["minutes_id"], unique=False)
    for table in TABLES:
        rls.isolate_tenant_table(table)
    rls.grant_application_role()


def downgrade():
    for table in reversed(TABLES):
        op.drop_table(table)
