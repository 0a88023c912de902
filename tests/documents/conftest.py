"""Documents API fixtures: the storage of the column (local files or SeaweedFS), a prepared council with
its secretary, a member, a guest and someone of another collectivity, and upload helpers."""

import io
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from saas.core.database import SYSTEM, context
from saas.documents.models import Document, DocumentVersion
from saas.identity.models import GrantKind, MandateRole
from saas.sittings.models import AgendaItem, SittingStatus
from saas.storage.models import Blob
from tests.helpers import bearer
from tests.sittings.conftest import audit_events, create_sitting, in_tenant  # noqa: F401 (fixtures)
from tests.storage.conftest import seaweedfs, storage  # noqa: F401 (fixtures)


@dataclass
class Council:
    tenant: object
    sitting: object
    item: object
    secretary: dict
    member: dict
    guest: dict
    stranger: dict
    other_tenant: object


@pytest.fixture
def council(session, storage, create_tenant, create_person, give_mandate, give_grant, create_sitting):  # noqa: F811
    """A commune of 10 000 (summary note required) with a draft sitting of one item, and its people.

    Each person is given as the Authorization header of a fresh token."""
    tenant = create_tenant(population=10000)
    other = create_tenant()
    sitting = create_sitting(tenant, convene=False, items=1)
    with context(session, SYSTEM):
        item = sitting_items(session, sitting)[0]
    secretary, member, guest, stranger = (create_person() for _ in range(4))
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    give_mandate(member, tenant)
    give_mandate(guest, tenant, role=MandateRole.GUEST)
    give_mandate(stranger, other)
    return Council(tenant, sitting, item, bearer(secretary), bearer(member), bearer(guest), bearer(stranger), other)


def sitting_items(session, sitting):
    return list(session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == sitting.id)).scalars())


def post_form(client, url: str, form: dict, headers: dict):
    """POST a multipart form encoded in memory (the test client's own encoder leaks a temporary file
    for bodies over 500 KB)."""
    boundary, body = encode_multipart(form)
    return client.post(url, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, council, data: bytes, kind="report", title="Rapport n° 44", filename="rapport-44.pdf", **kw):
    url = f"/api/v1/tenants/{council.tenant.slug}/items/{council.item.id}/documents"
    form = {"kind": kind, "title": title, "file": FileStorage(io.BytesIO(data), filename)}
    return post_form(client, url, form, kw.get("headers", council.secretary))


def replace(client, council, document_id, data: bytes, note="Chiffres corrigés", headers=None):
    url = f"/api/v1/tenants/{council.tenant.slug}/documents/{document_id}/versions"
    form = {"file": FileStorage(io.BytesIO(data), "rapport-44-v2.pdf"), "note": note}
    return post_form(client, url, form, headers or council.secretary)


def file_url(council, document_id, number=1) -> str:
    return f"/api/v1/tenants/{council.tenant.slug}/documents/{document_id}/versions/{number}/file"


def convene(session, sitting):
    with context(session, SYSTEM):
        sitting.status = SittingStatus.CONVENED
        session.flush()


def leftovers(app) -> list[Path]:
    """Files left in the instance folder's upload and spool directories."""
    instance = Path(app.instance_path)
    found = []
    for folder in (instance / "uploads", instance / "files" / ".spool", instance / "spool"):
        if folder.exists():
            found += [path for path in folder.rglob("*")]
    return found


def counts(session, tenant) -> tuple[int, int, int]:
    """(documents, versions, blobs) of the tenant."""
    with context(session, SYSTEM):
        return tuple(
            session.execute(
                sa.select(sa.func.count()).select_from(model).where(model.tenant_id == tenant.id)
            ).scalar_one()
            for model in (Document, DocumentVersion, Blob)
        )
