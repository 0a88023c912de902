"""The signature book API: request, my pending signatures, sign with a code, refuse, comment, download,
batches; 404 for what the caller may not see; the routes are in the OpenAPI document."""

import io
import json

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from saas.jobs import queues as jobs
from tests.fixtures.pdfs import deliberation_pdf
from tests.fixtures.signing import fresh_code, new_request
from tests.fixtures.verifiers import pdfsig
from tests.fixtures.web import bearer


def _url(city, request_id=None, action="") -> str:
    base = f"/api/v1/tenants/{city.tenant.slug}/signature-requests"
    return base if request_id is None else f"{base}/{request_id}{action}"


def test_request_sign_in_order_and_download(client, session, city, tmp_path):
    body = {
        "document_version_id": city.version.id,
        "title": "Délibération n° 44",
        "signers": [
            {"person_id": city.mayor.id, "role": "Maire"},
            {"person_id": city.secretary.id, "role": "Secrétaire de séance"},
        ],
    }
    assert client.post(_url(city), json=body, headers=bearer(city.member)).status_code == 404
    created = client.post(_url(city), json=body, headers=bearer(city.secretariat))
    assert created.status_code == 201, created.json
    request_id = created.json["id"]
    assert [s["status"] for s in created.json["steps"]] == ["pending", "waiting"]

    secretary, mayor = bearer(city.secretary), bearer(city.mayor)
    assert client.get("/api/v1/me/signatures", headers=secretary).json == []
    assert client.get(_url(city, request_id), headers=secretary).status_code == 404
    (entry,) = client.get("/api/v1/me/signatures", headers=mayor).json
    assert entry["request_id"] == request_id and entry["tenant_name"] == "Ville de Besançon"

    refused = client.post(_url(city, request_id, "/sign"), json={"code": "123456"}, headers=mayor)
    assert refused.status_code == 422 and refused.json["message"].startswith("Code de vérification")
    assert client.post(_url(city, request_id, "/sign"), json={}, headers=mayor).status_code == 422
    signed = client.post(_url(city, request_id, "/sign"), json={"code": fresh_code(city.mayor)}, headers=mayor)
    assert signed.status_code == 200 and [s["status"] for s in signed.json["steps"]] == ["signed", "pending"]

    comment = client.post(_url(city, request_id, "/comment"), json={"comment": "Relu."}, headers=secretary)
    assert comment.status_code == 200 and comment.json["steps"][1]["comment"] == "Relu."
    signed = client.post(_url(city, request_id, "/sign"), json={"code": fresh_code(city.secretary)}, headers=secretary)
    assert signed.status_code == 200 and signed.json["status"] == "signed"

    download = client.get(_url(city, request_id, "/file"), headers=mayor)
    assert download.status_code == 200 and download.headers["ETag"] == f'"{signed.json["sha256"]}"'
    (tmp_path / "signed.pdf").write_bytes(download.data)
    assert pdfsig(tmp_path / "signed.pdf").count("Signature is Valid") == 2


def test_refuse_needs_a_reason(client, session, city):
    request = new_request(session, city)
    mayor = bearer(city.mayor)
    for body in ({}, {"reason": "  "}):
        assert client.post(_url(city, request.id, "/refuse"), json=body, headers=mayor).status_code == 422
    refused = client.post(_url(city, request.id, "/refuse"), json={"reason": "Montant erroné"}, headers=mayor)
    assert refused.status_code == 200 and refused.json["status"] == "refused"
    assert refused.json["steps"][0]["reason"] == "Montant erroné"


def test_an_uploaded_pdf_and_a_batch(client, session, city, app):
    pdf = deliberation_pdf(city.tenant.name, 3, "Convention", ["Adoptée."])
    signers = json.dumps([{"person_id": city.mayor.id, "role": "Maire, président de séance"}])
    boundary, data = encode_multipart(
        {"title": "Convention", "signers": signers, "file": FileStorage(io.BytesIO(pdf), "convention.pdf")}
    )
    headers = {**bearer(city.secretariat), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    created = client.post(_url(city), data=data, headers=headers)
    assert created.status_code == 201, created.json
    other = new_request(session, city)
    mayor = bearer(city.mayor)
    batch = client.post(
        f"/api/v1/tenants/{city.tenant.slug}/signature-batches",
        json={"request_ids": [created.json["id"], other.id], "code": fresh_code(city.mayor)},
        headers=mayor,
    )
    assert batch.status_code == 202, batch.json
    if app.config["REDIS_URL"]:  # queued in Redis: a worker cannot see this test's uncommitted rows, run it here
        jobs.run("saas.signing.book.jobs.sign_book_batch", city.tenant.id, [batch.json["id"]])
    progress = client.get(f"/api/v1/tenants/{city.tenant.slug}/signature-batches/{batch.json['id']}", headers=mayor)
    assert progress.json["status"] == "done" and progress.json["done"] == 2
    assert sorted(item["request_id"] for item in progress.json["items"]) == sorted([created.json["id"], other.id])
    assert {item["status"] for item in progress.json["items"]} == {"signed"}
    assert client.get(_url(city, created.json["id"]), headers=mayor).json["status"] == "signed"
    assert client.get(f"/api/v1/tenants/{city.tenant.slug}/signature-batches/{batch.json['id']}",
                      headers=bearer(city.secretary)).status_code == 404  # fmt: skip


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in (
        ("/api/v1/me/signatures", "get"),
        ("/api/v1/tenants/{tenant_slug}/signature-requests", "post"),
        ("/api/v1/tenants/{tenant_slug}/signature-requests/{request_id}", "get"),
        ("/api/v1/tenants/{tenant_slug}/signature-requests/{request_id}/file", "get"),
        ("/api/v1/tenants/{tenant_slug}/signature-requests/{request_id}/sign", "post"),
        ("/api/v1/tenants/{tenant_slug}/signature-requests/{request_id}/refuse", "post"),
        ("/api/v1/tenants/{tenant_slug}/signature-requests/{request_id}/comment", "post"),
        ("/api/v1/tenants/{tenant_slug}/signature-batches", "post"),
        ("/api/v1/tenants/{tenant_slug}/signature-batches/{batch_id}", "get"),
    ):
        assert method in paths[path], path
