"""The PDF of a signature request: copied out of storage into a private folder, an upload checked like any
document, one signature field planned per signer, the result stored back.

Fields: the template's empty signature fields first (placeholders, in document order), then boxes of about
7.8 × 2.5 cm on the last page, row by row from the bottom margin up and left to right, each one rendered by
poppler and kept only if blank (``pades.box_is_blank``): a stamp never covers content. Refusals raise
``pades.PadesError`` with a French message.
"""

import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pikepdf
from flask import current_app

from saas.documents.intake.check import DEFAULT_LIMITS, PdfRejected, check_pdf
from saas.documents.operations import DocumentError, clean_filename, size_limit
from saas.signing import pades
from saas.storage.models import Blob
from saas.storage.operations import open_range, store

#: a prepared signature box, in PDF points (about 7.8 × 2.5 cm), and the page margin it keeps clear
BOX_WIDTH, BOX_HEIGHT, MARGIN, GAP = 220, 72, 57, 12


@contextmanager
def workspace() -> Iterator[Path]:
    """A private folder in the instance directory for the files of one operation, removed afterwards."""
    root = Path(current_app.instance_path) / "signing"
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="book-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def write_blob(blob: Blob, target: Path) -> Path:
    with target.open("wb") as out:
        if blob.size:
            for chunk in open_range(blob, 0, blob.size - 1):
                out.write(chunk)
    return target


def store_file(tenant_id: int, path: Path) -> Blob:
    with path.open("rb") as handle:
        return store(tenant_id, handle)


def _candidate_boxes(pdf: Path) -> tuple[int, list[tuple[float, float, float, float]]]:
    """The last page (1-based) and boxes on it, row by row from the bottom margin up, left to right."""
    try:
        document = pikepdf.open(pdf)
    except pikepdf.PdfError as error:
        raise pades.PadesError("Ce fichier n'est pas un PDF lisible.") from error
    with document:
        page = len(document.pages)
        x0, y0, x1, y1 = (float(value) for value in document.pages[-1].cropbox)
    columns = max(1, int((x1 - x0 - 2 * MARGIN + GAP) // (BOX_WIDTH + GAP)))
    boxes = []
    bottom = y0 + MARGIN
    while bottom + BOX_HEIGHT <= y1 - MARGIN:
        for column in range(columns):
            left = x0 + MARGIN + column * (BOX_WIDTH + GAP)
            boxes.append((left, bottom, left + BOX_WIDTH, bottom + BOX_HEIGHT))
        bottom += BOX_HEIGHT + GAP
    return page, boxes


def plan_fields(pdf: Path, count: int) -> list[pades.FieldSpec]:
    """One signature field per step: the template's empty signature fields first (placeholders, in document
    order), then boxes found blank on the last page (rendered and checked by ``pades.box_is_blank``)."""
    placeholders = [field for field in pades.signature_fields(pdf) if not field.signed]
    specs = [pades.FieldSpec(name=field.name) for field in placeholders[:count]]
    if len(specs) == count:
        return specs
    taken = {field.name for field in placeholders}
    page, boxes = _candidate_boxes(pdf)
    number = 0
    for box in boxes:
        if len(specs) == count:
            break
        if pades.box_is_blank(pdf, page, box):
            number += 1
            while f"Signature{number}" in taken:
                number += 1
            specs.append(pades.FieldSpec(name=f"Signature{number}", page=page, box=box))
    if len(specs) < count:
        raise pades.PadesError(
            "La dernière page du document n'a pas assez de place libre pour les signatures : laissez un espace "
            "en bas de page (environ 8 × 2,5 cm par signataire) ou ajoutez des emplacements de signature au modèle."
        )
    return specs


def uploaded_name(filename: str | None) -> str:

    return clean_filename(filename)


def receive(stream: BinaryIO, folder: Path) -> Path:
    """The uploaded PDF, through the documents' intake check (size limit, structure, active content)."""

    limit = size_limit()
    raw, cleaned = folder / "upload.pdf", folder / "source.pdf"
    written = 0
    with raw.open("xb") as out:
        while chunk := stream.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise pades.PadesError(f"Ce fichier dépasse la taille maximale acceptée ({limit >> 20} Mo).")
            out.write(chunk)
    try:
        check_pdf(raw, cleaned, limits=dataclasses.replace(DEFAULT_LIMITS, max_file_bytes=limit))
    except (PdfRejected, DocumentError) as error:
        raise pades.PadesError(error.message) from error
    return cleaned
