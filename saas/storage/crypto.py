"""Chunked authenticated encryption of stored files (AES-256-GCM, 64 KiB plaintext chunks).

Why chunks: a download of one page of a 300 MB document must decrypt only the chunks it covers, and an
upload must be encrypted in constant memory. Why this AAD: each chunk is bound to its tenant, its index
and whether it is the last one, so chunks cannot be moved between tenants, reordered, or cut off the end
without the read failing. Nothing is ever returned before its chunk's tag has been checked.

Stored layout::

    header  = MAGIC (4) | VERSION (1) | chunk size (4, big-endian) | nonce prefix (8, random per blob)
    chunk i = AES-GCM(key, nonce = prefix | i (4, big-endian), plaintext[i], aad) = ciphertext | tag (16)
    aad     = header | tenant id (8, big-endian) | i (8, big-endian) | last flag (1)

An empty file is one empty last chunk (a lone tag), so even it cannot be truncated unnoticed.
"""

import dataclasses
import os
import struct
from collections.abc import Callable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"QBLB"
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
PREFIX_SIZE = 8
HEADER = struct.Struct(">4sBI8s")
HEADER_SIZE = HEADER.size
MAX_CHUNKS = 2**32


class StorageError(Exception):
    """A stored file cannot be written or read; the message is French and shown to the user."""


class IntegrityError(StorageError):
    """A stored file was altered, truncated or is missing: nothing of it is served."""

    def __init__(self, message: str = "Le fichier stocké est altéré ou incomplet : sa lecture est refusée."):
        super().__init__(message)


@dataclasses.dataclass(frozen=True)
class Header:
    chunk_size: int
    prefix: bytes

    def pack(self) -> bytes:
        return HEADER.pack(MAGIC, VERSION, self.chunk_size, self.prefix)

    @classmethod
    def parse(cls, raw: bytes) -> "Header":
        if len(raw) != HEADER_SIZE:
            raise IntegrityError()
        magic, version, chunk_size, prefix = HEADER.unpack(raw)
        if magic != MAGIC or version != VERSION or not 0 < chunk_size <= 16 * 1024 * 1024:
            raise IntegrityError()
        return cls(chunk_size, prefix)


def chunk_count(size: int, chunk_size: int) -> int:
    """Number of chunks of a plaintext of ``size`` bytes (at least one: the empty last chunk)."""
    return max(1, -(-size // chunk_size))


def stored_size(size: int, chunk_size: int = CHUNK_SIZE) -> int:
    return HEADER_SIZE + size + chunk_count(size, chunk_size) * TAG_SIZE


def _nonce(header: Header, index: int) -> bytes:
    return header.prefix + struct.pack(">I", index)


def _aad(header: Header, tenant_id: int, index: int, last: bool) -> bytes:
    return header.pack() + struct.pack(">QQ?", tenant_id, index, last)


def _read_exactly(read: Callable[[int], bytes], size: int) -> bytes:
    """Up to ``size`` bytes: fewer only at the end of the stream (streams may return short reads)."""
    parts, missing = [], size
    while missing:
        part = read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def encrypt_stream(
    key: bytes, tenant_id: int, read: Callable[[int], bytes], chunk_size: int = CHUNK_SIZE
) -> Iterator[bytes]:
    """Yield the header, then each encrypted chunk of what ``read`` returns, holding two chunks at most.

    One chunk is read ahead so the last one is known when it is encrypted, including when the size is an
    exact multiple of the chunk size.
    """
    aead = AESGCM(key)
    header = Header(chunk_size, os.urandom(PREFIX_SIZE))
    yield header.pack()
    index, pending = 0, _read_exactly(read, chunk_size)
    while True:
        following = _read_exactly(read, chunk_size) if len(pending) == chunk_size else b""
        last = not following
        if index >= MAX_CHUNKS:
            raise StorageError("Le fichier est trop volumineux pour être stocké.")
        yield aead.encrypt(_nonce(header, index), pending, _aad(header, tenant_id, index, last))
        if last:
            return
        index, pending = index + 1, following


@dataclasses.dataclass(frozen=True)
class Span:
    """The chunks covering plaintext bytes ``start``..``end`` (inclusive) and where they are stored."""

    first: int
    last: int
    offset: int
    length: int


def span(header: Header, size: int, start: int, end: int) -> Span:
    if not 0 <= start <= end < max(size, 1):
        raise ValueError("range outside the file")
    step = header.chunk_size + TAG_SIZE
    first, last = start // header.chunk_size, min(end // header.chunk_size, chunk_count(size, header.chunk_size) - 1)
    offset = HEADER_SIZE + first * step
    end_offset = min(HEADER_SIZE + (last + 1) * step, stored_size(size, header.chunk_size))
    return Span(first, last, offset, end_offset - offset)


def decrypt_range(
    key: bytes, tenant_id: int, header: Header, size: int, start: int, end: int, read: Callable[[int], bytes]
) -> Iterator[bytes]:
    """Yield plaintext bytes ``start``..``end`` (inclusive); ``read`` returns the stored bytes of
    ``span(header, size, start, end)``. Each chunk is authenticated before any byte of it is yielded."""
    aead = AESGCM(key)
    covering = span(header, size, start, end)
    final = chunk_count(size, header.chunk_size) - 1
    for index in range(covering.first, covering.last + 1):
        chunk_start = index * header.chunk_size
        expected = min(header.chunk_size, size - chunk_start) + TAG_SIZE
        sealed = _read_exactly(read, expected)
        if len(sealed) != expected:
            raise IntegrityError()
        try:
            plain = aead.decrypt(_nonce(header, index), sealed, _aad(header, tenant_id, index, index == final))
        except InvalidTag:
            raise IntegrityError() from None
        low = max(start - chunk_start, 0)
        high = min(end - chunk_start + 1, len(plain))
        if high > low:
            yield plain[low:high]
