"""PAdES signatures of PDF files: fields prepared once, then one incremental signature per signer.

``prepare_fields`` adds every signature field of a document (name, page, box) in one incremental update
before the first signature, so that later signatures only fill a field that already exists and never
invalidate earlier ones. ``sign`` adds one incremental PAdES signature (B-T by default) with a visible
stamp in its field. Both read from a file and write to another one: the original bytes are copied, never
parsed into memory as a whole, and the result appears (atomic rename) only when it is complete. A signed
file is never rewritten, and nothing but signature fields and their stamps is ever added to a PDF.

A stamp box must be blank: the page is rendered by poppler's ``pdftoppm`` at 96 dpi, cropped to the
box, and every pixel must be white (a text, a line or an image inside the box refuses it).
"""

import dataclasses
import enum
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.errors import ValidationError as CertValidationError

from saas.core import display
from saas.tenancy.models import Tenant
from saas.trust import anchors as trust
from saas.trust import keys, timestamps
from saas.trust.timestamps import TimestampError

#: rendering resolution of the blank check; a hairline at 96 dpi still darkens a pixel
BLANK_CHECK_DPI = 96
#: a pixel lighter than this (0-255 grey) counts as paper
WHITE_THRESHOLD = 250
STAMP_TEXT = "Signé par %(name)s\n%(role)s\n%(collectivity)s\nle %(date)s"


class PadesError(Exception):
    """A PDF that cannot be prepared or signed as asked; the message is in French, for the user."""


class Level(enum.StrEnum):
    """PAdES baseline levels that ``sign`` produces (ETSI EN 319 142-1)."""

    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """A signature field: its ``name``, its 1-based ``page`` (negative counts from the end, -1 is the last)
    and its ``box`` (x1, y1, x2, y2 in PDF points from the bottom-left corner of the page). A spec without
    ``box`` names a field the document template already holds (a placeholder), which is then kept."""

    name: str
    page: int = -1
    box: tuple[float, float, float, float] | None = None


@dataclasses.dataclass(frozen=True)
class FieldInfo:
    name: str
    #: 1-based page, None when the field has no widget on a page
    page: int | None
    box: tuple[float, float, float, float] | None
    signed: bool


@dataclasses.dataclass(frozen=True)
class Stamp:
    """What the visible stamp says: who, in which role, for which collectivity (the date is the signing's)."""

    name: str
    role: str
    collectivity: str
    time_zone: str = "Europe/Paris"


def _reader(handle) -> PdfFileReader:
    try:
        return PdfFileReader(handle, strict=False)
    except (PdfError, ValueError, KeyError, TypeError) as error:
        raise PadesError("Ce fichier n'est pas un PDF lisible.") from error


def _fields_of(reader: PdfFileReader) -> list[FieldInfo]:
    found = list(fields.enumerate_sig_fields(reader, filled_status=None))
    pages = {}
    if found:
        count = int(reader.root["/Pages"]["/Count"])
        pages = {reader.find_page_for_modification(index)[0].idnum: index + 1 for index in range(count)}
    infos = []
    for name, value, field_ref in found:
        field = field_ref.get_object()
        page = box = None
        widget = field if "/Rect" in field else next(iter(field.get("/Kids", [])), None)
        if widget is not None:
            widget = widget.get_object()
            page_ref = widget.raw_get("/P") if "/P" in widget else None
            page = pages.get(page_ref.idnum) if page_ref is not None else None
            box = tuple(float(number) for number in widget["/Rect"])
        infos.append(FieldInfo(name=name, page=page, box=box, signed=value is not None))
    return infos


def signature_fields(pdf: Path) -> list[FieldInfo]:
    """The signature fields of ``pdf``, signed or not, in document order."""
    with open(pdf, "rb") as handle:
        return _fields_of(_reader(handle))


def is_signed(pdf: Path) -> bool:
    with open(pdf, "rb") as handle:
        return bool(_reader(handle).embedded_signatures)


def _page_index(reader: PdfFileReader, page: int) -> int:
    count = int(reader.root["/Pages"]["/Count"])
    index = page - 1 if page > 0 else count + page
    if page == 0 or not 0 <= index < count:
        raise PadesError(f"La page {page} n'existe pas : le document a {count} page(s).")
    return index


def _check_box_on_page(reader: PdfFileReader, index: int, box: tuple[float, float, float, float]) -> None:
    page_obj = _page_object(reader, index)
    x1, y1, x2, y2 = box
    media = [float(value) for value in (_inherited(page_obj, "/CropBox") or _inherited(page_obj, "/MediaBox"))]
    if not (x1 < x2 and y1 < y2):
        raise PadesError("Le cadre de signature est vide : donnez x1 < x2 et y1 < y2.")
    if x1 < media[0] or y1 < media[1] or x2 > media[2] or y2 > media[3]:
        raise PadesError("Le cadre de signature dépasse de la page.")


def _page_object(reader: PdfFileReader, index: int):
    return reader.find_page_for_modification(index)[0].get_object()


def _inherited(page_obj, key: str):
    node = page_obj
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return None


def box_is_blank(pdf: Path, page: int, box: tuple[float, float, float, float]) -> bool:
    """True when nothing is drawn in ``box`` of ``page`` (1-based): poppler renders exactly that area."""
    with open(pdf, "rb") as handle:
        reader = _reader(handle)
        index = _page_index(reader, page)
        page_obj = _page_object(reader, index)
        crop = [float(value) for value in (_inherited(page_obj, "/CropBox") or _inherited(page_obj, "/MediaBox"))]
    scale = BLANK_CHECK_DPI / 72
    x1, y1, x2, y2 = box
    left, top = round((x1 - crop[0]) * scale), round((crop[3] - y2) * scale)
    width, height = max(1, round((x2 - x1) * scale)), max(1, round((y2 - y1) * scale))
    number = str(index + 1)
    command = ["pdftoppm", "-f", number, "-l", number, "-r", str(BLANK_CHECK_DPI), "-gray"]
    command += ["-x", str(left), "-y", str(top), "-W", str(width), "-H", str(height), str(pdf)]
    try:
        result = subprocess.run(command, capture_output=True, timeout=120, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        raise PadesError("La page n'a pas pu être rendue pour vérifier l'emplacement de la signature.") from error
    return min(_pgm_pixels(result.stdout)) >= WHITE_THRESHOLD


def _pgm_pixels(pgm: bytes) -> bytes:
    """The pixel bytes of a binary PGM (P5, 8 bits), as ``pdftoppm -gray`` writes it."""
    parts = pgm.split(maxsplit=4)
    if len(parts) < 5 or parts[0] != b"P5" or parts[3] != b"255":
        raise PadesError("Rendu de page inattendu.")
    width, height = int(parts[1]), int(parts[2])
    return parts[4][: width * height]


def _write_atomically(target: Path, write) -> None:
    """Call ``write(handle)`` on a temporary file beside ``target``, renamed over it only on success."""
    target = Path(target)
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False)
    try:
        with handle:
            write(handle)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def prepare_fields(pdf_in: Path, pdf_out: Path, specs: Sequence[FieldSpec]) -> list[FieldInfo]:
    """Write ``pdf_out``: ``pdf_in`` plus every field of ``specs`` it lacks, in one incremental update.

    Refused for a PDF that is already signed (its fields must all exist before the first signature), a
    field name given twice, a placeholder the template does not hold, and a box that is off the page or
    covers content. Returns the fields of the result.
    """
    names = [spec.name for spec in specs]
    if not specs or len(set(names)) != len(names) or not all(name.strip() for name in names):
        raise PadesError("Donnez au moins un champ de signature, chacun avec un nom distinct.")
    with open(pdf_in, "rb") as handle:
        reader = _reader(handle)
        if reader.encrypted:
            raise PadesError("Un PDF chiffré ne peut pas être signé.")
        if reader.embedded_signatures:
            raise PadesError(
                "Ce PDF est déjà signé : tous les champs de signature doivent être créés avant la première signature."
            )
        existing = {field.name: field for field in _fields_of(reader)}
        missing = []
        for spec in specs:
            if spec.name in existing:
                continue
            if spec.box is None:
                raise PadesError(f"Le modèle du document n'a pas d'emplacement de signature « {spec.name} ».")
            index = _page_index(reader, spec.page)
            _check_box_on_page(reader, index, spec.box)
            missing.append((spec, index))
    for spec, index in missing:
        if not box_is_blank(pdf_in, index + 1, spec.box):
            raise PadesError(
                f"L'emplacement de la signature « {spec.name} » (page {index + 1}) recouvre le contenu du document ;"
                " choisissez une zone vide."
            )
    if not missing:
        _write_atomically(pdf_out, lambda out: _copy(pdf_in, out))
        return signature_fields(pdf_out)

    def write(out):
        with open(pdf_in, "rb") as source:
            writer = IncrementalPdfFileWriter(source, strict=False)
            for spec, index in missing:
                fields.append_signature_field(
                    writer, fields.SigFieldSpec(sig_field_name=spec.name, on_page=index, box=spec.box)
                )
            writer.write(out)

    _write_atomically(pdf_out, write)
    return signature_fields(pdf_out)


def _copy(source: Path, out) -> None:
    with open(source, "rb") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)


def _stamp_style() -> TextStampStyle:
    return TextStampStyle(stamp_text=STAMP_TEXT, border_width=1)


def sign(
    pdf_in: Path,
    pdf_out: Path,
    *,
    tenant: Tenant,
    field: str,
    signer: "keys.Signer",
    stamp: Stamp,
    level: Level = Level.B_T,
    reason: str | None = None,
) -> None:
    """Write ``pdf_out``: ``pdf_in`` plus one incremental PAdES signature of ``signer`` in ``field``.

    The field must exist and be empty (see ``prepare_fields``). The signature time-stamp comes from the
    tenant's authority (built-in or its URL). B-LT embeds the chain and revocation data (for the embedded
    PKI a CRL the tenant CA issues now) in the document security store; B-LTA adds a document time-stamp.
    """
    with open(pdf_in, "rb") as handle:
        reader = _reader(handle)
        if reader.encrypted:
            raise PadesError("Un PDF chiffré ne peut pas être signé.")
        status = {info.name: info for info in _fields_of(reader)}
    if field not in status:
        raise PadesError(f"Le document n'a pas de champ de signature « {field} » : préparez-le d'abord.")
    if status[field].signed:
        raise PadesError(f"Le champ de signature « {field} » est déjà signé.")
    timestamper = timestamps.stamper_for(tenant)
    long_term = level in (Level.B_LT, Level.B_LTA)
    now = datetime.now(ZoneInfo(stamp.time_zone))
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=stamp.collectivity,
        name=stamp.name,
        embed_validation_info=long_term,
        use_pades_lta=level == Level.B_LTA,
        validation_context=trust.signing_context(tenant, signer.certificate) if long_term else None,
    )
    text = {"name": stamp.name, "role": stamp.role, "collectivity": stamp.collectivity}
    text["date"] = display.format_datetime(now, "long", stamp.time_zone, locale=display.DOCUMENT_LOCALE)

    def write(out):
        with open(pdf_in, "rb") as source, signer.open() as cms_signer:
            pdf_signer = signers.PdfSigner(meta, signer=cms_signer, timestamper=timestamper, stamp_style=_stamp_style())
            writer = IncrementalPdfFileWriter(source, strict=False)
            pdf_signer.sign_pdf(writer, output=out, appearance_text_params=text)

    try:
        _write_atomically(pdf_out, write)
    except (PathBuildingError, PathValidationError, CertValidationError) as error:
        raise PadesError(f"Les données de validation du certificat n'ont pas pu être réunies : {error}") from error
    except TimestampError:
        raise
    except (PyHankoSigningError, PdfError) as error:
        raise PadesError(f"La signature n'a pas pu être apposée : {error}") from error
