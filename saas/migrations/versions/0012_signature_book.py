"""signature book: signature requests and their ordered steps (parapheur)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    op.create_table(
        "signature_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=True),
        sa.Column("sitting_id", sa.Integer(), nullable=True),
        sa.Column("prepared_blob_id", sa.Integer(), nullable=False),
        sa.Column("current_blob_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("requeststatus", "pending", "signed", "refused", "cancelled"), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("closed_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["current_blob_id"], ["stored_blob.id"], name=op.f("fk_signature_request_current_blob_id_stored_blob")
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_signature_request_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(
            ["prepared_blob_id"], ["stored_blob.id"], name=op.f("fk_signature_request_prepared_blob_id_stored_blob")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["person.id"], name=op.f("fk_signature_request_requested_by_id_person")
        ),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_signature_request_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_signature_request_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_request")),
    )
    op.create_index("ix_signature_request_tenant_id_sitting_id", "signature_request", ["tenant_id", "sitting_id"])
    op.create_table(
        "signature_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("field_name", sa.String(length=100), nullable=False),
        sa.Column(
            "status", _enum("stepstatus", "waiting", "pending", "signed", "refused", "cancelled"), nullable=False
        ),
        sa.Column("signed_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("refused_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("batch_item_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_item_id"],
            ["signing_batch_item.id"],
            name=op.f("fk_signature_step_batch_item_id_signing_batch_item"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_signature_step_person_id_person")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["signature_request.id"], name=op.f("fk_signature_step_request_id_signature_request")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_signature_step_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature_step")),
        sa.UniqueConstraint("request_id", "position", name=op.f("uq_signature_step_request_id_position")),
    )
    op.create_index(op.f("ix_signature_step_person_id"), "signature_step", ["person_id"])
    op.create_index("ix_signature_step_tenant_id_request_id", "signature_step", ["tenant_id", "request_id"])
    rls.isolate_tenant_table("signature_request")
    rls.isolate_tenant_table("signature_step", person_readable=True)
    rls.grant_application_role()


def downgrade():
    op.drop_index("ix_signature_step_tenant_id_request_id", table_name="signature_step")
    op.drop_index(op.f("ix_signature_step_person_id"), table_name="signature_step")
    op.drop_table("signature_step")
    op.drop_index("ix_signature_request_tenant_id_sitting_id", table_name="signature_request")
    op.drop_table("signature_request")
