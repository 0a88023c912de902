"""The @ctes package of an act, S²LOW style, built and checked before anything is written or sent.

A package is a tar.gz holding, in this order:

- the envelope ``EACT--<SIREN>--<AAAAMMJJ>-<n>.xml`` (``actes:EnveloppeCLMISILL``: who sends, the return
  addresses, the message it carries);
- the message ``<dépt>-<SIREN>-<AAAAMMJJ>-<NumeroInterne>-<DE>-1-1_0.xml`` (``actes:Acte``);
- the signed act ``99_DE-<same base>_1.pdf`` and its annexes ``99_AU-<same base>_2.pdf``, ``_3.pdf``…

and is named ``<trigramme>-EACT--<SIREN>--<AAAAMMJJ>-<n>.tar.gz``. The first date is the day of the decision in
the message's names, the day of preparation in the envelope's; ``n`` is the act's sequence in its year, so two
acts prepared the same day never share an envelope name. Both XML documents are validated against Quorum's own
schema of ACTES 1.1 (``xsd/actes.xsd``); everything the schema cannot say is checked here, and every refusal is
a ``PackageError`` naming the field, in French, raised before the first byte of the package is written.
"""

import dataclasses
import functools
import gzip
import io
import re
import tarfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from saas.core.errors import DomainError
from saas.prefecture.classification import classification

ACTES = "http://www.interieur.gouv.fr/ACTES#v1.1-20040216"
INSEE = "http://xml.insee.fr/schema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"actes": ACTES, "insee": INSEE, "xsi": XSI}
#: the application code of an @ctes envelope and the code of the sender in the package's name
APPLICATION = "EACT"
TRIGRAMME = "QRM"
#: the largest package content the tiers de télétransmission accepts (the act and its annexes together)
MAX_BYTES = 150 * 1024 * 1024
NUMERO_INTERNE = re.compile(r"^[0-9A-Z_]{1,15}$")
DEPARTEMENT = re.compile(r"^[0-9]{2}[0-9AB]$")
ARRONDISSEMENT = re.compile(r"^[0-9]$")
SIREN = re.compile(r"^[0-9]{9}$")
EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
#: characters XML 1.0 cannot carry
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
OBJET_MAX = 499


class PackageError(DomainError):
    """A package that cannot be prepared: the message names the field (CodeMatiere, Objet…), in French."""


@dataclasses.dataclass(frozen=True)
class Emitter:
    """Who sends: the collectivity's identity for the envelope and the person preparing it."""

    siren: str
    departement: str | None
    arrondissement: str | None
    nature: str | None
    referent_name: str
    referent_email: str
    #: the collectivity's mailbox for the returns, if it has one
    mailbox: str | None


@dataclasses.dataclass(frozen=True)
class PackageFile:
    """One PDF of the package: its size, its SHA-256 and how to read it (chunks, flat memory)."""

    title: str
    size: int
    sha256: str
    chunks: Callable[[], Iterator[bytes]]


@dataclasses.dataclass(frozen=True)
class Submission:
    decided_on: date
    #: the act's number as the collectivity writes it ("2026-044")
    number: str
    #: the act's sequence in its year (the envelope's number)
    sequence: int
    nature: int
    subject_code: str | None
    objet: str
    document: PackageFile | None
    annexes: tuple[PackageFile, ...]
    emitter: Emitter
    #: the day of preparation (the envelope's date)
    prepared_on: date
    #: a paper document is sent too (DocumentPapier O)
    paper: bool = False


@dataclasses.dataclass(frozen=True)
class Built:
    package_name: str
    envelope_name: str
    message_name: str
    #: what the message says, as recorded on the transmission
    fields: dict


def numero_interne(number: str) -> str:
    """The act's NumeroInterne: its number in capitals, accents dropped, any other character an underscore
    ("2026-044" → "2026_044")."""
    ascii_number = unicodedata.normalize("NFKD", number or "").encode("ascii", "ignore").decode().upper()
    value = re.sub(r"[^0-9A-Z_]", "_", ascii_number.strip())
    if not NUMERO_INTERNE.match(value):
        raise PackageError(
            f"NumeroInterne : le numéro de l'acte « {number} » donne « {value} », qui n'est pas de 1 à 15 "
            "chiffres, lettres majuscules ou « _ ».",
            field="NumeroInterne",
        )
    return value


def objet(title: str) -> str:
    """The Objet: the act's title on one line; 1 to 499 characters XML can carry."""
    text = " ".join((title or "").split())
    if not 1 <= len(text) <= OBJET_MAX:
        raise PackageError(f"Objet : 1 à {OBJET_MAX} caractères (l'objet de l'acte en a {len(text)}).", field="Objet")
    if NOT_XML.search(text):
        raise PackageError("Objet : il contient un caractère de contrôle qui ne peut être transmis.", field="Objet")
    return text


def subject_levels(code: str | None) -> list[int]:
    """CodeMatiere1…5 of the act's subject code, which the classification must have."""
    current = classification()
    if not code:
        raise PackageError(
            "CodeMatiere : la délibération n'a pas de code matière @ctes (il se donne sur le rapport ou le point).",
            field="CodeMatiere",
        )
    if current.name_of(code) is None:
        raise PackageError(
            f"CodeMatiere : la classification du {current.version.isoformat()} n'a pas le code {code}.",
            field="CodeMatiere",
        )
    return current.levels(code)


def check_emitter(emitter: Emitter) -> None:
    """The envelope's sender: each value the collectivity's admin sets (Administration › Télétransmission)."""
    where = " (Administration › Télétransmission)."
    if not SIREN.match(emitter.siren or ""):
        raise PackageError("SIREN : la collectivité n'a pas de SIREN à 9 chiffres" + where, field="SIREN")
    if not emitter.departement:
        raise PackageError("Departement : la collectivité n'a pas de code département" + where, field="Departement")
    if not DEPARTEMENT.match(emitter.departement):
        raise PackageError(
            f"Departement : « {emitter.departement} » n'est pas un code département de 3 caractères (025, 02A, 974)"
            + where,
            field="Departement",
        )
    if not emitter.arrondissement or not ARRONDISSEMENT.match(emitter.arrondissement):
        raise PackageError(
            "Arrondissement : la collectivité n'a pas d'arrondissement (un chiffre)" + where, field="Arrondissement"
        )
    if emitter.nature not in classification().collectivities:
        raise PackageError(
            "Nature : la nature de la collectivité pour la télétransmission n'est pas indiquée" + where, field="Nature"
        )
    for address in (emitter.referent_email, emitter.mailbox):
        if address is not None and not EMAIL.match(address):
            raise PackageError(f"AdressesRetour : « {address} » n'est pas une adresse électronique.", field="Email")


def check_files(document: PackageFile | None, annexes: Iterable[PackageFile]) -> None:
    if document is None:
        raise PackageError(
            "Document : la délibération n'est pas signée : elle se transmet une fois signée par le président et le "
            "secrétaire de séance.",
            field="Document",
        )
    total = document.size
    if total > MAX_BYTES:
        raise PackageError(
            f"Document : le PDF signé fait {_mb(document.size)}, au-delà des {_mb(MAX_BYTES)} qu'accepte la "
            "télétransmission.",
            field="Document",
        )
    for annex in annexes:
        total += annex.size
        if total > MAX_BYTES:
            raise PackageError(
                f"Annexes : avec l'annexe « {annex.title} », l'acte et ses annexes dépassent les {_mb(MAX_BYTES)} "
                "qu'accepte la télétransmission.",
                field="Annexes",
            )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")


# --- The two XML documents ---------------------------------------------------------------------------------


def _q(name: str, namespace: str = ACTES) -> str:
    return f"{{{namespace}}}{name}"


def _sub(parent, name: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, _q(name), {_q(key): value for key, value in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="ISO-8859-1", pretty_print=True)


def message_xml(values: dict, document_name: str, annex_names: list[str], paper: bool) -> bytes:
    root = etree.Element(
        _q("Acte"),
        {
            _q("Date"): values["Date"],
            _q("NumeroInterne"): values["NumeroInterne"],
            _q("CodeNatureActe"): str(values["CodeNatureActe"]),
        },
        nsmap=NSMAP,
    )
    for rank, level in enumerate(values["CodeMatiere"], start=1):
        _sub(root, f"CodeMatiere{rank}", CodeMatiere=str(level))
    _sub(root, "Objet", values["Objet"])
    _sub(root, "ClassificationDateVersion", values["ClassificationDateVersion"])
    _sub(_sub(root, "Document"), "NomFichier", document_name)
    annexes = _sub(root, "Annexes", Nombre=str(len(annex_names)))
    for name in annex_names:
        _sub(_sub(annexes, "Annexe"), "NomFichier", name)
    _sub(root, "DocumentPapier", "O" if paper else "N")
    return _xml(root)


def envelope_xml(emitter: Emitter, message_name: str) -> bytes:
    root = etree.Element(_q("EnveloppeCLMISILL"), nsmap=NSMAP)
    sender = _sub(root, "Emetteur")
    etree.SubElement(
        sender,
        _q("IDCL"),
        {
            _q("SIREN", INSEE): emitter.siren,
            _q("Departement"): emitter.departement,
            _q("Arrondissement"): emitter.arrondissement,
            _q("Nature"): emitter.nature,
        },
    )
    referent = _sub(sender, "Referent")
    name = " ".join(NOT_XML.sub("", emitter.referent_name).split())[:200]
    _sub(referent, "Nom", name or emitter.referent_email)
    _sub(referent, "Email", emitter.referent_email)
    returns = _sub(root, "AdressesRetour")
    for address in dict.fromkeys(a for a in (emitter.mailbox, emitter.referent_email) if a):
        _sub(returns, "Email", address)
    _sub(_sub(_sub(root, "FormulairesEnvoyes"), "Formulaire"), "NomFichier", message_name)
    return _xml(root)


@functools.cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(Path(__file__).parent / "xsd" / "actes.xsd")))


def validate(xml: bytes) -> etree._Element:
    """The document, parsed, once it is valid against the ACTES schema and the rules the schema cannot say;
    a PackageError naming the element otherwise (a bug of Quorum's, never a user's input: they are checked
    before)."""
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema().validate(document):
        error = schema().error_log.last_error
        raise PackageError(f"Le message @ctes n'est pas conforme au schéma ACTES 1.1 : {error.message}")
    annexes = document.find(_q("Annexes"))
    if annexes is not None and int(annexes.get(_q("Nombre"))) != len(annexes.findall(_q("Annexe"))):
        raise PackageError("Annexes : le nombre annoncé n'est pas celui des annexes du message.", field="Annexes")
    return document


# --- The package ---------------------------------------------------------------------------------------------


class _Chunks:
    """A file object reading a chunk iterator (what tarfile wants), a chunk at a time."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.buffer = chunks, b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.buffer) < size:
            piece = next(self.chunks, None)
            if piece is None:
                break
            self.buffer += piece
        if size < 0:
            size = len(self.buffer)
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def check(submission: Submission) -> dict:
    """Every refusal a package can meet, before anything is built; the message's values."""
    nature = classification().natures.get(submission.nature)
    if nature is None:
        raise PackageError("CodeNatureActe : la nature de l'acte est un code de 1 à 6.", field="CodeNatureActe")
    check_emitter(submission.emitter)
    values = {
        "Date": submission.decided_on.isoformat(),
        "NumeroInterne": numero_interne(submission.number),
        "CodeNatureActe": nature.code,
        "CodeMatiere": subject_levels(submission.subject_code),
        "Objet": objet(submission.objet),
        "ClassificationDateVersion": classification().version.isoformat(),
    }
    check_files(submission.document, submission.annexes)
    return values


def build(submission: Submission, out: BinaryIO, when: datetime) -> Built:
    """Write the package of ``submission`` to ``out`` (after ``check``: it refuses first, then writes)."""
    values = check(submission)
    current = classification()
    nature = current.natures[submission.nature]
    emitter = submission.emitter
    base = "-".join(
        (
            emitter.departement,
            emitter.siren,
            submission.decided_on.strftime("%Y%m%d"),
            values["NumeroInterne"],
            nature.abbreviation,
            "1",
            "1",
        )
    )
    message_name = f"{base}_0.xml"
    document_name = f"{nature.typology}-{base}_1.pdf"
    annex_names = [f"{current.annex_typology}-{base}_{rank}.pdf" for rank in range(2, len(submission.annexes) + 2)]
    envelope_name = (
        f"{APPLICATION}--{emitter.siren}--{submission.prepared_on.strftime('%Y%m%d')}-{submission.sequence % 10000}.xml"
    )
    message = message_xml(values, document_name, annex_names, submission.paper)
    envelope = envelope_xml(emitter, message_name)
    validate(message)
    validate(envelope)
    mtime = int(when.timestamp())
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=mtime) as zipped, tarfile.open(fileobj=zipped, mode="w") as tar:
        for name, data in ((envelope_name, envelope), (message_name, message)):
            tar.addfile(_entry(name, len(data), mtime), io.BytesIO(data))
        for name, file in zip([document_name, *annex_names], [submission.document, *submission.annexes], strict=True):
            tar.addfile(_entry(name, file.size, mtime), _Chunks(file.chunks()))
    files = [
        {"name": name, "title": file.title, "size": file.size, "sha256": file.sha256}
        for name, file in zip([document_name, *annex_names], [submission.document, *submission.annexes], strict=True)
    ]
    fields = values | {
        "CodeMatiere": submission.subject_code,
        "Matiere": current.name_of(submission.subject_code),
        "Nature": nature.name,
        "DocumentPapier": "O" if submission.paper else "N",
        "Departement": emitter.departement,
        "Arrondissement": emitter.arrondissement,
        "NatureCollectivite": emitter.nature,
        "SIREN": emitter.siren,
        "AdressesRetour": list(dict.fromkeys(a for a in (emitter.mailbox, emitter.referent_email) if a)),
        "files": files,
    }
    return Built(f"{TRIGRAMME}-{envelope_name[:-4]}.tar.gz", envelope_name, message_name, fields)


def _entry(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    return info
