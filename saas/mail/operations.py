"""Queueing mail: a row per mail with a unique key, delivered by a job after commit."""

import sqlalchemy as sa

from saas.extensions import db
from saas.mail.models import OutboundMail


def queue_mail(key: str, *, to: str, subject: str, body: str, tenant_id: int | None) -> OutboundMail:
    """Queue a mail once per ``key``: asking again returns the existing row and sends nothing more."""
    existing = db.session.execute(sa.select(OutboundMail).where(OutboundMail.key == key)).scalar_one_or_none()
    if existing is not None:
        return existing
    mail = OutboundMail(key=key, to_address=to, subject=subject, body_text=body, tenant_id=tenant_id)
    db.session.add(mail)
    db.session.flush()
    from saas.mail.jobs import deliver_mail

    deliver_mail.delay(mail.id, tenant_id=None, job_id=f"mail-{mail.id}")
    return mail
