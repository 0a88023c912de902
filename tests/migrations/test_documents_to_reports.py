"""Migration 0019 gives every agenda item that has documents a report of its own and moves the documents to
it, nothing lost: the same versions, files, readings; its downgrade puts them back on the items."""

import io
import itertools

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from saas.core.database import SYSTEM, commit, context
from saas.core.extensions import db
from saas.documents.operations import add_item_document, replace_document
from saas.documents.readings import record_reading
from saas.identity.models import Person
from saas.sittings.models import AgendaItem
from tests.fixtures.convocations import convene
from tests.fixtures.instances import fresh_app, system_session
from tests.fixtures.pdfs import clean_pdf

_numbers = itertools.count(700)


def _rows(sql: str, **params) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text(sql), params).all()]


def test_agenda_item_documents_move_to_a_report_of_their_own_and_back(tmp_path):
    with fresh_app(tmp_path, "docs_to_reports") as app:
        tenant_id, sitting_id, addresses = convene(app, next(_numbers))
        pdf = clean_pdf(tmp_path / "r.pdf").read_bytes()
        with system_session(app) as session:
            item = session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == sitting_id)).scalar_one()
            item.subject_code, item_id = "8.5", item.id
            report = add_item_document(item, "report", "Rapport n° 44", io.BytesIO(pdf), "rapport-44.pdf", None)
            annex = add_item_document(item, "annex", "Annexe", io.BytesIO(pdf), "annexe.pdf", None)
            replace_document(report, io.BytesIO(clean_pdf(tmp_path / "v2.pdf", pages=2).read_bytes()), "v2.pdf", None)
            reader = session.execute(sa.select(Person).where(Person.email == addresses[0])).scalar_one()
            record_reading(reader, report.current_version)
            commit(session)
            versions_sql = "SELECT document_id, number, sha256, blob_id FROM document_version ORDER BY id"
            versions, readings = _rows(versions_sql), _rows("SELECT * FROM document_reading ORDER BY id")
            documents = {report.id: "report", annex.id: "annex"}

        with app.app_context():
            downgrade(revision="0018")
        with system_session(app) as session:
            assert _rows("SELECT id, agenda_item_id FROM document ORDER BY id") == [(d, item_id) for d in documents]
            assert _rows(versions_sql) == versions

        with app.app_context():
            upgrade()
        with system_session(app) as session, context(session, SYSTEM):
            [(report_id,)] = _rows("SELECT report_id FROM agenda_item WHERE id = :i", i=item_id)
            assert _rows("SELECT id, report_id, kind FROM document ORDER BY id") == [
                (d, report_id, kind) for d, kind in documents.items()
            ]
            [made] = _rows(
                "SELECT r.title, r.subject_code, r.status, r.sitting_id, s.name FROM report r"
                " JOIN service s ON s.id = r.service_id WHERE r.id = :r",
                r=report_id,
            )
            assert made == ("Équipement numérique", "8.5", "ready", sitting_id, "Secrétariat des assemblées")
            assert _rows(versions_sql) == versions
            assert _rows("SELECT * FROM document_reading ORDER BY id") == readings
