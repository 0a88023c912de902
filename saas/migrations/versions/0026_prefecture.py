"""prefecture: the collectivity's identity in the @ctes envelope (département, arrondissement, nature, return
mailbox) and the transmissions of acts, one open per act, their package stored encrypted

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

OPEN = "status IN ('prepared', 'sent', 'acknowledged')"


def upgrade():
    with op.batch_alter_table("tenant") as batch:
        batch.add_column(sa.Column("actes_departement", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("actes_arrondissement", sa.String(length=1), nullable=True))
        batch.add_column(sa.Column("actes_nature", sa.String(length=2), nullable=True))
        batch.add_column(sa.Column("actes_email", sa.String(length=254), nullable=True))
    op.create_table(
        "transmission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "prepared",
                "sent",
                "acknowledged",
                "rejected",
                "cancelled",
                name="transmissionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("package_name", sa.String(length=120), nullable=False),
        sa.Column("envelope_name", sa.String(length=120), nullable=False),
        sa.Column("message_name", sa.String(length=120), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("prepared_by_id", sa.Integer(), nullable=True),
        sa.Column("prepared_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("status_changed_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("id_acte", sa.String(length=60), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["act_id"], ["deliberation.id"], name=op.f("fk_transmission_act_id_deliberation")),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_transmission_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(["prepared_by_id"], ["person.id"], name=op.f("fk_transmission_prepared_by_id_person")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_transmission_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transmission")),
    )
    op.create_index(op.f("ix_transmission_blob_id"), "transmission", ["blob_id"], unique=False)
    op.create_index("ix_transmission_tenant_id_act_id", "transmission", ["tenant_id", "act_id"], unique=False)
    op.create_index(
        "uq_transmission_open_act",
        "transmission",
        ["act_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    rls.isolate_tenant_table("transmission")
    rls.grant_application_role()


def downgrade():
    op.drop_table("transmission")
    with op.batch_alter_table("tenant") as batch:
        batch.drop_column("actes_email")
        batch.drop_column("actes_nature")
        batch.drop_column("actes_arrondissement")
        batch.drop_column("actes_departement")
