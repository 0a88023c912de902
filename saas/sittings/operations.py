"""Preparing a sitting: create and reschedule it, build its agenda, move it through its statuses.

Operations flush and audit but never commit (the request or job commits once). Access checks belong
to the caller (views, API); what is checked here is the law and the consistency of the records.

A sitting is never set in the past: creating it or moving it checks its date against ``now`` (the present
unless a caller replays the past, as the demo does; the screens and the API never pass it). Once convened,
its changes are documented operations of saas.sittings.convocations (a new convocation, a supplement, a
cancellation), and its opening and closing belong to saas.sittings.roll_call: the generic status change
(``GENERIC_STATUSES``) only convenes.
"""

import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from blinker import Namespace

from saas.audit.operations import record
from saas.core import display
from saas.core.database import utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.models import Mandate, MandateRole, Person
from saas.sittings.models import STATUS_LABELS, TRANSITIONS, AgendaItem, Sitting, SittingStatus
from saas.sittings.notice import check_notice, local_time
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Assembly, Tenant

SUBJECT_CODE = re.compile(r"^\d\.\d{1,2}$")
VOTING_ROLES = (MandateRole.MEMBER, MandateRole.PRESIDENT)
EDITABLE_FIELDS = ("starts_at", "place", "remote_allowed", "urgency", "urgency_reason", "first_after_renewal")


#: sent once a sitting is created: ``sitting_created.send(sitting)`` (minutes waiting for their approval are
#: proposed on its agenda)
sitting_created = Namespace().signal("sitting-created")


class SittingError(DomainError):
    """A refusal shown to the user as is: French, and citing the article when the law refuses."""


class StatusConflict(SittingError):
    """A status the generic status change does not set (opening, closing): 409, in French."""

    status = 409


#: what the status form of the sitting page and the API's status route may set: convening only. Opening and
#: closing are operations of their own (the roll call, the secretary of the sitting, the sitting's day); a
#: cancellation needs its reason and tells the members (saas.sittings.convocations.operations.cancel_sitting)
GENERIC_STATUSES = (SittingStatus.CONVENED,)
OPENING_AND_CLOSING = (SittingStatus.IN_PROGRESS, SittingStatus.CLOSED)


def sitting_day(sitting: Sitting) -> date:
    """The calendar day of the sitting where it is held (mandates are dated in local days)."""
    return local_time(sitting.tenant, sitting.starts_at).date()


def current_mandate(person_id: int, sitting: Sitting, roles=None) -> Mandate | None:
    """The person's mandate in the sitting's assembly on the sitting's day, if any."""
    day = sitting_day(sitting)
    query = sa.select(Mandate).where(
        Mandate.person_id == person_id,
        Mandate.tenant_id == sitting.tenant_id,
        Mandate.assembly_id == sitting.assembly_id,
        Mandate.in_office_on(day),
    )
    if roles is not None:
        query = query.where(Mandate.role.in_(roles))
    return db.session.execute(query.order_by(Mandate.id).limit(1)).scalar_one_or_none()


def _clean_text(value: str | None, label: str, max_length: int, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise SittingError(f"{label} est obligatoire.")
        return None
    if len(value) > max_length:
        raise SittingError(f"{label} ne peut dépasser {max_length} caractères.")
    return value


def _check_schedule(starts_at: datetime, place: str | None, urgency: bool, urgency_reason: str | None):
    if not isinstance(starts_at, datetime) or starts_at.tzinfo is None:
        raise SittingError("La date de la séance doit être une date et une heure avec son fuseau horaire.")
    place = _clean_text(place, "Le lieu de la séance", 300)
    reason = _clean_text(urgency_reason, "Le motif de l'urgence", 5000, required=urgency)
    return place, (reason if urgency else None)


def check_future(tenant: Tenant, starts_at: datetime, now: datetime | None = None) -> None:
    """A sitting is convened for a date to come: one in the past (or this very minute) is refused."""
    now = now or utcnow()
    if starts_at <= now:
        when = display.format_datetime(starts_at, "full", tenant, locale=display.DOCUMENT_LOCALE)
        raise SittingError(f"La date de la séance ({when}) est passée : choisissez une date à venir.")


def _check_renewal(tenant: Tenant, first_after_renewal: bool) -> None:
    if first_after_renewal and tenant_rules(tenant).renewal_notice_days is None:
        raise SittingError(
            "Pour cette collectivité, la loi fixe elle-même la date de la première réunion après le "
            "renouvellement : elle n'a pas de délai de convocation propre."
        )


def create_sitting(
    tenant: Tenant,
    assembly: Assembly,
    *,
    starts_at: datetime,
    place: str,
    actor: Person | None,
    remote_allowed: bool = False,
    urgency: bool = False,
    urgency_reason: str | None = None,
    first_after_renewal: bool = False,
    now: datetime | None = None,
) -> Sitting:
    """A new sitting, in preparation; refused when its date is not to come (at ``now``)."""
    if assembly.tenant_id != tenant.id:
        raise SittingError("Cette assemblée n'appartient pas à cette collectivité.")
    if assembly.archived:
        raise SittingError("Cette assemblée est archivée : elle ne tient plus de séance.")
    place, urgency_reason = _check_schedule(starts_at, place, urgency, urgency_reason)
    check_future(tenant, starts_at, now)
    _check_renewal(tenant, first_after_renewal)
    sitting = Sitting(
        tenant_id=tenant.id,
        assembly=assembly,
        starts_at=starts_at,
        place=place,
        remote_allowed=remote_allowed,
        urgency=urgency,
        urgency_reason=urgency_reason,
        first_after_renewal=first_after_renewal,
        status=SittingStatus.DRAFT,
    )
    db.session.add(sitting)
    db.session.flush()
    record(
        "sitting.created",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={"assembly_id": assembly.id, "starts_at": starts_at.isoformat(), "place": place, "urgency": urgency},
    )
    sitting_created.send(sitting)
    return sitting


def checked_changes(sitting: Sitting, changes: dict, now: datetime | None = None) -> dict:
    """Every editable value of ``sitting`` once ``changes`` apply, cleaned and checked (schedule, date to
    come when it moves, renewal); nothing is written. Raises SittingError (French)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    values = {name: getattr(sitting, name) for name in EDITABLE_FIELDS} | changes
    place, reason = _check_schedule(values["starts_at"], values["place"], values["urgency"], values["urgency_reason"])
    values |= {"place": place, "urgency_reason": reason}
    if values["starts_at"] != sitting.starts_at:
        check_future(sitting.tenant, values["starts_at"], now)
    _check_renewal(sitting.tenant, values["first_after_renewal"])
    return values


def apply_changes(sitting: Sitting, values: dict) -> dict:
    """Write ``values`` (from ``checked_changes``) on the sitting; the changes as {field: [before, after]}."""
    before = {name: getattr(sitting, name) for name in EDITABLE_FIELDS}
    for name in EDITABLE_FIELDS:
        setattr(sitting, name, values[name])
    db.session.flush()
    return {name: [str(before[name]), str(values[name])] for name in EDITABLE_FIELDS if before[name] != values[name]}


def update_sitting(sitting: Sitting, *, actor: Person | None, now: datetime | None = None, **changes) -> Sitting:
    """Change date, place, remote attendance or urgency while the sitting is a draft (a new date must be to
    come at ``now``). Once convened, see saas.sittings.convocations.operations.reissue_convocation."""
    if sitting.status != SittingStatus.DRAFT:
        raise SittingError(
            "La séance est déjà convoquée : sa date, son lieu et ses modalités ne changent plus que par une "
            "nouvelle convocation envoyée à chaque membre (« Modifier la séance », avec le motif)."
        )
    values = checked_changes(sitting, changes, now)
    diff = apply_changes(sitting, values)
    record("sitting.updated", tenant_id=sitting.tenant_id, actor_id=actor.id if actor else None, obj=sitting, data=diff)
    return sitting


def reschedule(sitting: Sitting, starts_at: datetime, *, actor: Person | None, now: datetime | None = None) -> Sitting:
    return update_sitting(sitting, starts_at=starts_at, actor=actor, now=now)


def active_items(sitting: Sitting) -> list[AgendaItem]:
    return list(
        db.session.execute(
            sa.select(AgendaItem)
            .where(AgendaItem.sitting_id == sitting.id, AgendaItem.withdrawn_at.is_(None))
            .order_by(AgendaItem.position)
        ).scalars()
    )


def _renumber(items: list[AgendaItem]) -> None:
    """Give ``items`` positions 1..n in this order; in two steps so no unique position ever collides."""
    for index, item in enumerate(items, start=1):
        item.position = -index
    db.session.flush()
    for index, item in enumerate(items, start=1):
        item.position = index
    db.session.flush()


def _require_status(sitting: Sitting, allowed: set[SittingStatus], action: str) -> None:
    if sitting.status not in allowed:
        raise SittingError(f"Impossible de {action} : la séance est {STATUS_LABELS[sitting.status]}.")


def add_item(
    sitting: Sitting,
    *,
    title: str,
    actor: Person | None,
    rapporteur: Person | None = None,
    subject_code: str | None = None,
    committee_opinion: str | None = None,
    confidential: bool = False,
) -> AgendaItem:
    """Add an item at the end of the agenda; the agenda is fixed once the convocation is sent (after that, an
    item is added by a supplement: saas.sittings.convocations.operations.add_supplement_item)."""
    _require_status(sitting, {SittingStatus.DRAFT}, "ajouter un point à l'ordre du jour")
    return append_item(
        sitting,
        title=title,
        actor=actor,
        rapporteur=rapporteur,
        subject_code=subject_code,
        committee_opinion=committee_opinion,
        confidential=confidential,
    )


def append_item(
    sitting: Sitting,
    *,
    title: str,
    actor: Person | None,
    rapporteur: Person | None = None,
    subject_code: str | None = None,
    committee_opinion: str | None = None,
    confidential: bool = False,
    report_id: int | None = None,
) -> AgendaItem:
    """The item at the end of the agenda, its values checked; the caller checked the sitting's status."""
    title = _clean_text(title, "Le titre du point", 500)
    subject_code = (subject_code or "").strip() or None
    if subject_code is not None and not SUBJECT_CODE.match(subject_code):
        raise SittingError(f"Code matière @ctes invalide : « {subject_code} » (attendu par exemple « 9.1 »).")
    if rapporteur is not None and current_mandate(rapporteur.id, sitting, VOTING_ROLES) is None:
        raise SittingError(f"{rapporteur.full_name} ne siège pas dans cette assemblée : il ne peut pas rapporter.")
    item = AgendaItem(
        tenant_id=sitting.tenant_id,
        sitting=sitting,
        position=len(active_items(sitting)) + 1,
        title=title,
        rapporteur_id=rapporteur.id if rapporteur else None,
        subject_code=subject_code,
        committee_opinion=_clean_text(committee_opinion, "L'avis de la commission", 5000, required=False),
        confidential=confidential,
        report_id=report_id,
    )
    db.session.add(item)
    db.session.flush()
    record(
        "agenda_item.added",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=item,
        data={"sitting_id": sitting.id, "position": item.position, "title": title},
    )
    return item


def reorder_items(sitting: Sitting, item_ids: list[int], *, actor: Person | None) -> list[AgendaItem]:
    """Put the agenda in the order of ``item_ids``, which must name every item on it exactly once."""
    _require_status(sitting, {SittingStatus.DRAFT}, "réordonner l'ordre du jour")
    items = {item.id: item for item in active_items(sitting)}
    if len(item_ids) != len(set(item_ids)) or set(item_ids) != set(items):
        raise SittingError("Le nouvel ordre doit reprendre chaque point de l'ordre du jour une fois et une seule.")
    ordered = [items[item_id] for item_id in item_ids]
    _renumber(ordered)
    record(
        "agenda_item.reordered",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={"order": item_ids},
    )
    return ordered


def withdraw_item(item: AgendaItem, *, actor: Person | None, reason: str | None = None) -> AgendaItem:
    """Withdraw an item (retrait d'un point): the row stays, the others are renumbered 1..n."""
    sitting = item.sitting
    allowed = {SittingStatus.DRAFT, SittingStatus.CONVENED, SittingStatus.IN_PROGRESS}
    _require_status(sitting, allowed, "retirer un point de l'ordre du jour")
    if item.withdrawn_at is not None:
        raise SittingError("Ce point a déjà été retiré de l'ordre du jour.")
    former = item.position
    item.position, item.withdrawn_at = None, utcnow()
    db.session.flush()
    _renumber(active_items(sitting))
    record(
        "agenda_item.withdrawn",
        tenant_id=item.tenant_id,
        actor_id=actor.id if actor else None,
        obj=item,
        data={"sitting_id": sitting.id, "former_position": former, "reason": (reason or "").strip()},
    )
    return item


def set_status(sitting: Sitting, status: SittingStatus, *, actor: Person | None, at: datetime | None = None):
    """Move the sitting one step forward; convening checks the agenda and the notice period at ``at``."""
    status = SittingStatus(status)
    if status not in TRANSITIONS[sitting.status]:
        raise SittingError(
            f"Une séance {STATUS_LABELS[sitting.status]} ne peut pas passer à l'état « {STATUS_LABELS[status]} »."
        )
    if status == SittingStatus.CONVENED:
        if not active_items(sitting):
            raise SittingError("La convocation doit indiquer l'ordre du jour (article L2121-10 du CGCT) : il est vide.")
        refusal = convening_refusal(sitting, at or utcnow())
        if refusal is not None:
            raise SittingError(refusal)
    previous = sitting.status
    sitting.status = status
    db.session.flush()
    record(
        "sitting.status_changed",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id if actor else None,
        obj=sitting,
        data={"from": previous.value, "to": status.value},
    )
    return sitting


def change_status(sitting: Sitting, status: str, *, actor: Person | None) -> Sitting:
    """The generic status change (the sitting page's form, the API): refuses opening and closing (409) and
    anything but ``GENERIC_STATUSES`` (422); convening itself is the caller's (it sends the convocations)."""
    try:
        status = SittingStatus(status)
    except ValueError:
        raise SittingError(f"État de séance inconnu : « {status} ».") from None
    if status in OPENING_AND_CLOSING:
        raise StatusConflict(
            "L'ouverture et la clôture de la séance ne se font pas ici : la séance s'ouvre le jour prévu, par le "
            "président ou le secrétariat, après l'appel et la désignation du secrétaire de séance "
            "(article L2121-15 du CGCT), puis se clôt à la fin de l'ordre du jour."
        )
    if status == SittingStatus.CANCELLED:
        raise SittingError(
            "Une séance s'annule avec son motif, et chaque membre convoqué en est informé : « Annuler la séance »."
        )
    if status not in GENERIC_STATUSES:
        raise SittingError(
            f"Une séance {STATUS_LABELS[sitting.status]} ne peut pas passer à l'état « {STATUS_LABELS[status]} »."
        )
    return set_status(sitting, status, actor=actor)


def reconvening_refusal(sitting: Sitting) -> str | None:
    """For a sitting reconvened after a failed quorum: the law's interval after the failed sitting's day
    (quorum_failed_reconvene_days, L2121-17, L3121-14, L4132-13), else None."""
    failed = sitting.reconvened_from
    rules = tenant_rules(sitting.tenant)
    gap = (sitting_day(sitting) - sitting_day(failed)).days
    if gap >= rules.quorum_failed_reconvene_days:
        return None
    days = rules.quorum_failed_reconvene_days
    when, earliest = (
        display.format_date(day, "full", locale=display.DOCUMENT_LOCALE)
        for day in (sitting_day(failed), sitting_day(failed) + timedelta(days=days))
    )
    return (
        f"Faute de quorum à la séance du {when}, l'assemblée est convoquée à nouveau à {days} jours au moins "
        f"d'intervalle (article {rules.quorum_article} du CGCT) : la nouvelle séance se tient au plus tôt le "
        f"{earliest}."
    )


def convening_refusal(sitting: Sitting, at: datetime) -> str | None:
    """Why a convocation sent at ``at`` would be unlawful (French, with the article), else None: the notice
    period (notice.check_notice); for a sitting reconvened after a failed quorum, the interval after the
    failed sitting instead, as the law ties the new sitting to it (L2121-17: « à trois jours au moins
    d'intervalle »; L3121-14, L4132-13: « trois jours plus tard »)."""
    if sitting.starts_at <= at:
        return "La séance est passée : elle ne peut plus être convoquée."
    if sitting.reconvened_from_id is not None:
        return reconvening_refusal(sitting)
    too_late = check_notice(sitting.tenant, sitting, at)
    return too_late.message if too_late is not None else None


def members_in_office(sitting: Sitting) -> set[int]:
    day = sitting_day(sitting)
    return set(
        db.session.execute(
            sa.select(Mandate.person_id).where(
                Mandate.tenant_id == sitting.tenant_id,
                Mandate.assembly_id == sitting.assembly_id,
                Mandate.role.in_(VOTING_ROLES),
                Mandate.in_office_on(day),
            )
        ).scalars()
    )


def colleagues(sitting: Sitting, exclude: int | None = None) -> list[Person]:
    """Members in office of the sitting's assembly (possible rapporteurs and proxy holders), by name."""
    ids = members_in_office(sitting) - {exclude}
    if not ids:
        return []
    return list(
        db.session.execute(
            sa.select(Person).where(Person.id.in_(ids)).order_by(Person.last_name, Person.first_name, Person.id)
        ).scalars()
    )
