"""documents belong to reports; agenda items refer to a report

Every agenda item that has documents gets a report of its own (ready: it is on an agenda already), in the
collectivity's "Secrétariat des assemblées" service, with the item's title, subject code, rapporteur,
assembly and sitting; its documents move to that report, versions, blobs and readings untouched.
A report's drafter and subject code may now be empty (a report the secretariat made from an item).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SINGLE_KIND = "kind <> 'annex' AND NOT withdrawn"
SECRETARIAT_SERVICE = "Secrétariat des assemblées"


def _as_system(bind) -> None:
    """Row-level security binds the table owner too (FORCE): the data moves are the system's."""
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SET LOCAL quorum.system = 'on'"))


def upgrade():
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.alter_column("drafter_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("subject_code", existing_type=sa.String(length=5), nullable=True)
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_agenda_item_report_id"), ["report_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_agenda_item_report_id_report"), "report", ["report_id"], ["id"])
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_id", sa.Integer(), nullable=True))

    bind = op.get_bind()
    _as_system(bind)
    now = datetime.now(UTC).replace(tzinfo=None)
    items = bind.execute(
        sa.text(
            "SELECT i.id, i.tenant_id, i.title, i.subject_code, i.rapporteur_id, i.sitting_id, i.created_at,"
            " s.assembly_id FROM agenda_item i JOIN sitting s ON s.id = i.sitting_id"
            " WHERE EXISTS (SELECT 1 FROM document d WHERE d.agenda_item_id = i.id) ORDER BY i.id"
        )
    ).all()
    services: dict[int, int] = {}
    for item in items:
        if item.tenant_id not in services:
            found = bind.execute(
                sa.text("SELECT id FROM service WHERE tenant_id = :t AND name = :n"),
                {"t": item.tenant_id, "n": SECRETARIAT_SERVICE},
            ).scalar()
            if found is None:
                found = bind.execute(
                    sa.text("INSERT INTO service (tenant_id, name, archived) VALUES (:t, :n, :a) RETURNING id"),
                    {"t": item.tenant_id, "n": SECRETARIAT_SERVICE, "a": False},
                ).scalar()
            services[item.tenant_id] = found
        drafter = bind.execute(
            sa.text(
                "SELECT v.uploaded_by_id FROM document_version v JOIN document d ON d.id = v.document_id"
                " WHERE d.agenda_item_id = :i AND v.uploaded_by_id IS NOT NULL ORDER BY v.id LIMIT 1"
            ),
            {"i": item.id},
        ).scalar()
        report_id = bind.execute(
            sa.text(
                "INSERT INTO report (tenant_id, drafter_id, service_id, title, subject_code, rapporteur_id,"
                " assembly_id, sitting_id, status, version, created_at, updated_at)"
                " VALUES (:t, :d, :s, :title, :code, :r, :a, :sitting, 'ready', 1, :c, :u) RETURNING id"
            ),
            {
                "t": item.tenant_id,
                "d": drafter,
                "s": services[item.tenant_id],
                "title": item.title[:499],
                "code": item.subject_code,
                "r": item.rapporteur_id,
                "a": item.assembly_id,
                "sitting": item.sitting_id,
                "c": item.created_at or now,
                "u": now,
            },
        ).scalar()
        bind.execute(sa.text("UPDATE agenda_item SET report_id = :r WHERE id = :i"), {"r": report_id, "i": item.id})
        bind.execute(
            sa.text("UPDATE document SET report_id = :r WHERE agenda_item_id = :i"), {"r": report_id, "i": item.id}
        )

    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_document_single_kind", sqlite_where=sa.text(SINGLE_KIND), postgresql_where=sa.text(SINGLE_KIND)
        )
        batch_op.drop_index(batch_op.f("ix_document_agenda_item_id"))
        batch_op.drop_constraint(batch_op.f("uq_document_agenda_item_id_position"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_document_agenda_item_id_agenda_item"), type_="foreignkey")
        batch_op.drop_column("agenda_item_id")
        batch_op.alter_column("report_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_document_report_id_report"), "report", ["report_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_document_report_id_position"), ["report_id", "position"])
        batch_op.create_index(batch_op.f("ix_document_report_id"), ["report_id"], unique=False)
        batch_op.create_index(
            "uq_document_single_kind",
            ["report_id", "kind"],
            unique=True,
            sqlite_where=sa.text(SINGLE_KIND),
            postgresql_where=sa.text(SINGLE_KIND),
        )


def downgrade():
    """Documents go back to the first agenda item that examines their report; reports without one keep
    their documents nowhere, so the downgrade refuses when such documents exist."""
    bind = op.get_bind()
    _as_system(bind)
    orphans = bind.execute(
        sa.text(
            "SELECT count(*) FROM document d WHERE NOT EXISTS"
            " (SELECT 1 FROM agenda_item i WHERE i.report_id = d.report_id)"
        )
    ).scalar()
    if orphans:
        raise RuntimeError(f"{orphans} documents belong to reports on no agenda: they cannot go back to items")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda_item_id", sa.Integer(), nullable=True))
    bind.execute(
        sa.text(
            "UPDATE document SET agenda_item_id ="
            " (SELECT min(i.id) FROM agenda_item i WHERE i.report_id = document.report_id)"
        )
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_document_single_kind", sqlite_where=sa.text(SINGLE_KIND), postgresql_where=sa.text(SINGLE_KIND)
        )
        batch_op.drop_index(batch_op.f("ix_document_report_id"))
        batch_op.drop_constraint(batch_op.f("uq_document_report_id_position"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_document_report_id_report"), type_="foreignkey")
        batch_op.drop_column("report_id")
        batch_op.alter_column("agenda_item_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_document_agenda_item_id_agenda_item"), "agenda_item", ["agenda_item_id"], ["id"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_document_agenda_item_id_position"), ["agenda_item_id", "position"]
        )
        batch_op.create_index(batch_op.f("ix_document_agenda_item_id"), ["agenda_item_id"], unique=False)
        batch_op.create_index(
            "uq_document_single_kind",
            ["agenda_item_id", "kind"],
            unique=True,
            sqlite_where=sa.text(SINGLE_KIND),
            postgresql_where=sa.text(SINGLE_KIND),
        )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_agenda_item_report_id_report"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_agenda_item_report_id"))
        batch_op.drop_column("report_id")
    # the reports made from items stay (council records), some without a drafter or a subject code: those
    # two columns stay nullable
