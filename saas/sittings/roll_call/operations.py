"""The sitting held: opening, roll call, arrivals and departures, presence and quorum at each item.

Stable names (the screens and the votes build on them):

- ``may_chair(person, sitting)``: the assembly's president on the sitting's day, or its secretariat.
- ``open_sitting(sitting, *, secretary, actor, now=None)``: appoint the secretary of the sitting (L2121-15),
  open it (IN_PROGRESS), start the roll call from the members' answers and proxies, put item 1 on the floor.
- ``roll_call(sitting) -> list[RollCallEntry]``, ``confirm_roll_call(sitting, changes, *, actor,
  confirm_all=False)`` with ``SeatChange`` values; ``roll_call_complete(sitting)``; ``lock_roll_call(sitting)``.
- ``record_arrival(sitting, person, *, actor, remote=False, now=None)``, ``record_departure(sitting, person, *,
  actor, proxy_holder=None, now=None)``, ``presence_events(sitting)``.
- ``floor(sitting) -> SittingFloor | None``, ``move_floor(sitting, item)`` (the votes check when it may move).
- ``seats_at(item, at=None) -> Seats``: each member in office's seat for the item, the live computation;
  ``Seats.presence()`` gives ``saas.sittings.outcomes.Presence`` (the votes' ``presence_at`` returns the frozen
  one for a decided item), ``Seats.entitled_voters()``, ``Seats.members_present()``.
- ``not_taking_part(item)``, ``declare_not_taking_part(item, person, *, actor, reason=None)``,
  ``withdraw_not_taking_part(item, person, *, actor)`` (the votes refuse them once the item is put to the vote).

Operations flush and audit, never commit. Refusals are ``SittingError``: French, citing the article.
"""

import dataclasses
from datetime import datetime

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.identity.access import can_manage
from saas.identity.models import MandateRole, Person
from saas.sittings import operations as sittings
from saas.sittings.attendance.models import Attendance, Proxy
from saas.sittings.models import AgendaItem, AttendanceAnswer, Sitting, SittingStatus
from saas.sittings.notice import local_time
from saas.sittings.operations import SittingError, current_mandate, members_in_office, sitting_day
from saas.sittings.outcomes import Presence
from saas.sittings.roll_call.models import (
    SEAT_LABELS,
    NotTakingPart,
    PresenceEvent,
    PresenceEventKind,
    RollCallEntry,
    SeatStatus,
    SittingFloor,
)
from saas.tenancy.legal_rules import LegalRules, tenant_rules

#: statuses of a member who is in the room or on the screen, and may hold a proxy
HERE = (SeatStatus.PRESENT, SeatStatus.REMOTE)


class RollCallError(SittingError):
    """A refusal of the roll call or of the opening (422)."""


class StateConflict(SittingError):
    """A refusal because of where the sitting stands (409): not open, already closed, already recorded."""

    status = 409


def _actor_id(actor: Person | None) -> int | None:
    return actor.id if actor else None


def may_chair(person: Person, sitting: Sitting) -> bool:
    """The assembly's president (a president mandate on the sitting's day) or its secretariat."""
    if can_manage(person, "secretary", sitting.tenant, sitting.assembly):
        return True
    return current_mandate(person.id, sitting, (MandateRole.PRESIDENT,)) is not None


def require_in_progress(sitting: Sitting, action: str) -> None:
    if sitting.status != SittingStatus.IN_PROGRESS:
        label = sittings.STATUS_LABELS[sitting.status]
        raise StateConflict(f"Impossible de {action} : la séance n'est pas en cours (elle est {label}).")


def _require_member(sitting: Sitting, person_id: int, in_office: set[int] | None = None) -> None:
    if person_id not in (in_office if in_office is not None else members_in_office(sitting)):
        raise RollCallError("Choisissez un membre en exercice de cette assemblée.", field="person_id")


# --- opening ---------------------------------------------------------------------------------------------------


def open_sitting(sitting: Sitting, *, secretary: Person, actor: Person, now: datetime | None = None) -> Sitting:
    """Open a convened sitting on its day, by its president or secretariat, once its secretary is appointed."""
    now = now or utcnow()
    if sitting.status != SittingStatus.CONVENED:
        raise StateConflict(
            f"Seule une séance convoquée peut être ouverte : celle-ci est {sittings.STATUS_LABELS[sitting.status]}."
        )
    if local_time(sitting.tenant, now).date() != sitting_day(sitting):
        day = sitting_day(sitting).strftime("%d/%m/%Y")
        raise RollCallError(f"La séance ne peut être ouverte que le jour pour lequel elle est convoquée, le {day}.")
    if not may_chair(actor, sitting):
        raise RollCallError(
            "Seul le président de l'assemblée (article L2121-14 du CGCT) ou le secrétariat peut ouvrir la séance."
        )
    if secretary is None or secretary.id not in members_in_office(sitting):
        raise RollCallError(
            "Le secrétaire de séance est désigné parmi les membres de l'assemblée (article L2121-15 du CGCT) : "
            "choisissez un membre en exercice.",
            field="secretary_id",
        )
    sitting.secretary_id = secretary.id
    sitting.opened_at = now
    sittings.set_status(sitting, SittingStatus.IN_PROGRESS, actor=actor, at=now)
    _start_roll_call(sitting)
    first = next(iter(sittings.active_items(sitting)), None)
    db.session.add(
        SittingFloor(
            tenant_id=sitting.tenant_id,
            sitting_id=sitting.id,
            current_item_id=first.id if first else None,
            updated_at=now,
        )
    )
    db.session.flush()
    record(
        "sitting.opened",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id,
        obj=sitting,
        data={"secretary_id": secretary.id, "opened_at": now.isoformat()},
    )
    return sitting


def _start_roll_call(sitting: Sitting) -> None:
    """One entry per member in office, started from their answer and their active proxy (idempotent)."""
    in_office = members_in_office(sitting)
    existing = set(
        db.session.execute(sa.select(RollCallEntry.person_id).where(RollCallEntry.sitting_id == sitting.id)).scalars()
    )
    answers = dict(
        db.session.execute(
            sa.select(Attendance.person_id, Attendance.answer).where(
                Attendance.sitting_id == sitting.id, Attendance.tenant_id == sitting.tenant_id
            )
        ).all()
    )
    proxies = dict(
        db.session.execute(
            sa.select(Proxy.giver_id, Proxy.holder_id).where(Proxy.sitting_id == sitting.id, Proxy.revoked_at.is_(None))
        ).all()
    )
    holders_used: set[int] = set()
    for person_id in sorted(in_office - existing):
        answer = answers.get(person_id)
        status, holder = SeatStatus.ABSENT, None
        if answer == AttendanceAnswer.PRESENT:
            status = SeatStatus.PRESENT
        elif answer == AttendanceAnswer.REMOTE and sitting.remote_allowed:
            status = SeatStatus.REMOTE
        elif person_id in proxies and proxies[person_id] in in_office and proxies[person_id] not in holders_used:
            status, holder = SeatStatus.REPRESENTED, proxies[person_id]
            holders_used.add(holder)
        db.session.add(
            RollCallEntry(
                tenant_id=sitting.tenant_id,
                sitting_id=sitting.id,
                person_id=person_id,
                status=status,
                proxy_holder_id=holder,
                answered=answer.value if answer else None,
            )
        )
    db.session.flush()


# --- roll call -------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SeatChange:
    """What the secretariat confirms for one member at the roll call."""

    person_id: int
    status: SeatStatus
    proxy_holder_id: int | None = None
    deputy_name: str | None = None
    deputy_person_id: int | None = None


def roll_call(sitting: Sitting) -> list[RollCallEntry]:
    return list(
        db.session.execute(
            sa.select(RollCallEntry)
            .join(Person, Person.id == RollCallEntry.person_id)
            .where(RollCallEntry.sitting_id == sitting.id)
            .order_by(Person.last_name, Person.first_name, Person.id)
        ).scalars()
    )


def floor(sitting: Sitting) -> SittingFloor | None:
    return db.session.execute(sa.select(SittingFloor).where(SittingFloor.sitting_id == sitting.id)).scalar_one_or_none()


def roll_call_complete(sitting: Sitting) -> bool:
    """Every entry confirmed by the secretariat."""
    pending = db.session.execute(
        sa.select(sa.func.count(RollCallEntry.id)).where(
            RollCallEntry.sitting_id == sitting.id, RollCallEntry.confirmed_at.is_(None)
        )
    ).scalar_one()
    return pending == 0


def lock_roll_call(sitting: Sitting, now: datetime | None = None) -> None:
    """The first vote fixes the roll call: from then on only arrivals and departures change presence."""
    state = floor(sitting)
    if state is not None and state.roll_call_locked_at is None:
        state.roll_call_locked_at = now or utcnow()
        db.session.flush()


def _check_seats(sitting: Sitting, rules: LegalRules, entries: dict[int, RollCallEntry]) -> None:
    holders: dict[int, int] = {}
    for entry in entries.values():
        if entry.status == SeatStatus.REMOTE and not sitting.remote_allowed:
            raise RollCallError("La participation à distance n'est pas prévue pour cette séance.", field="status")
        if entry.status == SeatStatus.REPLACED and not rules.deputies_allowed:
            raise RollCallError(
                "Les membres de cette assemblée ne peuvent pas se faire remplacer par un suppléant.", field="status"
            )
        if entry.status == SeatStatus.REPRESENTED:
            holder = entries.get(entry.proxy_holder_id)
            if holder is None or holder.person_id == entry.person_id or holder.status not in HERE:
                raise RollCallError(
                    f"Le pouvoir est donné à un collègue présent de la même assemblée ({rules.proxy_article} du CGCT).",
                    field="proxy_holder_id",
                )
            if entry.proxy_holder_id in holders:
                raise RollCallError(
                    f"Un élu ne peut recevoir qu'un seul pouvoir (article {rules.proxy_article} du CGCT).",
                    field="proxy_holder_id",
                )
            holders[entry.proxy_holder_id] = entry.person_id


def confirm_roll_call(
    sitting: Sitting, changes: list[SeatChange], *, actor: Person | None, confirm_all: bool = False
) -> list[RollCallEntry]:
    """Confirm or correct members' seats (and, with ``confirm_all``, confirm every other suggestion as it is).

    Possible until the first vote of the sitting; afterwards only arrivals and departures are recorded."""
    require_in_progress(sitting, "faire l'appel")
    state = floor(sitting)
    if state is not None and state.roll_call_locked_at is not None:
        raise StateConflict(
            "Un premier vote a eu lieu : l'appel ne peut plus être corrigé. Enregistrez une arrivée ou un départ."
        )
    rules = tenant_rules(sitting.tenant)
    entries = {entry.person_id: entry for entry in roll_call(sitting)}
    seen: set[int] = set()
    now = utcnow()
    changed = []
    for change in changes:
        entry = entries.get(change.person_id)
        if entry is None:
            raise RollCallError("Choisissez un membre en exercice de cette assemblée.", field="person_id")
        if change.person_id in seen:
            raise RollCallError("Chaque membre n'apparaît qu'une fois dans l'appel.", field="person_id")
        seen.add(change.person_id)
        status = SeatStatus(change.status)
        deputy = (change.deputy_name or "").strip() or None
        if status == SeatStatus.REPLACED and deputy is None:
            raise RollCallError("Indiquez le nom du suppléant qui siège.", field="deputy_name")
        if deputy is not None and len(deputy) > 200:
            raise RollCallError("Le nom du suppléant ne peut dépasser 200 caractères.", field="deputy_name")
        entry.status = status
        entry.proxy_holder_id = change.proxy_holder_id if status == SeatStatus.REPRESENTED else None
        entry.deputy_name = deputy if status == SeatStatus.REPLACED else None
        entry.deputy_person_id = change.deputy_person_id if status == SeatStatus.REPLACED else None
        if status == SeatStatus.REPRESENTED and entry.proxy_holder_id is None:
            raise RollCallError("Indiquez le collègue présent qui porte le pouvoir.", field="proxy_holder_id")
        changed.append(entry)
    if confirm_all:
        changed.extend(entry for person_id, entry in entries.items() if person_id not in seen)
    _check_seats(sitting, rules, entries)
    for entry in changed:
        entry.confirmed_at, entry.confirmed_by_id = now, _actor_id(actor)
    db.session.flush()
    record(
        "roll_call.confirmed",
        tenant_id=sitting.tenant_id,
        actor_id=_actor_id(actor),
        obj=sitting,
        data={
            "entries": [
                {
                    "person_id": entry.person_id,
                    "status": entry.status.value,
                    "proxy_holder_id": entry.proxy_holder_id,
                    "deputy_name": entry.deputy_name,
                }
                for entry in changed
            ]
        },
    )
    return list(entries.values())


# --- arrivals and departures -----------------------------------------------------------------------------------


def presence_events(sitting: Sitting, at: datetime | None = None) -> list[PresenceEvent]:
    query = sa.select(PresenceEvent).where(PresenceEvent.sitting_id == sitting.id)
    if at is not None:
        query = query.where(PresenceEvent.at <= at)
    return list(db.session.execute(query.order_by(PresenceEvent.at, PresenceEvent.id)).scalars())


def _add_event(sitting: Sitting, person: Person, kind: PresenceEventKind, actor, now, **values) -> PresenceEvent:
    state = floor(sitting)
    event = PresenceEvent(
        tenant_id=sitting.tenant_id,
        sitting_id=sitting.id,
        person_id=person.id,
        kind=kind,
        item_id=state.current_item_id if state else None,
        at=now or utcnow(),
        recorded_by_id=_actor_id(actor),
        **values,
    )
    db.session.add(event)
    db.session.flush()
    record(
        f"presence.{kind.value}",
        tenant_id=sitting.tenant_id,
        actor_id=_actor_id(actor),
        obj=event,
        data={
            "sitting_id": sitting.id,
            "person_id": person.id,
            "item_id": event.item_id,
            "at": event.at.isoformat(),
            **{key: value for key, value in values.items() if value},
        },
    )
    return event


def record_arrival(
    sitting: Sitting, person: Person, *, actor: Person | None, remote: bool = False, now: datetime | None = None
) -> PresenceEvent:
    """A member arrives (in the room, or by visioconference where allowed): a proxy they gave no longer counts."""
    require_in_progress(sitting, "enregistrer une arrivée")
    seats = seats_at(None, sitting=sitting)
    seat = seats.seats.get(person.id)
    if seat is None:
        raise RollCallError("Choisissez un membre en exercice de cette assemblée.", field="person_id")
    if remote and not sitting.remote_allowed:
        raise RollCallError("La participation à distance n'est pas prévue pour cette séance.", field="remote")
    if seat.status in HERE:
        raise StateConflict(f"{seat.name} est déjà {SEAT_LABELS[seat.status]}.")
    return _add_event(sitting, person, PresenceEventKind.ARRIVAL, actor, now, remote=bool(remote))


def record_departure(
    sitting: Sitting,
    person: Person,
    *,
    actor: Person | None,
    proxy_holder: Person | None = None,
    now: datetime | None = None,
) -> PresenceEvent:
    """A member leaves the sitting, possibly giving a proxy to a colleague present (one per holder)."""
    require_in_progress(sitting, "enregistrer un départ")
    seats = seats_at(None, sitting=sitting)
    seat = seats.seats.get(person.id)
    if seat is None:
        raise RollCallError("Choisissez un membre en exercice de cette assemblée.", field="person_id")
    if seat.status not in (*HERE, SeatStatus.REPLACED):
        raise StateConflict(f"{seat.name} n'est pas en séance : il est {SEAT_LABELS[seat.status]}.")
    if proxy_holder is not None:
        rules = seats.rules
        holder = seats.seats.get(proxy_holder.id)
        if holder is None or holder.person_id == person.id or holder.status not in HERE:
            raise RollCallError(
                f"Le pouvoir est donné à un collègue présent de la même assemblée ({rules.proxy_article} du CGCT).",
                field="proxy_holder_id",
            )
        if any(other.proxy_holder_id == proxy_holder.id for other in seats.seats.values()):
            raise RollCallError(
                f"Un élu ne peut recevoir qu'un seul pouvoir (article {rules.proxy_article} du CGCT).",
                field="proxy_holder_id",
            )
    return _add_event(
        sitting,
        person,
        PresenceEventKind.DEPARTURE,
        actor,
        now,
        proxy_holder_id=proxy_holder.id if proxy_holder else None,
    )


def move_floor(sitting: Sitting, item: AgendaItem | None, *, actor: Person | None) -> SittingFloor:
    state = floor(sitting)
    if state is None:
        raise StateConflict("La séance n'est pas ouverte.")
    previous = state.current_item_id
    state.current_item_id, state.updated_at = (item.id if item else None), utcnow()
    db.session.flush()
    record(
        "sitting.current_item",
        tenant_id=sitting.tenant_id,
        actor_id=_actor_id(actor),
        obj=sitting,
        data={"from": previous, "to": state.current_item_id},
    )
    return state


# --- not taking part -------------------------------------------------------------------------------------------


def not_taking_part(item: AgendaItem) -> list[NotTakingPart]:
    return list(
        db.session.execute(
            sa.select(NotTakingPart)
            .where(NotTakingPart.item_id == item.id, NotTakingPart.withdrawn_at.is_(None))
            .order_by(NotTakingPart.id)
        ).scalars()
    )


def declare_not_taking_part(
    item: AgendaItem, person: Person, *, actor: Person | None, reason: str | None = None
) -> NotTakingPart:
    """Record that ``person`` takes no part in the item's vote (L2131-11); idempotent."""
    sitting = item.sitting
    if sitting.status not in (SittingStatus.CONVENED, SittingStatus.IN_PROGRESS):
        raise StateConflict(
            f"La séance est {sittings.STATUS_LABELS[sitting.status]} : la déclaration ne peut plus être faite."
        )
    if current_mandate(person.id, sitting, sittings.VOTING_ROLES) is None:
        raise RollCallError("Choisissez un membre en exercice de cette assemblée.", field="person_id")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > 2000:
        raise RollCallError("Le motif ne peut dépasser 2 000 caractères.", field="reason")
    declaration = db.session.execute(
        sa.select(NotTakingPart).where(NotTakingPart.item_id == item.id, NotTakingPart.person_id == person.id)
    ).scalar_one_or_none()
    if declaration is not None and declaration.withdrawn_at is None:
        return declaration
    if declaration is None:
        declaration = NotTakingPart(tenant_id=item.tenant_id, item_id=item.id, person_id=person.id)
        db.session.add(declaration)
    declaration.reason, declaration.declared_at = reason, utcnow()
    declaration.declared_by_id, declaration.withdrawn_at = _actor_id(actor), None
    db.session.flush()
    record(
        "vote.not_taking_part",
        tenant_id=item.tenant_id,
        actor_id=_actor_id(actor),
        obj=item,
        data={"person_id": person.id, "reason": reason},
    )
    return declaration


def withdraw_not_taking_part(item: AgendaItem, person: Person, *, actor: Person | None) -> None:
    declaration = db.session.execute(
        sa.select(NotTakingPart).where(
            NotTakingPart.item_id == item.id, NotTakingPart.person_id == person.id, NotTakingPart.withdrawn_at.is_(None)
        )
    ).scalar_one_or_none()
    if declaration is None:
        raise StateConflict(f"{person.full_name} n'a pas déclaré ne pas prendre part au vote sur ce point.")
    declaration.withdrawn_at = utcnow()
    db.session.flush()
    record(
        "vote.not_taking_part_withdrawn",
        tenant_id=item.tenant_id,
        actor_id=_actor_id(actor),
        obj=item,
        data={"person_id": person.id},
    )


# --- presence at an item ---------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Seat:
    person_id: int
    name: str
    status: SeatStatus
    #: represented: the colleague holding the proxy
    proxy_holder_id: int | None = None
    deputy_name: str | None = None
    deputy_person_id: int | None = None
    #: declared not taking part in this item's vote
    not_taking_part: bool = False
    #: the secretariat confirmed the roll-call entry this seat started from
    confirmed: bool = True


@dataclasses.dataclass(frozen=True)
class Seats:
    """Every member in office's seat at one moment of the sitting, for one item (or none)."""

    sitting: Sitting
    rules: LegalRules
    seats: dict[int, Seat]

    def _effective(self, seat: Seat) -> SeatStatus:
        """A proxy counts only while its holder is here."""
        if seat.status == SeatStatus.REPRESENTED:
            holder = self.seats.get(seat.proxy_holder_id)
            if holder is None or holder.status not in HERE:
                return SeatStatus.ABSENT
        return seat.status

    def by_status(self) -> dict[SeatStatus, list[Seat]]:
        grouped: dict[SeatStatus, list[Seat]] = {status: [] for status in SeatStatus}
        for seat in sorted(self.seats.values(), key=lambda seat: (seat.name, seat.person_id)):
            grouped[self._effective(seat)].append(seat)
        return grouped

    def members_present(self) -> list[Seat]:
        """Those present in the sense of the ballot requests (L2121-21): in the room, remote, or a deputy."""
        return [
            seat
            for seat in self.seats.values()
            if seat.status in (SeatStatus.PRESENT, SeatStatus.REMOTE, SeatStatus.REPLACED)
        ]

    def quorum_count(self) -> int:
        counted = {SeatStatus.PRESENT, SeatStatus.REPLACED}
        if self.rules.quorum_counts_remote:
            counted.add(SeatStatus.REMOTE)
        return sum(
            1
            for seat in self.seats.values()
            if seat.status in counted and not (seat.not_taking_part and self.rules.quorum_excludes_not_taking_part)
        )

    def quorum_required(self) -> int:
        if self.rules.quorum_rule not in ("half_physically_present", "absolute_majority_in_office"):
            raise LookupError(f"unknown quorum rule {self.rules.quorum_rule!r}")
        return len(self.seats) // 2 + 1

    def quorum_ok(self) -> bool:
        """The item may be put to the vote: quorum reached, or waived for a sitting reconvened without it."""
        presence = self.presence()
        return presence.quorum_reached or presence.quorum_waived

    def presence(self) -> Presence:
        grouped = self.by_status()
        names = {seat.person_id: seat.name for seat in self.seats.values()}
        present_count, required = self.quorum_count(), self.quorum_required()
        return Presence(
            in_office=len(self.seats),
            present=tuple(seat.name for seat in grouped[SeatStatus.PRESENT]),
            remote=tuple(seat.name for seat in grouped[SeatStatus.REMOTE]),
            represented=tuple((seat.name, names[seat.proxy_holder_id]) for seat in grouped[SeatStatus.REPRESENTED]),
            replaced=tuple((seat.name, seat.deputy_name or "") for seat in grouped[SeatStatus.REPLACED]),
            absent=tuple(seat.name for seat in grouped[SeatStatus.ABSENT]),
            quorum_required=required,
            quorum_present=present_count,
            quorum_reached=bool(self.seats) and present_count >= required,
            quorum_article=self.rules.quorum_article,
            quorum_waived=self.sitting.reconvened_from_id is not None,
        )

    def entitled_voters(self) -> dict[int, set[int]]:
        """voter id -> the persons who may cast that vote themselves (the voter, their proxy holder, or the
        deputy with an account). Not entitled: the absent, a member not taking part, and the giver whose
        holder is not here or does not take part (L2131-11: an interested member votes neither in their
        own name nor as a proxy holder)."""
        voters: dict[int, set[int]] = {}
        for seat in self.seats.values():
            if seat.not_taking_part:
                continue
            status = self._effective(seat)
            if status in HERE:
                voters[seat.person_id] = {seat.person_id}
            elif status == SeatStatus.REPLACED:
                voters[seat.person_id] = {seat.deputy_person_id} if seat.deputy_person_id else set()
            elif status == SeatStatus.REPRESENTED:
                holder = self.seats[seat.proxy_holder_id]
                if not holder.not_taking_part:
                    voters[seat.person_id] = {holder.person_id}
        return voters

    def name(self, person_id: int) -> str:
        seat = self.seats.get(person_id)
        return seat.name if seat else ""


def seats_at(item: AgendaItem | None, at: datetime | None = None, *, sitting: Sitting | None = None) -> Seats:
    """Each member in office's seat for ``item`` (or, without one, for the sitting now): the roll call, then
    every arrival and departure up to ``at`` (default: all of them), in the order they happened. A handful of
    statements whatever the size of the assembly."""
    sitting = sitting or item.sitting
    rules = tenant_rules(sitting.tenant)
    in_office = members_in_office(sitting)
    names = (
        dict(
            db.session.execute(
                sa.select(Person.id, Person.first_name + " " + Person.last_name).where(Person.id.in_(in_office))
            ).all()
        )
        if in_office
        else {}
    )
    entries = {
        entry.person_id: entry
        for entry in db.session.execute(
            sa.select(RollCallEntry).where(RollCallEntry.sitting_id == sitting.id)
        ).scalars()
    }
    not_voting = set()
    if item is not None:
        not_voting = set(
            db.session.execute(
                sa.select(NotTakingPart.person_id).where(
                    NotTakingPart.item_id == item.id, NotTakingPart.withdrawn_at.is_(None)
                )
            ).scalars()
        )
    state: dict[int, dict] = {}
    for person_id in in_office:
        entry = entries.get(person_id)
        if entry is None:
            state[person_id] = {"status": SeatStatus.ABSENT, "confirmed": False}
        else:
            state[person_id] = {
                "status": entry.status,
                "proxy_holder_id": entry.proxy_holder_id,
                "deputy_name": entry.deputy_name,
                "deputy_person_id": entry.deputy_person_id,
                "confirmed": entry.confirmed_at is not None,
            }
    for event in presence_events(sitting, at) if entries else []:
        seat = state.get(event.person_id)
        if seat is None:
            continue
        confirmed = seat["confirmed"]
        if event.kind == PresenceEventKind.ARRIVAL:
            seat.clear()
            seat["status"] = SeatStatus.REMOTE if event.remote else SeatStatus.PRESENT
        else:
            seat.clear()
            seat["status"] = SeatStatus.REPRESENTED if event.proxy_holder_id else SeatStatus.ABSENT
            seat["proxy_holder_id"] = event.proxy_holder_id
        seat["confirmed"] = confirmed
    seats = {
        person_id: Seat(
            person_id=person_id, name=names.get(person_id, ""), not_taking_part=person_id in not_voting, **values
        )
        for person_id, values in state.items()
    }
    return Seats(sitting=sitting, rules=rules, seats=seats)
