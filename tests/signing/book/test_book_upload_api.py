"""An uploaded PDF put to signature through the API (multipart): its form is read by its schema once the
caller is known to run the secretariat; a wrong field is a 422 with its French message, nothing created."""

import io
import json

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from saas.core.database import TenantContext, context
from saas.signing.book.models import SignatureRequest
from tests.fixtures.pdfs import deliberation_pdf
from tests.fixtures.web import bearer


def _post(client, city, form: dict, person):
    boundary, body = encode_multipart(form)
    headers = {**bearer(person), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return client.post(f"/api/v1/tenants/{city.tenant.slug}/signature-requests", data=body, headers=headers)


def test_each_wrong_field_is_refused_with_its_message(client, session, city):
    pdf = deliberation_pdf(city.tenant.name, 3, "Convention", ["Adoptée."])
    signers = json.dumps([{"person_id": city.mayor.id, "role": "Maire"}])
    cases = [
        ({"title": "Convention", "signers": signers}, "Joignez le fichier PDF (champ « file »)."),
        ({"title": "Convention", "signers": signers, "file": FileStorage(io.BytesIO(pdf), "")}, "Joignez le fichier"),
        ({"title": "C", "signers": "[{", "file": FileStorage(io.BytesIO(pdf), "c.pdf")}, "« signers » doit être"),
        (
            {"title": "C", "signers": '[{"person_id": "x"}]', "file": FileStorage(io.BytesIO(pdf), "c.pdf")},
            "« signers »",
        ),
        ({"signers": signers, "file": FileStorage(io.BytesIO(pdf), "c.pdf")}, "Le titre est obligatoire."),
    ]
    for form, message in cases:
        response = _post(client, city, form, city.secretariat)
        assert response.status_code == 422 and response.json["message"].startswith(message), response.json
        assert response.json["errors"]["form"], response.json
    assert _post(client, city, cases[0][0], city.member).status_code == 404  # not the secretariat: 404 first
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        assert session.execute(sa.select(sa.func.count()).select_from(SignatureRequest)).scalar_one() == 0
