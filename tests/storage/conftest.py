"""Storage fixtures: the embedded column stores under instance/files, the production column in a real S3
server (SeaweedFS on loopback, signatures checked), a fresh bucket per test."""

import itertools
import secrets
import shutil
from pathlib import Path

import pytest

from saas.storage import crypto
from saas.storage.backends import backend
from tests import services

_buckets = itertools.count(1)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    """(endpoint, access key, secret key) of SeaweedFS in the production column, None in the embedded one."""
    if services.profile() != "production":
        yield None
        return
    try:
        endpoint, access_key, secret_key, process = services.start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    except (FileNotFoundError, RuntimeError) as error:
        services.unavailable("SeaweedFS", error)
    yield endpoint, access_key, secret_key
    process.terminate()
    process.wait(30)


@pytest.fixture
def storage(app, session, seaweedfs, monkeypatch):
    """The backend this column uses, empty at the start of the test."""
    if seaweedfs:
        endpoint, access_key, secret_key = seaweedfs
        bucket = f"quorum-test-{next(_buckets)}-{secrets.token_hex(4)}"
        for name, value in {
            "STORAGE_URL": f"s3://{bucket}",
            "S3_ENDPOINT": endpoint,
            "S3_ACCESS_KEY": access_key,
            "S3_SECRET_KEY": secret_key,
            "S3_SECURE": False,
        }.items():
            monkeypatch.setitem(app.config, name, value)
    else:
        monkeypatch.setitem(app.config, "STORAGE_URL", "")
        shutil.rmtree(Path(app.instance_path) / "files", ignore_errors=True)
    return backend()


def stored_bytes(store, blob) -> bytes:
    """The object as the backend keeps it (ciphertext)."""
    length = crypto.stored_size(blob.size) + 1024
    with store.read_range(blob.object_key, 0, length) as raw:
        return raw.read(length)


def rewrite(store, blob, data: bytes, tmp_path: Path) -> None:
    """Replace the stored object with ``data``, as an attacker with access to the store would."""
    path = tmp_path / "forged"
    path.write_bytes(data)
    store.put(blob.object_key, path)
