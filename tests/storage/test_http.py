"""send_blob through a tiny blueprint, on a small Flask app made for the test (never in the real one)."""

import io
import os

import pytest
from flask import Blueprint, Flask, abort

from saas.core.database import TenantContext, context
from saas.core.extensions import db
from saas.storage import operations
from saas.storage.crypto import CHUNK_SIZE, HEADER_SIZE, IntegrityError
from saas.storage.http import send_blob
from tests.fixtures.storage import rewrite, stored_bytes

DATA = os.urandom(2 * CHUNK_SIZE + 100)


@pytest.fixture
def web(app, storage):
    """A test client of an app whose only route sends a blob of the tenant in the URL (404 otherwise)."""
    files = Blueprint("files", __name__)

    @files.get("/t/<int:tenant_id>/files/<int:blob_id>")
    def download(tenant_id: int, blob_id: int):
        with context(db.session, TenantContext(tenant_id=tenant_id)):
            blob = operations.find_blob(blob_id)
            if blob is None:
                abort(404)
            return send_blob(blob, "Rapport n° 44 – « budget ».pdf", "application/pdf")

    tiny = Flask("storage_http_test", instance_path=app.instance_path)
    tiny.config.update(app.config)
    tiny.register_blueprint(files)
    return tiny.test_client()


@pytest.fixture
def blob(session, create_tenant):
    tenant = create_tenant()
    return operations.store(tenant.id, io.BytesIO(DATA))


def url(blob) -> str:
    return f"/t/{blob.tenant_id}/files/{blob.id}"


def test_whole_file(web, blob):
    response = web.get(url(blob))
    assert response.status_code == 200
    assert response.get_data() == DATA
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Rapport n_ 44 _ _ budget _.pdf"; '
        "filename*=UTF-8''Rapport%20n%C2%B0%2044%20%E2%80%93%20%C2%AB%20budget%20%C2%BB.pdf"
    )
    assert "Content-Range" not in response.headers


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=10-", 10, len(DATA) - 1),
        ("bytes=-5", len(DATA) - 5, len(DATA) - 1),
        (f"bytes={CHUNK_SIZE - 2}-{CHUNK_SIZE + 2}", CHUNK_SIZE - 2, CHUNK_SIZE + 2),
        (f"bytes=5-{10 * len(DATA)}", 5, len(DATA) - 1),
        (f"bytes=-{10 * len(DATA)}", 0, len(DATA) - 1),
    ],
)
def test_ranges(web, blob, header, start, end):
    response = web.get(url(blob), headers={"Range": header})
    assert response.status_code == 206
    assert response.get_data() == DATA[start : end + 1]
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response.headers["Content-Length"] == str(end - start + 1)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("header", [f"bytes={len(DATA)}-", "bytes=-0", f"bytes={len(DATA) + 5}-{len(DATA) + 9}"])
def test_unsatisfiable_range(web, blob, header):
    response = web.get(url(blob), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"
    assert response.get_data() == b""


@pytest.mark.parametrize("header", ["bytes=5-2", "items=0-3", "bytes=0-1,4-5"])
def test_ignored_range_headers_send_everything(web, blob, header):
    response = web.get(url(blob), headers={"Range": header})
    assert response.status_code == 200 and response.get_data() == DATA


def test_if_range_with_another_version_sends_everything(web, blob):
    response = web.get(url(blob), headers={"Range": "bytes=0-3", "If-Range": '"0000"'})
    assert response.status_code == 200
    response = web.get(url(blob), headers={"Range": "bytes=0-3", "If-Range": f'"{blob.sha256}"'})
    assert response.status_code == 206 and response.get_data() == DATA[:4]


def test_another_tenants_blob_is_not_found(web, blob, create_tenant):
    other = create_tenant()
    assert web.get(f"/t/{other.id}/files/{blob.id}").status_code == 404


def test_empty_file(web, session, create_tenant):
    empty = operations.store(create_tenant().id, io.BytesIO(b""))
    response = web.get(url(empty))
    assert response.status_code == 200 and response.get_data() == b""
    assert web.get(url(empty), headers={"Range": "bytes=0-"}).status_code == 416


def test_damaged_first_chunk_is_an_error_not_bytes(web, blob, storage, tmp_path):
    stored = bytearray(stored_bytes(storage, blob))
    stored[HEADER_SIZE + 3] ^= 1
    rewrite(storage, blob, bytes(stored), tmp_path)
    response = web.get(url(blob))
    assert response.status_code == 500
    assert DATA[:16] not in response.get_data()
    assert web.get(url(blob), headers={"Range": f"bytes={2 * CHUNK_SIZE}-"}).status_code == 206


def test_damaged_later_chunk_aborts_the_transfer(web, blob, storage, tmp_path):
    stored = bytearray(stored_bytes(storage, blob))
    stored[HEADER_SIZE + CHUNK_SIZE + 16 + 3] ^= 1
    rewrite(storage, blob, bytes(stored), tmp_path)
    response = web.get(url(blob))
    assert response.status_code == 200
    with pytest.raises(IntegrityError):
        response.get_data()
    response.close()
