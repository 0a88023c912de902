"""PAdES signing: fields first, incremental signatures, checked by pyHanko, poppler's pdfsig and qpdf."""

import subprocess

import pytest

from saas.signing import pades, validation
from saas.trust import timestamps
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.signed import FIELDS, MAYOR_BOX, SECRETARY_BOX, prepared, sign
from tests.fixtures.verifiers import flip, pdfsig, qpdf_check


@pytest.fixture
def city(create_tenant, create_person, in_tenant):
    tenant = create_tenant(name="Ville de Besançon")
    mayor = create_person(first_name="Anne", last_name="Vignot")
    secretary = create_person(first_name="Paul", last_name="Secrétaire")
    return tenant, mayor, secretary


def test_fields_are_created_before_the_first_signature(tmp_path, city, in_tenant):
    tenant, _, _ = city
    pdf = prepared(tmp_path)
    fields = pades.signature_fields(pdf)
    assert [(f.name, f.page, f.box, f.signed) for f in fields] == [
        ("maire", 2, MAYOR_BOX, False),
        ("secretaire", 2, SECRETARY_BOX, False),
    ]
    original = (tmp_path / "deliberation.pdf").read_bytes()
    assert pdf.read_bytes().startswith(original)  # an incremental update: the original bytes are untouched
    assert qpdf_check(pdf).returncode == 0


def test_sign_b_t_verified_by_pyhanko_pdfsig_and_qpdf(tmp_path, city, in_tenant):
    tenant, mayor, _ = city
    pdf = prepared(tmp_path)
    with in_tenant(tenant):
        signed = sign(tenant, mayor, pdf, tmp_path / "signed.pdf", "maire")
        report = validation.validate(tenant, signed, "signed.pdf")
    assert signed.read_bytes().startswith(pdf.read_bytes())  # never rewritten: one more revision
    (signature,) = report.signatures
    assert signature.ok and signature.intact and signature.valid and signature.trusted
    assert signature.signer == "Anne Vignot" and signature.level == "B-T" and signature.not_qualified
    assert signature.timestamp.authority.startswith("Horodatage Ville de Besançon")
    assert signature.modification == validation.MODIFICATIONS[validation.ModificationLevel.NONE]
    out = pdfsig(signed)
    assert "Signature Field Name: maire" in out and "Signature is Valid" in out, out
    assert qpdf_check(signed).returncode == 0


def test_two_signers_in_sequence_are_both_valid(tmp_path, city, in_tenant):
    tenant, mayor, secretary = city
    pdf = prepared(tmp_path)
    with in_tenant(tenant):
        first = sign(tenant, mayor, pdf, tmp_path / "first.pdf", "maire")
        both = sign(tenant, secretary, first, tmp_path / "both.pdf", "secretaire", role="Secrétaire de séance")
        report = validation.validate(tenant, both, "both.pdf")
    assert [s.signer for s in report.signatures] == ["Anne Vignot", "Paul Secrétaire"]
    assert report.ok and all(s.timestamp and s.timestamp.valid for s in report.signatures)
    assert report.signatures[0].changes == ["champ « secretaire » rempli"]  # the later signature, allowed
    out = pdfsig(both)
    assert out.count("Signature is Valid") == 2, out
    assert qpdf_check(both).returncode == 0


def test_one_flipped_byte_invalidates_the_signature(tmp_path, city, in_tenant):
    tenant, mayor, _ = city
    with in_tenant(tenant):
        signed = sign(tenant, mayor, prepared(tmp_path), tmp_path / "signed.pdf", "maire")
        data = signed.read_bytes()
        tampered = tmp_path / "tampered.pdf"
        tampered.write_bytes(flip(data, data.index(b"stream") + 12))  # inside the first (signed) stream
        report = validation.validate(tenant, tampered, "tampered.pdf")
    (signature,) = report.signatures
    assert not signature.intact and not signature.ok and not report.ok
    out = pdfsig(tampered)
    assert "Signature is Valid" not in out and "Digest Mismatch" in out, out


def test_a_change_after_signing_is_reported_and_named(tmp_path, city, in_tenant):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    tenant, mayor, _ = city
    with in_tenant(tenant):
        signed = sign(tenant, mayor, prepared(tmp_path), tmp_path / "signed.pdf", "maire")
        with open(signed, "rb") as source, open(tmp_path / "changed.pdf", "wb") as out:
            writer = IncrementalPdfFileWriter(source)
            page = writer.find_page_for_modification(0)[0].get_object()
            page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT 72 700 Td (Ajout) Tj ET"))
            writer.update_container(page)
            writer.write(out)
        report = validation.validate(tenant, tmp_path / "changed.pdf", "changed.pdf")
    (signature,) = report.signatures
    assert signature.intact and signature.valid and not signature.ok
    assert signature.modification == validation.MODIFICATIONS[validation.ModificationLevel.OTHER]
    assert signature.changes[0].startswith("modification interdite après signature (")
    assert "Pages.Kids[0]" in signature.changes[0]  # pyHanko names the changed object, in its own words


@pytest.mark.parametrize("level", [pades.Level.B_LT, pades.Level.B_LTA])
def test_long_term_levels_validate_offline(tmp_path, city, in_tenant, level):
    tenant, mayor, _ = city
    with in_tenant(tenant):
        signed = sign(tenant, mayor, prepared(tmp_path), tmp_path / "signed.pdf", "maire", level=level)
        report = validation.validate(tenant, signed, "signed.pdf")
    assert report.signatures[0].level == str(level) and report.ok
    if level == pades.Level.B_LTA:
        assert report.signatures[-1].kind == "horodatage" and report.signatures[-1].ok
    assert "Signature is Valid" in pdfsig(signed)
    assert qpdf_check(signed).returncode == 0


def test_b_t_with_an_external_timestamp_authority(tmp_path, city, in_tenant, external_tsa):
    tenant, mayor, _ = city
    with in_tenant(tenant):
        timestamps.set_tsa(tenant, external_tsa.url, external_tsa.root_pem)
        signed = sign(tenant, mayor, prepared(tmp_path), tmp_path / "signed.pdf", "maire")
        report = validation.validate(tenant, signed, "signed.pdf")
    (signature,) = report.signatures
    assert signature.ok and signature.timestamp.authority == "TSA externe" and signature.timestamp.trusted
    assert "Signature is Valid" in pdfsig(signed)


def test_another_tenants_report_does_not_trust_the_signature(tmp_path, city, create_tenant, in_tenant):
    tenant, mayor, _ = city
    other = create_tenant()
    with in_tenant(tenant):
        signed = sign(tenant, mayor, prepared(tmp_path), tmp_path / "signed.pdf", "maire")
    with in_tenant(other):
        report = validation.validate(other, signed, "signed.pdf")
    (signature,) = report.signatures
    assert signature.intact and signature.valid and not signature.trusted and not report.ok
    assert "aucune autorité de confiance" in signature.trust_message


def _render(pdf, page: int) -> bytes:
    return subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", "72", "-gray", str(pdf)], capture_output=True, check=True
    ).stdout


def test_the_stamp_never_covers_content(tmp_path, city, in_tenant):
    tenant, mayor, _ = city
    source = clean_pdf(tmp_path / "source.pdf", pages=2)
    over_text = pades.FieldSpec("maire", -1, (60, 760, 300, 800))  # the text line is at y=770
    with pytest.raises(pades.PadesError, match="recouvre le contenu"):
        pades.prepare_fields(source, tmp_path / "out.pdf", [over_text])
    with pytest.raises(pades.PadesError, match="dépasse de la page"):
        pades.prepare_fields(source, tmp_path / "out.pdf", [pades.FieldSpec("maire", 1, (500, 50, 700, 100))])
    with pytest.raises(pades.PadesError, match="n'existe pas"):
        pades.prepare_fields(source, tmp_path / "out.pdf", [pades.FieldSpec("maire", 3, MAYOR_BOX)])
    assert not (tmp_path / "out.pdf").exists()
    assert pades.box_is_blank(source, 2, MAYOR_BOX)
    with in_tenant(tenant):
        signed = sign(tenant, mayor, prepared(tmp_path), tmp_path / "signed.pdf", "maire")
    assert not pades.box_is_blank(signed, 2, MAYOR_BOX)  # the stamp is drawn in its box…
    assert pades.box_is_blank(signed, 2, SECRETARY_BOX)
    top = (0, 700, 595, 842)  # …and the content above it is rendered exactly as before
    assert not pades.box_is_blank(signed, 2, top)
    before, after = _render(source, 2), _render(signed, 2)
    width = int(before.split()[1])
    header = len(before) - width * int(before.split()[2])
    rows_of_text = slice(header, header + width * 150)
    assert before[rows_of_text] == after[rows_of_text]


def test_preparing_and_signing_refusals(tmp_path, city, in_tenant):
    tenant, mayor, _ = city
    pdf = prepared(tmp_path)
    again = pades.prepare_fields(pdf, tmp_path / "again.pdf", [pades.FieldSpec("maire")])  # template placeholder
    assert [f.name for f in again] == ["maire", "secretaire"]
    assert (tmp_path / "again.pdf").read_bytes() == pdf.read_bytes()
    with pytest.raises(pades.PadesError, match="pas d'emplacement"):
        pades.prepare_fields(pdf, tmp_path / "x.pdf", [pades.FieldSpec("adjoint")])
    with pytest.raises(pades.PadesError, match="nom distinct"):
        pades.prepare_fields(pdf, tmp_path / "x.pdf", [FIELDS[0], FIELDS[0]])
    not_pdf = tmp_path / "not.pdf"
    not_pdf.write_bytes(b"hello")
    with pytest.raises(pades.PadesError, match="pas un PDF"):
        pades.prepare_fields(not_pdf, tmp_path / "x.pdf", FIELDS)
    with in_tenant(tenant):
        signed = sign(tenant, mayor, pdf, tmp_path / "signed.pdf", "maire")
        with pytest.raises(pades.PadesError, match="déjà signé"):
            sign(tenant, mayor, signed, tmp_path / "twice.pdf", "maire")
        with pytest.raises(pades.PadesError, match="pas de champ"):
            sign(tenant, mayor, signed, tmp_path / "twice.pdf", "adjoint")
    with pytest.raises(pades.PadesError, match="déjà signé"):
        pades.prepare_fields(signed, tmp_path / "x.pdf", [pades.FieldSpec("adjoint", -1, (50, 200, 250, 280))])
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "twice.pdf").exists()
