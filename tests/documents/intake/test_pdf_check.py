"""check_pdf: refusals leave nothing behind, active content is removed, the sandbox limits really apply."""

import hashlib
import os
import shutil
import subprocess
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from saas.documents import DEFAULT_LIMITS, PdfRejected, check_pdf
from saas.documents.intake import check as pdf_check
from tests.fixtures import pdfs


def refused(source: Path, destination: Path, **kwargs) -> PdfRejected:
    with pytest.raises(PdfRejected) as caught:
        check_pdf(source, destination, **kwargs)
    assert not destination.exists()
    assert not list(destination.parent.glob(f".{destination.name}.*"))  # no leftover part file
    return caught.value


def test_clean_pdf_is_published_byte_identical(tmp_path):
    source = pdfs.clean_pdf(tmp_path / "rapport.pdf", pages=4)
    report = check_pdf(source, tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").read_bytes() == source.read_bytes()
    assert report.pages == 4 and report.removed == () and not report.cleaned
    assert report.pdf_version == pikepdf.open(source).pdf_version
    assert report.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert report.size == source.stat().st_size


def test_check_runs_in_another_process(tmp_path):
    report = check_pdf(pdfs.clean_pdf(tmp_path / "a.pdf"), tmp_path / "out.pdf")
    assert report.checker_pid != os.getpid()
    assert b"pdf_sandbox" not in _cmdline(str(report.checker_pid))  # and it has ended once the check returns


def test_a_destination_open_action_is_harmless_and_kept(tmp_path):
    source = pdfs.clean_pdf(tmp_path / "a.pdf")
    with pikepdf.open(source, allow_overwriting_input=True) as pdf:
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[1].obj, pikepdf.Name.Fit])
        pdf.save(source)
    report = check_pdf(source, tmp_path / "out.pdf")
    assert report.removed == () and (tmp_path / "out.pdf").read_bytes() == source.read_bytes()


def test_text_file_renamed_pdf_is_refused(tmp_path):
    source = tmp_path / "ordre-du-jour.pdf"
    source.write_text("Ordre du jour : 1. Budget\n" * 100)
    error = refused(source, tmp_path / "out.pdf")
    assert (error.reason, error.message) == ("not_pdf", "Ce fichier n'est pas un PDF.")


@pytest.mark.parametrize("damage", ["truncated", "garbled", "header_only"])
def test_damaged_pdf_is_refused(tmp_path, damage):
    data = pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()
    broken = {
        "truncated": data[: len(data) // 2],
        "garbled": data[:300] + bytes(range(256)) * 2 + data[812:],
        "header_only": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    }[damage]
    (tmp_path / "broken.pdf").write_bytes(broken)
    error = refused(tmp_path / "broken.pdf", tmp_path / "out.pdf")
    assert error.reason == "damaged"
    assert error.message.startswith("Ce PDF est endommagé et ne peut pas être lu. ")


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_encrypted_pdf_is_refused(tmp_path, user_password):
    source = tmp_path / "chiffre.pdf"
    pdfs.clean_pdf(tmp_path / "a.pdf")
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        pdf.save(source, encryption=pikepdf.Encryption(owner="owner", user=user_password))
    error = refused(source, tmp_path / "out.pdf")
    assert error.message == ("Ce PDF est protégé par un mot de passe ou chiffré : déposez une version sans protection.")


def test_active_content_is_removed_and_reported(tmp_path):
    source = pdfs.active_pdf(tmp_path / "piege.pdf")
    report = check_pdf(source, tmp_path / "out.pdf")
    assert set(report.removed_labels) == {
        "JavaScript du document",
        "Action automatique à l'ouverture",
        "Lancement d'application (Launch)",
        "Fichiers joints",
    }
    assert report.cleaned and report.pages == 3
    cleaned = tmp_path / "out.pdf"
    assert report.sha256 == hashlib.sha256(cleaned.read_bytes()).hexdigest()
    with pikepdf.open(cleaned) as pdf:
        assert pdf.is_linearized
        assert "/OpenAction" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.Names and "/EmbeddedFiles" not in pdf.Root.Names
        assert len(pdf.attachments) == 0
        assert "/A" not in pdf.pages[0].Annots[0]  # the link stays, its Launch action is gone
        assert b"page 2" in pdf.pages[1].Contents.read_bytes()  # content untouched
    again = check_pdf(cleaned, tmp_path / "again.pdf")
    assert again.removed == () and (tmp_path / "again.pdf").read_bytes() == cleaned.read_bytes()


def test_actions_in_pages_annotations_forms_and_outlines_are_removed(tmp_path):
    report = check_pdf(pdfs.more_active_pdf(tmp_path / "piege.pdf"), tmp_path / "out.pdf")
    assert {removal.kind: removal.count for removal in report.removed} == {
        "additional_actions": 1,
        "submit_form_action": 1,
        "file_attachment": 1,
        "javascript_action": 1,
        "xfa": 1,
    }
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        annots = pdf.pages[1].Annots
        assert [str(a.Subtype) for a in annots] == ["/Widget", "/Link"]  # attachment annotation dropped
        assert "/A" not in annots[0] and str(annots[1].A.S) == "/URI"  # web links are kept
        assert "/AA" not in pdf.pages[1].obj and "/XFA" not in pdf.Root.AcroForm
        assert "/A" not in pdf.Root.Outlines.First
    assert check_pdf(tmp_path / "out.pdf", tmp_path / "again.pdf").removed == ()


def test_cleaned_output_passes_qpdf_check(tmp_path):
    assert shutil.which("qpdf"), "the qpdf command line tool is required (apt package qpdf)"
    check_pdf(pdfs.active_pdf(tmp_path / "piege.pdf"), tmp_path / "out.pdf")
    result = subprocess.run(["qpdf", "--check", str(tmp_path / "out.pdf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


TOO_COMPLEX = "Ce PDF est trop complexe pour être vérifié"


def test_memory_limit_applies(tmp_path):
    big = pdfs.many_objects_pdf(tmp_path / "big.pdf", pages=20000)
    small = pdfs.active_pdf(tmp_path / "small.pdf")
    limits = replace(DEFAULT_LIMITS, memory_bytes=96 * pdf_check.MIB)
    assert check_pdf(big, tmp_path / "ok.pdf").pages == 20000  # fine under the default limits
    assert check_pdf(small, tmp_path / "small-out.pdf", limits=limits).cleaned  # the cap leaves room to work
    error = refused(big, tmp_path / "out.pdf", limits=limits)
    assert error.reason == "too_complex" and error.message.startswith(TOO_COMPLEX)


def test_cpu_limit_applies(tmp_path):
    heavy = pdfs.heavy_content_pdf(tmp_path / "heavy.pdf", megabytes=40)
    started = time.monotonic()
    error = refused(heavy, tmp_path / "out.pdf", limits=replace(DEFAULT_LIMITS, cpu_seconds=1))
    assert error.reason == "too_complex" and error.message.startswith(TOO_COMPLEX)
    assert time.monotonic() - started < 10


def test_wall_time_limit_kills_the_checker(tmp_path):
    heavy = pdfs.heavy_content_pdf(tmp_path / "heavy.pdf", megabytes=40)
    started = time.monotonic()
    error = refused(heavy, tmp_path / "out.pdf", limits=replace(DEFAULT_LIMITS, wall_seconds=1))
    assert error.reason == "too_complex"
    assert time.monotonic() - started < 5
    assert (
        not [  # no checker left running on this file
            pid for pid in os.listdir("/proc") if pid.isdigit() and str(heavy).encode() in _cmdline(pid)
        ]
    )


def _cmdline(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_oversized_and_empty_files_are_refused_before_parsing(tmp_path):
    source = pdfs.clean_pdf(tmp_path / "a.pdf")
    with source.open("ab") as padded:  # bytes after %%EOF: still a PDF, now over 1 MiB
        padded.write(b"\n" * (2 * pdf_check.MIB))
    error = refused(source, tmp_path / "out.pdf", limits=replace(DEFAULT_LIMITS, max_file_bytes=pdf_check.MIB))
    assert (error.reason, error.message) == ("too_large", "Ce fichier dépasse la taille maximale acceptée (1 Mo).")
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert refused(tmp_path / "empty.pdf", tmp_path / "out.pdf").message == "Ce fichier est vide."


def test_existing_destination_is_never_overwritten(tmp_path):
    (tmp_path / "out.pdf").write_bytes(b"previous")
    with pytest.raises(FileExistsError):
        check_pdf(pdfs.clean_pdf(tmp_path / "a.pdf"), tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").read_bytes() == b"previous"


def test_page_sizes_are_reported_as_runs(tmp_path):
    """The CropBox sizes of the pages, equal neighbours counted once (annotations check coordinates on them)."""
    pdf = pikepdf.Pdf.new()
    for size in [(595, 842), (595, 842), (842, 595), (595, 842)]:
        pdf.add_blank_page(page_size=size)
    pdf.save(tmp_path / "mixed.pdf")
    report = check_pdf(tmp_path / "mixed.pdf", tmp_path / "out.pdf")
    assert report.page_sizes == [[2, 595.0, 842.0], [1, 842.0, 595.0], [1, 595.0, 842.0]]


# --- Hostile files ----------------------------------------------------------------------------------------


def test_anything_before_the_pdf_header_is_refused(tmp_path):
    """An HTML page with a script, then a PDF: readers would open it, a browser would run the script."""
    error = refused(pdfs.polyglot_pdf(tmp_path / "polyglotte.pdf"), tmp_path / "out.pdf")
    assert (error.reason, error.message) == ("leading_data", pdf_check.LEADING_DATA)
    assert error.message.startswith("Ce fichier contient des données avant le début du PDF")
    (tmp_path / "espace.pdf").write_bytes(b"\n" + pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes())
    assert refused(tmp_path / "espace.pdf", tmp_path / "out.pdf").reason == "leading_data"


def test_a_zip_after_eof_is_cut_and_reported(tmp_path):
    clean = pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()
    source = pdfs.zip_appended_pdf(tmp_path / "archive.pdf")
    assert zipfile.is_zipfile(source)
    report = check_pdf(source, tmp_path / "out.pdf")
    published = (tmp_path / "out.pdf").read_bytes()
    assert published == clean  # the PDF up to its %%EOF and end of line, byte for byte
    assert not zipfile.is_zipfile(tmp_path / "out.pdf") and b"PK\x03\x04" not in published
    assert [(r.kind, r.label) for r in report.removed] == [("trailing_data", "Données ajoutées après la fin du PDF")]
    assert report.sha256 == hashlib.sha256(published).hexdigest() and report.size == len(clean)
    assert check_pdf(tmp_path / "out.pdf", tmp_path / "again.pdf").removed == ()


def test_a_large_appended_file_is_cut_too(tmp_path):
    """Past about 1 KiB of trailing bytes qpdf no longer finds the cross-reference table: the cut comes first."""
    source = pdfs.clean_pdf(tmp_path / "a.pdf")
    clean = source.read_bytes()
    with source.open("ab") as appended:
        appended.write(os.urandom(3 * pdf_check.MIB))
    report = check_pdf(source, tmp_path / "out.pdf")
    assert (tmp_path / "out.pdf").read_bytes() == clean and report.cleaned


def test_whitespace_after_eof_is_kept_byte_identical(tmp_path):
    source = pdfs.clean_pdf(tmp_path / "a.pdf")
    with source.open("ab") as padded:
        padded.write(b"\r\n\x00\x00  \n")
    report = check_pdf(source, tmp_path / "out.pdf")
    assert report.removed == () and (tmp_path / "out.pdf").read_bytes() == source.read_bytes()


def test_a_zip_whose_comment_fakes_the_pdf_end_is_refused(tmp_path):
    """A ZIP comment can end with "startxref … %%EOF": nothing follows the last %%EOF, yet it is an archive."""
    data = pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()
    source = pdfs.zip_appended_pdf(tmp_path / "archive.pdf", comment=data[data.rindex(b"startxref") :])
    assert zipfile.is_zipfile(source)
    error = refused(source, tmp_path / "out.pdf")
    assert (error.reason, error.message) == ("hidden_archive", pdf_check.HIDDEN_ARCHIVE)


def test_a_file_without_eof_is_refused_as_damaged(tmp_path):
    data = pdfs.clean_pdf(tmp_path / "a.pdf").read_bytes()
    (tmp_path / "sans-fin.pdf").write_bytes(data[: data.rindex(b"%%EOF")] + b"PK\x03\x04 charge utile")
    assert refused(tmp_path / "sans-fin.pdf", tmp_path / "out.pdf").reason == "damaged"


def test_links_other_than_web_and_mail_are_removed(tmp_path):
    report = check_pdf(pdfs.javascript_link_pdf(tmp_path / "liens.pdf"), tmp_path / "out.pdf")
    assert {(r.kind, r.label, r.count) for r in report.removed} == {
        ("unsafe_uri_action", "Lien vers une adresse autre que web ou e-mail (javascript:, file:…)", 3),
        ("remote_goto_action", "Lien vers un autre fichier (GoToR)", 1),
    }
    published = (tmp_path / "out.pdf").read_bytes()
    assert b"javascript" not in published.lower() and b"file:" not in published and b"attaquant" not in published
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        annots = pdf.pages[0].Annots
        assert len(annots) == 6  # every link stays where it was; only the four unsafe targets are gone
        kept = [str(a.A.URI) for a in annots if "/A" in a]
        assert kept == ["https://www.legifrance.gouv.fr/", "mailto:secretariat@example.org"]
    assert check_pdf(tmp_path / "out.pdf", tmp_path / "again.pdf").removed == ()
