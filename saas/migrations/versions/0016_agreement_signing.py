"""group agreement signed electronically: rounds of signature across the member collectivities

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    op.create_table(
        "purchasing_agreement_signing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("agreement_blob_id", sa.Integer(), nullable=False),
        sa.Column("prepared_blob_id", sa.Integer(), nullable=False),
        sa.Column("signed_blob_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum("signingstatus", "in_progress", "signed", "refused", "cancelled"), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("closed_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["purchasing_group.id"],
            name=op.f("fk_purchasing_agreement_signing_group_id_purchasing_group"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_blob_id"],
            ["stored_blob.id"],
            name=op.f("fk_purchasing_agreement_signing_agreement_blob_id_stored_blob"),
        ),
        sa.ForeignKeyConstraint(
            ["prepared_blob_id"],
            ["stored_blob.id"],
            name=op.f("fk_purchasing_agreement_signing_prepared_blob_id_stored_blob"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_blob_id"],
            ["stored_blob.id"],
            name=op.f("fk_purchasing_agreement_signing_signed_blob_id_stored_blob"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["person.id"], name=op.f("fk_purchasing_agreement_signing_started_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_agreement_signing")),
    )
    op.create_index(op.f("ix_purchasing_agreement_signing_group_id"), "purchasing_agreement_signing", ["group_id"])
    # at most one round in progress per group, whatever two requests racing do
    op.create_index(
        "uq_purchasing_agreement_signing_in_progress",
        "purchasing_agreement_signing",
        ["group_id"],
        unique=True,
        sqlite_where=sa.text("status = 'in_progress'"),
        postgresql_where=sa.text("status = 'in_progress'"),
    )
    op.create_table(
        "purchasing_agreement_signer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signing_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("field_name", sa.String(length=100), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column(
            "status", _enum("stepstatus", "waiting", "pending", "signed", "refused", "cancelled"), nullable=False
        ),
        sa.Column("signed_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("refused_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["signing_id"],
            ["purchasing_agreement_signing.id"],
            name=op.f("fk_purchasing_agreement_signer_signing_id_purchasing_agreement_signing"),
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["purchasing_membership.id"],
            name=op.f("fk_purchasing_agreement_signer_membership_id_purchasing_membership"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_purchasing_agreement_signer_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["signature_request.id"],
            name=op.f("fk_purchasing_agreement_signer_request_id_signature_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchasing_agreement_signer")),
        sa.UniqueConstraint("signing_id", "position", name=op.f("uq_purchasing_agreement_signer_signing_id_position")),
        sa.UniqueConstraint(
            "signing_id", "membership_id", name=op.f("uq_purchasing_agreement_signer_signing_id_membership_id")
        ),
        sa.UniqueConstraint("request_id", name=op.f("uq_purchasing_agreement_signer_request_id")),
    )
    # platform-level tables (no tenant row-level security): read only through the coordinator's console
    rls.grant_application_role()


def downgrade():
    op.drop_index("uq_purchasing_agreement_signing_in_progress", table_name="purchasing_agreement_signing")
    op.drop_table("purchasing_agreement_signer")
    op.drop_index(op.f("ix_purchasing_agreement_signing_group_id"), table_name="purchasing_agreement_signing")
    op.drop_table("purchasing_agreement_signing")
