"""My annotated dossier: my annotations drawn (appearance streams) and flattened into copies of the sitting's
documents, then the summary of my notes, as one PDF — never anyone else's private annotation, never a
change to the stored files."""

import hashlib
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Dictionary, Name

from saas.core.database import SYSTEM, TenantContext, context
from saas.documents.annotations import operations as annotations
from saas.documents.annotations.models import Annotation
from saas.documents.dossier.operations import annotated_dossier, draw_annotations, exported_documents
from saas.documents.operations import add_item_document, placed_items
from saas.identity.models import MandateRole
from saas.sittings.models import AgendaItem
from saas.storage.operations import read_all
from tests.fixtures.web import bearer, login

NOTE = "Vérifier le montant de la subvention avec la commission des finances"
BOX = "Question au rapporteur"
COLLEAGUE_SECRET = "Note privée de ma collègue sur le budget"


def report_pdf(pages: int = 3) -> bytes:
    """A report whose page 2 carries the sentence the member highlights."""
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        text = b"La subvention est de 12 000 euros" if number == 2 else b"Rapport n 44 - page %d" % number
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 700 Td (" + text + b") Tj ET")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@dataclass
class Dossier:
    tenant: object
    sitting: object
    document: object
    member: object
    colleague: object
    other_tenant: object
    stranger: object


@pytest.fixture
def dossier(session, storage, create_tenant, create_person, give_mandate, create_sitting, in_tenant):
    tenant, other = create_tenant(), create_tenant()
    sitting = create_sitting(tenant, items=1)
    member, colleague, stranger = create_person(), create_person(), create_person()
    give_mandate(member, tenant)
    give_mandate(colleague, tenant)
    give_mandate(stranger, other)
    with in_tenant(tenant):
        item = session.query(AgendaItem).filter_by(sitting_id=sitting.id).one()
        document = add_item_document(item, "report", "Rapport n° 44", io.BytesIO(report_pdf()), "rapport.pdf", None)
        session.flush()
    return Dossier(tenant, sitting, document, member, colleague, other, stranger)


def annotate(session, dossier, author, kind, page=2, scope="private", **values) -> Annotation:
    """An annotation made as the viewer makes it (saas/documents/annotations/operations.py ``create``)."""
    orphaned_from = values.pop("orphaned_from", None)
    data = {"kind": kind, "page": page, "color": values.pop("color", "#ffd400"), "sharing": {"scope": scope}}
    with context(session, TenantContext(tenant_id=dossier.tenant.id, person_id=author.id)):
        annotation = annotations.create(dossier.document, author, data | values)
        if orphaned_from:  # as re-anchoring leaves it when the quote is gone from a new version
            annotation.orphaned, annotation.orphaned_from = True, orphaned_from
        session.flush()
    return annotation


def annotate_all(session, dossier, author=None):
    author = author or dossier.member
    return [
        annotate(
            session, dossier, author, "highlight", rects=[[72, 696, 290, 712]],
            quote={"exact": "La subvention est de 12 000 euros", "prefix": "", "suffix": ""}, body="À discuter",
        ),
        annotate(session, dossier, author, "note", rects=[[300, 696, 316, 712]], body=NOTE),
        annotate(session, dossier, author, "ink", color="#ff6b6b", ink=[[[80, 600], [150, 620], [200, 580]]]),
        annotate(session, dossier, author, "text", page=3, rects=[[72, 500, 300, 540]], body=BOX),
    ]  # fmt: skip


def stored_sha256(session, dossier) -> str:
    with context(session, SYSTEM):
        return hashlib.sha256(read_all(dossier.document.current_version.blob)).hexdigest()


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "dossier.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def fetch(client, target: str, headers=None):
    """The response, read in full and closed (as a WSGI server closes it: the PDF's file handle too)."""
    response = client.get(target, headers=headers)
    response.get_data()
    response.close()
    return response


def url(dossier, tenant=None) -> str:
    return f"/t/{(tenant or dossier.tenant).slug}/s/{dossier.sitting.id}/dossier-annote.pdf"


def api_url(dossier, tenant=None) -> str:
    return f"/api/v1/tenants/{(tenant or dossier.tenant).slug}/sittings/{dossier.sitting.id}/annotated-dossier"


def test_highlight_gets_its_appearance_then_is_flattened_into_the_page(app, session, dossier, tmp_path):
    annotations = annotate_all(session, dossier)
    source = tmp_path / "report.pdf"
    source.write_bytes(report_pdf())
    with pikepdf.open(source) as pdf:
        before = pdf.pages[1].Contents.read_bytes()
        assert draw_annotations(pdf, annotations) == 4
        kinds = {str(annot.Subtype): annot for page in pdf.pages for annot in page.get("/Annots", [])}
        assert set(kinds) == {"/Highlight", "/Text", "/Ink", "/FreeText"}
        highlight = kinds["/Highlight"]
        assert list(highlight.QuadPoints) == [72, 712, 290, 712, 72, 696, 290, 696]
        appearance = highlight.AP.N
        assert appearance.Subtype == Name.Form and list(appearance.BBox) == [72, 696, 290, 712]
        state = appearance.Resources.ExtGState.GS0
        assert float(state.CA) == float(state.ca) == 0.4
        assert b"re" in appearance.read_bytes() and b"/GS0 gs" in appearance.read_bytes()
        assert [len(s) for s in kinds["/Ink"].InkList] == [6]
        assert kinds["/FreeText"].AP.N.Resources.Font.Cour.BaseFont == Name.Courier
        pdf.flatten_annotations("print")
        assert all("/Annots" not in page.obj or len(page.Annots) == 0 for page in pdf.pages)
        after = b"".join(part.read_bytes() for part in pdf.pages[1].obj.Contents.as_list())
        assert after != before and b" Do" in after


def test_dossier_shows_my_notes_and_summary_and_passes_qpdf(app, client, session, dossier, tmp_path):
    annotate_all(session, dossier)
    original = stored_sha256(session, dossier)
    assert original == dossier.document.current_version.sha256
    login(client, dossier.member)
    response = fetch(client, url(dossier))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.get_data()
    (tmp_path / "dossier.pdf").write_bytes(data)
    check = subprocess.run(["qpdf", "--check", str(tmp_path / "dossier.pdf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    text = " ".join(pdftotext(data, tmp_path).split())
    assert "La subvention est de 12 000 euros" in text  # the page itself
    assert BOX in text  # the free-text box, flattened into page 3
    assert "Résumé de mes notes" in text and NOTE in text and "À discuter" in text
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) > 3
        assert not any("/Annots" in page.obj and len(page.Annots) for page in pdf.pages[:3])
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
            assert titles[0].endswith("Point 1") and titles[-1] == "Résumé de mes notes"
            assert [child.title for child in outline.root[0].children] == ["Rapport n° 44"]
    assert stored_sha256(session, dossier) == original


def test_nothing_is_left_in_the_workspace(app, client, session, dossier):
    annotate_all(session, dossier)
    login(client, dossier.member)
    assert fetch(client, url(dossier)).status_code == 200
    workspace = Path(app.instance_path) / "annotated-exports"
    assert workspace.is_dir() and not list(workspace.iterdir())


def test_another_members_private_annotation_never_appears(app, client, session, dossier, tmp_path):
    annotate_all(session, dossier)
    annotate(session, dossier, dossier.colleague, "note", rects=[[72, 300, 88, 316]], body=COLLEAGUE_SECRET)
    annotate(
        session, dossier, dossier.colleague, "text", rects=[[72, 200, 400, 260]],
        body=COLLEAGUE_SECRET + " (partagée)", scope="assembly",
    )  # fmt: skip
    login(client, dossier.member)
    text = " ".join(pdftotext(fetch(client, url(dossier)).get_data(), tmp_path).split())
    assert NOTE in text and COLLEAGUE_SECRET not in text
    colleague_text = " ".join(
        pdftotext(fetch(client, api_url(dossier), headers=bearer(dossier.colleague)).get_data(), tmp_path).split()
    )
    assert COLLEAGUE_SECRET in colleague_text and NOTE not in colleague_text


def test_api_gives_the_same_dossier(app, client, session, dossier, tmp_path):
    annotate_all(session, dossier)
    response = fetch(client, api_url(dossier), headers=bearer(dossier.member))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert NOTE in " ".join(pdftotext(response.get_data(), tmp_path).split())


def test_orphaned_notes_are_listed_with_their_old_page(app, session, dossier, tmp_path):
    annotate(
        session, dossier, dossier.member, "highlight", rects=[[72, 696, 290, 712]], body="Ancienne remarque",
        orphaned_from={"version_number": 1, "page": 2}, quote={"exact": "12 000 euros"},
    )  # fmt: skip
    with context(session, SYSTEM):
        items = session.query(AgendaItem).filter_by(sitting_id=dossier.sitting.id).all()
        parts = exported_documents(items, dossier.member)
        assert [len(parts[0].annotations), len(parts[0].orphaned)] == [0, 1]
        with annotated_dossier(dossier.sitting, items, dossier.member) as path:
            text = " ".join(pdftotext(path.read_bytes(), tmp_path).split())
    assert "Ancienne remarque" in text and "p. 2 de la version 1" in text


def test_another_tenant_and_strangers_get_404(app, client, session, dossier):
    annotate_all(session, dossier)
    login(client, dossier.stranger)
    assert fetch(client, url(dossier)).status_code == 404
    assert fetch(client, url(dossier, dossier.other_tenant)).status_code == 404
    assert fetch(client, api_url(dossier), headers=bearer(dossier.stranger)).status_code == 404
    assert fetch(client, api_url(dossier, dossier.other_tenant), headers=bearer(dossier.stranger)).status_code == 404
    assert fetch(client, api_url(dossier, dossier.other_tenant), headers=bearer(dossier.member)).status_code == 404


def test_guest_export_leaves_out_closed_session_items(
    app, client, session, dossier, give_mandate, create_person, tmp_path
):
    guest = create_person()
    give_mandate(guest, dossier.tenant, role=MandateRole.GUEST)
    with context(session, SYSTEM):
        placed_items(dossier.document.report)[0].confidential = True
        session.flush()
    response = fetch(client, api_url(dossier), headers=bearer(guest))
    assert response.status_code == 200
    assert "La subvention" not in pdftotext(response.get_data(), tmp_path)
    assert "La subvention" in pdftotext(
        fetch(client, api_url(dossier), headers=bearer(dossier.member)).get_data(), tmp_path
    )
