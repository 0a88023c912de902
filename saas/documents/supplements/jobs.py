"""Background work of supplements: each convened person's one mail about a document added after sending,
and the proof of its delivery."""

import sqlalchemy as sa

from saas.core.extensions import db
from saas.documents.models import DocumentVersion
from saas.documents.supplements.operations import PURPOSE, delivery_channel, mail_body, mail_key, mail_subject
from saas.jobs.queues import job
from saas.mail.models import OutboundMail
from saas.mail.operations import find_mail, queue_mail
from saas.mail.purposes import after_delivery
from saas.sittings.convocations.models import Convocation
from saas.sittings.models import AgendaItem
from saas.sittings.proof import operations as proof


@job(queue="mail", timeout=120)
def prepare_supplement(version_id: int, item_id: int, person_id: int) -> None:
    """Queue the person's one mail about the supplement on the item's sitting; the convocation row is locked
    while it works."""
    version, item = db.session.get(DocumentVersion, version_id), db.session.get(AgendaItem, item_id)
    if version is None or item is None:
        return
    sitting = item.sitting
    convocation = db.session.execute(
        sa.select(Convocation)
        .where(Convocation.sitting_id == sitting.id, Convocation.person_id == person_id)
        .with_for_update()
    ).scalar_one_or_none()
    key = mail_key(version_id, sitting.id, person_id)
    if convocation is None or find_mail(key) is not None:
        return
    queue_mail(
        key,
        to=convocation.person.email,
        subject=mail_subject(version, sitting),
        body=mail_body(version, item, convocation.person),
        tenant_id=sitting.tenant_id,
        purpose=PURPOSE,
        ref={"sitting_id": sitting.id, "person_id": person_id, "version_id": version_id},
    )


@after_delivery(PURPOSE)
@job(queue="mail", timeout=120)
def record_supplement_delivery(mail_id: int) -> None:
    """The mail server (or outbox) accepted the supplement's mail: record it as time-stamped proof."""
    mail = db.session.get(OutboundMail, mail_id)
    if mail is None or mail.sent_at is None or not mail.ref:
        return
    version = db.session.get(DocumentVersion, mail.ref["version_id"])
    about = {
        "type": "complement",
        "complement": proof.supplement_channel(version.id),
        "document_id": version.document_id,
        "version": version.number,
        "sha256": version.sha256,
    }
    proof.record_delivery(
        mail.ref["sitting_id"], mail.ref["person_id"], delivery_channel(version.id), mail.sent_at, about=about
    )
