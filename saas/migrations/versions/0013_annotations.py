"""annotations: members' highlights, notes, ink and text boxes on document versions, and their sharing

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    op.create_table(
        "annotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("annotationkind", "highlight", "note", "ink", "text"), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("rects", sa.JSON(), nullable=False),
        sa.Column("ink", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("quote", sa.JSON(), nullable=True),
        sa.Column("position", sa.JSON(), nullable=True),
        sa.Column("sharing_scope", _enum("sharingscope", "private", "people", "group", "assembly"), nullable=False),
        sa.Column("political_group_id", sa.Integer(), nullable=True),
        sa.Column("reply_to_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("orphaned", sa.Boolean(), nullable=False),
        sa.Column("orphaned_from", sa.JSON(), nullable=True),
        sa.Column("created_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("updated_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("deleted_at", saas.core.database.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], name=op.f("fk_annotation_assembly_id_assembly")),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], name=op.f("fk_annotation_document_id_document")),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_annotation_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(
            ["political_group_id"],
            ["political_group.id"],
            name=op.f("fk_annotation_political_group_id_political_group"),
        ),
        sa.ForeignKeyConstraint(["reply_to_id"], ["annotation.id"], name=op.f("fk_annotation_reply_to_id_annotation")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_annotation_person_id_person")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_annotation_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation")),
    )
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_annotation_tenant_id_document_id_updated_at", ["tenant_id", "document_id", "updated_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_annotation_document_version_id"), ["document_version_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_annotation_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_annotation_reply_to_id"), ["reply_to_id"], unique=False)
    op.create_table(
        "annotation_share",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("annotation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_id"], ["annotation.id"], name=op.f("fk_annotation_share_annotation_id_annotation")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_annotation_share_person_id_person")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_annotation_share_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation_share")),
        sa.UniqueConstraint("annotation_id", "person_id", name=op.f("uq_annotation_share_annotation_id_person_id")),
    )
    op.create_index(
        "ix_annotation_share_person_id_annotation_id", "annotation_share", ["person_id", "annotation_id"], unique=False
    )
    rls.isolate_tenant_table("annotation", person_readable=True)
    rls.isolate_tenant_table("annotation_share")
    rls.grant_application_role()


def downgrade():
    op.drop_index("ix_annotation_share_person_id_annotation_id", table_name="annotation_share")
    op.drop_table("annotation_share")
    with op.batch_alter_table("annotation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotation_reply_to_id"))
        batch_op.drop_index(batch_op.f("ix_annotation_person_id"))
        batch_op.drop_index(batch_op.f("ix_annotation_document_version_id"))
        batch_op.drop_index("ix_annotation_tenant_id_document_id_updated_at")
    op.drop_table("annotation")
