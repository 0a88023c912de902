"""Storing and reading a collectivity's files: data keys, content addressing, encryption, ranges.

Operations never commit. An object put in the backend belongs to the transaction that inserted its
``Blob`` row: if that transaction rolls back, the object is deleted again, so a failed request leaves
neither a row nor an object behind.
"""

import base64
import hashlib
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from saas.core.database import after_commit, current_context
from saas.core.extensions import db
from saas.core.secrets import seal, unseal
from saas.storage import crypto
from saas.storage.backends import Backend, backend, spool_file
from saas.storage.models import Blob, DataKey

PENDING = "storage_pending_objects"


def _purpose(tenant_id: int) -> bytes:
    """Sealing purpose of a data key: it enters both the key derivation and the AAD, so a wrapped key
    copied to another tenant's row does not unwrap."""
    return b"storage:data-key:%d" % tenant_id


def _check_context(tenant_id: int) -> None:
    ctx = current_context(db.session)
    if not (ctx.system or ctx.tenant_id == tenant_id):
        raise PermissionError(f"storage of tenant {tenant_id} used outside its context")


def data_key(tenant_id: int) -> bytes:
    """The tenant's 256-bit data key, created (and wrapped by the master key) on first use."""
    _check_context(tenant_id)
    row = db.session.execute(sa.select(DataKey).where(DataKey.tenant_id == tenant_id)).scalar_one_or_none()
    if row is None:
        key = os.urandom(32)
        try:
            with db.session.begin_nested():
                wrapped = seal(base64.b64encode(key).decode(), _purpose(tenant_id))
                db.session.add(DataKey(tenant_id=tenant_id, wrapped=wrapped))
                db.session.flush()
        except sa.exc.IntegrityError:
            row = db.session.execute(sa.select(DataKey).where(DataKey.tenant_id == tenant_id)).scalar_one()
        else:
            return key
    return base64.b64decode(unseal(row.wrapped, _purpose(tenant_id)))


def find_blob(blob_id: int) -> Blob | None:
    """The blob if the current context may see it (the ORM tenant filter applies), else None."""
    return db.session.execute(sa.select(Blob).where(Blob.id == blob_id)).scalar_one_or_none()


def _existing(tenant_id: int, sha256: str) -> Blob | None:
    statement = sa.select(Blob).where(Blob.tenant_id == tenant_id, Blob.sha256 == sha256)
    return db.session.execute(statement).scalar_one_or_none()


class _HashingReader:
    def __init__(self, stream: BinaryIO):
        self.stream, self.hash, self.size = stream, hashlib.sha256(), 0

    def read(self, size: int) -> bytes:
        data = self.stream.read(size)
        self.hash.update(data)
        self.size += len(data)
        return data


def store(tenant_id: int, stream: BinaryIO) -> Blob:
    """Store what ``stream`` yields for the tenant, encrypted, once per distinct content.

    The stream is read in chunks into an encrypted spool file (flat memory whatever the size), hashed on
    the way; then the existing blob of the same SHA-256 is returned, or the spool becomes the object.
    On any error the spool is removed and no row is left.
    """
    key = data_key(tenant_id)
    store_ = backend()
    source = _HashingReader(stream)
    with spool_file(store_) as (handle, path):
        for piece in crypto.encrypt_stream(key, tenant_id, source.read):
            handle.write(piece)
        handle.close()
        digest = source.hash.hexdigest()
        existing = _existing(tenant_id, digest)
        if existing is not None:
            return existing
        blob = Blob(
            tenant_id=tenant_id,
            sha256=digest,
            size=source.size,
            object_key=f"{tenant_id}/{digest}/{secrets.token_hex(8)}",
        )
        try:
            with db.session.begin_nested():
                db.session.add(blob)
                db.session.flush()
                store_.put(blob.object_key, path)
        except sa.exc.IntegrityError:
            existing = _existing(tenant_id, digest)
            if existing is None:
                raise
            return existing
    db.session().info.setdefault(PENDING, []).append((store_, blob.object_key))
    return blob


@event.listens_for(Session, "after_commit")
def _keep_objects(session: Session) -> None:
    session.info.pop(PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _delete_rolled_back_objects(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    for store_, object_key in session.info.pop(PENDING, []):
        store_.delete(object_key)


def _references(blob: Blob) -> int:
    """How many rows of any table point at the blob (every foreign key to stored_blob, found in the schema,
    so a new area's reference is counted without being listed here)."""
    total = 0
    for table in Blob.metadata.tables.values():
        for key in table.foreign_keys:
            if key.column.table.name == Blob.__tablename__:
                count = sa.select(sa.func.count()).select_from(table).where(key.parent == blob.id)
                total += db.session.execute(count).scalar_one()
    return total


def discard_if_unreferenced(blob: Blob) -> bool:
    """Delete a derived file nobody points at any more (a superseded board book): the row now, the object
    once the transaction commits. Never for council records — those are referenced and kept."""
    _check_context(blob.tenant_id)
    if _references(blob):
        return False
    store_, object_key = backend(), blob.object_key
    db.session.delete(blob)
    db.session.flush()
    after_commit(db.session, lambda: store_.delete(object_key))
    return True


def open_range(blob: Blob, start: int, end: int) -> Iterator[bytes]:
    """Plaintext bytes ``start``..``end`` (inclusive) of the blob, decrypting only the chunks covering them.

    The data key and the header are fetched now (so the caller may leave the request context), the chunks
    while iterating. A chunk that fails authentication raises ``IntegrityError`` before any of its bytes.
    """
    if not 0 <= start <= end < blob.size:
        raise ValueError(f"range {start}-{end} outside a file of {blob.size} bytes")
    return _reader(blob, start, end)


def read_all(blob: Blob) -> bytes:
    """The whole plaintext, authenticated (for small files; stream large ones with ``open_range``)."""
    return b"".join(_reader(blob, 0, max(blob.size - 1, 0)))


def _reader(blob: Blob, start: int, end: int) -> Iterator[bytes]:
    key = data_key(blob.tenant_id)
    store_ = backend()
    with store_.read_range(blob.object_key, 0, crypto.HEADER_SIZE) as raw:
        header = crypto.Header.parse(raw.read(crypto.HEADER_SIZE))
    covering = crypto.span(header, blob.size, start, end)
    tenant_id, size, object_key = blob.tenant_id, blob.size, blob.object_key
    return _chunks(store_, object_key, covering, key, tenant_id, header, size, start, end)


def _chunks(store_: Backend, object_key, covering, key, tenant_id, header, size, start, end) -> Iterator[bytes]:
    with store_.read_range(object_key, covering.offset, covering.length) as raw:
        yield from crypto.decrypt_range(key, tenant_id, header, size, start, end, raw.read)
