"""Convening a sitting: one convocation (or invitation) per person seated in the assembly, one mail each.

Sending happens in one transaction — status "convened" (after the notice check), one Convocation row per
person, the time-stamped manifest, an audit event — and then one job per person renders the PDF and
queues the mail (saas.sittings.convocations.jobs). Every step is keyed so that running it again adds nothing: the
rows are unique per sitting × person, the mail per sitting × person × channel.

After the convocation, every change the members must know of is a documented notice (``SittingNotice``),
sent to everyone convened or invited, one mail each (key notice × person × channel), time-stamped like the
first convocation, whose proof stays as it was:

- a new convocation (``reissue_convocation``, ``postpone_sitting``): the date, time, place or modalities
  change; the notice period counts from this sending to the new date;
- a convocation complémentaire (``add_supplement_item``): an item added to the agenda, with the same check;
- a cancellation (``cancel_sitting``): the sitting's items stay (never deleted), their reports may go on
  another sitting.

``reconvene_without_quorum`` convenes the new sitting the law allows after a failed quorum, at least
``quorum_failed_reconvene_days`` days later, with the chosen items; it deliberates without quorum and its
convocation says so. Every operation takes ``now`` (the present by default) so the demo can replay a past
sitting; the screens and the API never pass it.
"""

import enum
from collections.abc import Sequence
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core import display
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.documents.models import Document
from saas.identity.models import Mandate, MandateRole, Person
from saas.jobs.queues import enqueue
from saas.mail.models import OutboundMail
from saas.sittings.convocations.models import Convocation, ConvocationKind, NoticeKind, SittingNotice
from saas.sittings.models import STATUS_LABELS, AgendaItem, Sitting, SittingStatus
from saas.sittings.operations import (
    VOTING_ROLES,
    SittingError,
    append_item,
    apply_changes,
    checked_changes,
    convening_refusal,
    create_sitting,
    current_mandate,
    reconvening_refusal,
    set_status,
    sitting_day,
)
from saas.sittings.proof import operations as proof
from saas.sittings.votes import operations as votes

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
        refusal = convening_refusal(sitting, at)
        if refusal is not None:
            raise SittingError(refusal)
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
    proof.record_manifest(sitting, _recipients(convocations, people), manifest_files(sitting), at)
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


def _recipients(convocations: list[Convocation], people: dict[int, Person]) -> list[dict]:
    return [
        {
            "person_id": c.person_id,
            "name": people[c.person_id].full_name,
            "email": people[c.person_id].email,
            "kind": c.kind.value,
        }
        for c in convocations
    ]


# --- After the convocation: documented notices -----------------------------------------------------


#: the statement's name of each notice (proof.record_notice)
NOTICE_TYPES = {
    NoticeKind.NEW_CONVOCATION: "nouvelle_convocation",
    NoticeKind.SUPPLEMENT: "convocation_complementaire",
    NoticeKind.CANCELLATION: "annulation",
}
NOTICE_PURPOSE = "notice"


def notice_mail_key(notice_id: int, person_id: int) -> str:
    return f"notice:{notice_id}:{person_id}:{CHANNEL}"


def notice_delivery_channel(notice_id: int) -> str:
    """The delivery proof's channel of a notice's mail: one per notice, so a member's deliveries never collide."""
    return f"{CHANNEL}-n{notice_id}"


def notices_of(sitting: Sitting) -> list[SittingNotice]:
    return list(
        db.session.execute(
            sa.select(SittingNotice).where(SittingNotice.sitting_id == sitting.id).order_by(SittingNotice.number)
        ).scalars()
    )


def _lock(sitting: Sitting) -> None:
    """Serialise the changes of one sitting: the second of two secretaries finds what the first did."""
    db.session.execute(sa.select(Sitting.id).where(Sitting.id == sitting.id).with_for_update())
    db.session.refresh(sitting)


def _reason(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise SittingError(f"Indiquez le motif {what} : il figure dans le courriel envoyé à chaque membre.")
    if len(reason) > 5000:
        raise SittingError("Le motif ne peut dépasser 5000 caractères.")
    return reason


def _send_notice(
    sitting: Sitting,
    kind: NoticeKind,
    convocations: list[Convocation],
    *,
    actor: Person | None,
    at: datetime,
    reason: str | None,
    previous_starts_at: datetime,
    previous_place: str,
    postponed: bool = False,
    item: AgendaItem | None = None,
) -> SittingNotice:
    """Record the notice, time-stamp it, audit it and release one job per person (one mail each)."""
    number = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.max(SittingNotice.number), 0)).where(SittingNotice.sitting_id == sitting.id)
    ).scalar_one()
    notice = SittingNotice(
        tenant_id=sitting.tenant_id,
        sitting_id=sitting.id,
        number=number + 1,
        kind=kind,
        reason=reason,
        postponed=postponed,
        previous_starts_at=previous_starts_at,
        previous_place=previous_place,
        agenda_item_id=item.id if item else None,
        actor_id=actor.id if actor else None,
        sent_at=at,
    )
    db.session.add(notice)
    db.session.flush()
    people = {
        p.id: p
        for p in db.session.execute(
            sa.select(Person).where(Person.id.in_([c.person_id for c in convocations]))
        ).scalars()
    }
    statement = proof.record_notice(
        sitting,
        {
            "id": notice.id,
            "number": notice.number,
            "type": NOTICE_TYPES[kind],
            "reason": reason,
            "postponed": postponed,
            "previous_starts_at": previous_starts_at,
            "previous_place": previous_place,
            "item": {"id": item.id, "position": item.position, "title": item.title} if item else None,
        },
        _recipients(convocations, people),
        [] if kind == NoticeKind.CANCELLATION else manifest_files(sitting),
        at,
    )
    record(
        "sitting.notice_sent",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={
            "notice_id": notice.id,
            "number": notice.number,
            "kind": kind.value,
            "reason": reason,
            "recipients": len(convocations),
            "proof_record_id": statement.id,
        },
    )
    for convocation in convocations:
        enqueue(
            "saas.sittings.convocations.jobs.prepare_notice",
            notice.id,
            convocation.person_id,
            tenant_id=sitting.tenant_id,
            job_id=f"notice-{notice.id}-{convocation.person_id}",
        )
    return notice


def _require_convened(sitting: Sitting, action: str) -> None:
    if sitting.status != SittingStatus.CONVENED:
        raise SittingError(
            f"Impossible de {action} : la séance est {STATUS_LABELS[sitting.status]} "
            "(seule une séance convoquée, pas encore ouverte, le permet)."
        )


def reissue_convocation(
    sitting: Sitting,
    *,
    actor: Person | None,
    reason: str | None,
    postponed: bool = False,
    now: datetime | None = None,
    **changes,
) -> SittingNotice | None:
    """Change a convened sitting's date, time, place or modalities by a new convocation to every person
    convened or invited (a new PDF and mail each, time-stamped); the first convocation and its proof stay.

    Refused before anything is written (SittingError, French, with the article) when the new date is past,
    nothing changes, the reason is missing, a postponement does not move the sitting later, or the notice
    period, counted from this sending (``now``) to the new date, is not respected (unless urgency applies).
    None when no convocation had gone out yet (the sitting was convened by its status alone): the
    convocations will carry the new details."""
    _lock(sitting)
    _require_convened(sitting, "modifier la séance par une nouvelle convocation")
    now = now or utcnow()
    reason = _reason(reason, "du report" if postponed else "du changement")
    values = checked_changes(sitting, changes, now)
    if all(values[name] == getattr(sitting, name) for name in values):
        raise SittingError("Rien ne change : indiquez la nouvelle date, la nouvelle heure ou le nouveau lieu.")
    if postponed and values["starts_at"] <= sitting.starts_at:
        raise SittingError("Un report fixe la séance à une date ultérieure à celle de la convocation.")
    probe = SimpleNamespace(
        **values,
        tenant=sitting.tenant,
        reconvened_from=sitting.reconvened_from,
        reconvened_from_id=sitting.reconvened_from_id,
    )
    refusal = convening_refusal(probe, now)
    if refusal is not None:
        raise SittingError(f"Nouvelle convocation impossible. {refusal}")
    previous_starts_at, previous_place = sitting.starts_at, sitting.place
    convocations = convocations_of(sitting)
    diff = apply_changes(sitting, values)
    record(
        "sitting.postponed" if postponed else "sitting.rescheduled",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={**diff, "reason": reason},
    )
    if not convocations:
        return None
    return _send_notice(
        sitting,
        NoticeKind.NEW_CONVOCATION,
        convocations,
        actor=actor,
        at=now,
        reason=reason,
        previous_starts_at=previous_starts_at,
        previous_place=previous_place,
        postponed=postponed,
    )


def postpone_sitting(
    sitting: Sitting,
    starts_at: datetime,
    *,
    actor: Person | None,
    reason: str | None,
    place: str | None = None,
    now: datetime | None = None,
) -> SittingNotice | None:
    """Postpone a convened sitting to a later date (report): a new convocation with the reason."""
    changes = {"starts_at": starts_at} | ({"place": place} if place is not None else {})
    return reissue_convocation(sitting, actor=actor, reason=reason, postponed=True, now=now, **changes)


def add_supplement_item(
    sitting: Sitting,
    *,
    title: str,
    actor: Person | None,
    rapporteur: Person | None = None,
    subject_code: str | None = None,
    committee_opinion: str | None = None,
    confidential: bool = False,
    report_id: int | None = None,
    now: datetime | None = None,
) -> tuple[AgendaItem, SittingNotice | None]:
    """Add an item to a convened sitting's agenda by a convocation complémentaire to every person convened
    or invited, refused (with the article) unless the notice period still holds from this sending (``now``)
    to the sitting, as for the convocation itself (urgency rules apply)."""
    _lock(sitting)
    _require_convened(sitting, "compléter l'ordre du jour")
    now = now or utcnow()
    refusal = convening_refusal(sitting, now)
    if refusal is not None:
        raise SittingError(f"Convocation complémentaire impossible. {refusal}")
    item = append_item(
        sitting,
        title=title,
        actor=actor,
        rapporteur=rapporteur,
        subject_code=subject_code,
        committee_opinion=committee_opinion,
        confidential=confidential,
        report_id=report_id,
    )
    convocations = convocations_of(sitting)
    if not convocations:
        return item, None
    notice = _send_notice(
        sitting,
        NoticeKind.SUPPLEMENT,
        convocations,
        actor=actor,
        at=now,
        reason=None,
        previous_starts_at=sitting.starts_at,
        previous_place=sitting.place,
        item=item,
    )
    return item, notice


def cancel_sitting(
    sitting: Sitting, *, actor: Person | None, reason: str | None, now: datetime | None = None
) -> SittingNotice | None:
    """Cancel a sitting in preparation or convened, with its reason; every person convened or invited is
    told by one mail, time-stamped. The items stay on it (never deleted): their reports may be placed on
    another sitting. None when no convocation had gone out (nobody to tell)."""
    _lock(sitting)
    if sitting.status not in (SittingStatus.DRAFT, SittingStatus.CONVENED):
        raise SittingError(
            f"Impossible d'annuler la séance : elle est {STATUS_LABELS[sitting.status]} "
            "(seule une séance en préparation ou convoquée s'annule)."
        )
    now = now or utcnow()
    reason = _reason(reason, "de l'annulation")
    convocations = convocations_of(sitting)
    previous = sitting.status
    set_status(sitting, SittingStatus.CANCELLED, actor=actor)
    sitting.cancelled_at, sitting.cancel_reason = now, reason
    db.session.flush()
    record(
        "sitting.cancelled",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={"from": previous.value, "reason": reason, "told": len(convocations)},
    )
    if not convocations:
        return None
    return _send_notice(
        sitting,
        NoticeKind.CANCELLATION,
        convocations,
        actor=actor,
        at=now,
        reason=reason,
        previous_starts_at=sitting.starts_at,
        previous_place=sitting.place,
    )


#: a sitting whose quorum may have failed: it was opened (the roll call found the quorum lacking)
QUORUM_FAILED_STATUSES = (SittingStatus.IN_PROGRESS, SittingStatus.CLOSED)


def reconvened_sittings(sitting: Sitting) -> list[Sitting]:
    """The sittings convened again after ``sitting``'s failed quorum (not cancelled)."""
    return list(
        db.session.execute(
            sa.select(Sitting)
            .where(Sitting.reconvened_from_id == sitting.id, Sitting.status != SittingStatus.CANCELLED)
            .order_by(Sitting.id)
        ).scalars()
    )


def reconvene_without_quorum(
    sitting: Sitting,
    items: Sequence[AgendaItem],
    starts_at: datetime,
    *,
    actor: Person | None,
    place: str | None = None,
    now: datetime | None = None,
) -> Sitting:
    """Convene the new sitting of the same assembly that the law allows after ``sitting``'s failed quorum,
    at least ``quorum_failed_reconvene_days`` days after its day, with ``items`` (items of ``sitting``: same
    title, report, subject code, rapporteur, opinion and confidentiality) and convene it at once; it
    deliberates without quorum and its convocation says so, citing the article.

    ``sitting`` must have been opened (in progress or closed) and ``items`` postponed there for lack of
    quorum (saas.sittings.votes.items_lacking_quorum); a second reconvening of the same sitting is refused
    (two secretaries clicking at once get one)."""
    _lock(sitting)
    if sitting.status not in QUORUM_FAILED_STATUSES:
        raise SittingError(
            f"La séance est {STATUS_LABELS[sitting.status]} : une nouvelle convocation sans condition de quorum "
            "suit une séance ouverte où le quorum n'a pas été atteint."
        )
    already = reconvened_sittings(sitting)
    if already:
        when = display.format_date(already[0].starts_at, "full", sitting.tenant, locale=display.DOCUMENT_LOCALE)
        raise SittingError(
            f"Cette séance a déjà été convoquée à nouveau faute de quorum (séance du {when}) : annulez cette "
            "nouvelle séance d'abord pour en convoquer une autre."
        )
    chosen = list(items)
    if not chosen:
        raise SittingError("Choisissez au moins un point à inscrire à l'ordre du jour de la nouvelle séance.")
    ids = [item.id for item in chosen]
    if len(set(ids)) != len(ids) or any(
        item.sitting_id != sitting.id or item.withdrawn_at is not None for item in chosen
    ):
        raise SittingError("Les points choisis doivent être des points de l'ordre du jour de cette séance.")
    lacking = {item.id for item in votes.items_lacking_quorum(sitting)}
    if not lacking:
        raise SittingError(
            "Aucun point de cette séance n'a été reporté faute de quorum : la convocation sans condition de "
            "quorum ne suit qu'un point que l'assemblée n'a pas pu mettre aux voix, le quorum n'étant pas atteint."
        )
    if any(item.id not in lacking for item in chosen):
        raise SittingError(
            "Seuls les points reportés faute de quorum peuvent être inscrits à la séance convoquée sans condition "
            "de quorum ; les autres suivent une convocation ordinaire."
        )
    now = now or utcnow()
    refusal = reconvening_refusal(SimpleNamespace(tenant=sitting.tenant, starts_at=starts_at, reconvened_from=sitting))
    if refusal is not None:
        raise SittingError(refusal)
    new = create_sitting(
        sitting.tenant,
        sitting.assembly,
        starts_at=starts_at,
        place=place if place is not None else sitting.place,
        remote_allowed=sitting.remote_allowed,
        actor=actor,
        now=now,
    )
    new.reconvened_from_id = sitting.id
    db.session.flush()
    for item in sorted(chosen, key=lambda i: i.position):
        rapporteur = item.rapporteur
        if rapporteur is not None and current_mandate(rapporteur.id, new, VOTING_ROLES) is None:
            rapporteur = None  # no longer seated on the new day: the secretariat names another
        append_item(
            new,
            title=item.title,
            actor=actor,
            rapporteur=rapporteur,
            subject_code=item.subject_code,
            committee_opinion=item.committee_opinion,
            confidential=item.confidential,
            report_id=item.report_id,
        )
    record(
        "sitting.reconvened_without_quorum",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=new,
        data={"from_sitting_id": sitting.id, "item_ids": sorted(ids), "starts_at": starts_at.isoformat()},
    )
    send_convocations(new, actor, at=now)
    return new


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
