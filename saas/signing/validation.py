"""Validation reports of signed PDFs, ours or anyone's.

Each signature (and document time-stamp) is checked by pyHanko: integrity of the signed bytes, the
cryptographic signature, the chain up to one of the tenant's trust anchors (saas.trust.anchors), the
signature time-stamp, what the signature covers, and pyHanko's difference analysis of every revision
added after it (what changed: nothing, validation data, form filling, annotations, or something else,
named). Nothing is fetched over the network: certificates of an uploaded file name URLs of its author's
choosing. Nothing is stored either: the report is computed, shown or returned, and forgotten.

The PAdES level is read from the file: B-B (a PAdES signature), B-T (+ a valid signature time-stamp),
B-LT (+ the document security store holds the signer's certificate and revocation data, added after the
signature), B-LTA (+ a document time-stamp after that store).
"""

import dataclasses
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel

from saas.core.errors import DomainError
from saas.tenancy.models import Tenant
from saas.trust import anchors as trust
from saas.trust.pki import NOT_QUALIFIED

COVERAGE = {
    SignatureCoverageLevel.ENTIRE_FILE: "tout le fichier",
    SignatureCoverageLevel.ENTIRE_REVISION: "toute la version signée (des ajouts ont suivi)",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "un bloc depuis le début du fichier, pas une version entière",
    SignatureCoverageLevel.UNCLEAR: "une partie indéterminée du fichier",
}
MODIFICATIONS = {
    ModificationLevel.NONE: "aucune modification après la signature",
    ModificationLevel.LTA_UPDATES: "ajout de données de validation ou d'horodatage seulement (contenu inchangé)",
    ModificationLevel.FORM_FILLING: "remplissage de champs de formulaire ou signatures suivantes (permis)",
    ModificationLevel.ANNOTATIONS: "ajout ou modification d'annotations",
    ModificationLevel.OTHER: "modification du document après la signature",
}


#: the attributes of a certificate's names, in French (asn1crypto names them in English); any other is
#: shown by its OID
NAME_FIELDS = {
    "common_name": "Nom commun",
    "surname": "Nom",
    "given_name": "Prénom",
    "pseudonym": "Pseudonyme",
    "title": "Fonction",
    "serial_number": "Numéro de série",
    "organization_name": "Organisation",
    "organizational_unit_name": "Unité organisationnelle",
    "organization_identifier": "Identifiant de l'organisation",
    "country_name": "Pays",
    "state_or_province_name": "Région ou province",
    "locality_name": "Localité",
    "street_address": "Adresse",
    "postal_code": "Code postal",
    "email_address": "Adresse électronique",
    "domain_component": "Composant de domaine",
}


class ValidationError(DomainError):
    """A file that cannot be validated (not a PDF, no signature); the message is in French."""


@dataclasses.dataclass
class TimestampReport:
    time: datetime
    authority: str
    valid: bool
    trusted: bool


@dataclasses.dataclass
class SignatureReport:
    field: str
    #: "signature" or "horodatage" (a document time-stamp)
    kind: str
    signer: str
    subject: str
    issuer: str
    #: the holder's and the issuer's names field by field, as (French field name, value), whole
    subject_fields: list[tuple[str, str]]
    issuer_fields: list[tuple[str, str]]
    #: subjects from the trust anchor down to the signer, when a path was found
    chain: list[str]
    intact: bool
    valid: bool
    trusted: bool
    trust_message: str
    signing_time: datetime | None
    timestamp: TimestampReport | None
    coverage: str
    modification: str
    #: what changed after the signature, named (empty when nothing did)
    changes: list[str]
    #: nothing after the signature goes beyond what a later signature or validation data may add
    unchanged: bool
    level: str
    not_qualified: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.unchanged


@dataclasses.dataclass
class ValidationReport:
    filename: str
    sha256: str
    size: int
    revisions: int
    signatures: list[SignatureReport]
    generated_at: datetime
    tenant: str
    #: the collectivity's time zone, in which the report shows every time
    time_zone: str = "Europe/Paris"

    @property
    def ok(self) -> bool:
        return all(signature.ok for signature in self.signatures)

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["ok"] = self.ok
        for signature, source in zip(data["signatures"], self.signatures, strict=True):
            signature["ok"] = source.ok
        return data


def _name(name) -> str:
    return str(name.native.get("common_name") or name.human_friendly)


def name_fields(name) -> list[tuple[str, str]]:
    """A certificate name (asn1crypto) as (French field name, value) pairs, in the certificate's order."""
    countries = Locale.parse("fr").territories
    pairs = []
    for rdn in name.chosen:
        for attribute in rdn:
            kind, value = attribute["type"], str(attribute["value"].native)
            if kind.native == "country_name" and value in countries:
                value = f"{countries[value]} ({value})"
            pairs.append((NAME_FIELDS.get(kind.native, kind.dotted), value))
    return pairs


def _dss_certificates(reader: PdfFileReader) -> tuple[set[bytes], bool]:
    """SHA-256 of the certificates in the document security store, and whether it holds revocation data."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (KeyError, ValueError, PdfError):
        return set(), False
    digests = {hashlib.sha256(cert.dump()).digest() for cert in dss.load_certs()}
    return digests, bool(dss.crls or dss.ocsps)


def _level(signature, status, reader: PdfFileReader, later_timestamps: int, dss) -> str:
    level = "B-T" if status.timestamp_validity is not None and status.timestamp_validity.intact else "B-B"
    certificates, revocation = dss
    in_dss = hashlib.sha256(status.signing_cert.dump()).digest() in certificates
    if level == "B-T" and in_dss and revocation:
        level = "B-LT"
        if later_timestamps:
            level = "B-LTA"
    if signature.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        level = "non PAdES (" + str(signature.sig_object.get("/SubFilter", "?")).lstrip("/") + ")"
    return level


def _changes(status) -> tuple[str, list[str], bool]:
    result = status.diff_result
    if isinstance(result, SuspiciousModification):
        detail = str(result) or type(result).__name__
        return MODIFICATIONS[ModificationLevel.OTHER], [f"modification interdite après signature ({detail})"], False
    if result is None:
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            return MODIFICATIONS[ModificationLevel.NONE], [], True
        return "analyse des modifications impossible", ["modifications non analysées"], False
    changes = [f"champ « {name} » rempli" for name in sorted(result.changed_form_fields)]
    level = result.modification_level
    if level == ModificationLevel.ANNOTATIONS:
        changes.append("annotations ajoutées ou modifiées")
    return MODIFICATIONS[level], changes, level <= ModificationLevel.FORM_FILLING


def _trust_message(status) -> str:
    if not (status.intact and status.valid):
        return "non évaluée : les données signées ont été modifiées ou la signature est invalide"
    if status.trusted:
        return "chaîne de certification vérifiée jusqu'à une autorité de confiance"
    if status.revoked:
        return "certificat révoqué"
    return "le certificat ne remonte à aucune autorité de confiance de la collectivité"


def _not_qualified(certificate) -> bool:

    return NOT_QUALIFIED[:40] in certificate.subject.human_friendly


def _report_one(signature, context, later_timestamps: int, dss, reader) -> SignatureReport:
    field = str(signature.field_name)
    if signature.sig_object_type == "/DocTimeStamp":
        status = validate_pdf_timestamp(signature, validation_context=context)
        modification, changes, unchanged = _changes(status)
        return SignatureReport(
            field=field,
            kind="horodatage",
            signer=_name(status.signing_cert.subject),
            subject=status.signing_cert.subject.human_friendly,
            issuer=status.signing_cert.issuer.human_friendly,
            subject_fields=name_fields(status.signing_cert.subject),
            issuer_fields=name_fields(status.signing_cert.issuer),
            chain=[_name(cert.subject) for cert in status.validation_path.iter_certs(include_root=True)]
            if status.validation_path
            else [],
            intact=status.intact,
            valid=status.valid,
            trusted=status.trusted,
            trust_message=_trust_message(status),
            signing_time=status.timestamp,
            timestamp=TimestampReport(
                status.timestamp, _name(status.signing_cert.subject), status.valid, status.trusted
            ),
            coverage=COVERAGE.get(status.coverage, "?"),
            modification=modification,
            changes=changes,
            unchanged=unchanged,
            level="horodatage de document (PAdES LTA)",
            not_qualified=_not_qualified(status.signing_cert),
        )
    status = validate_pdf_signature(signature, context, ts_validation_context=context)
    stamp = status.timestamp_validity
    modification, changes, unchanged = _changes(status)
    return SignatureReport(
        field=field,
        kind="signature",
        signer=_name(status.signing_cert.subject),
        subject=status.signing_cert.subject.human_friendly,
        issuer=status.signing_cert.issuer.human_friendly,
        subject_fields=name_fields(status.signing_cert.subject),
        issuer_fields=name_fields(status.signing_cert.issuer),
        chain=[_name(cert.subject) for cert in status.validation_path.iter_certs(include_root=True)]
        if status.validation_path
        else [],
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        trust_message=_trust_message(status),
        signing_time=status.signer_reported_dt,
        timestamp=TimestampReport(stamp.timestamp, _name(stamp.signing_cert.subject), stamp.valid, stamp.trusted)
        if stamp
        else None,
        coverage=COVERAGE.get(status.coverage, "?"),
        modification=modification,
        changes=changes,
        unchanged=unchanged,
        level=_level(signature, status, reader, later_timestamps, dss),
        not_qualified=_not_qualified(status.signing_cert),
    )


def _unreadable(field: str, error: Exception) -> SignatureReport:
    """A signature pyHanko cannot even evaluate (damaged signature data): reported as invalid, with why."""
    return SignatureReport(
        field=field,
        kind="signature",
        signer="?",
        subject="",
        issuer="",
        subject_fields=[],
        issuer_fields=[],
        chain=[],
        intact=False,
        valid=False,
        trusted=False,
        trust_message=f"signature illisible : {error}",
        signing_time=None,
        timestamp=None,
        coverage="?",
        modification="?",
        changes=[],
        unchanged=False,
        level="?",
        not_qualified=False,
    )


def validate(tenant: Tenant, pdf: Path, filename: str, extra_anchors: list[x509.Certificate] = ()) -> ValidationReport:
    """The report of every signature of ``pdf``; ValidationError (French) if it has none or is no PDF."""
    with open(pdf, "rb") as handle:
        if b"%PDF-" not in handle.read(1024):
            raise ValidationError("Ce fichier n'est pas un PDF.")
        handle.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
        size = handle.tell()
        handle.seek(0)
        try:
            reader = PdfFileReader(handle, strict=False)
            signatures = reader.embedded_signatures
        except (PdfError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValidationError("Ce PDF est illisible ou endommagé.") from error
        if not signatures:
            raise ValidationError("Ce PDF ne contient aucune signature électronique.")
        context = trust.report_context(tenant, list(extra_anchors))
        dss = _dss_certificates(reader)
        reports = []
        for position, signature in enumerate(signatures):
            later = sum(1 for other in signatures[position + 1 :] if other.sig_object_type == "/DocTimeStamp")
            try:
                reports.append(_report_one(signature, context, later, dss, reader))
            except (SignatureValidationError, PdfError, ValueError, KeyError) as error:
                reports.append(_unreadable(str(signature.field_name), error))
        revisions = reader.xrefs.total_revisions
    return ValidationReport(
        filename=filename,
        sha256=digest.hexdigest(),
        size=size,
        revisions=revisions,
        signatures=reports,
        generated_at=datetime.now(UTC),
        tenant=tenant.name,
        time_zone=tenant.timezone,
    )
