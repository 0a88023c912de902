"""purchasing group: members, contracts and lots, milestones, devices, cost statements; person's primary tenant

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("primary_tenant_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_person_primary_tenant_id_tenant"), "tenant", ["primary_tenant_id"], ["id"])
    op.create_table(
        "purchasing_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("coordinator_tenant_id", sa.Integer(), nullable=False),
        sa.Column("agreement_blob_id", sa.Integer(), nullable=True),
        sa.Column("agreement_filename", sa.String(length=255), nullable=True),
        sa.Column("agreement_uploaded_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_blob_id"], ["stored_blob.id"], name=op.f("fk_purchasing_group_agreement_blob_id_stored_blob")
        ),
        sa.ForeignKeyConstraint(
            ["coordinator_tenant_id"], ["tenant.id"], name=op.f("fk_purchasing_group_coordinator_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_group")),
    )
    op.create_table(
        "purchasing_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("joining_reference", sa.String(length=200), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("agreement_signed_on", sa.Date(), nullable=True),
        sa.Column("agreement_signed_by", sa.String(length=200), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_effect", sa.Text(), nullable=True),
        sa.Column("withdrawal_amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint("seats >= 0", name=op.f("ck_purchasing_membership_seats_not_negative")),
        sa.CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= joined_on",
            name=op.f("ck_purchasing_membership_withdrawal_after_joining"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["purchasing_group.id"], name=op.f("fk_purchasing_membership_group_id_purchasing_group")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_purchasing_membership_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_membership")),
        sa.UniqueConstraint("group_id", "tenant_id", name=op.f("uq_purchasing_membership_group_id_tenant_id")),
    )
    op.create_table(
        "purchasing_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_purchasing_contract_dates_in_order")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["purchasing_group.id"], name=op.f("fk_purchasing_contract_group_id_purchasing_group")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_contract")),
        sa.UniqueConstraint("group_id", "reference", name=op.f("uq_purchasing_contract_group_id_reference")),
    )
    op.create_table(
        "purchasing_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("equipment_cents", sa.BigInteger(), nullable=False),
        sa.Column("licences_cents_per_year", sa.BigInteger(), nullable=False),
        sa.Column("support_cents_per_year", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "units >= 0 AND equipment_cents >= 0 AND licences_cents_per_year >= 0 AND support_cents_per_year >= 0",
            name=op.f("ck_purchasing_lot_amounts_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["purchasing_contract.id"], name=op.f("fk_purchasing_lot_contract_id_purchasing_contract")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_lot")),
        sa.UniqueConstraint("contract_id", "number", name=op.f("uq_purchasing_lot_contract_id_number")),
    )
    op.create_index(op.f("ix_purchasing_lot_contract_id"), "purchasing_lot", ["contract_id"])
    op.create_table(
        "purchasing_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_date", sa.Date(), nullable=False),
        sa.Column("actual_date", sa.Date(), nullable=True),
        sa.Column("status", _enum("milestonestatus", "planned", "in_progress", "done"), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["purchasing_group.id"], name=op.f("fk_purchasing_milestone_group_id_purchasing_group")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_milestone")),
        sa.UniqueConstraint("group_id", "position", name=op.f("uq_purchasing_milestone_group_id_position")),
    )
    op.create_table(
        "purchasing_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("devicestatus", "in_stock", "assigned", "lost", "wiped", "returned"), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("status_changed_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status <> 'assigned' OR person_id IS NOT NULL", name=op.f("ck_purchasing_device_assigned_has_person")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["purchasing_group.id"], name=op.f("fk_purchasing_device_group_id_purchasing_group")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["purchasing_lot.id"], name=op.f("fk_purchasing_device_lot_id_purchasing_lot")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_purchasing_device_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_device")),
        sa.UniqueConstraint("serial", name=op.f("uq_purchasing_device_serial")),
    )
    op.create_index(
        "uq_purchasing_device_assigned_person",
        "purchasing_device",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("status = 'assigned'"),
        postgresql_where=sa.text("status = 'assigned'"),
    )
    op.create_table(
        "purchasing_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("key", _enum("sharingkey", "equal", "equipped_members", "population", "fixed"), nullable=False),
        sa.Column("includes_equipment", sa.Boolean(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("issued_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["purchasing_contract.id"],
            name=op.f("fk_purchasing_statement_contract_id_purchasing_contract"),
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["purchasing_group.id"], name=op.f("fk_purchasing_statement_group_id_purchasing_group")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["person.id"], name=op.f("fk_purchasing_statement_issued_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_statement")),
    )
    op.create_index(op.f("ix_purchasing_statement_contract_id"), "purchasing_statement", ["contract_id"])
    op.create_table(
        "purchasing_statement_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=320), nullable=False),
        sa.Column("invoiced_cents", sa.BigInteger(), nullable=False),
        sa.Column("share_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["purchasing_statement.id"],
            name=op.f("fk_purchasing_statement_line_statement_id_purchasing_statement"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_purchasing_statement_line_tenant_id_tenant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_statement_line")),
        sa.UniqueConstraint(
            "statement_id", "tenant_id", "item", name=op.f("uq_purchasing_statement_line_statement_id_tenant_id_item")
        ),
    )
    # platform-level tables (no tenant row-level security): read only through the coordinator's console
    rls.grant_application_role()


def downgrade():
    op.drop_table("purchasing_statement_line")
    op.drop_index(op.f("ix_purchasing_statement_contract_id"), table_name="purchasing_statement")
    op.drop_table("purchasing_statement")
    op.drop_index("uq_purchasing_device_assigned_person", table_name="purchasing_device")
    op.drop_table("purchasing_device")
    op.drop_table("purchasing_milestone")
    op.drop_index(op.f("ix_purchasing_lot_contract_id"), table_name="purchasing_lot")
    op.drop_table("purchasing_lot")
    op.drop_table("purchasing_contract")
    op.drop_table("purchasing_membership")
    op.drop_table("purchasing_group")
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint(op.f("fk_person_primary_tenant_id_tenant"), type_="foreignkey")
        batch.drop_column("primary_tenant_id")
