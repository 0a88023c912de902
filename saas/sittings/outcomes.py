"""What the sitting decided on an item, as the acts read it: who was there and how the vote went.

The votes (``saas.sittings.votes``) freeze an ``ItemOutcome`` when an item's result is known and send
``item_decided``; the acts (deliberations, register, minutes) are built from it and never read the ballots.
"""

import dataclasses
import enum
from datetime import datetime

from blinker import Namespace


class Outcome(enum.StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    POSTPONED = "postponed"
    WITHDRAWN = "withdrawn"
    #: the assembly takes note (prend acte) of a communication: no vote
    NOTED = "noted"


OUTCOME_LABELS = {
    Outcome.ADOPTED: "adopté",
    Outcome.REJECTED: "rejeté",
    Outcome.POSTPONED: "reporté",
    Outcome.WITHDRAWN: "retiré",
    Outcome.NOTED: "l'assemblée en prend acte",
}


class BallotType(enum.StrEnum):
    #: public vote by show of hands (à main levée)
    SHOW_OF_HANDS = "show_of_hands"
    #: public named ballot (scrutin public), asked by a quarter of those present
    NAMED = "named"
    #: secret ballot, asked by a third of those present, and always for appointments
    SECRET = "secret"


BALLOT_LABELS = {
    BallotType.SHOW_OF_HANDS: "à main levée",
    BallotType.NAMED: "au scrutin public",
    BallotType.SECRET: "au scrutin secret",
}


@dataclasses.dataclass(frozen=True)
class Presence:
    """Who was there for the item (names as "Prénom Nom"), after arrivals and departures."""

    in_office: int
    present: tuple[str, ...]
    remote: tuple[str, ...]
    #: (giver, holder) of each proxy that counts for the item
    represented: tuple[tuple[str, str], ...]
    #: (member, deputy) for a member replaced by a deputy (suppléant)
    replaced: tuple[tuple[str, str], ...]
    absent: tuple[str, ...]
    quorum_required: int
    quorum_present: int
    quorum_reached: bool
    #: the article the quorum rule comes from, e.g. "L2121-17"
    quorum_article: str
    #: the sitting was reconvened after a failed quorum: no quorum required
    quorum_waived: bool = False


@dataclasses.dataclass(frozen=True)
class ItemOutcome:
    """The frozen result of one agenda item."""

    item_id: int
    outcome: Outcome
    #: None when there was no vote (postponed, withdrawn, noted)
    ballot_type: BallotType | None
    votes_for: int
    votes_against: int
    abstentions: int
    blank: int
    #: the members who declared they do not take part in the vote (conflict of interest)
    not_taking_part: tuple[str, ...]
    #: in a named ballot only: who voted against and who abstained (never for a secret ballot)
    names_against: tuple[str, ...]
    names_abstaining: tuple[str, ...]
    #: the president's casting vote decided a tie (never in a secret ballot)
    casting_vote: bool
    presence: Presence
    decided_at: datetime
    #: why an item was postponed or withdrawn, e.g. "quorum non atteint (article L2121-17 du CGCT)"
    reason: str | None = None

    @property
    def votes_cast(self) -> int:
        """Suffrages exprimés: abstentions and blank ballots are not cast."""
        return self.votes_for + self.votes_against

    @property
    def unanimous(self) -> bool:
        """Unanimity of the votes cast: at least one vote cast and none against."""
        return self.votes_cast > 0 and self.votes_against == 0


#: sent by the votes once an item's outcome is frozen: ``item_decided.send(item, outcome=ItemOutcome)``
item_decided = Namespace().signal("agenda-item-decided")

#: sent by the votes once a sitting is closed: ``sitting_closed.send(sitting)`` (its list of deliberations is drawn)
sitting_closed = Namespace().signal("sitting-closed")
