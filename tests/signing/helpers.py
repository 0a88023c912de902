"""OpenSSL as the independent verifier of the signing tests."""

import subprocess
from pathlib import Path


def openssl_verify(
    folder: Path, data: bytes, token: bytes, ca_pem: bytes, tsa_pem: bytes
) -> subprocess.CompletedProcess:
    """``openssl ts -verify`` of ``token`` over ``data``, as README.txt tells a third party to run it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (("data", data), ("token.tsr", token), ("ca.pem", ca_pem), ("tsa.pem", tsa_pem)):
        (folder / name).write_bytes(content)
    return subprocess.run(
        ["openssl", "ts", "-verify", "-data", "data", "-in", "token.tsr", "-CAfile", "ca.pem", "-untrusted", "tsa.pem"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def pdfsig(pdf: Path) -> str:
    """poppler's ``pdfsig`` report of ``pdf`` (an independent PAdES verifier)."""
    return subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=120).stdout


def qpdf_check(pdf: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True, timeout=120)


def flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]
