"""The API's multipart forms are read by their schemas once access is checked: a missing or wrong field is
a 422 with the French message of the first wrong field and every field's errors under "form", nothing is
stored, and the OpenAPI document describes the fields from those same schemas."""

import io

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from saas.core.database import SYSTEM, context
from saas.documents.models import Document, DocumentVersion
from saas.storage.models import Blob
from tests.fixtures import pdfs


def _post(client, url: str, form: dict, headers: dict):
    boundary, body = encode_multipart(form)
    return client.post(url, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}")


def _stored(session, tenant) -> tuple[int, int, int]:
    with context(session, SYSTEM):
        return tuple(
            session.execute(
                sa.select(sa.func.count()).select_from(model).where(model.tenant_id == tenant.id)
            ).scalar_one()
            for model in (Document, DocumentVersion, Blob)
        )


def _url(council) -> str:
    return f"/api/v1/tenants/{council.tenant.slug}/items/{council.item.id}/documents"


def test_a_missing_field_is_refused_with_its_message_and_nothing_is_stored(client, session, council, tmp_path):
    pdf = pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()
    cases = [
        ({"kind": "report", "title": "Rapport"}, "Joignez le fichier PDF (champ « file »).", "file"),
        ({"kind": "report", "title": "Rapport", "file": "pas un fichier"}, "Joignez le fichier PDF", "file"),
        ({"title": "Rapport", "file": FileStorage(io.BytesIO(pdf), "a.pdf")}, "Type de document inconnu", "kind"),
        ({"kind": "minutes", "title": "R", "file": FileStorage(io.BytesIO(pdf), "a.pdf")}, "Type de document", "kind"),
        ({"kind": "report", "file": FileStorage(io.BytesIO(pdf), "a.pdf")}, "Le titre du document est", "title"),
    ]
    for form, message, field in cases:
        response = _post(client, _url(council), form, council.secretary)
        assert response.status_code == 422, (form, response.json)
        assert response.json["message"].startswith(message), response.json
        assert field in response.json["errors"]["form"], response.json
    assert _stored(session, council.tenant) == (0, 0, 0)


def test_the_form_is_read_only_after_the_access_check(client, session, council):
    """A member who may read the item but not prepare it gets 404 even for a form that would be refused."""
    assert _post(client, _url(council), {"kind": "report"}, council.member).status_code == 404
    assert _post(client, _url(council), {"kind": "report"}, council.stranger).status_code == 404


def test_the_openapi_document_describes_the_form_fields(client):
    spec = client.get("/api/v1/openapi.json").json
    upload = spec["paths"]["/api/v1/tenants/{tenant_slug}/items/{item_id}/documents"]["post"]["requestBody"]
    ref = upload["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = spec["components"]["schemas"][ref]
    assert set(schema["required"]) == {"file", "kind", "title"}
    assert schema["properties"]["file"] == {"description": "Le PDF.", "type": "string", "format": "binary"}
    assert schema["properties"]["kind"]["enum"] == ["report", "summary_note", "annex"]
    book = spec["paths"]["/api/v1/tenants/{tenant_slug}/signature-requests"]["post"]["requestBody"]["content"]
    ref = book["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(spec["components"]["schemas"][ref]["required"]) == {"file", "title", "signers"}
