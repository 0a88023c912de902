"""Tables of saas.signing.book.jobs."""

from saas.core.database import commit
from saas.core.extensions import db
from saas.jobs.queues import job
from saas.signing import operations as signing
from saas.signing.book.batches import apply_batch
from saas.signing.models import BatchStatus, SigningBatch


@job(queue="signing", timeout=3600)
def sign_book_batch(batch_id: int) -> None:
    batch = db.session.get(SigningBatch, batch_id)
    if batch is None:
        return

    def progress():
        apply_batch(batch)
        commit(db.session)

    if batch.status != BatchStatus.DONE:  # a job run again does not sign again
        signing.run_batch(batch, progress=progress)
    apply_batch(batch)
