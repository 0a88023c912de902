"""What the register, the minutes and the list of deliberations say of a sitting, as plain values.

``SittingRecord`` is built once from the sitting, its agenda, the frozen outcome of each item
(``saas.sittings.outcomes.ItemOutcome``) and its acts; the three documents are rendered from it and from
nothing else, so that what they say of one sitting is the same. The phrases (results, presence) are here
too, in the French of the documents.
"""

import dataclasses
from datetime import date, datetime

from saas.core import display
from saas.sittings.outcomes import BALLOT_LABELS, OUTCOME_LABELS, BallotType, ItemOutcome, Outcome, Presence


@dataclasses.dataclass(frozen=True)
class ActLine:
    """One act (deliberation) as the register and the list show it."""

    number: str
    #: its order number in the sitting (R2121-9)
    position: int | None
    title: str
    outcome: Outcome
    decided_on: date
    subject_code: str | None
    #: the act's text, paragraphs separated by blank lines
    text: str
    #: the SHA-256 of the signed PDF, once signed by all; None before
    signed_sha256: str | None = None
    #: corrects the act of that number (a correction is a new act)
    corrects: str | None = None


@dataclasses.dataclass(frozen=True)
class ItemLine:
    """One item of the agenda, with what became of it."""

    item_id: int
    position: int | None
    title: str
    confidential: bool
    rapporteur: str | None
    committee_opinion: str | None
    outcome: ItemOutcome | None
    act: ActLine | None
    #: the substance of the debates typed for the minutes
    debate: str = ""


@dataclasses.dataclass(frozen=True)
class SittingRecord:
    tenant_name: str
    time_zone: str
    assembly_name: str
    sitting_id: int
    starts_at: datetime
    place: str
    opened_at: datetime | None
    closed_at: datetime | None
    president: str | None
    secretary: str | None
    items: tuple[ItemLine, ...]
    #: the sitting was reconvened after a failed quorum (held without quorum)
    reconvened: bool = False

    @property
    def acts(self) -> list[ActLine]:
        return [item.act for item in self.items if item.act is not None]

    @property
    def presence(self) -> Presence | None:
        """Who was there at the opening: the presence of the first item decided."""
        return next((item.outcome.presence for item in self.items if item.outcome is not None), None)

    def day(self, format: str = "full") -> str:
        return display.format_date(self.starts_at, format, tenant=self.time_zone, locale="fr")

    def time(self, moment: datetime | None) -> str:
        return display.format_time(moment, "short", tenant=self.time_zone, locale="fr")


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count <= 1 else many}"


def result_phrase(outcome: ItemOutcome) -> str:
    """The result as the minutes and the list state it, e.g. « Adopté à l'unanimité des suffrages exprimés
    (25 voix pour), à main levée »."""
    label = OUTCOME_LABELS[outcome.outcome]
    if outcome.outcome in (Outcome.POSTPONED, Outcome.WITHDRAWN):
        phrase = label.capitalize()
        return f"{phrase} : {outcome.reason}" if outcome.reason else phrase
    if outcome.outcome == Outcome.NOTED:
        return "L'assemblée en prend acte"
    how = f", {BALLOT_LABELS[outcome.ballot_type]}" if outcome.ballot_type is not None else ""
    counts = (
        f"{plural(outcome.votes_for, 'voix pour', 'voix pour')}, {plural(outcome.votes_against, 'contre', 'contre')}"
        f", {plural(outcome.abstentions, 'abstention', 'abstentions')}"
    )
    if outcome.blank:
        counts += f", {plural(outcome.blank, 'bulletin blanc', 'bulletins blancs')}"
    if outcome.outcome == Outcome.ADOPTED and outcome.unanimous:
        phrase = f"Adopté à l'unanimité des suffrages exprimés ({counts})"
    elif outcome.outcome == Outcome.ADOPTED:
        phrase = f"Adopté à la majorité des suffrages exprimés ({counts})"
    else:
        phrase = f"Rejeté ({counts})"
    if outcome.casting_vote:
        phrase += ", la voix du président étant prépondérante"
    return phrase + how


def voters(presence: Presence) -> list[str]:
    """Who could vote on the item: present (in the room or remote), proxy givers through their holder,
    deputies in place of the member they replace."""
    return [
        *presence.present,
        *presence.remote,
        *(giver for giver, _ in presence.represented),
        *(deputy for _, deputy in presence.replaced),
    ]


def named_votes(outcome: ItemOutcome) -> dict[str, list[str]] | None:
    """In a public named ballot, each member's vote (L2121-15: « le nom des votants et le sens de leur vote »):
    against and abstaining as the votes froze them; for, everyone else who could vote and took part, given
    only when it adds up to the votes for (otherwise the names for are not stated)."""
    if outcome.ballot_type != BallotType.NAMED:
        return None
    others = set(outcome.names_against) | set(outcome.names_abstaining) | set(outcome.not_taking_part)
    names_for = sorted(name for name in voters(outcome.presence) if name not in others)
    return {
        "for": names_for if len(names_for) == outcome.votes_for else [],
        "against": sorted(outcome.names_against),
        "abstaining": sorted(outcome.names_abstaining),
    }


def quorum_phrase(presence: Presence) -> str:
    if presence.quorum_waived:
        return (
            "Séance tenue sans condition de quorum, l'assemblée ayant été convoquée à nouveau après une séance "
            f"où le quorum n'était pas atteint (article {presence.quorum_article} du CGCT)."
        )
    state = "atteint" if presence.quorum_reached else "non atteint"
    return (
        f"{plural(presence.in_office, 'membre en exercice', 'membres en exercice')} ; "
        f"{presence.quorum_present} présents pour le quorum, {presence.quorum_required} requis : quorum {state} "
        f"(article {presence.quorum_article} du CGCT)."
    )


def presence_changes(before: Presence | None, now: Presence) -> list[str]:
    """Arrivals and departures since the previous item, for the minutes."""
    if before is None:
        return []
    here_before = set(before.present) | set(before.remote)
    here_now = set(now.present) | set(now.remote)
    changes = [f"Arrivée de {name}" for name in sorted(here_now - here_before)]
    changes += [f"Départ de {name}" for name in sorted(here_before - here_now)]
    given_before, given_now = set(before.represented), set(now.represented)
    changes += [f"{giver} donne procuration à {holder}" for giver, holder in sorted(given_now - given_before)]
    return changes
