"""signing keys: signers' PKCS#12/PKCS#11 keys, trust anchors, single-use authorisations, batches

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def _tenant(table: str) -> list:
    return [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant")),
    ]


def upgrade():
    with op.batch_alter_table("signing_settings") as batch:
        batch.add_column(sa.Column("trust_anchors_pem", sa.Text(), nullable=True))
    op.create_table(
        "signer_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("source", _enum("keysource", "pkcs12", "pkcs11"), nullable=False),
        sa.Column("key_ref", sa.String(length=40), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("not_after", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("sealed_pkcs12", sa.Text(), nullable=True),
        sa.Column("sealed_secret", sa.Text(), nullable=True),
        sa.Column("pkcs11_module", sa.String(length=500), nullable=True),
        sa.Column("pkcs11_token", sa.String(length=200), nullable=True),
        sa.Column("pkcs11_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("replaced_at", saas.core.database.UTCDateTime(), nullable=True),
        *_tenant("signer_key"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_signer_key_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signer_key")),
        sa.UniqueConstraint("key_ref", name=op.f("uq_signer_key_key_ref")),
    )
    op.create_index(op.f("ix_signer_key_person_id"), "signer_key", ["person_id"])
    op.create_table(
        "signing_authorisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("expires_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("used_at", saas.core.database.UTCDateTime(), nullable=True),
        *_tenant("signing_authorisation"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_signing_authorisation_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_authorisation")),
    )
    op.create_index(op.f("ix_signing_authorisation_person_id"), "signing_authorisation", ["person_id"])
    op.create_table(
        "signing_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("authorisation_id", sa.Integer(), nullable=False),
        sa.Column("status", _enum("batchstatus", "pending", "running", "done"), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("finished_at", saas.core.database.UTCDateTime(), nullable=True),
        *_tenant("signing_batch"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_signing_batch_person_id_person")),
        sa.ForeignKeyConstraint(
            ["authorisation_id"],
            ["signing_authorisation.id"],
            name=op.f("fk_signing_batch_authorisation_id_signing_authorisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_batch")),
    )
    op.create_index(op.f("ix_signing_batch_person_id"), "signing_batch", ["person_id"])
    op.create_table(
        "signing_batch_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_blob_id", sa.Integer(), nullable=False),
        sa.Column("signed_blob_id", sa.Integer(), nullable=True),
        sa.Column("field_name", sa.String(length=100), nullable=False),
        sa.Column("status", _enum("itemstatus", "pending", "signed", "already_signed", "failed"), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        *_tenant("signing_batch_item"),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["signing_batch.id"], name=op.f("fk_signing_batch_item_batch_id_signing_batch")
        ),
        sa.ForeignKeyConstraint(
            ["source_blob_id"], ["stored_blob.id"], name=op.f("fk_signing_batch_item_source_blob_id_stored_blob")
        ),
        sa.ForeignKeyConstraint(
            ["signed_blob_id"], ["stored_blob.id"], name=op.f("fk_signing_batch_item_signed_blob_id_stored_blob")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_batch_item")),
        sa.UniqueConstraint("batch_id", "position", name=op.f("uq_signing_batch_item_batch_id_position")),
    )
    op.create_index(op.f("ix_signing_batch_item_batch_id"), "signing_batch_item", ["batch_id"])
    for table in ("signer_key", "signing_authorisation", "signing_batch", "signing_batch_item"):
        rls.isolate_tenant_table(table)
    rls.grant_application_role()


def downgrade():
    for table in ("signing_batch_item", "signing_batch", "signing_authorisation", "signer_key"):
        op.drop_table(table)
    with op.batch_alter_table("signing_settings") as batch:
        batch.drop_column("trust_anchors_pem")
