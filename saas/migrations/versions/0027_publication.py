"""the public portal: publications of signed deliberations, signed minutes and lists of deliberations (L2131-1,
R2131-1), never deleted (the application role may not delete them)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07

"""

import sqlalchemy as sa
from alembic import op

import saas.core.database
from saas.tenancy import rls

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "deliberation", "minutes", "deliberation_list", name="publicationkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("deliberation_id", sa.Integer(), nullable=True),
        sa.Column("minutes_id", sa.Integer(), nullable=True),
        sa.Column("deliberation_list_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("subject_code", sa.String(length=5), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("document_version_id", sa.Integer(), nullable=True),
        sa.Column("blob_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("search_text", sa.String(length=700), nullable=False),
        sa.Column("personal_data_checked", sa.Boolean(), nullable=False),
        sa.Column("published_at", saas.core.database.UTCDateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["blob_id"], ["stored_blob.id"], name=op.f("fk_publication_blob_id_stored_blob")),
        sa.ForeignKeyConstraint(
            ["deliberation_id"], ["deliberation.id"], name=op.f("fk_publication_deliberation_id_deliberation")
        ),
        sa.ForeignKeyConstraint(
            ["deliberation_list_id"],
            ["deliberation_list.id"],
            name=op.f("fk_publication_deliberation_list_id_deliberation_list"),
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_publication_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(["minutes_id"], ["minutes.id"], name=op.f("fk_publication_minutes_id_minutes")),
        sa.ForeignKeyConstraint(["published_by_id"], ["person.id"], name=op.f("fk_publication_published_by_id_person")),
        sa.ForeignKeyConstraint(["sitting_id"], ["sitting.id"], name=op.f("fk_publication_sitting_id_sitting")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"], name=op.f("fk_publication_tenant_id_tenant")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_publication_tenant_id_key")),
    )
    op.create_index(op.f("ix_publication_sitting_id"), "publication", ["sitting_id"], unique=False)
    op.create_index(op.f("ix_publication_deliberation_id"), "publication", ["deliberation_id"], unique=False)
    op.create_index(op.f("ix_publication_minutes_id"), "publication", ["minutes_id"], unique=False)
    op.create_index(op.f("ix_publication_deliberation_list_id"), "publication", ["deliberation_list_id"], unique=False)
    op.create_index("ix_publication_tenant_id_published_at", "publication", ["tenant_id", "published_at"], unique=False)
    op.create_index("ix_publication_tenant_id_decided_on", "publication", ["tenant_id", "decided_on"], unique=False)
    rls.isolate_tenant_table("publication")
    rls.grant_application_role()  # without DELETE on publication (rls.NEVER_DELETED)


def downgrade():
    op.drop_table("publication")
