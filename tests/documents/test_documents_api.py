"""Uploading, replacing and downloading documents through the API, in both storage backends."""

import hashlib
import io
import os
import zipfile

import pikepdf
import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context
from saas.documents.intake import check as pdf_check
from saas.documents.models import DocumentVersion
from saas.storage.backends import backend
from saas.storage.models import Blob
from saas.storage.operations import read_all
from tests.fixtures import pdfs
from tests.fixtures.documents import counts, file_url, leftovers, replace, upload
from tests.fixtures.sittings import convene
from tests.fixtures.storage import stored_bytes


def pdf_bytes(tmp_path, maker=pdfs.clean_pdf, name="a.pdf", **kwargs) -> bytes:
    return maker(tmp_path / name, **kwargs).read_bytes()


def test_upload_then_download_whole_and_range(client, session, draft_council, tmp_path, audit_events):
    data = pdf_bytes(tmp_path, pages=4)
    response = upload(client, draft_council, data)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["kind"] == "report" and body["title"] == "Rapport n° 44" and body["position"] is None
    version = body["current_version"]
    assert version["number"] == 1 and version["page_count"] == 4 and version["size"] == len(data)
    assert version["sha256"] == hashlib.sha256(data).hexdigest()
    assert version["removed_active_content"] == [] and version["added_after_convocation"] is False
    assert version["download_url"] == file_url(draft_council, body["id"])

    convene(session, draft_council.sitting)  # members read once the sitting is convened
    whole = client.get(version["download_url"], headers=draft_council.member)
    assert whole.status_code == 200 and whole.get_data() == data  # a clean file is published byte-identical
    assert whole.headers["Content-Type"] == "application/pdf"
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    assert whole.headers["Content-Disposition"].startswith('attachment; filename="rapport-44.pdf"')
    part = client.get(version["download_url"], headers={**draft_council.member, "Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.get_data() == data[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"

    with context(session, SYSTEM):
        blob = session.execute(
            sa.select(Blob).where(Blob.tenant_id == draft_council.tenant.id, Blob.sha256 == version["sha256"])
        ).scalar_one()
        assert b"%PDF" not in stored_bytes(backend(), blob)
    [(document_id, event)] = audit_events(draft_council.tenant, "document.added")
    assert document_id == str(body["id"]) and event["sha256"] == version["sha256"] and event["version"] == 1
    assert leftovers(client.application) == []


def test_replacing_keeps_every_version_reachable(client, session, draft_council, tmp_path, audit_events):
    first, second = pdf_bytes(tmp_path, pages=2), pdf_bytes(tmp_path, name="b.pdf", pages=5)
    document_id = upload(client, draft_council, first).json["id"]
    response = replace(client, draft_council, document_id, second)
    assert response.status_code == 201, response.json
    assert response.json["number"] == 2 and response.json["note"] == "Chiffres corrigés"
    assert response.json["filename"] == "rapport-44-v2.pdf" and response.json["page_count"] == 5

    convene(session, draft_council.sitting)
    versions = client.get(
        f"/api/v1/tenants/{draft_council.tenant.slug}/documents/{document_id}/versions", headers=draft_council.member
    )
    assert [v["number"] for v in versions.json] == [1, 2]
    assert client.get(file_url(draft_council, document_id, 1), headers=draft_council.member).get_data() == first
    assert client.get(file_url(draft_council, document_id, 2), headers=draft_council.member).get_data() == second
    assert client.get(file_url(draft_council, document_id, 3), headers=draft_council.member).status_code == 404
    listing = client.get(
        f"/api/v1/tenants/{draft_council.tenant.slug}/items/{draft_council.item.id}/documents",
        headers=draft_council.member,
    )
    assert listing.json["documents"][0]["current_version"]["number"] == 2
    [(_, event)] = audit_events(draft_council.tenant, "document.replaced")
    assert event["version"] == 2 and event["sha256"] == hashlib.sha256(second).hexdigest()


def test_javascript_is_removed_and_recorded(client, session, draft_council, tmp_path):
    response = upload(client, draft_council, pdf_bytes(tmp_path, pdfs.active_pdf), kind="annex", title="Plan")
    assert response.status_code == 201, response.json
    assert response.json["position"] == 1
    removed = {r["kind"] for r in response.json["current_version"]["removed_active_content"]}
    assert {"document_javascript", "open_action", "launch_action", "embedded_files"} <= removed
    convene(session, draft_council.sitting)
    published = client.get(response.json["current_version"]["download_url"], headers=draft_council.member).get_data()
    with pikepdf.open(io.BytesIO(published)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/Names" not in pdf.Root or "/JavaScript" not in pdf.Root.Names
    assert hashlib.sha256(published).hexdigest() == response.json["current_version"]["sha256"]


def test_encrypted_pdf_is_refused_and_leaves_nothing(client, session, draft_council, tmp_path):
    path = pdfs.clean_pdf(tmp_path / "secret.pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="proprietaire", user="", allow=pikepdf.Permissions()))
    response = upload(client, draft_council, path.read_bytes())
    assert response.status_code == 422
    assert response.json["message"] == pdf_check.ENCRYPTED
    assert counts(session, draft_council.tenant) == (0, 0, 0)
    assert list(backend().keys()) == []
    assert leftovers(client.application) == []


def test_text_file_is_refused(client, session, draft_council):
    response = upload(client, draft_council, b"Ordre du jour\n" * 1000, filename="odj.pdf")
    assert response.status_code == 422 and response.json["message"] == pdf_check.NOT_PDF
    assert counts(session, draft_council.tenant) == (0, 0, 0) and leftovers(client.application) == []


def test_failure_after_storing_leaves_no_object(client, session, draft_council, tmp_path):
    """A second report is refused after its file was stored: the rollback removes the object again."""
    upload(client, draft_council, pdf_bytes(tmp_path))
    before, counted = set(backend().keys()), counts(session, draft_council.tenant)  # the report and its board book
    response = upload(client, draft_council, pdf_bytes(tmp_path, name="b.pdf", pages=7), title="Autre rapport")
    assert response.status_code == 422 and "déjà" in response.json["message"]
    assert set(backend().keys()) == before and counts(session, draft_council.tenant) == counted


def test_request_over_max_content_length_is_413(client, session, draft_council, monkeypatch, tmp_path):
    monkeypatch.setitem(client.application.config, "MAX_CONTENT_LENGTH", 2000)
    response = upload(client, draft_council, pdf_bytes(tmp_path) + b"%" * 4000)
    assert response.status_code == 413
    assert response.json["message"] == "Le contenu envoyé dépasse la limite de 1,95 Ko."
    assert counts(session, draft_council.tenant) == (0, 0, 0)
    assert list(backend().keys()) == [] and leftovers(client.application) == []


def test_file_over_the_upload_limit_is_413(client, session, draft_council, monkeypatch):
    monkeypatch.setitem(client.application.config, "MAX_REQUEST_MB", 1)
    response = upload(client, draft_council, b"%PDF-1.7\n" + os.urandom(1024 * 1024 + 10))
    assert response.status_code == 413
    assert response.json["message"] == "Ce fichier dépasse la taille maximale acceptée (1 Mo)."
    assert counts(session, draft_council.tenant) == (0, 0, 0)
    assert list(backend().keys()) == [] and leftovers(client.application) == []


def test_version_after_convocation_is_flagged(client, session, draft_council, tmp_path):
    document_id = upload(client, draft_council, pdf_bytes(tmp_path)).json["id"]
    convene(session, draft_council.sitting)
    response = replace(client, draft_council, document_id, pdf_bytes(tmp_path, name="b.pdf", pages=2))
    assert response.json["added_after_convocation"] is True
    with context(session, SYSTEM):
        flags = session.execute(sa.select(DocumentVersion.added_after_convocation).order_by(DocumentVersion.number))
        assert [flag for (flag,) in flags] == [False, True]


def test_listing_orders_documents_and_says_if_a_summary_note_is_required(client, session, draft_council, tmp_path):
    upload(client, draft_council, pdf_bytes(tmp_path), kind="annex", title="Annexe A")
    upload(client, draft_council, pdf_bytes(tmp_path, name="b.pdf", pages=2), kind="annex", title="Annexe B")
    upload(client, draft_council, pdf_bytes(tmp_path, name="c.pdf", pages=3), kind="summary_note", title="Note")
    upload(client, draft_council, pdf_bytes(tmp_path, name="d.pdf", pages=4), kind="report", title="Rapport")
    convene(session, draft_council.sitting)
    listing = client.get(
        f"/api/v1/tenants/{draft_council.tenant.slug}/items/{draft_council.item.id}/documents",
        headers=draft_council.member,
    )
    assert listing.status_code == 200 and listing.json["summary_note_required"] is True
    assert [(d["kind"], d["title"], d["position"]) for d in listing.json["documents"]] == [
        ("report", "Rapport", None),
        ("summary_note", "Note", None),
        ("annex", "Annexe A", 1),
        ("annex", "Annexe B", 2),
    ]


def test_bad_form_is_refused_in_french(client, draft_council, tmp_path):
    assert (
        upload(client, draft_council, pdf_bytes(tmp_path), kind="minutes")
        .json["message"]
        .startswith("Type de document")
    )
    assert (
        upload(client, draft_council, pdf_bytes(tmp_path), title="  ").json["message"]
        == "Le titre du document est obligatoire."
    )
    url = f"/api/v1/tenants/{draft_council.tenant.slug}/items/{draft_council.item.id}/documents"
    missing = client.post(url, data={"kind": "report", "title": "x"}, headers=draft_council.secretary)
    assert missing.status_code == 422 and "« file »" in missing.json["message"]


def published_bytes(session, draft_council, sha256: str) -> bytes:
    """The published file read back through the storage (decrypted, integrity checked)."""
    with context(session, TenantContext(tenant_id=draft_council.tenant.id)):
        blob = session.execute(sa.select(Blob).where(Blob.sha256 == sha256)).scalar_one()
        return read_all(blob)


def test_html_before_the_pdf_is_refused_and_nothing_is_stored(client, session, draft_council, tmp_path):
    response = upload(client, draft_council, pdf_bytes(tmp_path, pdfs.polyglot_pdf))
    assert response.status_code == 422 and response.json["message"] == pdf_check.LEADING_DATA
    assert counts(session, draft_council.tenant) == (0, 0, 0) and list(backend().keys()) == []
    assert leftovers(client.application) == []


def test_a_zip_after_the_pdf_is_cut_before_storing(client, session, draft_council, tmp_path):
    data = pdf_bytes(tmp_path, pdfs.zip_appended_pdf)
    assert zipfile.is_zipfile(io.BytesIO(data))
    response = upload(client, draft_council, data)
    assert response.status_code == 201, response.json
    version = response.json["current_version"]
    assert version["removed_active_content"] == [
        {"kind": "trailing_data", "label": "Données ajoutées après la fin du PDF", "count": 1}
    ]
    stored = published_bytes(session, draft_council, version["sha256"])
    assert stored == data[: data.rindex(b"%%EOF") + len(b"%%EOF\n")] and len(stored) == version["size"]
    assert b"PK\x03\x04" not in stored and not zipfile.is_zipfile(io.BytesIO(stored))
    assert leftovers(client.application) == []


def test_a_javascript_link_is_removed_before_storing(client, session, draft_council, tmp_path):
    response = upload(client, draft_council, pdf_bytes(tmp_path, pdfs.javascript_link_pdf), kind="annex", title="Liens")
    assert response.status_code == 201, response.json
    version = response.json["current_version"]
    assert {r["kind"]: r["count"] for r in version["removed_active_content"]} == {
        "unsafe_uri_action": 3,
        "remote_goto_action": 1,
    }
    stored = published_bytes(session, draft_council, version["sha256"])
    assert stored.startswith(b"%PDF-") and b"javascript" not in stored.lower() and b"<script>" not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert [str(a.A.URI) for a in pdf.pages[0].Annots if "/A" in a] == [
            "https://www.legifrance.gouv.fr/",
            "mailto:secretariat@example.org",
        ]
