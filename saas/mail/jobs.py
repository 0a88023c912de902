"""Delivering queued mail, and what follows a delivery for mail that has a ``purpose``."""

from saas.database import utcnow
from saas.extensions import db
from saas.jobs.queues import Job, job
from saas.mail import backends
from saas.mail.models import OutboundMail

#: purpose -> job run (with the mail id, in the mail's tenant) once a mail of that purpose was accepted
AFTER_DELIVERY: dict[str, Job] = {}


def after_delivery(purpose: str):
    """Register a job to run after each delivered mail of ``purpose`` (e.g. recording a proof).

    It is a separate job, released after the delivery commits, so a failure there never un-records a
    sent mail (which would send it again); it must be idempotent like every job.
    """

    def register(registered: Job) -> Job:
        AFTER_DELIVERY[purpose] = registered
        return registered

    return register


@job(queue="mail", timeout=120)
def deliver_mail(mail_id: int) -> None:
    """Send a queued mail unless it already went; the row lock keeps two workers from both sending it."""
    mail = db.session.get(OutboundMail, mail_id, with_for_update=True)
    if mail is None or mail.sent_at is not None:
        return
    backends.send(mail)
    mail.sent_at = utcnow()
    if mail.purpose is not None:
        AFTER_DELIVERY[mail.purpose].delay(mail.id, tenant_id=mail.tenant_id, job_id=f"mail-{mail.id}-delivered")
