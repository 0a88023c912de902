"""Annotation fixtures: a convened council with one report of three pages, and the people around it.

The author and a colleague sit in the majority group, a third member in the opposition; a tenant admin and
an operator sit nowhere as members; a member of another collectivity; a guest. Each person comes with the
Authorization header of a fresh token (``headers``)."""

import io
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Dictionary, Name
from werkzeug.datastructures import FileStorage

from saas.core.database import SYSTEM, context
from saas.documents.operations import add_document
from saas.identity.models import GrantKind, MandateRole
from saas.tenancy.models import PoliticalGroup
from tests.documents.conftest import post_form, sitting_items
from tests.helpers import bearer
from tests.sittings.conftest import create_sitting, in_tenant  # noqa: F401 (fixtures)
from tests.storage.conftest import seaweedfs, storage  # noqa: F401 (fixtures)

PAGE = (595, 842)
BUDGET = "Le budget primitif est adopte a l'unanimite des membres presents."
VANISHING = "Cette phrase disparaitra de la version suivante du rapport."

#: version 1: the budget sentence on page 2
FIRST = [
    ["Rapport n 44 - page 1", "Introduction du rapport."],
    ["Rapport n 44 - page 2", BUDGET, VANISHING],
    ["Rapport n 44 - page 3", "Annexes et tableaux."],
]
#: version 2: a new page 2 pushes the budget sentence to page 3, lower on the page; the vanishing one is gone
SECOND = [
    ["Rapport n 44 - page 1", "Introduction du rapport."],
    ["Rapport n 44 - page 2", "Un amendement insere une page nouvelle."],
    ["Rapport n 44 - page 3", "Plus bas sur la page :", "", "", BUDGET],
    ["Rapport n 44 - page 4", "Annexes et tableaux."],
]


def text_pdf(path: Path, pages: list[list[str]]) -> bytes:
    """A PDF whose pages show these lines in Helvetica 12, from the top, 20 points apart (x = 72)."""
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for lines in pages:
        page = pdf.add_blank_page(page_size=PAGE)
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        text = b"".join(b"1 0 0 1 72 %d Tm (%s) Tj " % (770 - 20 * n, line.encode()) for n, line in enumerate(lines))
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf " + text + b"ET")
    pdf.save(path)
    return path.read_bytes()


@dataclass
class Council:
    tenant: object
    other_tenant: object
    sitting: object
    document: object
    people: dict
    headers: dict = field(default_factory=dict)

    def documents_url(self, document_id=None) -> str:
        return f"/api/v1/tenants/{self.tenant.slug}/documents/{document_id or self.document.id}/annotations"

    def annotation_url(self, annotation_id, slug=None) -> str:
        return f"/api/v1/tenants/{slug or self.tenant.slug}/annotations/{annotation_id}"

    def replace(self, client, data: bytes):
        url = f"/api/v1/tenants/{self.tenant.slug}/documents/{self.document.id}/versions"
        form = {"file": FileStorage(io.BytesIO(data), "rapport-44-v2.pdf"), "note": "Amendement"}
        return post_form(client, url, form, self.headers["secretary"])


@pytest.fixture
def council(
    session,
    storage,  # noqa: F811 (the fixture imported above)
    tmp_path,
    create_tenant,
    create_person,
    give_mandate,
    give_grant,
    create_sitting,  # noqa: F811
):
    tenant = create_tenant()
    other = create_tenant()
    sitting = create_sitting(tenant, items=1)
    assembly = tenant.assemblies[0]
    with context(session, SYSTEM):
        majority = session.query(PoliticalGroup).filter_by(tenant_id=tenant.id).one()
        opposition = PoliticalGroup(tenant_id=tenant.id, name="Opposition")
        session.add(opposition)
        session.flush()
        item = sitting_items(session, sitting)[0]
        data = text_pdf(tmp_path / "v1.pdf", FIRST)
        document = add_document(item, "report", "Rapport n° 44", io.BytesIO(data), "rapport-44.pdf", None)
    names = ("author", "colleague", "opponent", "admin", "operator", "secretary", "guest", "stranger")
    people = {name: create_person(first_name=name.capitalize(), last_name="Test") for name in names}
    give_mandate(people["author"], tenant, political_group=majority)
    give_mandate(people["colleague"], tenant, political_group=majority)
    give_mandate(people["opponent"], tenant, political_group=opposition)
    give_mandate(people["guest"], tenant, role=MandateRole.GUEST)
    give_grant(people["admin"], tenant, GrantKind.TENANT_ADMIN)
    give_grant(people["secretary"], tenant, GrantKind.SECRETARY, assembly=assembly)
    with context(session, SYSTEM):
        people["operator"].is_operator = True
        session.flush()
    give_mandate(people["stranger"], other)
    council = Council(tenant, other, sitting, document, people)
    council.headers = {name: bearer(person) for name, person in people.items()}
    return council


def highlight(**values) -> dict:
    """A highlight of the budget sentence on page 2 of version 1 (one rectangle on its line)."""
    return {
        "kind": "highlight",
        "page": 2,
        "color": "#ffd400",
        "rects": [[72, 748, 420, 762]],
        "body": "À vérifier avec la commission des finances",
        "quote": {"exact": BUDGET, "prefix": "Rapport n 44 - page 2", "suffix": "Cette phrase"},
        "position": {"start": 21, "end": 21 + len(BUDGET)},
        **values,
    }


def note(**values) -> dict:
    return {"kind": "note", "page": 1, "color": "#4dabf7", "rects": [[500, 700, 520, 720]], "body": "Note", **values}
