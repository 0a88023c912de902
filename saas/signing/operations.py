"""Signing with sole control: a fresh TOTP becomes a single-use authorisation for named documents.

``authorise_signing(tenant, person, code, documents)`` checks the code with ``verify_totp`` (a code is
accepted once, and wrong codes are throttled) and returns a ``SigningAuthorisation`` valid
AUTHORISATION_MINUTES for exactly those documents (their SHA-256): one document, or a batch of up to
MAX_BATCH asked once. ``sign_file`` (one document, in the request) and ``request_batch`` + the job
``sign_batch`` (many, in the background) consume it; it never serves twice. The caller commits even
after a refused code, so that the failure counts towards the throttle (as the login does).

These are the functions the signature book (parapheur) calls; they flush and audit, never commit.
"""

import hashlib
import tempfile
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.authentication import verify_totp
from saas.identity.models import Person
from saas.jobs.queues import enqueue
from saas.signing import pades
from saas.signing.models import BatchStatus, ItemStatus, SigningAuthorisation, SigningBatch, SigningBatchItem
from saas.storage import operations as storage
from saas.tenancy.models import Tenant
from saas.trust import keys

AUTHORISATION_MINUTES = 5
MAX_BATCH = 100


class SigningRefused(DomainError):
    """Signing is refused (no fresh second factor, authorisation used or expired); French message."""

    keeps_changes = True  # the refused attempt (a second factor used up) is counted


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def authorise_signing(tenant: Tenant, person: Person, code: str | None, documents: list[str]) -> SigningAuthorisation:
    """A short-lived, single-use authorisation for ``person`` to sign ``documents`` (SHA-256, hex)."""
    if not documents or len(documents) > MAX_BATCH:
        raise SigningRefused(f"Indiquez entre 1 et {MAX_BATCH} documents à signer.")
    if not person.has_totp:
        raise SigningRefused("Activez la double authentification (application TOTP) pour pouvoir signer.")
    if not code or not verify_totp(person, code.strip()):
        raise SigningRefused("Code de vérification incorrect ou déjà utilisé : saisissez le code affiché maintenant.")
    now = utcnow()
    authorisation = SigningAuthorisation(
        tenant_id=tenant.id,
        person_id=person.id,
        documents=sorted(set(documents)),
        created_at=now,
        expires_at=now + timedelta(minutes=AUTHORISATION_MINUTES),
    )
    db.session.add(authorisation)
    db.session.flush()
    record(
        "signature.authorised",
        tenant_id=tenant.id,
        actor_id=person.id,
        obj=authorisation,
        data={"documents": authorisation.documents},
    )
    return authorisation


def use_authorisation(authorisation_id: int, person: Person, documents: list[str]) -> SigningAuthorisation:
    """Consume the authorisation for ``documents`` (all must be among those it names); refused if it was
    used, has expired, or belongs to someone else. The row is locked so that two uses cannot both pass."""
    authorisation = db.session.scalars(
        sa.select(SigningAuthorisation).where(SigningAuthorisation.id == authorisation_id).with_for_update()
    ).first()
    if authorisation is None or authorisation.person_id != person.id:
        raise SigningRefused("Autorisation de signature inconnue.")
    if authorisation.used_at is not None:
        raise SigningRefused("Cette autorisation de signature a déjà servi : saisissez un nouveau code.")
    if authorisation.expires_at <= utcnow():
        raise SigningRefused("L'autorisation de signature a expiré : saisissez un nouveau code.")
    if not set(documents) <= set(authorisation.documents):
        raise SigningRefused("Ce document ne fait pas partie de ceux que vous avez accepté de signer.")
    authorisation.used_at = utcnow()
    db.session.flush()
    return authorisation


def _sign(tenant, person, pdf_in: Path, pdf_out: Path, field: str, role: str, level: pades.Level) -> None:
    stamp = pades.Stamp(name=person.full_name, role=role, collectivity=tenant.name, time_zone=tenant.timezone)
    signer = keys.signer_for(tenant, person)
    pades.sign(pdf_in, pdf_out, tenant=tenant, field=field, signer=signer, stamp=stamp, level=level)
    record(
        "signature.applied",
        tenant_id=tenant.id,
        actor_id=person.id,
        obj=person,
        data={
            "field": field,
            "level": str(level),
            "key": signer.source,
            "before_sha256": file_sha256(pdf_in),
            "after_sha256": file_sha256(pdf_out),
        },
    )


def sign_file(
    authorisation: SigningAuthorisation,
    person: Person,
    tenant: Tenant,
    pdf_in: Path,
    pdf_out: Path,
    *,
    field: str,
    role: str,
    level: pades.Level = pades.Level.B_T,
) -> None:
    """Sign one file now, under ``authorisation`` (consumed)."""
    use_authorisation(authorisation.id, person, [file_sha256(pdf_in)])
    _sign(tenant, person, pdf_in, pdf_out, field, role, level)


def request_batch(
    authorisation: SigningAuthorisation,
    person: Person,
    tenant: Tenant,
    items: list[tuple[int, str]],
    *,
    role: str,
    level: pades.Level = pades.Level.B_T,
) -> SigningBatch:
    """A batch of stored PDFs (blob id, field name) signed by the job ``sign_batch`` after the commit."""

    blobs = [storage.find_blob(blob_id) for blob_id, _ in items]
    if any(blob is None or blob.tenant_id != tenant.id for blob in blobs):
        raise SigningRefused("Un des documents à signer est introuvable.")
    use_authorisation(authorisation.id, person, [blob.sha256 for blob in blobs])
    batch = SigningBatch(
        tenant_id=tenant.id, person_id=person.id, authorisation_id=authorisation.id, role=role, level=str(level)
    )
    for position, (blob, (_, field)) in enumerate(zip(blobs, items, strict=True), start=1):
        batch.items.append(
            SigningBatchItem(tenant_id=tenant.id, position=position, source_blob_id=blob.id, field_name=field)
        )
    db.session.add(batch)
    db.session.flush()
    enqueue("saas.signing.jobs.sign_batch", batch.id, tenant_id=tenant.id, job_id=f"signing-batch-{batch.id}")
    return batch


def _signed_by(pdf: Path, field: str, person: Person, tenant: Tenant) -> bool:
    """Whether ``field`` is already signed with this person's current certificate (a job run twice)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    certificate = keys.signer_for(tenant, person).certificate
    with open(pdf, "rb") as handle:
        for signature in PdfFileReader(handle, strict=False).embedded_signatures:
            if signature.field_name == field:
                return signature.signer_cert.serial_number == certificate.serial_number
    return False


def run_batch_item(batch: SigningBatch, item: SigningBatchItem, folder: Path) -> None:
    """Sign one document of the batch; a document already signed by this signer is not signed twice."""
    tenant, person = db.session.get(Tenant, batch.tenant_id), db.session.get(Person, batch.person_id)
    source = storage.find_blob(item.source_blob_id)
    pdf_in, pdf_out = folder / f"{item.id}.pdf", folder / f"{item.id}.signed.pdf"
    with open(pdf_in, "wb") as handle:
        for chunk in storage.open_range(source, 0, source.size - 1):
            handle.write(chunk)
    try:
        if _signed_by(pdf_in, item.field_name, person, tenant):
            item.status, item.signed_blob_id = ItemStatus.ALREADY_SIGNED, source.id
            return
        _sign(tenant, person, pdf_in, pdf_out, item.field_name, batch.role, pades.Level(batch.level))
    except (pades.PadesError, keys.SignerKeyError) as error:
        item.status, item.message = ItemStatus.FAILED, str(error)
        return
    with open(pdf_out, "rb") as handle:
        item.signed_blob_id = storage.store(batch.tenant_id, handle).id
    item.status = ItemStatus.SIGNED


def run_batch(batch: SigningBatch, progress=lambda: db.session.flush()) -> None:
    """Every pending document of the batch, in order; ``progress()`` after each one (the job commits)."""
    batch.status = BatchStatus.RUNNING
    with tempfile.TemporaryDirectory(prefix="quorum-signing-") as folder:
        for item in batch.items:
            if item.status != ItemStatus.PENDING:
                continue
            run_batch_item(batch, item, Path(folder))
            progress()
    batch.status, batch.finished_at = BatchStatus.DONE, utcnow()
    record(
        "signature.batch_done",
        tenant_id=batch.tenant_id,
        actor_id=batch.person_id,
        obj=batch,
        data={"items": {str(item.position): str(item.status) for item in batch.items}},
    )
