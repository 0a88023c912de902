"""Convening a sitting: one convocation (or invitation) per person seated in the assembly, one mail each.

Sending happens in one transaction — status "convened" (after the notice check), one Convocation row per
person, the time-stamped manifest, an audit event — and then one job per person renders the PDF and
queues the mail (saas.sittings.convocations.jobs). Every step is keyed so that running it again adds nothing: the
rows are unique per sitting × person, the mail per sitting × person × channel.
"""

import enum
from datetime import datetime

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.documents.models import Document
from saas.identity.models import Mandate, MandateRole, Person
from saas.jobs.queues import enqueue
from saas.mail.models import OutboundMail
from saas.sittings.convocations.models import Convocation, ConvocationKind
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.notice import check_notice
from saas.sittings.operations import SittingError, set_status, sitting_day
from saas.sittings.proof import operations as proof

#: elected members and the secretary of the sitting are convened; staff and guests are invited
CONVENED_ROLES = (MandateRole.MEMBER, MandateRole.PRESIDENT, MandateRole.SECRETARY_OF_SITTING)
CHANNEL = "email"


def mail_key(sitting_id: int, person_id: int) -> str:
    return f"convocation:{sitting_id}:{person_id}:{CHANNEL}"


def recipients(sitting: Sitting) -> dict[int, ConvocationKind]:
    """person id -> kind, for everyone with a current mandate in the assembly on the sitting's day; a
    person who is both a member and staff is convened (the stronger of the two)."""
    day = sitting_day(sitting)
    rows = db.session.execute(
        sa.select(Mandate.person_id, Mandate.role)
        .join(Person, Person.id == Mandate.person_id)
        .where(
            Mandate.tenant_id == sitting.tenant_id,
            Mandate.assembly_id == sitting.assembly_id,
            Mandate.in_office_on(day),
            Person.is_active.is_(True),
        )
    ).all()
    kinds: dict[int, ConvocationKind] = {}
    for person_id, role in rows:
        if role in CONVENED_ROLES:
            kinds[person_id] = ConvocationKind.CONVOCATION
        else:
            kinds.setdefault(person_id, ConvocationKind.INVITATION)
    return kinds


def convocations_of(sitting: Sitting) -> list[Convocation]:
    return list(
        db.session.execute(
            sa.select(Convocation)
            .where(Convocation.sitting_id == sitting.id, Convocation.tenant_id == sitting.tenant_id)
            .order_by(Convocation.id)
        ).scalars()
    )


def manifest_files(sitting: Sitting) -> list[dict]:
    """The current version of every document of the agenda as sent: name, SHA-256 and size."""
    documents = db.session.execute(
        sa.select(Document)
        .join(AgendaItem, AgendaItem.report_id == Document.report_id)
        .where(
            AgendaItem.sitting_id == sitting.id,
            AgendaItem.withdrawn_at.is_(None),
            Document.withdrawn.is_(False),
            Document.tenant_id == sitting.tenant_id,
        )
        .order_by(AgendaItem.position, Document.id)
    ).scalars()
    files = []
    for document in documents:
        version = document.current_version
        files.append({"name": version.filename, "sha256": version.sha256, "size": version.size})
    return files


def send_convocations(sitting: Sitting, actor: Person | None, at: datetime | None = None) -> list[Convocation]:
    """Convene the sitting and release one job per person; a second call adds nothing.

    Refused (SittingError, French, citing the article) before anything is written when it is too late
    or the agenda is empty. A sitting already convened through the status alone (no convocation yet)
    gets its convocations now, after the notice check at ``at``.
    """

    # the lock serialises two secretaries clicking at once: the second finds the rows of the first
    db.session.execute(sa.select(Sitting.id).where(Sitting.id == sitting.id).with_for_update())
    db.session.refresh(sitting)
    existing = convocations_of(sitting)
    if existing:
        return existing
    at = at or utcnow()
    if sitting.status == SittingStatus.CONVENED:
        too_late = check_notice(sitting.tenant, sitting, at)
        if too_late is not None:
            raise SittingError(too_late.message)
    else:
        set_status(sitting, SittingStatus.CONVENED, actor=actor, at=at)
    kinds = recipients(sitting)
    if not kinds:
        raise SittingError(
            "Personne ne siège dans cette assemblée à la date de la séance : aucune convocation à envoyer."
        )
    people = {p.id: p for p in db.session.execute(sa.select(Person).where(Person.id.in_(kinds))).scalars()}
    convocations = [
        Convocation(tenant_id=sitting.tenant_id, sitting_id=sitting.id, person_id=person_id, kind=kind)
        for person_id, kind in sorted(kinds.items())
    ]
    db.session.add_all(convocations)
    db.session.flush()
    proof.record_manifest(
        sitting,
        [
            {
                "person_id": c.person_id,
                "name": people[c.person_id].full_name,
                "email": people[c.person_id].email,
                "kind": c.kind.value,
            }
            for c in convocations
        ],
        manifest_files(sitting),
        at,
    )
    record(
        "sitting.convocations_sent",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={
            "convocations": len(convocations),
            "invited": sum(c.kind == ConvocationKind.INVITATION for c in convocations),
        },
    )
    for convocation in convocations:
        enqueue(
            "saas.sittings.convocations.jobs.prepare_convocation",
            convocation.id,
            tenant_id=sitting.tenant_id,
            job_id=f"convocation-{convocation.id}",
        )
    return convocations


def convocation_progress(sitting: Sitting) -> tuple[int, int]:
    """(mails accepted by the mail server or outbox, convocations to send) for the sitting."""
    person_ids = [c.person_id for c in convocations_of(sitting)]
    if not person_ids:
        return 0, 0
    keys = [mail_key(sitting.id, person_id) for person_id in person_ids]
    sent = db.session.execute(
        sa.select(sa.func.count())
        .select_from(OutboundMail)
        .where(OutboundMail.key.in_(keys), OutboundMail.sent_at.is_not(None))
    ).scalar_one()
    return sent, len(person_ids)


class MailStatus(enum.StrEnum):
    #: the convocation is being prepared (PDF), its mail is not queued yet
    PREPARING = "preparing"
    #: queued, waiting for the mail server
    QUEUED = "queued"
    #: accepted by the mail server (or written to the outbox)
    SENT = "sent"


def recipient_statuses(sitting: Sitting) -> list[dict]:
    """Per convened or invited person: who, convocation or invitation, where their mail is, and the stamped
    times of its delivery and of their first opening (None until they happen)."""
    convocations = convocations_of(sitting)
    if not convocations:
        return []
    keys = {mail_key(sitting.id, c.person_id): c.person_id for c in convocations}
    sent_at = dict(
        db.session.execute(sa.select(OutboundMail.key, OutboundMail.sent_at).where(OutboundMail.key.in_(keys))).all()
    )
    times = proof.recipient_times(sitting, CHANNEL)
    people = {p.id: p for p in db.session.execute(sa.select(Person).where(Person.id.in_(keys.values()))).scalars()}
    statuses = []
    for convocation in convocations:
        key = mail_key(sitting.id, convocation.person_id)
        if key not in sent_at:
            status = MailStatus.PREPARING
        else:
            status = MailStatus.QUEUED if sent_at[key] is None else MailStatus.SENT
        person = people[convocation.person_id]
        proved = times.get(person.id, {})
        statuses.append(
            {
                "person_id": person.id,
                "name": person.full_name,
                "email": person.email,
                "kind": convocation.kind.value,
                "mail_status": status.value,
                "delivered_at": proved.get("delivered_at"),
                "opened_at": proved.get("opened_at"),
            }
        )
    return statuses
