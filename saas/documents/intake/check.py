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
#: How many leading bytes may precede "%PDF-" (the same tolerance as common readers).
MAGIC_WINDOW = 1024
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
}

NOT_PDF = "Ce fichier n'est pas un PDF."
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
        if b"%PDF-" not in stream.read(MAGIC_WINDOW):
            raise PdfRejected("not_pdf", NOT_PDF)
    part = destination.with_name(f".{destination.name}.{secrets.token_hex(6)}.part")
    try:
        result = _run_sandbox(source, part, size, limits)
        if not result["removed"]:
            part.unlink(missing_ok=True)
            digest = _copy_hashing(source, part)
        else:
            digest = _hash(part)
        os.replace(part, destination)
    finally:
        part.unlink(missing_ok=True)
    removed = tuple(Removal(kind, REMOVAL_LABELS[kind], count) for kind, count in sorted(result["removed"].items()))
    return PdfReport(
        pages=result["pages"],
        page_sizes=result["page_sizes"],
        pdf_version=result["version"],
        sha256=digest,
        size=destination.stat().st_size,
        removed=removed,
        checker_pid=result["pid"],
    )


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


def _copy_hashing(source: Path, target: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    return digest.hexdigest()


def _hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
