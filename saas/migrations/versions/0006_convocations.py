"""convocations: one row per sitting × person; mail attachments and delivery follow-ups

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "convocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("convocation", "invitation", name="convocationkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("pdf_blob_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_convocation_person_id_person")),
        sa.ForeignKeyConstraint(
            ["pdf_blob_id"], ["stored_blob.id"], name=op.f("fk_convocation_pdf_blob_id_stored_blob")
        ),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_convocation_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_convocation_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convocation")),
        sa.UniqueConstraint("sitting_id", "person_id", name=op.f("uq_convocation_sitting_id_person_id")),
    )
    with op.batch_alter_table("convocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_convocation_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_convocation_sitting_id"), ["sitting_id"], unique=False)
    rls.isolate_tenant_table("convocation", person_readable=True)

    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("ref", sa.JSON(), nullable=True))

    op.create_table(
        "mail_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_mail_attachment_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(
            ["mail_id"], ["outbound_mail.id"], name=op.f("fk_mail_attachment_mail_id_outbound_mail")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachment")),
        sa.UniqueConstraint("mail_id", "position", name=op.f("uq_mail_attachment_mail_id_position")),
    )
    with op.batch_alter_table("mail_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_attachment_blob_id"), ["blob_id"], unique=False)
    rls.grant_application_role()


def downgrade():
    with op.batch_alter_table("mail_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_attachment_blob_id"))
    op.drop_table("mail_attachment")
    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.drop_column("ref")
        batch_op.drop_column("purpose")
    with op.batch_alter_table("convocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_convocation_sitting_id"))
        batch_op.drop_index(batch_op.f("ix_convocation_person_id"))
    op.drop_table("convocation")
