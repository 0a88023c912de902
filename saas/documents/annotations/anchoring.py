"""Where things are on the pages of a version: page sizes (to check coordinates) and re-anchoring.

When a document is replaced, each annotation of its previous versions moves to the new one. One with a
text quote is looked for in the new version's text, as poppler's ``pdftotext -bbox-layout`` extracts it
with the box of every word. The search ignores white space (PDF.js joins text items without spaces,
poppler with them), compatibility forms (ligatures) and typographic quotes and dashes, and uses the
quote's prefix and suffix to choose between several occurrences. Its rectangles are rebuilt from the word
boxes, one per line. An annotation without a quote (ink, a note on a point, a text box, a reply) keeps its
page and coordinates if the page still exists. Whatever cannot be placed is kept as orphaned, with its
text and its former page: nothing is ever dropped.
"""

import logging
import subprocess
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import sqlalchemy as sa

from saas.core.database import utcnow
from saas.core.extensions import db
from saas.documents.annotations.models import Annotation
from saas.documents.models import Document, DocumentVersion
from saas.documents.uploads import uploads_dir
from saas.storage.operations import open_range

log = logging.getLogger(__name__)

#: a text extraction that takes longer is abandoned (the annotations with a quote are then orphaned)
PDFTOTEXT_TIMEOUT = 120
XHTML = "{http://www.w3.org/1999/xhtml}"
#: page sizes of this many distinct files are kept in memory
SIZES_KEPT = 256
_SIZES: dict[str, list[tuple[float, float]]] = {}


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    line: int  # running line number, unique across the document
    box: tuple[float, float, float, float]  # x_min, y_min, x_max, y_max, top-left origin (pdftotext)
    text: str


@dataclass(frozen=True)
class PageText:
    sizes: list[tuple[float, float]]  # (width, height) of each page's CropBox
    words: list[Word]


@contextmanager
def version_file(version: DocumentVersion):
    """The version's PDF as a temporary file in the instance's upload folder, removed afterwards."""

    with tempfile.TemporaryDirectory(prefix="anchor-", dir=uploads_dir()) as directory:
        path = Path(directory) / "version.pdf"
        with path.open("wb") as out:
            for chunk in open_range(version.blob, 0, version.size - 1):
                out.write(chunk)
        yield path


def page_sizes(version: DocumentVersion) -> list[tuple[float, float]]:
    """(width, height) in points of each page's CropBox: as the upload check measured them; for a version
    uploaded before that was recorded, read from the file once per process (a version never changes)."""
    if version.page_sizes is not None:
        return [(float(width), float(height)) for count, width, height in version.page_sizes for _ in range(int(count))]
    sizes = _SIZES.get(version.sha256)
    if sizes is None:
        with version_file(version) as path, pikepdf.open(path) as pdf:
            sizes = [_size(page.cropbox) for page in pdf.pages]
        if len(_SIZES) >= SIZES_KEPT:
            _SIZES.clear()
        _SIZES[version.sha256] = sizes
    return sizes


def _size(box) -> tuple[float, float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return abs(x2 - x1), abs(y2 - y1)


def extract_words(path: Path) -> PageText:
    """Every word of the PDF with its box, through ``pdftotext -bbox-layout`` (CropBox coordinates)."""
    result = subprocess.run(
        ["pdftotext", "-q", "-cropbox", "-bbox-layout", str(path), "-"],
        capture_output=True,
        timeout=PDFTOTEXT_TIMEOUT,
        check=True,
    )
    root = ET.fromstring(result.stdout)
    sizes, words, line_number = [], [], 0
    for page_number, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        sizes.append((float(page.get("width")), float(page.get("height"))))
        for line in page.iter(f"{XHTML}line"):
            line_number += 1
            for word in line.iter(f"{XHTML}word"):
                box = tuple(float(word.get(name)) for name in ("xMin", "yMin", "xMax", "yMax"))
                words.append(Word(page_number, line_number, box, word.text or ""))
    return PageText(sizes, words)


#: typographic variants that two text extractions (or a font's encoding) render differently
TYPOGRAPHY = str.maketrans({**dict.fromkeys("’‘‛ʼ", "'"), **dict.fromkeys("“”„«»", '"'), **dict.fromkeys("‐‑‒–—", "-")})


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).translate(TYPOGRAPHY) if not c.isspace())


class TextIndex:
    """The document's text without white space, each character pointing back to (word, character)."""

    def __init__(self, text: PageText):
        self.text = text
        characters, self.origin = [], []
        for word_index, word in enumerate(text.words):
            for char_index, char in enumerate(word.text):
                for folded in _folded(char):
                    characters.append(folded)
                    self.origin.append((word_index, char_index))
        self.folded = "".join(characters)

    def find(self, quote: dict, previous_page: int) -> tuple[int, int] | None:
        """The (start, end) of the best occurrence of the quote, or None if it is not there."""
        exact = _folded(quote.get("exact") or "")
        if not exact:
            return None
        prefix, suffix = _folded(quote.get("prefix") or ""), _folded(quote.get("suffix") or "")
        candidates, start = [], self.folded.find(exact)
        while start != -1:
            end = start + len(exact)
            score = _common_suffix(self.folded[max(0, start - len(prefix)) : start], prefix) + _common_prefix(
                self.folded[end : end + len(suffix)], suffix
            )
            page = self.text.words[self.origin[start][0]].page
            candidates.append((-score, abs(page - previous_page), start, end))
            start = self.folded.find(exact, start + 1)
        if not candidates:
            return None
        _, _, start, end = min(candidates)
        return start, end

    def rects(self, start: int, end: int) -> tuple[int, list[list[float]]]:
        """The page of the match and one rectangle per line (PDF points, origin bottom left), on that page."""
        first_word, first_char = self.origin[start]
        last_word, last_char = self.origin[end - 1]
        page = self.text.words[first_word].page
        height = self.text.sizes[page - 1][1]
        lines: dict[int, list[float]] = {}
        for index in range(first_word, last_word + 1):
            word = self.text.words[index]
            if word.page != page:
                break
            x_min, y_min, x_max, y_max = word.box
            length = max(len(word.text), 1)
            if index == first_word:
                x_min += (x_max - x_min) * first_char / length
            if index == last_word:
                x_max = word.box[0] + (word.box[2] - word.box[0]) * (last_char + 1) / length
            bottom, top = height - y_max, height - y_min
            rect = lines.setdefault(word.line, [x_min, bottom, x_max, top])
            rect[:] = [min(rect[0], x_min), min(rect[1], bottom), max(rect[2], x_max), max(rect[3], top)]
        return page, [[round(v, 2) for v in rect] for rect in lines.values()]


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def reanchor(document: Document, version: DocumentVersion) -> tuple[int, int]:
    """Move every annotation of ``document`` to its new ``version``; returns (re-anchored, orphaned)."""
    annotations = list(
        db.session.execute(
            sa.select(Annotation)
            .where(Annotation.document_id == document.id, Annotation.document_version_id != version.id)
            .order_by(Annotation.id)
        ).scalars()
    )
    if not annotations:
        return 0, 0
    index = _index_of(version) if any(a.quote for a in annotations) else None
    sizes = index.text.sizes if index else page_sizes(version)
    numbers = dict(
        db.session.execute(
            sa.select(DocumentVersion.id, DocumentVersion.number).where(DocumentVersion.document_id == document.id)
        ).all()
    )
    placed = orphaned = 0
    now = utcnow()
    for annotation in annotations:
        before = {"version_number": numbers[annotation.document_version_id], "page": annotation.page}
        found = _place(annotation, index, sizes)
        annotation.document_version_id = version.id
        annotation.updated_at = now
        if found:
            annotation.orphaned, annotation.orphaned_from = False, None
            placed += 1
        else:
            if not annotation.orphaned:
                annotation.orphaned, annotation.orphaned_from = True, before
            orphaned += 1
    db.session.flush()
    return placed, orphaned


def _index_of(version: DocumentVersion) -> TextIndex | None:
    try:
        with version_file(version) as path:
            return TextIndex(extract_words(path))
    except (subprocess.SubprocessError, ET.ParseError, OSError) as error:
        log.warning("text extraction of document version %s failed: %s", version.id, error)
        return None


def _place(annotation: Annotation, index: TextIndex | None, sizes: list[tuple[float, float]]) -> bool:
    """Set the annotation's page and rectangles on the new version; False if it cannot be placed."""
    if annotation.quote:
        match = index.find(annotation.quote, annotation.page) if index else None
        if match is None:
            return False
        annotation.page, annotation.rects = index.rects(*match)
        annotation.position = None  # offsets of the old text say nothing of the new one
        return True
    if annotation.orphaned or annotation.page > len(sizes):
        return False
    width, height = sizes[annotation.page - 1]
    points = [(r[0], r[1]) for r in annotation.rects] + [(r[2], r[3]) for r in annotation.rects]
    points += [tuple(point) for stroke in annotation.ink for point in stroke]
    return all(0 <= x <= width and 0 <= y <= height for x, y in points)


def follow_new_version(version: DocumentVersion, replaced: bool, **_) -> None:
    """Receiver of ``documents.operations.version_added``: every annotation moves to the replacing version,
    or is kept as orphaned."""
    if replaced:
        reanchor(version.document, version)
