"""The API's multipart forms are read by their schemas once access is checked: a missing or wrong field is
a 422 with the French message of the first wrong field and every field's errors under "form", nothing is
stored, and the OpenAPI document describes the fields from those same schemas."""

import io

from werkzeug.datastructures import FileStorage

from tests.fixtures import pdfs
from tests.fixtures.documents import counts
from tests.fixtures.web import post_form


def _url(draft_council) -> str:
    return f"/api/v1/tenants/{draft_council.tenant.slug}/items/{draft_council.item.id}/documents"


def test_a_missing_field_is_refused_with_its_message_and_nothing_iscounts(client, session, draft_council, tmp_path):
    pdf = pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()
    cases = [
        ({"kind": "report", "title": "Rapport"}, "Joignez le fichier PDF (champ « file »).", "file"),
        ({"kind": "report", "title": "Rapport", "file": "pas un fichier"}, "Joignez le fichier PDF", "file"),
        ({"title": "Rapport", "file": FileStorage(io.BytesIO(pdf), "a.pdf")}, "Type de document inconnu", "kind"),
        ({"kind": "minutes", "title": "R", "file": FileStorage(io.BytesIO(pdf), "a.pdf")}, "Type de document", "kind"),
        ({"kind": "report", "file": FileStorage(io.BytesIO(pdf), "a.pdf")}, "Le titre du document est", "title"),
    ]
    for form, message, field in cases:
        response = post_form(client, _url(draft_council), form, draft_council.secretary)
        assert response.status_code == 422, (form, response.json)
        assert response.json["message"].startswith(message), response.json
        assert field in response.json["errors"]["form"], response.json
    assert counts(session, draft_council.tenant) == (0, 0, 0)


def test_the_form_is_read_only_after_the_access_check(client, session, draft_council):
    """A member who may read the item but not prepare it gets 404 even for a form that would be refused."""
    assert post_form(client, _url(draft_council), {"kind": "report"}, draft_council.member).status_code == 404
    assert post_form(client, _url(draft_council), {"kind": "report"}, draft_council.stranger).status_code == 404


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
