"""Check an uploaded PDF in a separate, resource-limited process, and remove its active content.

The parse of an untrusted file runs in a child process (sandbox.py) with an address-space cap
(RLIMIT_AS), a CPU cap (RLIMIT_CPU), a cap on the size of what it writes (RLIMIT_FSIZE) and a wall-clock
deadline enforced here (the whole process group is killed). A decompression bomb or a parser bug therefore
costs one short-lived child, never the web or worker process. See docs/documents.md.
"""

import hashlib
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from saas.core.errors import DomainError

log = logging.getLogger(__name__)

MIB = 1024 * 1024
SANDBOX = Path(__file__).with_name("sandbox.py")
MAGIC = b"%PDF-"
#: How far "%PDF-" is looked for to tell a disguised PDF (data before it, refused) from another kind of file.
MAGIC_WINDOW = 1024
END_MARKER = b"%%EOF"
#: After the last %%EOF, a tail of only these bytes (end of line, padding) is kept as it is.
PDF_WHITESPACE = b"\x00\t\n\x0c\r "
#: A ZIP reader looks for its end record in this many bytes at the end of the file (22 + a 65 535-byte comment).
ZIP_END_WINDOW = 22 + 65535
CHUNK = MIB


@dataclass(frozen=True)
class CheckLimits:
    #: Largest accepted file; the upload limit should not exceed it.
    max_file_bytes: int
    #: Address space of the checking process (RLIMIT_AS), start-up included (about 40 MiB).
    memory_bytes: int
    #: CPU seconds of the checking process (RLIMIT_CPU); SIGXCPU ends it.
    cpu_seconds: int
    #: Wall-clock seconds before the parent kills the checking process (covers I/O waits and sleeps).
    wall_seconds: float


#: Sized for the prefecture's 150 MB files on a 2-core / 24 GiB host; measurements in docs/documents.md.
DEFAULT_LIMITS = CheckLimits(max_file_bytes=150 * MIB, memory_bytes=2048 * MIB, cpu_seconds=120, wall_seconds=300)

#: Removal kinds reported by the sandbox -> French label shown to the secretary.
REMOVAL_LABELS = {
    "document_javascript": "JavaScript du document",
    "open_action": "Action automatique à l'ouverture",
    "additional_actions": "Actions automatiques (pages, annotations, champs)",
    "javascript_action": "Action JavaScript",
    "launch_action": "Lancement d'application (Launch)",
    "submit_form_action": "Envoi de formulaire (SubmitForm)",
    "import_data_action": "Import de données (ImportData)",
    "media_action": "Action multimédia",
    "embedded_goto_action": "Lien vers un fichier joint",
    "embedded_files": "Fichiers joints",
    "file_attachment": "Annotation pièce jointe",
    "rich_media": "Contenu multimédia (RichMedia)",
    "xfa": "Formulaire XFA",
    "unsafe_uri_action": "Lien vers une adresse autre que web ou e-mail (javascript:, file:…)",
    "remote_goto_action": "Lien vers un autre fichier (GoToR)",
    "trailing_data": "Données ajoutées après la fin du PDF",
}

NOT_PDF = "Ce fichier n'est pas un PDF."
LEADING_DATA = (
    "Ce fichier contient des données avant le début du PDF (il peut s'agir d'une page web ou d'un autre fichier "
    "déguisé en PDF). Ouvrez-le puis enregistrez-le à nouveau au format PDF, puis déposez cette nouvelle version."
)
HIDDEN_ARCHIVE = (
    "Ce fichier est à la fois un PDF et une archive ZIP. Ouvrez-le puis enregistrez-le à nouveau au format PDF, "
    "puis déposez cette nouvelle version."
)
DAMAGED = (
    "Ce PDF est endommagé et ne peut pas être lu. Ouvrez-le puis enregistrez-le à nouveau au format PDF "
    "(ou exportez-le depuis le logiciel d'origine), puis déposez cette nouvelle version."
)
ENCRYPTED = "Ce PDF est protégé par un mot de passe ou chiffré : déposez une version sans protection."
TOO_COMPLEX = (
    "Ce PDF est trop complexe pour être vérifié dans les limites de la plateforme. Réduisez sa taille "
    "(par exemple en le scindant ou en compressant ses images), puis déposez-le à nouveau."
)
TOO_LARGE = "Ce fichier dépasse la taille maximale acceptée ({size} Mo)."
EMPTY = "Ce fichier est vide."
FAILED = (
    "La vérification de ce PDF n'a pas pu aboutir. Réessayez dans quelques minutes ; si le problème persiste, "
    "contactez l'assistance."
)


class PdfRejected(DomainError):
    """A refused file: `message` is the French text for the user, `reason` a stable code for callers."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


class PdfCheckFailed(PdfRejected):
    """The checker itself failed (not the file's fault, as far as we know); details are logged."""

    status = 503


@dataclass(frozen=True)
class Removal:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class PdfReport:
    pages: int
    #: [[count, width, height], …]: CropBox sizes in points of the pages in order, equal neighbours counted
    #: once; None for a file with too many different sizes to report
    page_sizes: list[list[float]] | None
    pdf_version: str
    #: SHA-256 (hex) and size of the destination file, i.e. of what will be published.
    sha256: str
    size: int
    #: Active content removed; empty when the destination is a byte-identical copy of the source.
    removed: tuple[Removal, ...]
    #: Process id of the checking process (always different from the caller's).
    checker_pid: int

    @property
    def cleaned(self) -> bool:
        return bool(self.removed)

    @property
    def removed_labels(self) -> tuple[str, ...]:
        return tuple(removal.label for removal in self.removed)


def check_pdf(source: Path, destination: Path, *, limits: CheckLimits = DEFAULT_LIMITS) -> PdfReport:
    """Check `source`; write what may be published to `destination` (which must not exist) and describe it.

    Raises PdfRejected with a French message; destination then does not exist.
    """
    source, destination = Path(source), Path(destination)
    if destination.exists():
        raise FileExistsError(destination)
    size = source.stat().st_size
    if size == 0:
        raise PdfRejected("empty", EMPTY)
    if size > limits.max_file_bytes:
        raise PdfRejected("too_large", TOO_LARGE.format(size=limits.max_file_bytes // MIB))
    with source.open("rb") as stream:
        head = stream.read(MAGIC_WINDOW)
    if not head.startswith(MAGIC):
        raise PdfRejected("leading_data", LEADING_DATA) if MAGIC in head else PdfRejected("not_pdf", NOT_PDF)
    end = _pdf_end(source, size)
    if _ends_as_zip(source, end):
        raise PdfRejected("hidden_archive", HIDDEN_ARCHIVE)
    token = secrets.token_hex(6)
    part = destination.with_name(f".{destination.name}.{token}.part")
    cut = destination.with_name(f".{destination.name}.{token}.cut")
    try:
        # What follows the PDF's end is cut before parsing: the checked bytes are the published ones.
        checked, digest = (cut, _copy_hashing(source, cut, end)) if end < size else (source, None)
        result = _run_sandbox(checked, part, end, limits)
        if not result["removed"]:
            part.unlink(missing_ok=True)
            if checked is cut:
                os.replace(cut, part)
            else:
                digest = _copy_hashing(source, part)
        else:
            digest = _hash(part)
        os.replace(part, destination)
    finally:
        part.unlink(missing_ok=True)
        cut.unlink(missing_ok=True)
    found = dict(result["removed"], **({"trailing_data": 1} if end < size else {}))
    removed = tuple(Removal(kind, REMOVAL_LABELS[kind], count) for kind, count in sorted(found.items()))
    return PdfReport(
        pages=result["pages"],
        page_sizes=result["page_sizes"],
        pdf_version=result["version"],
        sha256=digest,
        size=destination.stat().st_size,
        removed=removed,
        checker_pid=result["pid"],
    )


def _pdf_end(source: Path, size: int) -> int:
    """Where the PDF ends: `size` when nothing but whitespace follows its last %%EOF, else just after that
    %%EOF and its end of line (what follows is dropped). A file without %%EOF is refused as damaged."""
    with source.open("rb") as stream:
        position, tail = size, b""
        while position > 0:
            start = max(0, position - CHUNK)
            stream.seek(start)
            tail = stream.read(position - start) + tail[: len(END_MARKER) - 1]
            found = tail.rfind(END_MARKER)
            if found >= 0:
                marker = start + found
                break
            position = start
        else:
            raise PdfRejected("damaged", DAMAGED)
        stream.seek(marker + len(END_MARKER))
        after = stream.read(2)
        end = marker + len(END_MARKER) + (2 if after == b"\r\n" else 1 if after[:1] in (b"\r", b"\n") else 0)
        stream.seek(end)
        while chunk := stream.read(CHUNK):
            if chunk.strip(PDF_WHITESPACE):
                return end
    return size


def _ends_as_zip(source: Path, end: int) -> bool:
    """Whether a ZIP reader would take the first `end` bytes for an archive: an end-of-central-directory record
    whose comment reaches exactly to the end (a ZIP appended to a PDF, its comment ending with a fake %%EOF)."""
    with source.open("rb") as stream:
        start = max(0, end - ZIP_END_WINDOW)
        stream.seek(start)
        window = stream.read(end - start)
    found = window.rfind(b"PK\x05\x06")
    while found >= 0:
        record = window[found : found + 22]
        if len(record) == 22 and found + 22 + int.from_bytes(record[20:22], "little") == len(window):
            return True
        found = window.rfind(b"PK\x05\x06", 0, found)
    return False


def _run_sandbox(source: Path, output: Path, size: int, limits: CheckLimits) -> dict:
    """Run pdf_sandbox.py on source and return its verdict; map every failure to PdfRejected."""
    command = [
        sys.executable, "-I", str(SANDBOX),
        "--memory", str(limits.memory_bytes),
        "--cpu", str(limits.cpu_seconds),
        # Room for a rewritten file that came out larger than the original (object streams unpacked…).
        "--output-limit", str(2 * size + 16 * MIB),
        str(source.resolve()), str(output.resolve()),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # Own session: on timeout the whole group is killed. Files, not pipes: no deadlock, bounded reads.
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True, env={}
        )
        try:
            returncode = child.wait(timeout=limits.wall_seconds)
        except subprocess.TimeoutExpired:
            _kill(child)
            log.warning("PDF check of %s killed after %ss (pid %s)", source, limits.wall_seconds, child.pid)
            raise PdfRejected("too_complex", TOO_COMPLEX) from None
        except BaseException:
            _kill(child)
            raise
        out.seek(0)
        line = out.read(64 * 1024).decode("utf-8", "replace").strip()
        err.seek(0)
        stderr = err.read(8 * 1024).decode("utf-8", "replace")
    if returncode < 0:
        log.warning("PDF check of %s ended by signal %s (pid %s)", source, -returncode, child.pid)
        raise PdfRejected("too_complex", TOO_COMPLEX)
    try:
        result = json.loads(line) if returncode == 0 else None
    except ValueError:
        result = None
    if not isinstance(result, dict) or "outcome" not in result:
        log.error("PDF check of %s failed (exit %s): %s", source, returncode, stderr)
        raise PdfCheckFailed("check_failed", FAILED)
    outcome = result["outcome"]
    if outcome == "ok":
        return result
    log.info("PDF %s refused: %s (%s)", source, outcome, result.get("detail"))
    messages = {"encrypted": ENCRYPTED, "damaged": DAMAGED, "too_complex": TOO_COMPLEX}
    if outcome not in messages:
        log.error("PDF check of %s: unexpected outcome %s (%s)", source, outcome, result.get("detail"))
        raise PdfCheckFailed("check_failed", FAILED)
    raise PdfRejected(outcome, messages[outcome])


def _kill(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()


def _copy_hashing(source: Path, target: Path, length: int | None = None) -> str:
    """Copy `source` (its first `length` bytes, if given) to the new file `target`; return its SHA-256."""
    digest = hashlib.sha256()
    left = source.stat().st_size if length is None else length
    with source.open("rb") as reader, target.open("xb") as writer:
        while left > 0 and (chunk := reader.read(min(CHUNK, left))):
            digest.update(chunk)
            writer.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
