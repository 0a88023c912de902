"""Votes on the items of a sitting in progress, the result the law gives, frozen once, and closing the sitting.

Stable names (the screens and the acts build on them):

- ``current_item(sitting)``, ``set_current_item(sitting, item, *, actor)``
- ``presence_at(item) -> Presence``: the frozen snapshot of a decided item, else the live one
- ``quorum_refusal(item, seats=None) -> str | None``: why the item cannot be put to the vote for lack of quorum
- ``ballot_requests(item)``, ``request_ballot(item, person, kind, *, actor)``, ``ballot_type_of(item, seats=None)``
- ``declare_not_taking_part(item, person, *, actor, reason=None)``, ``withdraw_not_taking_part(item, person, *,
  actor)``: refused once the item is put to the vote
- entry modes: ``enter_totals(item, *, votes_for, votes_against, abstentions, blank=0, president_choice=None,
  actor)``; ``enter_named_votes(item, choices, *, actor)``; ``open_electronic_vote(item, *, actor)``,
  ``cast_ballot(item, *, voter, choice, actor, by_secretariat=False)``, ``not_voted_yet(item)``,
  ``tally(item) -> Tally``, ``close_electronic_vote(item, *, actor)``
- no vote: ``postpone_item(item, *, actor, reason)``, ``postpone_for_lack_of_quorum(item, *, actor)``,
  ``withdraw_at_sitting(item, *, actor, reason)``, ``take_note(item, *, actor)``
- ``vote_of(item)``, ``result_of(item) -> ItemResult | None``, ``outcome_of(item) -> ItemOutcome | None``
- ``items_lacking_quorum(sitting)``: the items postponed while the quorum was not reached (what a reconvened
  sitting may take up)
- ``close_sitting(sitting, *, actor, now=None)``
- ``live_state(sitting) -> dict``: what the screens poll, in a dozen statements

Every freeze writes one ``ItemResult`` (unique per item) and then sends
``saas.sittings.outcomes.item_decided.send(item, outcome=ItemOutcome)``. Operations flush and audit, never
commit. Refusals are French ``SittingError``: 409 (``StateConflict``) for where the sitting stands, 422 for input.
"""

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.identity.models import Mandate, MandateRole, Person
from saas.sittings import operations as sittings
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.operations import sitting_day
from saas.sittings.outcomes import (
    BALLOT_LABELS,
    BallotType,
    ItemOutcome,
    Outcome,
    Presence,
    item_decided,
    sitting_closed,
)
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.models import SeatStatus
from saas.sittings.roll_call.operations import RollCallError, Seats, StateConflict, seats_at
from saas.sittings.votes import results
from saas.sittings.votes.models import Ballot, BallotRequest, Choice, ItemResult, ItemVote, VoteMode, VoteState

#: in a named entry, a member declared at the sitting not taking part
NOT_TAKING_PART = "not_taking_part"


class VoteRefused(StateConflict):
    """The vote cannot happen or the ballot cannot count (409): quorum, closed vote, second ballot."""


class VoteInputError(RollCallError):
    """What was entered does not hold (422): totals above the voters, an unknown voter."""


def _actor_id(actor: Person | None) -> int | None:
    return actor.id if actor else None


# --- reading ---------------------------------------------------------------------------------------------------


def vote_of(item: AgendaItem, *, lock: bool = False) -> ItemVote | None:
    query = sa.select(ItemVote).where(ItemVote.item_id == item.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one_or_none()


def result_of(item: AgendaItem) -> ItemResult | None:
    return db.session.execute(sa.select(ItemResult).where(ItemResult.item_id == item.id)).scalar_one_or_none()


def _presence_of(data: dict) -> Presence:
    values = dict(data)
    for name in ("present", "remote", "absent"):
        values[name] = tuple(values.get(name, ()))
    for name in ("represented", "replaced"):
        values[name] = tuple(tuple(pair) for pair in values.get(name, ()))
    return Presence(**values)


def _outcome(row: ItemResult) -> ItemOutcome:
    return ItemOutcome(
        item_id=row.item_id,
        outcome=row.outcome,
        ballot_type=row.ballot_type,
        votes_for=row.votes_for,
        votes_against=row.votes_against,
        abstentions=row.abstentions,
        blank=row.blank,
        not_taking_part=tuple(row.not_taking_part or ()),
        names_against=tuple(row.names_against or ()),
        names_abstaining=tuple(row.names_abstaining or ()),
        casting_vote=row.casting_vote,
        presence=_presence_of(row.presence),
        decided_at=row.decided_at,
        reason=row.reason,
    )


def outcome_of(item: AgendaItem) -> ItemOutcome | None:
    """The frozen outcome of the item, as the acts read it (None while undecided)."""
    row = result_of(item)
    return _outcome(row) if row is not None else None


def items_lacking_quorum(sitting: Sitting) -> list[AgendaItem]:
    """The items of ``sitting`` postponed while the quorum was not reached for them, in agenda order: read
    from the presence frozen with the result, not from the reason's words (with the quorum lacking the item
    could not be put to the vote, whatever the reason typed)."""
    rows = db.session.execute(
        sa.select(AgendaItem, ItemResult)
        .join(ItemResult, ItemResult.item_id == AgendaItem.id)
        .where(ItemResult.sitting_id == sitting.id, ItemResult.outcome == Outcome.POSTPONED)
        .order_by(AgendaItem.position)
    ).all()
    return [item for item, row in rows if not (row.presence.get("quorum_reached") or row.presence.get("quorum_waived"))]


def presence_at(item: AgendaItem) -> Presence:
    """Who was there for the item: frozen with its result once decided, live before."""
    row = result_of(item)
    if row is not None:
        return _presence_of(row.presence)
    return seats_at(item).presence()


def current_item(sitting: Sitting) -> AgendaItem | None:
    state = roll_call.floor(sitting)
    return db.session.get(AgendaItem, state.current_item_id) if state and state.current_item_id else None


def _president_id(sitting: Sitting) -> int | None:
    return db.session.execute(
        sa.select(Mandate.person_id)
        .where(
            Mandate.tenant_id == sitting.tenant_id,
            Mandate.assembly_id == sitting.assembly_id,
            Mandate.role == MandateRole.PRESIDENT,
            Mandate.in_office_on(sitting_day(sitting)),
        )
        .order_by(Mandate.id)
        .limit(1)
    ).scalar_one_or_none()


# --- guards ----------------------------------------------------------------------------------------------------


def _require_undecided(item: AgendaItem, action: str) -> None:
    roll_call.require_in_progress(item.sitting, action)
    if item.withdrawn_at is not None:
        raise VoteRefused("Ce point a été retiré de l'ordre du jour.")
    if result_of(item) is not None:
        raise VoteRefused("Ce point est déjà réglé : son résultat est arrêté et ne change plus.")


def _require_current(item: AgendaItem, action: str) -> None:
    _require_undecided(item, action)
    current = current_item(item.sitting)
    if current is None or current.id != item.id:
        raise VoteRefused(f"Impossible de {action} : ce point n'est pas celui en discussion.")


def quorum_refusal(item: AgendaItem, seats: Seats | None = None) -> str | None:
    """Why the item may not be put to the vote for lack of quorum; None when it may."""
    seats = seats or seats_at(item)
    presence = seats.presence()
    if presence.quorum_reached or presence.quorum_waived:
        return None
    return (
        f"Le quorum n'est pas atteint pour ce point (article {presence.quorum_article} du CGCT) : "
        f"{presence.quorum_present} membre(s) présent(s) compté(s) sur {presence.in_office} en exercice, il en faut "
        f"{presence.quorum_required}. Le point ne peut pas être mis aux voix ; il peut être reporté faute de quorum "
        "et l'assemblée convoquée à nouveau."
    )


def _require_votable(item: AgendaItem, action: str) -> Seats:
    _require_current(item, action)
    if not roll_call.roll_call_complete(item.sitting):
        raise VoteRefused("L'appel n'est pas terminé : confirmez la présence de chaque membre avant le vote.")
    if vote_of(item) is not None:
        raise VoteRefused("Un vote a déjà été engagé sur ce point.")
    seats = seats_at(item)
    refusal = quorum_refusal(item, seats)
    if refusal is not None:
        raise VoteRefused(refusal)
    return seats


def _start_vote(item: AgendaItem, ballot_type: BallotType, mode: VoteMode, state: VoteState, actor) -> ItemVote:
    vote = ItemVote(
        tenant_id=item.tenant_id,
        item_id=item.id,
        sitting_id=item.sitting_id,
        ballot_type=ballot_type,
        mode=mode,
        state=state,
        opened_by_id=_actor_id(actor),
    )
    try:
        with db.session.begin_nested():
            db.session.add(vote)
            db.session.flush()
    except IntegrityError:
        raise VoteRefused("Un vote a déjà été engagé sur ce point.") from None
    roll_call.lock_roll_call(item.sitting)
    return vote


# --- the floor -------------------------------------------------------------------------------------------------


def set_current_item(sitting: Sitting, item: AgendaItem | None, *, actor: Person | None):
    """Put an undecided item of the agenda on the floor; not while a vote is open."""
    roll_call.require_in_progress(sitting, "changer de point")
    open_vote = db.session.execute(
        sa.select(ItemVote.id).where(ItemVote.sitting_id == sitting.id, ItemVote.state == VoteState.OPEN)
    ).first()
    if open_vote is not None:
        raise VoteRefused("Un vote est ouvert : il doit être clos avant de passer à un autre point.")
    if item is not None:
        if item.sitting_id != sitting.id or item.withdrawn_at is not None:
            raise VoteInputError("Choisissez un point de l'ordre du jour de cette séance.", field="item_id")
        if result_of(item) is not None:
            raise VoteRefused("Ce point est déjà réglé : son résultat est arrêté.")
    return roll_call.move_floor(sitting, item, actor=actor)


# --- ballot type -----------------------------------------------------------------------------------------------


def ballot_requests(item: AgendaItem) -> list[BallotRequest]:
    return list(
        db.session.execute(
            sa.select(BallotRequest).where(BallotRequest.item_id == item.id).order_by(BallotRequest.id)
        ).scalars()
    )


def ballot_type_of(item: AgendaItem, seats: Seats | None = None) -> BallotType:
    """The ballot the item gets now: frozen with its vote once one started, else from the law and the requests
    of members present (a request of a member who left no longer counts)."""
    vote = vote_of(item)
    if vote is not None:
        return vote.ballot_type
    seats = seats or seats_at(item)
    present = {seat.person_id for seat in seats.members_present()}
    requests = [request for request in ballot_requests(item) if request.person_id in present]
    return results.ballot_type_for(
        seats.rules,
        appointment=item.appointment,
        present=len(present),
        named_requests=sum(1 for request in requests if request.kind == BallotType.NAMED),
        secret_requests=sum(1 for request in requests if request.kind == BallotType.SECRET),
    )


def request_ballot(item: AgendaItem, person: Person, kind: BallotType, *, actor: Person | None) -> BallotRequest:
    """Record that a member present asks for a named public or a secret ballot (L2121-21); idempotent."""
    kind = BallotType(kind)
    _require_undecided(item, "demander un mode de scrutin")
    if vote_of(item) is not None:
        raise VoteRefused("Le vote sur ce point est engagé : le mode de scrutin ne peut plus être demandé.")
    seats = seats_at(item)
    rules = seats.rules
    if kind == BallotType.SHOW_OF_HANDS:
        raise VoteInputError("Le vote à main levée est la règle : il n'a pas à être demandé.", field="kind")
    if kind == BallotType.SECRET and rules.secret_ballot_divisor is None:
        raise VoteInputError(
            f"Dans cette assemblée, le scrutin secret ne se demande pas : il est de droit pour les nominations "
            f"(article {rules.ballot_article} du CGCT).",
            field="kind",
        )
    if person.id not in {seat.person_id for seat in seats.members_present()}:
        raise VoteInputError(
            f"Seuls les membres présents demandent un mode de scrutin (article {rules.ballot_article} du CGCT).",
            field="person_id",
        )
    existing = db.session.execute(
        sa.select(BallotRequest).where(
            BallotRequest.item_id == item.id, BallotRequest.person_id == person.id, BallotRequest.kind == kind
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    request = BallotRequest(
        tenant_id=item.tenant_id, item_id=item.id, person_id=person.id, kind=kind, recorded_by_id=_actor_id(actor)
    )
    try:
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # the same request recorded at the same moment: it stands once
        return db.session.execute(
            sa.select(BallotRequest).where(
                BallotRequest.item_id == item.id, BallotRequest.person_id == person.id, BallotRequest.kind == kind
            )
        ).scalar_one()
    record(
        "vote.ballot_requested",
        tenant_id=item.tenant_id,
        actor_id=_actor_id(actor),
        obj=item,
        data={"person_id": person.id, "kind": kind.value},
    )
    return request


# --- not taking part -------------------------------------------------------------------------------------------


def _before_the_vote(item: AgendaItem) -> None:
    if item.withdrawn_at is not None:
        raise VoteRefused("Ce point a été retiré de l'ordre du jour.")
    if vote_of(item) is not None or result_of(item) is not None:
        raise VoteRefused("Le vote sur ce point est engagé ou réglé : la déclaration ne peut plus changer.")


def declare_not_taking_part(item: AgendaItem, person: Person, *, actor: Person | None, reason: str | None = None):
    """``person`` takes no part in the item's vote (L2131-11), declared in advance or at the sitting."""
    _before_the_vote(item)
    return roll_call.declare_not_taking_part(item, person, actor=actor, reason=reason)


def withdraw_not_taking_part(item: AgendaItem, person: Person, *, actor: Person | None) -> None:
    _before_the_vote(item)
    roll_call.withdraw_not_taking_part(item, person, actor=actor)


# --- freezing --------------------------------------------------------------------------------------------------


def _freeze(
    item: AgendaItem,
    outcome: Outcome,
    seats: Seats,
    *,
    actor: Person | None,
    vote: ItemVote | None = None,
    counts: tuple[int, int, int, int] = (0, 0, 0, 0),
    names_against: list[str] = (),
    names_abstaining: list[str] = (),
    casting_vote: bool = False,
    entitled: list[dict] = (),
    reason: str | None = None,
) -> ItemOutcome:
    presence = seats.presence()
    votes_for, votes_against, abstentions, blank = counts
    row = ItemResult(
        tenant_id=item.tenant_id,
        item_id=item.id,
        sitting_id=item.sitting_id,
        outcome=outcome,
        ballot_type=vote.ballot_type if vote else None,
        mode=vote.mode if vote else None,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        blank=blank,
        not_taking_part=sorted(seat.name for seat in seats.seats.values() if seat.not_taking_part),
        names_against=sorted(names_against),
        names_abstaining=sorted(names_abstaining),
        casting_vote=casting_vote,
        presence=dataclasses.asdict(presence),
        entitled=list(entitled),
        reason=reason,
        decided_by_id=_actor_id(actor),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise VoteRefused("Ce point est déjà réglé : son résultat est arrêté et ne change plus.") from None
    record(
        "vote.result_frozen",
        tenant_id=item.tenant_id,
        actor_id=_actor_id(actor),
        obj=item,
        data={
            "outcome": outcome.value,
            "ballot_type": row.ballot_type.value if row.ballot_type else None,
            "mode": row.mode.value if row.mode else None,
            "counts": [votes_for, votes_against, abstentions, blank],
            "casting_vote": casting_vote,
            "reason": reason,
        },
    )
    frozen = _outcome(row)
    item_decided.send(item, outcome=frozen)
    return frozen


def _entitled(seats: Seats, voters: dict[int, set[int]], voted: set[int]) -> list[dict]:
    ids = sorted(set(voters) | voted, key=lambda voter_id: (seats.name(voter_id), voter_id))
    return [{"voter_id": voter_id, "name": seats.name(voter_id), "voted": voter_id in voted} for voter_id in ids]


def _decide_and_freeze(
    item, vote, seats, voters, ballots: dict[int, Choice | None], counts, *, actor, president_choice
):
    votes_for, votes_against = counts[0], counts[1]
    outcome, casting = results.decide(seats.rules, vote.ballot_type, votes_for, votes_against, president_choice)
    named = vote.ballot_type == BallotType.NAMED
    return _freeze(
        item,
        outcome,
        seats,
        actor=actor,
        vote=vote,
        counts=counts,
        names_against=[seats.name(v) for v, c in ballots.items() if c == Choice.AGAINST] if named else [],
        names_abstaining=[seats.name(v) for v, c in ballots.items() if c == Choice.ABSTENTION] if named else [],
        casting_vote=casting,
        entitled=_entitled(seats, voters, set(ballots)),
    )


# --- entry by totals -------------------------------------------------------------------------------------------


def _count(value, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise VoteInputError(f"{label} doit être un nombre entier positif ou nul.")
    return value


def enter_totals(
    item: AgendaItem,
    *,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    blank: int = 0,
    president_choice: Choice | str | None = None,
    actor: Person | None,
) -> ItemOutcome:
    """The secretariat enters the counts (a show of hands counted in the room, or a paper secret ballot)."""
    seats = _require_votable(item, "saisir le résultat")
    ballot_type = ballot_type_of(item, seats)
    counts = (
        _count(votes_for, "Le nombre de voix pour"),
        _count(votes_against, "Le nombre de voix contre"),
        _count(abstentions, "Le nombre d'abstentions"),
        _count(blank, "Le nombre de bulletins blancs"),
    )
    if counts[3] and ballot_type != BallotType.SECRET:
        raise VoteInputError("Les bulletins blancs n'existent qu'au scrutin secret.", field="blank")
    voters = seats.entitled_voters()
    if sum(counts) > len(voters):
        raise VoteInputError(
            f"Le total des voix ({sum(counts)}) dépasse le nombre de votants possibles ({len(voters)} : membres "
            "présents et pouvoirs, hors ceux qui ne prennent pas part au vote).",
            field="votes_for",
        )
    choice = Choice(president_choice) if president_choice else None
    if results.needs_casting_vote(seats.rules, ballot_type, counts[0], counts[1]) and choice not in (
        Choice.FOR,
        Choice.AGAINST,
    ):
        raise VoteInputError(
            f"Partage égal des voix : la voix du président est prépondérante (article {seats.rules.majority_article} "
            "du CGCT). Indiquez s'il a voté pour ou contre.",
            field="president_choice",
        )
    outcome, casting = results.decide(seats.rules, ballot_type, counts[0], counts[1], choice)
    vote = _start_vote(item, ballot_type, VoteMode.TOTALS, VoteState.CLOSED, actor)
    vote.closed_at, vote.closed_by_id = utcnow(), _actor_id(actor)
    db.session.flush()
    return _freeze(
        item,
        outcome,
        seats,
        actor=actor,
        vote=vote,
        counts=counts,
        casting_vote=casting,
        entitled=_entitled(seats, voters, set()),
    )


# --- named entry -----------------------------------------------------------------------------------------------


def enter_named_votes(item: AgendaItem, choices: dict[int, str], *, actor: Person | None) -> ItemOutcome:
    """The secretariat enters each voter's choice by name (pour, contre, abstention, ne prend pas part); a voter
    left out did not vote. Not for a secret ballot."""
    seats = _require_votable(item, "saisir les votes")
    ballot_type = ballot_type_of(item, seats)
    if ballot_type == BallotType.SECRET:
        raise VoteRefused(
            "Ce point est voté au scrutin secret : saisissez les totaux ou ouvrez le vote électronique, jamais "
            "les votes par nom."
        )
    for voter_id, value in choices.items():
        if value not in {*(c.value for c in Choice if c != Choice.BLANK), NOT_TAKING_PART}:
            raise VoteInputError(f"Choix inconnu pour le votant n° {voter_id} : pour, contre, abstention ou "
                                 "ne prend pas part.")  # fmt: skip
        if voter_id not in seats.seats:
            raise VoteInputError("Chaque votant doit être un membre en exercice de cette assemblée.", field="choices")
    for voter_id, value in choices.items():
        if value == NOT_TAKING_PART:
            roll_call.declare_not_taking_part(item, db.session.get(Person, voter_id), actor=actor)
    if any(value == NOT_TAKING_PART for value in choices.values()):
        seats = seats_at(item)
    voters = seats.entitled_voters()
    ballots: dict[int, Choice] = {}
    for voter_id, value in choices.items():
        if value == NOT_TAKING_PART:
            continue
        if voter_id not in voters:
            raise VoteInputError(
                f"{seats.name(voter_id)} n'est pas appelé à voter sur ce point (absent, non représenté, ou ne "
                "prenant pas part au vote).",
                field="choices",
            )
        ballots[voter_id] = Choice(value)
    vote = _start_vote(item, ballot_type, VoteMode.NAMED, VoteState.CLOSED, actor)
    vote.closed_at, vote.closed_by_id = utcnow(), _actor_id(actor)
    for voter_id, choice in ballots.items():
        db.session.add(
            Ballot(
                tenant_id=item.tenant_id, vote_id=vote.id, voter_id=voter_id, cast_by_id=_actor_id(actor), choice=choice
            )
        )
    db.session.flush()
    counts = tuple(sum(1 for c in ballots.values() if c == wanted) for wanted in Choice)
    return _decide_and_freeze(
        item,
        vote,
        seats,
        voters,
        ballots,
        counts,
        actor=actor,
        president_choice=ballots.get(_president_id(item.sitting)),
    )


# --- electronic vote -------------------------------------------------------------------------------------------


def open_electronic_vote(item: AgendaItem, *, actor: Person | None) -> ItemVote:
    """Open the vote from the members' devices: only with quorum, on the item on the floor."""
    seats = _require_votable(item, "ouvrir le vote")
    vote = _start_vote(item, ballot_type_of(item, seats), VoteMode.ELECTRONIC, VoteState.OPEN, actor)
    record(
        "vote.opened",
        tenant_id=item.tenant_id,
        actor_id=_actor_id(actor),
        obj=item,
        data={"vote_id": vote.id, "ballot_type": vote.ballot_type.value},
    )
    return vote


def _open_vote_locked(item: AgendaItem) -> ItemVote:
    vote = vote_of(item, lock=True)
    if vote is None or vote.mode != VoteMode.ELECTRONIC:
        raise VoteRefused("Le vote électronique n'est pas ouvert sur ce point.")
    if vote.state != VoteState.OPEN:
        raise VoteRefused("Le vote est clos : ce bulletin n'est pas enregistré.")
    return vote


def cast_ballot(
    item: AgendaItem,
    *,
    voter: Person,
    choice: Choice | str,
    actor: Person,
    by_secretariat: bool = False,
) -> Ballot:
    """One ballot for ``voter``: cast by the voter, by the colleague holding their proxy, or (``by_secretariat``,
    for a member without a device or a deputy) by the secretariat. One per voter, refused after closing."""
    try:
        choice = Choice(choice)
    except ValueError:
        raise VoteInputError("Choix inconnu : pour, contre ou abstention.", field="choice") from None
    vote = _open_vote_locked(item)
    if choice == Choice.BLANK and vote.ballot_type != BallotType.SECRET:
        raise VoteInputError("Le bulletin blanc n'existe qu'au scrutin secret.", field="choice")
    seats = seats_at(item)
    voters = seats.entitled_voters()
    seat = seats.seats.get(voter.id)
    if seat is not None and seat.not_taking_part:
        raise VoteRefused(
            f"{seat.name} ne prend pas part au vote sur ce point (article L2131-11 du CGCT) : ni en son nom, ni "
            "comme porteur d'un pouvoir."
        )
    if seat is not None and seat.status == SeatStatus.REPRESENTED and voter.id == actor.id and not by_secretariat:
        holder = seats.name(seat.proxy_holder_id)
        raise VoteRefused(f"Vous avez donné pouvoir à {holder} : c'est à lui de voter pour vous.")
    if voter.id not in voters:
        raise VoteRefused(f"{seats.name(voter.id) or 'Ce votant'} n'est pas appelé à voter sur ce point.")
    if by_secretariat:
        if not roll_call.may_chair(actor, item.sitting):
            raise VoteRefused("Seul le secrétariat ou le président enregistre le vote d'un autre membre.")
    elif actor.id not in voters[voter.id]:
        raise VoteRefused(f"Vous ne portez pas le pouvoir de {seats.name(voter.id)} pour ce vote.")
    already = db.session.execute(
        sa.select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.voter_id == voter.id)
    ).first()
    message = f"Le vote de {seats.name(voter.id)} est déjà enregistré : un seul bulletin par votant."
    if already is not None:
        raise VoteRefused(message)
    secret = vote.ballot_type == BallotType.SECRET
    ballot = Ballot(
        tenant_id=item.tenant_id,
        vote_id=vote.id,
        voter_id=voter.id,
        cast_by_id=actor.id,
        choice=None if secret else choice,
    )
    try:
        with db.session.begin_nested():
            db.session.add(ballot)
            db.session.flush()
    except IntegrityError:
        raise VoteRefused(message) from None
    if secret:
        counter = {
            Choice.FOR: "secret_for",
            Choice.AGAINST: "secret_against",
            Choice.ABSTENTION: "secret_abstentions",
            Choice.BLANK: "secret_blank",
        }[choice]
        db.session.execute(
            sa.update(ItemVote).where(ItemVote.id == vote.id).values({counter: getattr(ItemVote, counter) + 1})
        )
    record(
        "vote.ballot_cast",
        tenant_id=item.tenant_id,
        actor_id=actor.id,
        obj=item,
        data={"vote_id": vote.id, "voter_id": voter.id, **({} if secret else {"choice": choice.value})},
    )
    return ballot


def _ballots(vote: ItemVote) -> dict[int, Choice | None]:
    return dict(db.session.execute(sa.select(Ballot.voter_id, Ballot.choice).where(Ballot.vote_id == vote.id)).all())


def not_voted_yet(item: AgendaItem) -> list[dict]:
    """Entitled voters without a ballot yet, by name, with who may cast it: [{voter_id, name, cast_by}]."""
    vote = vote_of(item)
    seats = seats_at(item)
    voters = seats.entitled_voters()
    voted = set(_ballots(vote)) if vote is not None else set()
    return [
        {
            "voter_id": voter_id,
            "name": seats.name(voter_id),
            "cast_by": sorted(seats.name(person_id) for person_id in casters if person_id in seats.seats),
        }
        for voter_id, casters in sorted(voters.items(), key=lambda pair: (seats.name(pair[0]), pair[0]))
        if voter_id not in voted
    ]


@dataclasses.dataclass(frozen=True)
class Tally:
    state: str | None
    mode: str | None
    ballot_type: str
    entitled: int
    voted: int
    #: counts per choice while open: empty for a secret ballot until its result is frozen
    counts: dict[str, int]


def tally(item: AgendaItem, seats: Seats | None = None) -> Tally:
    """Live progress of the vote: how many voted, and the counts except in a secret ballot."""
    vote = vote_of(item)
    seats = seats or seats_at(item)
    if vote is None:
        return Tally(None, None, ballot_type_of(item, seats).value, len(seats.entitled_voters()), 0, {})
    ballots = _ballots(vote)
    counts = {}
    if vote.ballot_type != BallotType.SECRET:
        counts = {choice.value: sum(1 for c in ballots.values() if c == choice) for choice in Choice}
        counts.pop(Choice.BLANK.value)
    entitled = len(set(seats.entitled_voters()) | set(ballots)) if vote.state == VoteState.OPEN else None
    row = result_of(item) if vote.state == VoteState.CLOSED else None
    if row is not None:
        entitled = len(row.entitled)
        counts = {"for": row.votes_for, "against": row.votes_against, "abstention": row.abstentions}
        if vote.ballot_type == BallotType.SECRET:
            counts["blank"] = row.blank
    return Tally(vote.state.value, vote.mode.value, vote.ballot_type.value, entitled or 0, len(ballots), counts)


def close_electronic_vote(item: AgendaItem, *, actor: Person | None) -> ItemOutcome:
    """Close the vote (the president, or the secretariat): the entitled voters are frozen with the result."""
    vote = vote_of(item, lock=True)
    if vote is None or vote.mode != VoteMode.ELECTRONIC:
        raise VoteRefused("Le vote électronique n'est pas ouvert sur ce point.")
    if vote.state != VoteState.OPEN:
        raise VoteRefused("Le vote est déjà clos.")
    vote.state, vote.closed_at, vote.closed_by_id = VoteState.CLOSED, utcnow(), _actor_id(actor)
    db.session.flush()
    db.session.refresh(vote)
    seats = seats_at(item)
    voters = seats.entitled_voters()
    ballots = _ballots(vote)
    if vote.ballot_type == BallotType.SECRET:
        counts = (vote.secret_for, vote.secret_against, vote.secret_abstentions, vote.secret_blank)
        president_choice = None
    else:
        counts = tuple(sum(1 for c in ballots.values() if c == wanted) for wanted in Choice)
        president_choice = ballots.get(_president_id(item.sitting))
    record("vote.closed", tenant_id=item.tenant_id, actor_id=_actor_id(actor), obj=item, data={"vote_id": vote.id})
    return _decide_and_freeze(
        item, vote, seats, voters, ballots, counts, actor=actor, president_choice=president_choice
    )


# --- no vote ---------------------------------------------------------------------------------------------------


def _no_vote_yet(item: AgendaItem) -> None:
    vote = vote_of(item)
    if vote is not None and vote.state == VoteState.OPEN:
        raise VoteRefused("Un vote est ouvert sur ce point : il doit d'abord être clos.")


def _reason(reason: str | None, required: bool = True) -> str | None:
    reason = (reason or "").strip() or None
    if reason is None and required:
        raise VoteInputError("Indiquez le motif.", field="reason")
    if reason is not None and len(reason) > 2000:
        raise VoteInputError("Le motif ne peut dépasser 2 000 caractères.", field="reason")
    return reason


def postpone_item(item: AgendaItem, *, actor: Person | None, reason: str | None) -> ItemOutcome:
    """The assembly postpones the item (ajourné) to a later sitting."""
    _require_undecided(item, "reporter le point")
    _no_vote_yet(item)
    return _freeze(item, Outcome.POSTPONED, seats_at(item), actor=actor, reason=_reason(reason))


def postpone_for_lack_of_quorum(item: AgendaItem, *, actor: Person | None) -> ItemOutcome:
    """Postpone the item because the quorum is not reached: the assembly can then be convened again and
    deliberate without quorum (the reconvened sitting, ``Sitting.reconvened_from_id``)."""
    _require_undecided(item, "reporter le point")
    _no_vote_yet(item)
    seats = seats_at(item)
    presence = seats.presence()
    if presence.quorum_reached or presence.quorum_waived:
        raise VoteRefused("Le quorum est atteint pour ce point : il ne peut pas être reporté faute de quorum.")
    reason = f"quorum non atteint (article {presence.quorum_article} du CGCT)"
    return _freeze(item, Outcome.POSTPONED, seats, actor=actor, reason=reason)


def withdraw_at_sitting(item: AgendaItem, *, actor: Person | None, reason: str | None) -> ItemOutcome:
    """The item is withdrawn at the sitting: it keeps its number on the agenda, with no vote."""
    _require_undecided(item, "retirer le point")
    _no_vote_yet(item)
    return _freeze(item, Outcome.WITHDRAWN, seats_at(item), actor=actor, reason=_reason(reason))


def take_note(item: AgendaItem, *, actor: Person | None) -> ItemOutcome:
    """The assembly takes note (prend acte) of a communication on the floor: no vote."""
    _require_current(item, "prendre acte")
    _no_vote_yet(item)
    if vote_of(item) is not None:
        raise VoteRefused("Un vote a été engagé sur ce point : l'assemblée ne peut plus seulement en prendre acte.")
    return _freeze(item, Outcome.NOTED, seats_at(item), actor=actor)


# --- closing the sitting ---------------------------------------------------------------------------------------


def close_sitting(sitting: Sitting, *, actor: Person, now: datetime | None = None) -> Sitting:
    """Close the sitting (its president or secretariat); refused while a vote is open."""
    now = now or utcnow()
    roll_call.require_in_progress(sitting, "clore la séance")
    if not roll_call.may_chair(actor, sitting):
        raise RollCallError("Seul le président de l'assemblée ou le secrétariat peut clore la séance.")
    open_vote = db.session.execute(
        sa.select(ItemVote.id).where(ItemVote.sitting_id == sitting.id, ItemVote.state == VoteState.OPEN)
    ).first()
    if open_vote is not None:
        raise VoteRefused("Un vote est ouvert : il doit être clos avant la clôture de la séance.")
    sitting.closed_at = now
    sittings.set_status(sitting, SittingStatus.CLOSED, actor=actor, at=now)
    state = roll_call.floor(sitting)
    if state is not None:
        state.current_item_id, state.updated_at = None, now
    db.session.flush()
    record("sitting.closed", tenant_id=sitting.tenant_id, actor_id=actor.id, obj=sitting, data={"at": now.isoformat()})
    sitting_closed.send(sitting)
    return sitting


# --- live state ------------------------------------------------------------------------------------------------


def live_state(sitting: Sitting) -> dict:
    """The sitting as the screens show it: status, the item on the floor, presence and quorum for it, the vote's
    progress (nothing of the choices in a secret ballot while open) and its result once frozen."""
    state = roll_call.floor(sitting)
    item = db.session.get(AgendaItem, state.current_item_id) if state and state.current_item_id else None
    answer = {
        "sitting_id": sitting.id,
        "status": sitting.status.value,
        "opened_at": sitting.opened_at,
        "closed_at": sitting.closed_at,
        "secretary_id": sitting.secretary_id,
        "roll_call_locked": bool(state and state.roll_call_locked_at),
        "item": None,
        "presence": None,
        "quorum": None,
        "vote": None,
        "result": None,
    }
    if sitting.status not in (SittingStatus.IN_PROGRESS, SittingStatus.CLOSED):
        return answer
    seats = seats_at(item, sitting=sitting)
    row = result_of(item) if item is not None else None
    presence = _presence_of(row.presence) if row is not None else seats.presence()
    answer["presence"] = {
        "in_office": presence.in_office,
        "present": len(presence.present),
        "remote": len(presence.remote),
        "represented": len(presence.represented),
        "replaced": len(presence.replaced),
        "absent": len(presence.absent),
    }
    answer["quorum"] = {
        "required": presence.quorum_required,
        "present": presence.quorum_present,
        "reached": presence.quorum_reached,
        "waived": presence.quorum_waived,
        "article": presence.quorum_article,
    }
    if item is None:
        return answer
    answer["item"] = {
        "id": item.id,
        "position": item.position,
        "title": item.title,
        "appointment": item.appointment,
        "confidential": item.confidential,
    }
    answer["vote"] = dataclasses.asdict(tally(item, seats))
    answer["vote"]["ballot_label"] = BALLOT_LABELS[BallotType(answer["vote"]["ballot_type"])]
    if row is not None:
        answer["result"] = result_view(row)
    return answer


def result_view(row: ItemResult) -> dict:
    """The frozen result as the API and the screens show it."""
    outcome = _outcome(row)
    return {
        "item_id": row.item_id,
        "outcome": row.outcome.value,
        "ballot_type": row.ballot_type.value if row.ballot_type else None,
        "mode": row.mode.value if row.mode else None,
        "votes_for": row.votes_for,
        "votes_against": row.votes_against,
        "abstentions": row.abstentions,
        "blank": row.blank,
        "votes_cast": outcome.votes_cast,
        "unanimous": outcome.unanimous,
        "not_taking_part": list(outcome.not_taking_part),
        "names_against": list(outcome.names_against),
        "names_abstaining": list(outcome.names_abstaining),
        "casting_vote": row.casting_vote,
        "presence": row.presence,
        "entitled": row.entitled,
        "reason": row.reason,
        "decided_at": row.decided_at,
    }
