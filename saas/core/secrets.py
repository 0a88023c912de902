"""Sealing small secrets (TOTP seeds) with a key derived from the master key."""

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _key(purpose: bytes) -> bytes:
    master = base64.b64decode(current_app.config["MASTER_KEY"])
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"quorum:" + purpose).derive(master)


def seal(value: str, purpose: bytes) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(_key(purpose)).encrypt(nonce, value.encode(), purpose)).decode()


def unseal(sealed: str, purpose: bytes) -> str:
    raw = base64.b64decode(sealed)
    return AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], purpose).decode()
