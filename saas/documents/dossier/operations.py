""" "My annotated dossier": a sitting's documents with my annotations drawn in, then a summary of my notes.

One PDF per request, built in a private temporary folder of the instance and streamed from there. For each
document the caller may read (current version, agenda order), the stored file is copied out (decrypted,
chunk by chunk) and, when I annotated it, opened with pikepdf: every annotation becomes a real PDF
annotation dictionary (/Highlight with /QuadPoints, /Text, /Ink with /InkList, /FreeText) with a generated
appearance stream (/AP /N form XObject), and the annotations are then flattened into the page content, so
every reader shows them the same way. A summary of my notes (per document: number, page, quote, note
text; the orphaned ones with their old page) is rendered by WeasyPrint and the whole is merged by a qpdf
job with bookmarks, as the board book is. Only copies are written: the stored versions (signed or not) are
never modified.

The annotations exported are mine only (I am their author): those others shared with me are theirs to
export. Replies I wrote are listed in the summary, beside the page of the note they answer.

Coordinates are PDF points with their origin at the bottom left of the page's CropBox (the contract of the
viewer), so the CropBox origin is added to place them in the page's user space. Text is drawn in Courier,
a standard font of fixed width (600/1000 em), so lines are wrapped exactly without font files.
"""

import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from flask import Response, current_app, send_file
from pikepdf import Array, Dictionary, Name, String

from saas.core import display
from saas.core.printing import render_pdf
from saas.documents.annotations.models import Annotation, AnnotationKind
from saas.documents.annotations.operations import changes
from saas.documents.board_book.operations import _copy_out
from saas.documents.models import KIND_LABELS, Document, DocumentVersion
from saas.documents.operations import clean_filename, documents_of
from saas.identity.models import Person
from saas.sittings.models import AgendaItem, Sitting
from saas.storage.http import content_disposition

WORKSPACE = "annotated-exports"
#: opacity of highlights (fill and stroke), multiplied with the page so the text stays readable
HIGHLIGHT_OPACITY = 0.4
INK_WIDTH = 2.0
FONT_SIZE = 9.0
#: Courier: every glyph is 600/1000 em wide
CHAR_WIDTH = 0.6
NOTE_MARKER = 16.0
PRINT_FLAG = 4
SUMMARY_TITLE = "Résumé de mes notes"
KIND_NAMES = {
    AnnotationKind.HIGHLIGHT: "surlignage",
    AnnotationKind.NOTE: "note",
    AnnotationKind.INK: "dessin",
    AnnotationKind.TEXT: "zone de texte",
}


@dataclass
class ExportedDocument:
    item: AgendaItem
    document: Document
    version: DocumentVersion
    #: my annotations anchored on the version, numbered 1..n in page order (the summary's numbers)
    annotations: list[Annotation]
    #: my annotations of the document that re-anchoring could not place on the current version
    orphaned: list[Annotation]


def my_annotations(person: Person, document: Document) -> tuple[list[Annotation], list[Annotation]]:
    """(placed, orphaned): what ``person`` wrote on the document's current version, as the viewer shows
    it (saas/documents/annotations/operations.py ``changes``), in page order; the one read of the export."""
    seen = changes(document, person)
    mine = [a for a in seen.annotations if a.person_id == person.id]
    return sorted(mine, key=lambda a: (a.page, a.id)), [a for a in seen.orphaned if a.person_id == person.id]


def exported_documents(items: list[AgendaItem], person: Person) -> list[ExportedDocument]:
    """The current versions of the documents of ``items`` (those the caller may read, in agenda order),
    each with my annotations."""
    return [
        ExportedDocument(item, document, document.current_version, *my_annotations(person, document))
        for item in items
        for document in documents_of(item.report)
        if not document.withdrawn and document.versions
    ]


# --- Appearance streams ---------------------------------------------------------------------------


def rgb(color: str) -> list[float]:
    return [round(int(color[i : i + 2], 16) / 255, 4) for i in (1, 3, 5)]


def _box(points: list[tuple[float, float]], margin: float) -> list[float]:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return [min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin]


def _form(pdf: pikepdf.Pdf, bbox: list[float], operations: list, resources: Dictionary | None = None):
    """A form XObject drawn in page space: its /BBox is the annotation's /Rect (identity matrix)."""
    stream = pdf.make_stream(pikepdf.unparse_content_stream(operations))
    stream.Type, stream.Subtype, stream.BBox = Name.XObject, Name.Form, Array(bbox)
    stream.Resources = resources or Dictionary()
    return stream


def _font(pdf: pikepdf.Pdf) -> Dictionary:
    return pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Courier, Encoding=Name.WinAnsiEncoding)
    )


def _op(operator: str, *operands) -> tuple:
    return list(operands), pikepdf.Operator(operator)


def _text(value: str) -> String:
    """WinAnsi bytes (French letters included); what Courier cannot show becomes "?"."""
    return String(value.encode("cp1252", "replace"))


def wrap(body: str, width: float, height: float, size: float = FONT_SIZE) -> list[str]:
    """The lines of ``body`` that fit a box of ``width`` × ``height`` points, the last cut with "…"."""
    columns = max(int(width / (CHAR_WIDTH * size)), 1)
    lines = [line for paragraph in body.splitlines() or [""] for line in textwrap.wrap(paragraph, columns) or [""]]
    room = max(int(height / (size * 1.2)), 1)
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = lines[-1][: columns - 1] + "…"
    return lines


def _highlight(pdf: pikepdf.Pdf, rects: list[list[float]], color: list[float]) -> Dictionary:
    bbox = _box([(r[0], r[1]) for r in rects] + [(r[2], r[3]) for r in rects], 0)
    state = Dictionary(Type=Name.ExtGState, CA=HIGHLIGHT_OPACITY, ca=HIGHLIGHT_OPACITY, BM=Name.Multiply)
    drawing = [_op("gs", Name.GS0), _op("rg", *color)]
    drawing += [_op("re", r[0], r[1], r[2] - r[0], r[3] - r[1]) for r in rects] + [_op("f")]
    quads = [value for x1, y1, x2, y2 in rects for value in (x1, y2, x2, y2, x1, y1, x2, y1)]
    appearance = _form(pdf, bbox, drawing, Dictionary(ExtGState=Dictionary(GS0=state)))
    return Dictionary(Subtype=Name.Highlight, Rect=bbox, QuadPoints=quads, CA=HIGHLIGHT_OPACITY, AP={"/N": appearance})


def _ink(pdf: pikepdf.Pdf, strokes: list[list[tuple[float, float]]], color: list[float]) -> Dictionary:
    bbox = _box([point for stroke in strokes for point in stroke], INK_WIDTH)
    drawing = [_op("RG", *color), _op("w", INK_WIDTH), _op("J", 1), _op("j", 1)]
    for stroke in strokes:
        (x, y), rest = stroke[0], stroke[1:] or stroke[:1]
        drawing += [_op("m", x, y), *(_op("l", px, py) for px, py in rest), _op("S")]
    ink_list = [[value for point in stroke for value in point] for stroke in strokes]
    return Dictionary(
        Subtype=Name.Ink, Rect=bbox, InkList=ink_list, BS=Dictionary(W=INK_WIDTH), AP={"/N": _form(pdf, bbox, drawing)}
    )


def _free_text(pdf: pikepdf.Pdf, rect: list[float], body: str, color: list[float], font: Dictionary) -> Dictionary:
    x1, y1, x2, y2 = rect
    pad = 2.0
    lines = wrap(body, x2 - x1 - 2 * pad, y2 - y1 - 2 * pad)
    drawing = [_op("q"), _op("RG", *color), _op("w", 1), _op("re", x1 + 0.5, y1 + 0.5, x2 - x1 - 1, y2 - y1 - 1)]
    drawing += [_op("S"), _op("Q"), _op("BT"), _op("Tf", Name.Cour, FONT_SIZE), _op("g", 0.13)]
    drawing += [_op("TL", FONT_SIZE * 1.2), _op("Td", x1 + pad, y2 - pad - FONT_SIZE)]
    for n, line in enumerate(lines):
        drawing += [_op("Tj", _text(line))] if n == 0 else [_op("'", _text(line))]
    drawing.append(_op("ET"))
    return Dictionary(
        Subtype=Name.FreeText,
        Rect=rect,
        Contents=String(body),
        DA=String(f"/Cour {FONT_SIZE:g} Tf 0.13 g"),
        AP={"/N": _form(pdf, rect, drawing, Dictionary(Font=Dictionary(Cour=font)))},
    )


def _note(pdf: pikepdf.Pdf, at: tuple[float, float], number: int, body: str, color, font) -> Dictionary:
    """A sticky note drawn as a coloured square carrying its number in the summary."""
    x, y = at
    rect = [x, y, x + NOTE_MARKER, y + NOTE_MARKER]
    label = str(number)
    size = 8.0 if len(label) < 3 else 6.0
    text_x = x + (NOTE_MARKER - len(label) * CHAR_WIDTH * size) / 2
    drawing = [
        _op("rg", *color),
        _op("G", 0.13),
        _op("w", 0.75),
        _op("re", x + 0.5, y + 0.5, NOTE_MARKER - 1, NOTE_MARKER - 1),
        _op("B"),
    ]
    drawing += [
        _op("BT"),
        _op("Tf", Name.Cour, size),
        _op("g", 1 if sum(color) < 1.2 else 0.13),  # white on the dark colour of the palette
        _op("Td", text_x, y + 5),
        _op("Tj", _text(label)),
    ]
    drawing.append(_op("ET"))
    appearance = _form(pdf, rect, drawing, Dictionary(Font=Dictionary(Cour=font)))
    return Dictionary(Subtype=Name.Text, Rect=rect, Contents=String(body), Name=Name.Comment, AP={"/N": appearance})


def annotation_dictionary(pdf: pikepdf.Pdf, page: pikepdf.Page, annotation: Annotation, number: int, font):
    """The PDF annotation of ``annotation`` on ``page``, appearance included; None when it has no shape."""
    x0, y0 = float(page.cropbox[0]), float(page.cropbox[1])
    rects = [[x1 + x0, y1 + y0, x2 + x0, y2 + y0] for x1, y1, x2, y2 in annotation.rects or []]
    color = rgb(annotation.color)
    if annotation.kind == AnnotationKind.HIGHLIGHT and rects:
        made = _highlight(pdf, rects, color)
    elif annotation.kind == AnnotationKind.INK and annotation.ink:
        made = _ink(pdf, [[(x + x0, y + y0) for x, y in stroke] for stroke in annotation.ink if stroke], color)
    elif annotation.kind == AnnotationKind.TEXT and rects:
        made = _free_text(pdf, rects[0], annotation.body, color, font)
    elif annotation.kind == AnnotationKind.NOTE and rects:
        made = _note(pdf, (rects[0][0], rects[0][3] - NOTE_MARKER), number, annotation.body, color, font)
    else:
        return None
    made.Type, made.F, made.P, made.C = Name.Annot, PRINT_FLAG, page.obj, color
    made.NM = String(f"quorum-annotation-{annotation.id}")
    made.T = String(annotation.author.full_name)
    return pdf.make_indirect(made)


def draw_annotations(pdf: pikepdf.Pdf, annotations: list[Annotation]) -> int:
    """Add ``annotations`` (numbered 1..n in list order) to the pages of ``pdf`` as PDF annotations with
    their appearance streams; returns how many were drawn (replies and pages out of range are not)."""
    font = _font(pdf)
    drawn = 0
    for number, annotation in enumerate(annotations, start=1):
        if annotation.reply_to_id is not None or not 1 <= annotation.page <= len(pdf.pages):
            continue
        page = pdf.pages[annotation.page - 1]
        made = annotation_dictionary(pdf, page, annotation, number, font)
        if made is None:
            continue
        if Name.Annots not in page.obj:
            page.obj.Annots = pdf.make_indirect(Array())
        page.obj.Annots.append(made)
        drawn += 1
    return drawn


def annotate_copy(source: Path, target: Path, annotations: list[Annotation]) -> None:
    """Write to ``target`` a copy of ``source`` with ``annotations`` drawn in and flattened."""
    with pikepdf.open(source) as pdf:
        draw_annotations(pdf, annotations)
        pdf.flatten_annotations("print")
        # streams copied as they are (neither decoded nor recompressed): a 100 MB dossier stays quick
        pdf.save(target, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


# --- The dossier ----------------------------------------------------------------------------------


def _summary_pdf(sitting: Sitting, person: Person, parts: list[ExportedDocument]) -> bytes:
    when = display.format_datetime(sitting.starts_at, "full", sitting.tenant, locale=display.DOCUMENT_LOCALE)
    return render_pdf(
        "annotated_summary.html",
        sitting=sitting,
        when=when,
        person=person,
        parts=parts,
        kind_names=KIND_NAMES,
        document_kinds=KIND_LABELS,
    )


@contextmanager
def annotated_dossier(sitting: Sitting, items: list[AgendaItem], person: Person) -> Iterator[Path]:
    """Build my annotated dossier of ``sitting`` from ``items`` (those the caller may read, agenda order)
    and yield the path of the PDF; its private folder is removed on leaving."""
    parts = exported_documents(items, person)
    folder = Path(current_app.instance_path) / WORKSPACE
    folder.mkdir(parents=True, exist_ok=True)
    workspace = Path(tempfile.mkdtemp(prefix="dossier-", dir=folder))
    try:
        files = []
        for n, part in enumerate(parts):
            original = workspace / f"{n}-original.pdf"
            _copy_out(part.version.blob, original)
            if part.annotations:
                annotated = workspace / f"{n}-annotated.pdf"
                annotate_copy(original, annotated, part.annotations)
                original.unlink()
                files.append(annotated)
            else:
                files.append(original)
        summary = workspace / "summary.pdf"
        summary.write_bytes(_summary_pdf(sitting, person, parts))
        output = workspace / "dossier.pdf"
        _merge(parts, files, summary, output, title=f"Mon dossier annoté — {sitting.assembly.name}")
        yield output
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _merge(parts: list[ExportedDocument], files: list[Path], summary: Path, output: Path, title: str) -> None:
    """Documents then summary into ``output``, one bookmark per item with one child per document."""
    job = pikepdf.Job(
        {
            "empty": "",
            "pages": [{"file": str(path)} for path in [*files, summary]],
            "outputFile": str(output),
            "compressStreams": "n",
            "decodeLevel": "none",
        }
    )
    with job.create_pdf() as dossier:
        entries, page = [], 0
        for part in parts:
            if not entries or entries[-1][0] != part.item:
                entries.append((part.item, []))
            entries[-1][1].append((part.document.title, page))
            page += part.version.page_count
        with dossier.open_outline() as outline:
            del outline.root[:]
            for item, children in entries:
                entry = pikepdf.OutlineItem(f"{item.position}. {item.title}", children[0][1])
                entry.children.extend(pikepdf.OutlineItem(name, start) for name, start in children)
                outline.root.append(entry)
            outline.root.append(pikepdf.OutlineItem(SUMMARY_TITLE, page))
        dossier.docinfo["/Title"] = title
        job.write_pdf(dossier)


def send_annotated_dossier(sitting: Sitting, items: list[AgendaItem], person: Person) -> Response:
    """The response streaming my annotated dossier; the file is read from an open handle, its folder
    already removed (nothing stays on disk once the response is sent)."""
    with annotated_dossier(sitting, items, person) as path:
        stream = path.open("rb")
    name = clean_filename(f"dossier-annote-{sitting.assembly.name}-{sitting.starts_at:%Y-%m-%d}.pdf")
    response = send_file(stream, mimetype="application/pdf", download_name=name, max_age=0)
    response.headers["Content-Disposition"] = content_disposition(name, inline=True)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
