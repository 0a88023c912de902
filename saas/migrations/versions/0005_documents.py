"""documents: documents of agenda items and their versions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SINGLE_KIND = "kind <> 'annex' AND NOT withdrawn"


def upgrade():
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("report", "summary_note", "annex", name="documentkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(position IS NULL) = (kind <> 'annex')", name=op.f("ck_document_only_annexes_have_a_position")
        ),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"], ["agenda_item.id"], name=op.f("fk_document_agenda_item_id_agenda_item")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_document_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        sa.UniqueConstraint("agenda_item_id", "position", name=op.f("uq_document_agenda_item_id_position")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_agenda_item_id"), ["agenda_item_id"], unique=False)
        batch_op.create_index(
            "uq_document_single_kind",
            ["agenda_item_id", "kind"],
            unique=True,
            sqlite_where=sa.text(SINGLE_KIND),
            postgresql_where=sa.text(SINGLE_KIND),
        )

    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("pdf_version", sa.String(length=10), nullable=False),
        sa.Column("removed_active_content", sa.JSON(), nullable=False),
        sa.Column("added_after_convocation", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_document_version_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_document_version_document_id_document")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_document_version_tenant_id_tenant")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["person.id"], name=op.f("fk_document_version_uploaded_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_document_version_document_id_number")),
    )
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_version_blob_id"), ["blob_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_version_document_id"), ["document_id"], unique=False)

    rls.isolate_tenant_table("document")
    rls.isolate_tenant_table("document_version")
    rls.grant_application_role()


def downgrade():
    with op.batch_alter_table("document_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_version_document_id"))
        batch_op.drop_index(batch_op.f("ix_document_version_blob_id"))
    op.drop_table("document_version")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_document_single_kind", sqlite_where=sa.text(SINGLE_KIND), postgresql_where=sa.text(SINGLE_KIND)
        )
        batch_op.drop_index(batch_op.f("ix_document_agenda_item_id"))
    op.drop_table("document")
