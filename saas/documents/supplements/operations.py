"""Documents added or replaced after sending (compléments, issue 3 item 1): recorded, re-notified, time-stamped.

In the transaction that adds the version (``notify_supplement``, called by saas.documents.operations), on
each sitting the report is placed on whose convocation went out: a time-stamped statement naming the item,
the document, the version, the file with its SHA-256 and size, every recipient and the time, and an audit
event. After the commit, one job per convened or invited person queues one mail (unique key per version ×
sitting × person × channel, so a job run twice sends nothing more); once the mail server accepted it, its
delivery is stamped like the convocation's.

Everyone who received the convocation is told, also of closed-session items: like the convocation PDF,
the mail then names neither the item nor the document, only that the item examined in closed session
changed.
"""

from datetime import datetime

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core import display
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.documents.models import KIND_LABELS, DocumentVersion
from saas.identity.models import Person
from saas.jobs.queues import enqueue
from saas.sittings.convocations.operations import convocations_of
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.presentation import french_datetime, sitting_link
from saas.sittings.proof import operations as proof
from saas.sittings.proof.models import ProofRecord

#: the statuses in which the convocation has gone out and the sitting's documents may still change
NOTIFIED_STATUSES = {SittingStatus.CONVENED, SittingStatus.IN_PROGRESS}
CHANNEL = "email"
PURPOSE = "supplement"


def mail_key(version_id: int, sitting_id: int, person_id: int) -> str:
    return f"supplement:{version_id}:{sitting_id}:{person_id}:{CHANNEL}"


def delivery_channel(version_id: int) -> str:
    """The delivery proof's channel: one per supplement, so a member's deliveries never collide."""
    return f"{CHANNEL}-v{version_id}"


def notify_supplement(version: DocumentVersion, actor: Person | None, at: datetime | None = None) -> list[ProofRecord]:
    """Stamp and announce ``version`` on every sitting its report is placed on whose convocations went out;
    the statements made (none: nothing done).

    Raises proof.ProofError (French) when a statement cannot be stamped: the caller rolls back, and the
    version is not kept.
    """
    at = at or utcnow()
    items = db.session.execute(
        sa.select(AgendaItem)
        .where(AgendaItem.report_id == version.document.report_id, AgendaItem.withdrawn_at.is_(None))
        .order_by(AgendaItem.id)
    ).scalars()
    return [statement for item in items if (statement := _notify_on(item, version, actor, at)) is not None]


def _notify_on(item: AgendaItem, version: DocumentVersion, actor: Person | None, at: datetime) -> ProofRecord | None:
    document, sitting = version.document, item.sitting
    if sitting.status not in NOTIFIED_STATUSES:
        return None
    convocations = convocations_of(sitting)
    if not convocations:
        return None
    people = {
        p.id: p
        for p in db.session.execute(
            sa.select(Person).where(Person.id.in_([c.person_id for c in convocations]))
        ).scalars()
    }
    statement = proof.record_supplement(
        sitting,
        item={"id": item.id, "position": item.position, "title": item.title},
        document={
            "id": document.id,
            "title": document.title,
            "kind": KIND_LABELS[document.kind],
            "version": version.number,
            "version_id": version.id,
        },
        file={"name": version.filename, "sha256": version.sha256, "size": version.size},
        recipients=[
            {
                "person_id": c.person_id,
                "name": people[c.person_id].full_name,
                "email": people[c.person_id].email,
                "kind": c.kind.value,
            }
            for c in convocations
        ],
        sent_at=at,
    )
    record(
        "sitting.supplement_sent",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={
            "agenda_item_id": item.id,
            "document_id": document.id,
            "version": version.number,
            "sha256": version.sha256,
            "recipients": len(convocations),
            "proof_record_id": statement.id,
        },
    )
    for convocation in convocations:
        enqueue(
            "saas.documents.supplements.jobs.prepare_supplement",
            version.id,
            item.id,
            convocation.person_id,
            tenant_id=sitting.tenant_id,
            job_id=f"supplement-{version.id}-{item.id}-{convocation.person_id}",
        )
    return statement


def mail_body(version: DocumentVersion, item: AgendaItem, person: Person) -> str:
    document, sitting = version.document, item.sitting
    kind = KIND_LABELS[document.kind]
    if item.confidential:
        what = [f"Point n° {item.position} (examiné à huis clos) : un document a été ajouté ou remplacé."]
    elif version.number > 1:
        what = [
            f"Point n° {item.position} : {item.title}",
            f"Document remplacé ({kind}) : « {document.title} », désormais en version {version.number}.",
        ]
        if version.note:
            what.append(f"Motif du remplacement : {version.note}")
    else:
        what = [f"Point n° {item.position} : {item.title}", f"Nouveau document ({kind}) : « {document.title} »."]
    lines = [
        f"Bonjour {person.full_name},",
        "",
        f"Après l'envoi de la convocation, l'ordre du jour de la séance de l'assemblée « {sitting.assembly.name} » "
        f"({sitting.tenant.name}) du {french_datetime(sitting.tenant, sitting.starts_at)}, {sitting.place}, "
        "a reçu un complément :",
        "",
        *what,
        "",
        f"Les documents de la séance : {sitting_link(sitting)}",
    ]
    return "\n".join(lines) + "\n"


def mail_subject(version: DocumentVersion, sitting: Sitting) -> str:
    day = display.format_date(sitting.starts_at, "full", sitting.tenant, locale=display.DOCUMENT_LOCALE)
    change = "Document remplacé" if version.number > 1 else "Document ajouté"
    return f"{change} — séance « {sitting.assembly.name} » du {day} — {sitting.tenant.name}"[:300]
