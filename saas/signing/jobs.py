"""Background signing: the documents of one batch, signed after the signer's one second factor.

The job is idempotent: items already done are skipped, and a document whose field already carries this
signer's signature is reported "already signed", never signed twice. Progress is committed after each
document so the signature book can show "n / N" while the worker runs.
"""

from saas.core.database import commit
from saas.core.extensions import db
from saas.jobs.queues import job
from saas.signing.models import BatchStatus, SigningBatch
from saas.signing.operations import run_batch


@job(queue="signing", timeout=3600)
def sign_batch(batch_id: int) -> None:
    batch = db.session.get(SigningBatch, batch_id)
    if batch is None or batch.status == BatchStatus.DONE:
        return
    run_batch(batch, progress=lambda: commit(db.session))
