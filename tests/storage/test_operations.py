"""Storing and reading through the configured backend (embedded: instance/files; production: S3)."""

import hashlib
import io
import os
import tracemalloc

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag

from saas.core.database import TenantContext, context
from saas.storage import crypto, operations
from saas.storage.crypto import CHUNK_SIZE, HEADER_SIZE, TAG_SIZE, IntegrityError
from saas.storage.models import Blob, DataKey
from tests.fixtures.storage import rewrite, stored_bytes

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + os.urandom(3000) + b"\n%%EOF\n"


class Generated(io.RawIOBase):
    """``size`` pseudo-random bytes produced on demand; optionally fails after ``fail_after`` bytes."""

    def __init__(self, size: int, fail_after: int | None = None):
        self.size, self.position, self.fail_after = size, 0, fail_after
        self.block = os.urandom(CHUNK_SIZE + 7)

    def read(self, n: int = -1) -> bytes:
        if self.fail_after is not None and self.position >= self.fail_after:
            raise ConnectionResetError("client went away")
        n = min(self.size - self.position if n < 0 else n, self.size - self.position, len(self.block))
        start = self.position % 7
        self.position += n
        return self.block[start : start + n]


def object_keys(store, tenant) -> list[str]:
    return list(store.keys(f"{tenant.id}/"))


@pytest.mark.parametrize("size", [0, 10, CHUNK_SIZE, 3 * CHUNK_SIZE, 5 * 1024 * 1024 + 123])
def test_round_trip(storage, session, create_tenant, size):
    tenant = create_tenant()
    data = os.urandom(size)
    blob = operations.store(tenant.id, io.BytesIO(data))
    assert (blob.size, blob.sha256) == (size, hashlib.sha256(data).hexdigest())
    assert operations.read_all(blob) == data
    assert len(stored_bytes(storage, blob)) == crypto.stored_size(size)


def test_stored_bytes_contain_no_plaintext(storage, session, create_tenant):
    tenant = create_tenant()
    blob = operations.store(tenant.id, io.BytesIO(PDF))
    stored = stored_bytes(storage, blob)
    assert b"%PDF" not in stored and b"/Catalog" not in stored and PDF[100:140] not in stored
    assert operations.read_all(blob) == PDF


def test_same_bytes_are_stored_once_per_tenant(storage, session, create_tenant):
    tenant = create_tenant()
    first = operations.store(tenant.id, io.BytesIO(PDF))
    second = operations.store(tenant.id, io.BytesIO(PDF))
    assert second.id == first.id
    assert object_keys(storage, tenant) == [first.object_key]
    assert session.scalar(sa.select(sa.func.count()).select_from(Blob).where(Blob.tenant_id == tenant.id)) == 1
    assert list(storage.spool_dir.glob("*")) == []


def test_tenants_are_separated(storage, session, create_tenant):
    city, agglo = create_tenant(), create_tenant()
    mine, theirs = operations.store(city.id, io.BytesIO(PDF)), operations.store(agglo.id, io.BytesIO(PDF))
    assert mine.id != theirs.id and mine.object_key != theirs.object_key
    assert stored_bytes(storage, mine)[HEADER_SIZE:] != stored_bytes(storage, theirs)[HEADER_SIZE:]
    keys = session.scalars(sa.select(DataKey.wrapped).where(DataKey.tenant_id.in_([city.id, agglo.id]))).all()
    assert len(set(keys)) == 2
    with context(session, TenantContext(tenant_id=city.id)):
        assert operations.find_blob(theirs.id) is None
        assert operations.find_blob(mine.id).sha256 == mine.sha256
        with pytest.raises(PermissionError):
            operations.data_key(agglo.id)


def test_data_key_is_made_once_and_only_stored_wrapped(app, storage, session, create_tenant, monkeypatch):
    tenant = create_tenant()
    key = operations.data_key(tenant.id)
    assert operations.data_key(tenant.id) == key and len(key) == 32
    row = session.scalars(sa.select(DataKey).where(DataKey.tenant_id == tenant.id)).one()
    assert key.hex() not in row.wrapped and app.config["MASTER_KEY"] not in row.wrapped
    monkeypatch.setitem(app.config, "MASTER_KEY", "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=")
    with pytest.raises(InvalidTag):
        operations.data_key(tenant.id)


def test_a_flipped_stored_byte_fails_reads_of_its_chunk(storage, session, create_tenant, tmp_path):
    tenant = create_tenant()
    data = os.urandom(3 * CHUNK_SIZE)
    blob = operations.store(tenant.id, io.BytesIO(data))
    stored = bytearray(stored_bytes(storage, blob))
    stored[HEADER_SIZE + (CHUNK_SIZE + TAG_SIZE) + 500] ^= 0x40
    rewrite(storage, blob, bytes(stored), tmp_path)
    with pytest.raises(IntegrityError):
        operations.read_all(blob)
    with pytest.raises(IntegrityError):
        b"".join(operations.open_range(blob, CHUNK_SIZE - 10, CHUNK_SIZE + 10))
    assert b"".join(operations.open_range(blob, 0, 99)) == data[:100]
    assert b"".join(operations.open_range(blob, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE - 1)) == data[2 * CHUNK_SIZE :]


def test_a_truncated_object_fails(storage, session, create_tenant, tmp_path):
    tenant = create_tenant()
    data = os.urandom(2 * CHUNK_SIZE + 5)
    blob = operations.store(tenant.id, io.BytesIO(data))
    rewrite(storage, blob, stored_bytes(storage, blob)[:-3], tmp_path)
    with pytest.raises(IntegrityError):
        operations.read_all(blob)
    with pytest.raises(IntegrityError):
        b"".join(operations.open_range(blob, 2 * CHUNK_SIZE, 2 * CHUNK_SIZE))
    rewrite(storage, blob, stored_bytes(storage, blob)[: HEADER_SIZE + CHUNK_SIZE + TAG_SIZE], tmp_path)
    with pytest.raises(IntegrityError):
        operations.read_all(blob)


def test_a_missing_object_fails(storage, session, create_tenant):
    tenant = create_tenant()
    blob = operations.store(tenant.id, io.BytesIO(b"short"))
    storage.delete(blob.object_key)
    with pytest.raises(IntegrityError):
        operations.read_all(blob)


RANGES = {
    "first byte": (0, 0),
    "last byte": (-1, -1),
    "across a chunk boundary": (CHUNK_SIZE - 3, CHUNK_SIZE + 2),
    "whole second chunk": (CHUNK_SIZE, 2 * CHUNK_SIZE - 1),
    "suffix": (-1000, -1),
    "everything": (0, -1),
}


@pytest.mark.parametrize("bounds", RANGES.values(), ids=RANGES.keys())
def test_ranges_equal_the_plaintext_slice(storage, session, create_tenant, bounds):
    tenant = create_tenant()
    data = os.urandom(3 * CHUNK_SIZE + 777)
    blob = operations.store(tenant.id, io.BytesIO(data))
    start, end = (value % len(data) for value in bounds)
    assert b"".join(operations.open_range(blob, start, end)) == data[start : end + 1]
    with pytest.raises(ValueError):
        operations.open_range(blob, 0, len(data))


def test_storing_50_mb_keeps_memory_flat(storage, session, create_tenant):
    tenant = create_tenant()
    operations.data_key(tenant.id)
    tracemalloc.start()
    try:
        blob = operations.store(tenant.id, Generated(50 * 1024 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert blob.size == 50 * 1024 * 1024
    assert peak < 2 * 1024 * 1024, peak


def test_a_stream_failing_midway_leaves_nothing(storage, session, create_tenant):
    tenant = create_tenant()
    with pytest.raises(ConnectionResetError):
        operations.store(tenant.id, Generated(10 * CHUNK_SIZE, fail_after=4 * CHUNK_SIZE))
    assert object_keys(storage, tenant) == []
    assert list(storage.spool_dir.glob("*")) == []
    assert session.scalar(sa.select(sa.func.count()).select_from(Blob).where(Blob.tenant_id == tenant.id)) == 0


def test_a_rolled_back_store_deletes_its_object(storage, session, create_tenant):
    tenant = create_tenant()
    session.commit()
    blob = operations.store(tenant.id, io.BytesIO(PDF))
    key = blob.object_key
    assert storage.exists(key)
    session.rollback()
    assert not storage.exists(key)
    kept = operations.store(tenant.id, io.BytesIO(PDF))
    session.commit()
    assert storage.exists(kept.object_key) and operations.read_all(kept) == PDF
