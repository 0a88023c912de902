"""signing: the tenants' embedded PKI (certificates with sealed keys) and signing settings

Revision ID: 0003
Revises: 0001 (re-chained after 0002 at integration)
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tenant_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("ca", "tsa", "signer", name="certificatekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("slot", sa.String(length=40), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("sealed_key", sa.Text(), nullable=False),
        sa.Column("not_before", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("not_after", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_tenant_certificate_tenant_id_tenant")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_tenant_certificate_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_certificate")),
        sa.UniqueConstraint(
            "tenant_id", "slot", "generation", name=op.f("uq_tenant_certificate_tenant_id_slot_generation")
        ),
    )
    with op.batch_alter_table("tenant_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tenant_certificate_person_id"), ["person_id"], unique=False)
    op.create_table(
        "signing_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("tsa_url", sa.String(length=500), nullable=True),
        sa.Column("tsa_trust_pem", sa.Text(), nullable=True),
        sa.Column("updated_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_signing_settings_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_signing_settings_tenant_id")),
    )
    rls.isolate_tenant_table("tenant_certificate")
    rls.isolate_tenant_table("signing_settings")
    rls.grant_application_role()


def downgrade():
    op.drop_table("signing_settings")
    with op.batch_alter_table("tenant_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tenant_certificate_person_id"))
    op.drop_table("tenant_certificate")
