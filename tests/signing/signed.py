"""Building signed PDFs for the signing tests: a two-page deliberation with two prepared fields."""

from pathlib import Path

from saas.signing import pades
from saas.trust import keys
from tests.fixtures.pdfs import clean_pdf

MAYOR_BOX = (50.0, 50.0, 250.0, 130.0)
SECRETARY_BOX = (300.0, 50.0, 500.0, 130.0)
FIELDS = [pades.FieldSpec("maire", -1, MAYOR_BOX), pades.FieldSpec("secretaire", -1, SECRETARY_BOX)]


def prepared(folder: Path, pages: int = 2) -> Path:
    """A PDF (text at the top of each page) with the mayor's and the secretary's fields on its last page."""
    source = clean_pdf(folder / "deliberation.pdf", pages=pages)
    pades.prepare_fields(source, folder / "prepared.pdf", FIELDS)
    return folder / "prepared.pdf"


def sign(tenant, person, pdf_in: Path, pdf_out: Path, field: str, level=pades.Level.B_T, role="Maire") -> Path:
    stamp = pades.Stamp(person.full_name, role, tenant.name)
    pades.sign(
        pdf_in, pdf_out, tenant=tenant, field=field, signer=keys.signer_for(tenant, person), stamp=stamp, level=level
    )
    return pdf_out
