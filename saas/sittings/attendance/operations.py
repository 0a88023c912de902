"""Attendance answers and proxies (procurations, L2121-20), which have legal weight: all audited.

A proxy is one row per sitting. Where the law limits a proxy to a number of consecutive sittings
(communes and EPCIs: three, except illness — ``proxy_max_consecutive_sittings`` in legal_rules.toml), it is
enforced on those rows: a giver may not be represented by proxy at more consecutive sittings of the
assembly (by date, drafts excluded) unless the new proxy is given for illness. Départements and régions
delegate a vote one meeting at a time, with no such limit.
"""

import dataclasses

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from saas.audit.operations import record
from saas.core import display
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.identity.models import Person
from saas.mail.models import OutboundMail
from saas.mail.operations import queue_mail
from saas.sittings.attendance.models import Attendance, Proxy
from saas.sittings.attendance.quorum import QuorumStatus, quorum_status
from saas.sittings.models import AttendanceAnswer, Sitting, SittingStatus
from saas.sittings.operations import VOTING_ROLES, SittingError, current_mandate, members_in_office
from saas.sittings.presentation import french_datetime, sitting_link
from saas.tenancy.legal_rules import tenant_rules

#: where an answer was given, in its audit event: the application (web or API) or the signed mail link
APP_CHANNEL = "application"
LINK_CHANNEL = "lien"


def answers_open(sitting: Sitting) -> bool:
    """Answers are given and changed while the sitting is convened, until it opens."""
    return sitting.status == SittingStatus.CONVENED


def _open_for_answers(sitting: Sitting) -> None:
    if answers_open(sitting):
        return
    if sitting.status == SittingStatus.DRAFT:
        raise SittingError("La séance n'est pas encore convoquée : les réponses ne sont pas ouvertes.")
    raise SittingError("La séance est ouverte ou terminée : la réponse ne peut plus être modifiée.")


def active_proxy(sitting: Sitting, *, giver_id: int | None = None, holder_id: int | None = None) -> Proxy | None:
    query = sa.select(Proxy).where(Proxy.sitting_id == sitting.id, Proxy.revoked_at.is_(None))
    if giver_id is not None:
        query = query.where(Proxy.giver_id == giver_id)
    if holder_id is not None:
        query = query.where(Proxy.holder_id == holder_id)
    return db.session.execute(query).scalar_one_or_none()


def attendance_of(sitting: Sitting, person_id: int) -> Attendance | None:
    return db.session.execute(
        sa.select(Attendance).where(Attendance.sitting_id == sitting.id, Attendance.person_id == person_id)
    ).scalar_one_or_none()


def _set_answer(
    sitting: Sitting, person: Person, answer: AttendanceAnswer, actor: Person | None, channel: str
) -> Attendance:
    attendance = attendance_of(sitting, person.id)
    previous = attendance.answer.value if attendance else None
    if attendance is None:
        attendance = Attendance(tenant_id=sitting.tenant_id, sitting=sitting, person_id=person.id, answer=answer)
        db.session.add(attendance)
    attendance.answer, attendance.answered_at = answer, utcnow()
    db.session.flush()
    record(
        "attendance.answered",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else person.id,
        obj=attendance,
        data={
            "sitting_id": sitting.id,
            "person_id": person.id,
            "answer": answer.value,
            "previous": previous,
            "channel": channel,
        },
    )
    return attendance


def answer_attendance(
    person: Person,
    sitting: Sitting,
    answer: AttendanceAnswer,
    *,
    actor: Person | None = None,
    channel: str = APP_CHANNEL,
) -> Attendance:
    """Record the person's answer (present, remote, absent), changeable until the sitting opens.

    Answering anything while a proxy is given revokes that proxy: the member now speaks for themself.
    """
    answer = AttendanceAnswer(answer)
    _open_for_answers(sitting)
    if current_mandate(person.id, sitting) is None:
        raise SittingError(f"{person.full_name} ne siège pas dans cette assemblée à la date de la séance.")
    if answer == AttendanceAnswer.PROXY:
        raise SittingError("Pour donner procuration, désignez le collègue qui vous représentera.")
    if answer == AttendanceAnswer.REPLACED:
        raise SittingError("Le remplacement par un suppléant n'est pas encore pris en charge.")
    if answer == AttendanceAnswer.REMOTE and not sitting.remote_allowed:
        raise SittingError("La participation à distance n'est pas prévue pour cette séance.")
    given = active_proxy(sitting, giver_id=person.id)
    if given is not None:
        _revoke(given, actor or person, channel)
    return _set_answer(sitting, person, answer, actor, channel)


def _consecutive_run(sitting: Sitting, giver_id: int) -> int:
    """How many consecutive sittings of the assembly, this one included, the giver would miss by proxy."""
    sittings = list(
        db.session.execute(
            sa.select(Sitting.id)
            .where(Sitting.assembly_id == sitting.assembly_id, Sitting.status != SittingStatus.DRAFT)
            .order_by(Sitting.starts_at, Sitting.id)
        ).scalars()
    )
    with_proxy = set(
        db.session.execute(
            sa.select(Proxy.sitting_id).where(
                Proxy.giver_id == giver_id, Proxy.revoked_at.is_(None), Proxy.sitting_id.in_(sittings)
            )
        ).scalars()
    )
    index = sittings.index(sitting.id)
    run = 1
    for step in (-1, 1):
        cursor = index + step
        while 0 <= cursor < len(sittings) and sittings[cursor] in with_proxy:
            run, cursor = run + 1, cursor + step
    return run


def give_proxy(
    giver: Person,
    holder: Person,
    sitting: Sitting,
    illness: bool = False,
    *,
    actor: Person | None = None,
    channel: str = APP_CHANNEL,
) -> Proxy:
    """Give a written proxy to a colleague of the same assembly; records the giver's answer "proxy"."""
    _open_for_answers(sitting)
    rules = tenant_rules(sitting.tenant)
    law = f"(article {rules.proxy_article} du CGCT)"
    if giver.id == holder.id:
        raise SittingError(f"On ne peut pas se donner procuration à soi-même {law}.")
    if current_mandate(giver.id, sitting, VOTING_ROLES) is None:
        raise SittingError(f"{giver.full_name} ne siège pas dans cette assemblée : pas de procuration possible {law}.")
    if current_mandate(holder.id, sitting, VOTING_ROLES) is None:
        raise SittingError(
            f"{holder.full_name} ne siège pas dans cette assemblée : une procuration ne peut être donnée "
            f"qu'à un collègue de la même assemblée {law}."
        )
    if active_proxy(sitting, giver_id=giver.id) is not None:
        raise SittingError(f"{giver.full_name} a déjà donné procuration pour cette séance : retirez-la d'abord {law}.")
    if active_proxy(sitting, holder_id=holder.id) is not None:
        raise SittingError(
            f"{holder.full_name} détient déjà une procuration pour cette séance : un élu ne peut recevoir "
            f"qu'un seul pouvoir {law}."
        )
    if active_proxy(sitting, giver_id=holder.id) is not None:
        raise SittingError(f"{holder.full_name} a lui-même donné procuration : il ne peut pas vous représenter {law}.")
    if active_proxy(sitting, holder_id=giver.id) is not None:
        raise SittingError(
            f"{giver.full_name} détient la procuration d'un collègue : il doit siéger pour la porter {law}."
        )
    holder_answer = attendance_of(sitting, holder.id)
    if holder_answer is not None and holder_answer.answer == AttendanceAnswer.ABSENT:
        raise SittingError(f"{holder.full_name} a indiqué être absent : il ne peut pas vous représenter {law}.")
    limit = rules.proxy_max_consecutive_sittings
    if limit is not None and not illness and _consecutive_run(sitting, giver.id) > limit:
        raise SittingError(
            f"Une procuration ne vaut pas pour plus de {limit} séances consécutives, "
            f"sauf maladie dûment constatée {law}."
        )
    proxy = Proxy(tenant_id=sitting.tenant_id, sitting=sitting, giver_id=giver.id, holder_id=holder.id, illness=illness)
    try:
        with db.session.begin_nested():
            db.session.add(proxy)
    except IntegrityError as error:
        raise SittingError(
            f"Une autre procuration vient d'être enregistrée pour {holder.full_name} ou {giver.full_name} : "
            f"un seul pouvoir par élu {law}."
        ) from error
    record(
        "proxy.given",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else giver.id,
        obj=proxy,
        data={
            "sitting_id": sitting.id,
            "giver_id": giver.id,
            "holder_id": holder.id,
            "illness": illness,
            "channel": channel,
        },
    )
    _set_answer(sitting, giver, AttendanceAnswer.PROXY, actor or giver, channel)
    notify_proxy_holder(proxy)
    return proxy


def _revoke(proxy: Proxy, actor: Person | None, channel: str) -> None:
    proxy.revoked_at = utcnow()
    db.session.flush()
    record(
        "proxy.revoked",
        tenant_id=proxy.tenant_id,
        actor_id=actor.id if actor else None,
        obj=proxy,
        data={
            "sitting_id": proxy.sitting_id,
            "giver_id": proxy.giver_id,
            "holder_id": proxy.holder_id,
            "channel": channel,
        },
    )


def revoke_proxy(proxy: Proxy, *, actor: Person | None, channel: str = APP_CHANNEL) -> Proxy:
    """Revoke a proxy (kept, never deleted); the giver is recorded absent until they answer again."""
    _open_for_answers(proxy.sitting)
    if proxy.revoked_at is not None:
        raise SittingError("Cette procuration a déjà été retirée.")
    _revoke(proxy, actor, channel)
    giver = db.session.get(Person, proxy.giver_id)
    _set_answer(proxy.sitting, giver, AttendanceAnswer.ABSENT, actor, channel)
    return proxy


@dataclasses.dataclass(frozen=True)
class BoardRow:
    """One member in office and what they answered (None: not yet), with the proxy given or held."""

    person: Person
    answer: AttendanceAnswer | None
    proxy_holder: Person | None
    proxy_giver: Person | None


@dataclasses.dataclass(frozen=True)
class AttendanceBoard:
    """What the secretariat follows before the sitting: every member in office, the counts, the quorum."""

    rows: list[BoardRow]
    #: answer value (and "none" for no answer yet) -> number of members in office
    counts: dict[str, int]
    proxies: list[Proxy]
    quorum: QuorumStatus


NO_ANSWER = "none"


def attendance_board(sitting: Sitting) -> AttendanceBoard:
    """Every member in office of the sitting (convened: members and the president), by name, with their
    answer or none; the active proxies; the expected quorum. A fixed number of queries."""
    in_office = members_in_office(sitting)
    people = (
        db.session.execute(
            sa.select(Person).where(Person.id.in_(in_office)).order_by(Person.last_name, Person.first_name, Person.id)
        )
        .scalars()
        .all()
    )
    answers = dict(
        db.session.execute(
            sa.select(Attendance.person_id, Attendance.answer).where(
                Attendance.sitting_id == sitting.id, Attendance.tenant_id == sitting.tenant_id
            )
        ).all()
    )
    proxies = (
        db.session.execute(
            sa.select(Proxy)
            .where(Proxy.sitting_id == sitting.id, Proxy.tenant_id == sitting.tenant_id, Proxy.revoked_at.is_(None))
            .options(selectinload(Proxy.giver), selectinload(Proxy.holder))
            .order_by(Proxy.id)
        )
        .scalars()
        .all()
    )
    given = {proxy.giver_id: proxy for proxy in proxies}
    held = {proxy.holder_id: proxy for proxy in proxies}
    rows = [
        BoardRow(
            person=person,
            answer=answers.get(person.id),
            proxy_holder=given[person.id].holder if person.id in given else None,
            proxy_giver=held[person.id].giver if person.id in held else None,
        )
        for person in people
    ]
    counts = {answer.value: 0 for answer in AttendanceAnswer} | {NO_ANSWER: 0}
    for row in rows:
        counts[row.answer.value if row.answer else NO_ANSWER] += 1
    return AttendanceBoard(rows=rows, counts=counts, proxies=proxies, quorum=quorum_status(sitting))


def notify_proxy_holder(proxy: Proxy) -> OutboundMail:
    """Tell the holder that a colleague gave them a proxy (once per proxy, whatever is retried)."""
    sitting, giver, holder = proxy.sitting, proxy.giver, proxy.holder
    when = french_datetime(sitting.tenant, sitting.starts_at)
    link = sitting_link(sitting)
    day = display.format_date(sitting.starts_at, tenant=sitting.tenant, locale=display.DOCUMENT_LOCALE)
    body = (
        f"Bonjour {holder.full_name},\n\n"
        f"{giver.full_name} vous a donné procuration pour voter en son nom à la séance de l'assemblée "
        f"« {sitting.assembly.name} » ({sitting.tenant.name}) du {when}, {sitting.place}.\n\n"
        "Un élu ne peut détenir qu'un seul pouvoir par séance "
        f"(article {tenant_rules(sitting.tenant).proxy_article} du CGCT).\n\n"
        f"La séance : {link}\n"
    )
    return queue_mail(
        f"proxy:{proxy.id}:holder",
        to=holder.email,
        subject=f"Procuration de {giver.full_name} — séance du {day}"[:300],
        body=body,
        tenant_id=sitting.tenant_id,
    )
