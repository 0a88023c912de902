"""Deterministic, incompressible PDFs of any size, written in a streaming fashion (flat memory).

Each page shows one uncompressed 1024 x 1024 RGB image (3 MiB) filled with pseudo-random bytes from
SHAKE-128 seeded by the page number, so the file cannot be deduplicated or compressed away and the same
size always gives the same bytes. The file is a plain PDF 1.7 with a correct cross-reference table: it
passes the platform's check (saas.documents.check_pdf) unchanged, so what is stored is what was sent.
"""

import hashlib
from pathlib import Path

SIDE = 1024
IMAGE_BYTES = SIDE * SIDE * 3
WRITE_CHUNK = 1 << 20


def _noise(seed: int, size: int):
    """Yield ``size`` deterministic pseudo-random bytes in 1 MiB pieces."""
    done, block = 0, 0
    while done < size:
        piece = min(WRITE_CHUNK, size - done)
        yield hashlib.shake_128(f"quorum-bench:{seed}:{block}".encode()).digest(piece)
        done += piece
        block += 1


def write_pdf(path: Path, target_bytes: int, seed: int = 0) -> int:
    """Write a PDF of at least ``target_bytes`` (pages of 3 MiB; a smaller target gets one smaller
    image) and return its size."""
    pages = max(1, round(target_bytes / IMAGE_BYTES))
    height = SIDE if target_bytes >= IMAGE_BYTES else max(1, target_bytes // (SIDE * 3))
    offsets: list[int] = []
    with path.open("wb") as out:

        def obj(number: int, body: bytes, stream=None, length: int = 0):
            offsets.append(out.tell())
            assert len(offsets) == number
            out.write(f"{number} 0 obj\n".encode() + body)
            if stream is not None:
                out.write(f"\n/Length {length} >>\nstream\n".encode())
                for piece in stream:
                    out.write(piece)
                out.write(b"\nendstream")
            out.write(b"\nendobj\n")

        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(pages))
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(2, f"<< /Type /Pages /Count {pages} /Kids [{kids}] >>".encode())
        for i in range(pages):
            page, content, image = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
            obj(
                page,
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R "
                f"/Resources << /XObject << /Im0 {image} 0 R >> >> >>".encode(),
            )
            drawing = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
            obj(content, b"<<", stream=[drawing], length=len(drawing))
            obj(
                image,
                f"<< /Type /XObject /Subtype /Image /Width {SIDE} /Height {height} "
                f"/ColorSpace /DeviceRGB /BitsPerComponent 8".encode(),
                stream=_noise(seed * 1_000_000 + i, SIDE * height * 3),
                length=SIDE * height * 3,
            )
        xref = out.tell()
        out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
        return out.tell()
