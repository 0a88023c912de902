"""Queueing mail: a row per mail with a unique key, delivered by a job after commit."""

from collections.abc import Sequence

import sqlalchemy as sa

from saas.core.extensions import db
from saas.jobs.queues import enqueue
from saas.mail.models import MailAttachment, OutboundMail
from saas.mail.purposes import after_delivery_purposes
from saas.storage.models import Blob


def find_mail(key: str) -> OutboundMail | None:
    return db.session.execute(sa.select(OutboundMail).where(OutboundMail.key == key)).scalar_one_or_none()


def queue_mail(
    key: str,
    *,
    to: str,
    subject: str,
    body: str,
    tenant_id: int | None,
    attachments: Sequence[tuple[str, str, Blob]] = (),
    purpose: str | None = None,
    ref: dict | None = None,
) -> OutboundMail:
    """Queue a mail once per ``key``: asking again returns the existing row and sends nothing more.

    ``attachments`` are (file name, MIME type, stored blob of the mail's tenant). ``purpose`` names what
    runs once the mail is delivered (saas.mail.purposes.after_delivery), with ``ref`` as its arguments.
    """
    existing = find_mail(key)
    if existing is not None:
        return existing
    if attachments and tenant_id is None:
        raise ValueError("attachments come from a tenant's store: tenant_id is required")
    if purpose is not None and purpose not in after_delivery_purposes():
        raise ValueError(f"no follow-up registered for mail purpose {purpose!r}")
    mail = OutboundMail(
        key=key, to_address=to, subject=subject, body_text=body, tenant_id=tenant_id, purpose=purpose, ref=ref
    )
    db.session.add(mail)
    db.session.flush()
    for position, (filename, content_type, blob) in enumerate(attachments, start=1):
        if blob.tenant_id != tenant_id:
            raise ValueError("an attachment must belong to the mail's tenant")
        db.session.add(
            MailAttachment(
                mail_id=mail.id, position=position, filename=filename, content_type=content_type, blob_id=blob.id
            )
        )
    db.session.flush()
    enqueue("saas.mail.jobs.deliver_mail", mail.id, tenant_id=None, job_id=f"mail-{mail.id}")
    return mail
