"""Proof of convocation: time-stamped statements of what was sent, delivered and opened (issue 3, item 5),
of every document added or replaced after sending (supplements, item 1; see saas.documents.supplements.operations),
and of every notice sent after the convocation: a new convocation, a convocation complémentaire, a cancellation
(issue 13, item 1; see saas.sittings.convocations.operations).

Each ``ProofRecord`` keeps the exact UTF-8 JSON text that was time-stamped (RFC 3161, through
saas.trust.timestamps: the tenant's built-in authority, or the TSA it configured) and the token, byte
for byte: re-serialising later could change one byte and break ``openssl ts -verify``. Statements are
canonical JSON (sorted keys) and name the member (person id, name, e-mail) so that the stamped text
alone says who received or opened what. Records are never deleted (council records are kept).

Delivery and opening are idempotent: a unique (sitting, kind, person, channel) key, checked before
stamping and enforced by the database, so a mail job run twice or two simultaneous page loads give one
record. The evidence package (``evidence_zip``) gathers every statement, its token, the certificates and
the convocation PDFs, and verifies with nothing but OpenSSL.
"""

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.audit.operations import record as audit
from saas.core.database import utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.models import Person
from saas.sittings.models import Sitting, SittingStatus
from saas.sittings.operations import current_mandate
from saas.sittings.proof.models import ProofKind, ProofRecord
from saas.trust import evidence, timestamps

#: version of the statement layout, inside every statement, so a verifier knows how to read it
STATEMENT_FORMAT = "quorum.preuve/1"
#: a channel names a file in the evidence package: keep it to safe characters
CHANNEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")
#: the channel of a first opening: the web page and the document downloads count as one opening
OPENING_CHANNEL = "web"
#: the manifest is one statement per sending, not per channel
MANIFEST_CHANNEL = "envoi"


class ProofError(DomainError):
    """A proof that cannot be recorded or gathered; the message is in French, for the user."""


def canonical(statement: dict) -> bytes:
    """Sorted keys, no spaces, real UTF-8 (accents readable by a third party), one fixed text."""
    return json.dumps(statement, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ProofError("Date sans fuseau horaire : la preuve exige une date en UTC.")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sitting_part(sitting: Sitting) -> dict:
    tenant = sitting.tenant
    local = sitting.starts_at.astimezone(ZoneInfo(tenant.timezone))
    return {
        "seance": {
            "id": sitting.id,
            "date_utc": _iso(sitting.starts_at),
            "date_locale": local.isoformat(timespec="minutes"),
            "lieu": sitting.place,
            "urgence": sitting.urgency,
        },
        "collectivite": {"id": tenant.id, "slug": tenant.slug, "nom": tenant.name, "siren": tenant.siren},
        "assemblee": {"id": sitting.assembly.id, "nom": sitting.assembly.name},
    }


def _person_part(person: Person) -> dict:
    return {"id": person.id, "nom": person.full_name, "email": person.email}


def _stamp(sitting: Sitting, kind: ProofKind, person_id: int | None, channel: str, statement: dict) -> ProofRecord:
    text = canonical({"format": STATEMENT_FORMAT, "type": kind.value, **statement})
    try:
        token = timestamps.timestamp(sitting.tenant, text)
    except timestamps.TimestampError as error:
        raise ProofError(f"L'horodatage de la preuve a échoué : {error}") from error
    return ProofRecord(
        tenant_id=sitting.tenant_id,
        sitting_id=sitting.id,
        kind=kind,
        person_id=person_id,
        channel=channel,
        statement=text.decode("utf-8"),
        token=token,
    )


def _existing(sitting_id: int, kind: ProofKind, person_id: int | None, channel: str) -> ProofRecord | None:
    person = ProofRecord.person_id.is_(None) if person_id is None else ProofRecord.person_id == person_id
    return db.session.execute(
        sa.select(ProofRecord).where(
            ProofRecord.sitting_id == sitting_id,
            ProofRecord.kind == kind,
            person,
            ProofRecord.channel == channel,
        )
    ).scalar_one_or_none()


def _add_once(record: ProofRecord) -> ProofRecord:
    """Insert ``record`` unless a concurrent transaction already did; then return the one that exists."""
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except sa.exc.IntegrityError:
        existing = _existing(record.sitting_id, record.kind, record.person_id, record.channel)
        if existing is None:
            raise
        return existing
    audit(
        f"proof.{record.kind.value}",
        tenant_id=record.tenant_id,
        obj=record,
        data={"sitting_id": record.sitting_id, "person_id": record.person_id, "channel": record.channel},
    )
    return record


def _recipients_part(recipients: list[dict]) -> list[dict]:
    """Every recipient with their identity and quality (convocation or invitation), by person id."""
    if not recipients:
        raise ProofError("Un envoi sans destinataire ne peut pas être prouvé.")
    try:
        people = [
            {"id": int(r["person_id"]), "nom": str(r["name"]), "email": str(r["email"]), "qualite": str(r["kind"])}
            for r in recipients
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise ProofError(f"Destinataire incomplet : {error}.") from error
    return sorted(people, key=lambda r: r["id"])


def _file_part(file: dict) -> dict:
    try:
        piece = {"nom": str(file["name"]), "sha256": str(file["sha256"]).lower(), "taille": int(file["size"])}
    except (KeyError, TypeError, ValueError) as error:
        raise ProofError(f"Fichier incomplet : {error}.") from error
    if not re.fullmatch(r"[0-9a-f]{64}", piece["sha256"]):
        raise ProofError(f"Empreinte SHA-256 invalide pour le fichier « {piece['nom']} ».")
    return piece


def record_manifest(sitting: Sitting, recipients: list[dict], files: list[dict], sent_at: datetime) -> ProofRecord:
    """Time-stamp what is being sent: the sitting, every recipient with their identity, every file with
    its SHA-256 and size, and the sending time. Called once per sending, in the sending transaction."""
    statement = {
        **_sitting_part(sitting),
        "destinataires": _recipients_part(recipients),
        "fichiers": [_file_part(f) for f in files],
        "envoye_le": _iso(sent_at),
    }
    record = _stamp(sitting, ProofKind.MANIFEST, None, MANIFEST_CHANNEL, statement)
    db.session.add(record)
    db.session.flush()
    audit("proof.manifest", tenant_id=record.tenant_id, obj=record, data={"sitting_id": sitting.id})
    return record


def supplement_channel(version_id: int) -> str:
    """The key of a supplement among the sitting's proofs: one per document version."""
    return f"v{version_id}"


def record_supplement(
    sitting: Sitting, item: dict, document: dict, file: dict, recipients: list[dict], sent_at: datetime
) -> ProofRecord:
    """Time-stamp a document added or replaced after sending (complément): the item, the document and
    its version, the file with its SHA-256 and size, every recipient told, and the time. Once per
    version (``document["version_id"]``), in the transaction that adds the version."""
    try:
        version_id = int(document["version_id"])
        point = {"id": int(item["id"]), "numero": item["position"], "titre": str(item["title"])}
        piece = {
            "id": int(document["id"]),
            "titre": str(document["title"]),
            "nature": str(document["kind"]),
            "version": int(document["version"]),
            "version_id": version_id,
            "operation": "remplacement" if int(document["version"]) > 1 else "ajout",
        }
    except (KeyError, TypeError, ValueError) as error:
        raise ProofError(f"Point ou document incomplet pour le complément : {error}.") from error
    channel = supplement_channel(version_id)
    existing = _existing(sitting.id, ProofKind.SUPPLEMENT, None, channel)
    if existing is not None:
        return existing
    statement = {
        **_sitting_part(sitting),
        "point": point,
        "document": piece,
        "fichier": _file_part(file),
        "destinataires": _recipients_part(recipients),
        "envoye_le": _iso(sent_at),
    }
    return _add_once(_stamp(sitting, ProofKind.SUPPLEMENT, None, channel, statement))


def notice_channel(notice_id: int) -> str:
    """The key of a notice (new convocation, supplement, cancellation) among the sitting's proofs."""
    return f"n{notice_id}"


def record_notice(
    sitting: Sitting, notice: dict, recipients: list[dict], files: list[dict], sent_at: datetime
) -> ProofRecord:
    """Time-stamp a notice sent after the convocation: what it is (``notice["type"]``: nouvelle_convocation,
    convocation_complementaire, annulation), its reason, the date and place the members had been convened to
    before, the sitting as it now stands, the item a supplement adds, every recipient and the files, and the
    time. Once per notice (``notice["id"]``), in the transaction that sends it; the first convocation's
    manifest stays as it was."""
    try:
        notice_id = int(notice["id"])
        part = {
            "id": notice_id,
            "numero": int(notice["number"]),
            "type": str(notice["type"]),
            "motif": notice.get("reason"),
            "report": bool(notice.get("postponed", False)),
            "convocation_precedente": {
                "date_utc": _iso(notice["previous_starts_at"]),
                "lieu": str(notice["previous_place"]),
            },
        }
        if notice.get("item") is not None:
            item = notice["item"]
            part["point"] = {"id": int(item["id"]), "numero": item["position"], "titre": str(item["title"])}
    except (KeyError, TypeError, ValueError) as error:
        raise ProofError(f"Avis incomplet : {error}.") from error
    channel = notice_channel(notice_id)
    existing = _existing(sitting.id, ProofKind.NOTICE, None, channel)
    if existing is not None:
        return existing
    statement = {
        **_sitting_part(sitting),
        "avis": part,
        "destinataires": _recipients_part(recipients),
        "fichiers": [_file_part(f) for f in files],
        "envoye_le": _iso(sent_at),
    }
    return _add_once(_stamp(sitting, ProofKind.NOTICE, None, channel, statement))


def record_delivery(
    sitting_id: int, person_id: int, channel: str, at: datetime, about: dict | None = None
) -> ProofRecord:
    """Time-stamp that the mail (or another channel) for this member was accepted; once per channel.
    ``about`` says what was delivered when it is not the convocation (e.g. a supplement)."""
    if not CHANNEL.match(channel or ""):
        raise ProofError(f"Canal de remise invalide : « {channel} ».")
    existing = _existing(sitting_id, ProofKind.DELIVERY, person_id, channel)
    if existing is not None:
        return existing
    sitting = db.session.get(Sitting, sitting_id)
    person = db.session.get(Person, person_id)
    if sitting is None or person is None:
        raise ProofError("Séance ou destinataire introuvable : la remise ne peut pas être prouvée.")
    statement = {**_sitting_part(sitting), "destinataire": _person_part(person), "canal": channel, "remis_le": _iso(at)}
    if about is not None:
        statement["objet"] = about
    return _add_once(_stamp(sitting, ProofKind.DELIVERY, person.id, channel, statement))


def unrecorded_opening(sitting: Sitting, person: Person) -> ProofRecord | None:
    """The time-stamped statement of a member's first opening of a convened sitting (its page or one of its
    documents), not yet kept; None when it is recorded already, for drafts and for people without a mandate
    there. Stamped before anything is written, so the write that keeps it does not wait on the authority."""
    if sitting.status == SittingStatus.DRAFT:
        return None
    if _existing(sitting.id, ProofKind.OPENING, person.id, OPENING_CHANNEL) is not None:
        return None
    if current_mandate(person.id, sitting) is None:
        return None
    statement = {**_sitting_part(sitting), "membre": _person_part(person), "ouvert_le": _iso(utcnow())}
    return _stamp(sitting, ProofKind.OPENING, person.id, OPENING_CHANNEL, statement)


def keep_opening(record: ProofRecord) -> ProofRecord:
    """Keep an opening from ``unrecorded_opening``, once even if two page loads raced for it."""
    return _add_once(record)


def records(sitting: Sitting) -> list[ProofRecord]:
    return list(
        db.session.execute(
            sa.select(ProofRecord).where(ProofRecord.sitting_id == sitting.id).order_by(ProofRecord.id)
        ).scalars()
    )


def recipient_times(sitting: Sitting, channel: str) -> dict[int, dict[str, datetime]]:
    """person id -> {"delivered_at", "opened_at"}, the times the statements stamped: the delivery of the
    convocation on ``channel`` and the first opening."""
    fields = {ProofKind.DELIVERY: ("delivered_at", "remis_le"), ProofKind.OPENING: ("opened_at", "ouvert_le")}
    times: dict[int, dict[str, datetime]] = {}
    for row in records(sitting):
        if row.kind not in fields or (row.kind == ProofKind.DELIVERY and row.channel != channel):
            continue
        key, field = fields[row.kind]
        times.setdefault(row.person_id, {})[key] = datetime.fromisoformat(json.loads(row.statement)[field])
    return times


def evidence_zip(sitting: Sitting, attachments: list[tuple[str, bytes]]) -> bytes:
    """The evidence package of the sitting: every statement with the token obtained when it was made, and
    the ``attachments`` (name, bytes) whose digests they state (the convocation PDFs as they were sent)."""
    rows = records(sitting)
    if not rows:
        raise ProofError("Aucune preuve n'a encore été enregistrée pour cette séance (convocation non envoyée).")
    manifests, tokens, count = [], {}, 0
    for row in rows:
        name = row.file_name
        if row.kind == ProofKind.MANIFEST:
            count += 1
            name = "manifeste.json" if count == 1 else f"manifeste-{count}.json"
        manifests.append((name, row.statement_bytes))
        tokens[name] = row.token
    try:
        return evidence.build_evidence_zip(sitting.tenant, manifests, attachments, tokens=tokens)
    except (evidence.EvidenceError, timestamps.TimestampError) as error:
        raise ProofError(str(error)) from error
