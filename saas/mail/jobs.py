"""Delivering queued mail, and what follows a delivery for mail that has a ``purpose``."""

from saas.core.database import utcnow
from saas.core.extensions import db
from saas.jobs.queues import job
from saas.mail import backends
from saas.mail.models import OutboundMail
from saas.mail.purposes import AFTER_DELIVERY


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
