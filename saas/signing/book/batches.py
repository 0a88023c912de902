"""Batch signing in the signature book: several documents of one collectivity after one second factor.

The signing core's ``request_batch`` schedules its own job, which knows nothing of requests. The book
builds the core's batch rows itself (one item per request, each step linked to its item), consumes the
authorisation, and runs the core's ``run_batch`` in its own job, whose progress callback applies each signed
document to its request (current file, next signer) and commits, so the next signer's book fills as the
batch goes and the progress page shows "n / N".
"""

from collections.abc import Sequence

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.extensions import db
from saas.identity.models import Person
from saas.jobs.queues import enqueue
from saas.signing import operations as signing
from saas.signing import pades
from saas.signing.book.models import SignatureRequest, SignatureStep, StepStatus
from saas.signing.book.operations import BookError, in_flight, locked, record_signature, turn_of
from saas.signing.models import ItemStatus, SigningBatch, SigningBatchItem
from saas.storage.models import Blob
from saas.tenancy.models import Tenant


def sign_batch(
    tenant: Tenant, person: Person, requests: Sequence[SignatureRequest], otp_code: str | None, level=pades.Level.B_T
) -> SigningBatch:
    """Several documents of one collectivity signed after one second factor, in a job (progress and each
    document's result on the batch). Every document must await the person's signature, in one role."""
    if not requests:
        raise BookError("Cochez au moins un document à signer.")
    requests = [locked(request) for request in sorted(requests, key=lambda r: r.id)]
    if any(request.tenant_id != tenant.id for request in requests):
        raise BookError("Un lot ne contient que des documents d'une même collectivité.")
    steps = [turn_of(request, person) for request in requests]
    if any(in_flight(step) for step in steps):
        raise BookError("Un de ces documents est déjà en cours de signature dans un lot.")
    roles = {step.role for step in steps}
    if len(roles) > 1:
        raise BookError("Ces documents vous demandent de signer en des qualités différentes : signez-les par qualité.")
    shas = [request.current_blob.sha256 for request in requests]
    authorisation = signing.authorise_signing(tenant, person, otp_code, shas)
    batch = _new_batch(authorisation, person, tenant, requests, steps, roles.pop(), level)
    enqueue(
        "saas.signing.book.jobs.sign_book_batch",
        batch.id,
        tenant_id=tenant.id,
        job_id=f"signature-book-batch-{batch.id}",
    )
    return batch


def _new_batch(authorisation, person, tenant, requests, steps, role: str, level) -> SigningBatch:
    """The batch rows of the signing core, one item per request, each step linked to its item."""
    signing.use_authorisation(authorisation.id, person, [request.current_blob.sha256 for request in requests])
    batch = SigningBatch(
        tenant_id=tenant.id, person_id=person.id, authorisation_id=authorisation.id, role=role, level=str(level)
    )
    for position, (request, step) in enumerate(zip(requests, steps, strict=True), start=1):
        batch.items.append(
            SigningBatchItem(
                tenant_id=tenant.id,
                position=position,
                source_blob_id=request.current_blob_id,
                field_name=step.field_name,
            )
        )
    db.session.add(batch)
    db.session.flush()
    for step, item in zip(steps, batch.items, strict=True):
        step.batch_item_id = item.id
    db.session.flush()
    record(
        "signature_batch.requested",
        tenant_id=tenant.id,
        actor_id=person.id,
        obj=batch,
        data={"requests": [request.id for request in requests]},
    )
    return batch


def batch_steps(batch: SigningBatch) -> list[tuple[SigningBatchItem, SignatureStep | None]]:
    """Each item of the batch with the step it signs."""
    steps = {
        step.batch_item_id: step
        for step in db.session.execute(
            sa.select(SignatureStep).where(SignatureStep.batch_item_id.in_([item.id for item in batch.items]))
        ).scalars()
    }
    return [(item, steps.get(item.id)) for item in batch.items]


def apply_batch(batch: SigningBatch) -> None:
    """Make each document the batch signed the current file of its request, once; a request that moved on
    meanwhile (cancelled, signed otherwise) keeps its own file."""
    person = db.session.get(Person, batch.person_id)
    for item, step in batch_steps(batch):
        if step is None or item.status not in (ItemStatus.SIGNED, ItemStatus.ALREADY_SIGNED):
            continue
        request = locked(step.request)
        if step.status != StepStatus.PENDING or request.current_blob_id != item.source_blob_id:
            continue
        record_signature(request, step, db.session.get(Blob, item.signed_blob_id), actor=person)
