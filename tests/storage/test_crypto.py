"""The chunk format on its own, without a backend: round trips, and every kind of tampering refused."""

import io
import os

import pytest

from saas.storage import crypto
from saas.storage.crypto import CHUNK_SIZE, HEADER_SIZE, TAG_SIZE, Header, IntegrityError

KEY = bytes(range(32))
TENANT = 7


def encrypt(data: bytes, tenant=TENANT, chunk_size=CHUNK_SIZE) -> bytes:
    return b"".join(crypto.encrypt_stream(KEY, tenant, io.BytesIO(data).read, chunk_size))


def decrypt(stored: bytes, size: int, start=0, end=None, tenant=TENANT) -> bytes:
    header = Header.parse(stored[:HEADER_SIZE])
    end = max(size - 1, 0) if end is None else end
    covering = crypto.span(header, size, start, end)
    window = io.BytesIO(stored[covering.offset : covering.offset + covering.length])
    return b"".join(crypto.decrypt_range(KEY, tenant, header, size, start, end, window.read))


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 200_000])
def test_round_trip_and_stored_size(size):
    data = os.urandom(size)
    stored = encrypt(data)
    assert len(stored) == crypto.stored_size(size)
    assert decrypt(stored, size) == data
    if size >= 32:
        assert data[:32] not in stored


def test_nonce_prefix_is_random_per_blob():
    data = b"a" * 1000
    assert encrypt(data)[HEADER_SIZE:] != encrypt(data)[HEADER_SIZE:]


def test_every_range_equals_the_slice():
    data = os.urandom(5 * 16 + 3)
    stored = encrypt(data, chunk_size=16)
    for start in range(len(data)):
        for end in range(start, len(data)):
            header = Header.parse(stored[:HEADER_SIZE])
            covering = crypto.span(header, len(data), start, end)
            window = io.BytesIO(stored[covering.offset : covering.offset + covering.length])
            got = b"".join(crypto.decrypt_range(KEY, TENANT, header, len(data), start, end, window.read))
            assert got == data[start : end + 1]


def flip(stored: bytes, position: int) -> bytes:
    return stored[:position] + bytes([stored[position] ^ 1]) + stored[position + 1 :]


def test_a_flipped_byte_fails_its_chunk_only():
    data = os.urandom(3 * CHUNK_SIZE)
    stored = flip(encrypt(data), HEADER_SIZE + CHUNK_SIZE + TAG_SIZE + 10)
    with pytest.raises(IntegrityError):
        decrypt(stored, len(data))
    with pytest.raises(IntegrityError):
        decrypt(stored, len(data), CHUNK_SIZE - 1, CHUNK_SIZE)
    assert decrypt(stored, len(data), 0, CHUNK_SIZE - 1) == data[:CHUNK_SIZE]
    assert decrypt(stored, len(data), 2 * CHUNK_SIZE, 3 * CHUNK_SIZE - 1) == data[2 * CHUNK_SIZE :]


def test_reordered_chunks_fail():
    data = os.urandom(2 * 16)
    stored = encrypt(data, chunk_size=16)
    first, second = stored[HEADER_SIZE : HEADER_SIZE + 32], stored[HEADER_SIZE + 32 :]
    with pytest.raises(IntegrityError):
        decrypt(stored[:HEADER_SIZE] + second + first, len(data))


def test_dropping_whole_last_chunks_fails_even_with_a_matching_size():
    """The last flag: the first chunk of a two-chunk file is not accepted as a complete file."""
    data = os.urandom(2 * 16)
    stored = encrypt(data, chunk_size=16)
    with pytest.raises(IntegrityError):
        decrypt(stored[: HEADER_SIZE + 32], 16)
    with pytest.raises(IntegrityError):
        decrypt(stored[:-1], len(data))


def test_an_empty_file_is_authenticated_too():
    stored = encrypt(b"")
    assert len(stored) == HEADER_SIZE + TAG_SIZE
    assert decrypt(stored, 0) == b""
    with pytest.raises(IntegrityError):
        decrypt(stored[:HEADER_SIZE], 0)


def test_another_tenant_cannot_decrypt_even_with_the_key():
    stored = encrypt(b"secret deliberation")
    with pytest.raises(IntegrityError):
        decrypt(stored, 19, tenant=TENANT + 1)


@pytest.mark.parametrize("position", [0, 4, 5, 9, 12])
def test_a_changed_header_fails(position):
    data = b"x" * 100
    stored = flip(encrypt(data), position)
    with pytest.raises(IntegrityError) as raised:
        decrypt(stored, len(data))
    assert "altéré" in str(raised.value)
