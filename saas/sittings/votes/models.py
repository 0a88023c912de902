"""Votes on the items: ballot type requests, the vote of an item, ballots, and the frozen result.

A secret ballot keeps no link between a voter and their choice: its ballot rows say only who voted
(``choice`` is empty) and the counts are kept on the vote itself. A frozen result (``ItemResult``) is
written once and never changes; the acts read it (``saas.sittings.votes.operations.outcome_of``).
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, TenantOwned, utcnow
from saas.sittings.models import AgendaItem
from saas.sittings.outcomes import BallotType, Outcome
from saas.tenancy.models import enum_column


class VoteMode(enum.StrEnum):
    #: the secretariat enters the totals (show of hands counted in the room)
    TOTALS = "totals"
    #: the secretariat enters each member's vote by name
    NAMED = "named"
    #: each member votes from their own device
    ELECTRONIC = "electronic"


class VoteState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Choice(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTENTION = "abstention"
    #: a blank ballot: only in a secret ballot
    BLANK = "blank"


CHOICE_LABELS = {Choice.FOR: "pour", Choice.AGAINST: "contre", Choice.ABSTENTION: "abstention", Choice.BLANK: "blanc"}


class BallotRequest(TenantOwned, Base):
    """A member present asks for a named public ballot or a secret ballot on an item (L2121-21)."""

    __tablename__ = "ballot_request"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "person_id", "kind"),
        sa.CheckConstraint("kind <> 'show_of_hands'", name="asks_named_or_secret"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"), index=True)
    #: the member who asks
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    kind: Mapped[BallotType] = enum_column(BallotType)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: who recorded it: the member, or the secretariat
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))


class ItemVote(TenantOwned, Base):
    """The vote on an item: its ballot type and entry mode; an electronic vote is open, then closed."""

    __tablename__ = "item_vote"
    __table_args__ = (
        sa.CheckConstraint(
            "secret_for >= 0 AND secret_against >= 0 AND secret_abstentions >= 0 AND secret_blank >= 0",
            name="secret_counts_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"), unique=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    ballot_type: Mapped[BallotType] = enum_column(BallotType)
    mode: Mapped[VoteMode] = enum_column(VoteMode)
    state: Mapped[VoteState] = enum_column(VoteState)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: the counts of a secret ballot (its ballots keep no choice)
    secret_for: Mapped[int] = mapped_column(default=0)
    secret_against: Mapped[int] = mapped_column(default=0)
    secret_abstentions: Mapped[int] = mapped_column(default=0)
    secret_blank: Mapped[int] = mapped_column(default=0)

    item: Mapped[AgendaItem] = relationship()


class Ballot(TenantOwned, Base):
    """One voter's ballot: at most one per voter and vote (the unique constraint holds under concurrency)."""

    __tablename__ = "ballot"
    __table_args__ = (sa.UniqueConstraint("vote_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("item_vote.id"))
    #: whose vote it is: the member, or the giver of the proxy the caster holds
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    #: who cast it: the voter, their proxy holder, or the secretariat
    cast_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    #: the choice; always empty in a secret ballot
    choice: Mapped[Choice | None] = enum_column(Choice, nullable=True)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemResult(TenantOwned, Base):
    """The frozen result of an item: written once, never changed (what ``ItemOutcome`` is read from)."""

    __tablename__ = "item_result"
    __table_args__ = (
        sa.CheckConstraint(
            "votes_for >= 0 AND votes_against >= 0 AND abstentions >= 0 AND blank >= 0", name="counts_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"), unique=True)
    sitting_id: Mapped[int] = mapped_column(sa.ForeignKey("sitting.id"), index=True)
    outcome: Mapped[Outcome] = enum_column(Outcome)
    #: empty when there was no vote (postponed, withdrawn, noted)
    ballot_type: Mapped[BallotType | None] = enum_column(BallotType, nullable=True)
    mode: Mapped[VoteMode | None] = enum_column(VoteMode, nullable=True)
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    abstentions: Mapped[int] = mapped_column(default=0)
    blank: Mapped[int] = mapped_column(default=0)
    #: names of the members who did not take part in the vote
    not_taking_part: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: named ballot only: names of those against and of those abstaining
    names_against: Mapped[list] = mapped_column(sa.JSON, default=list)
    names_abstaining: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: the president's vote decided a tie
    casting_vote: Mapped[bool] = mapped_column(default=False)
    #: who was there (``saas.sittings.outcomes.Presence`` as a dict)
    presence: Mapped[dict] = mapped_column(sa.JSON)
    #: the entitled voters when the vote closed: [{"voter_id", "name", "voted"}]
    entitled: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: why the item was postponed or withdrawn
    reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    item: Mapped[AgendaItem] = relationship()
