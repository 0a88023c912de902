from saas.database import utcnow
from saas.extensions import db
from saas.jobs.queues import job
from saas.mail import backends
from saas.mail.models import OutboundMail


@job(queue="mail", timeout=120)
def deliver_mail(mail_id: int) -> None:
    """Send a queued mail unless it already went; the row lock keeps two workers from both sending it."""
    mail = db.session.get(OutboundMail, mail_id, with_for_update=True)
    if mail is None or mail.sent_at is not None:
        return
    backends.send(mail)
    mail.sent_at = utcnow()
