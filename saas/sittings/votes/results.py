"""The law of the vote as pure functions of the collectivity's rules (legal_rules.toml): which ballot an item
gets, and what the counts decide.

- ``ballot_type_for(rules, *, appointment, present, named_requests, secret_requests) -> BallotType``
- ``decide(rules, ballot_type, votes_for, votes_against, president_choice) -> (Outcome, casting_vote)``
- ``needs_casting_vote(rules, ballot_type, votes_for, votes_against) -> bool``
"""

from saas.sittings.outcomes import BallotType, Outcome
from saas.sittings.votes.models import Choice
from saas.tenancy.legal_rules import LegalRules


def reaches(requests: int, present: int, divisor: int | None) -> bool:
    """At least one ``divisor``-th of the members present asked (a quarter: 4, a third: 3)."""
    return divisor is not None and requests > 0 and requests * divisor >= present


def ballot_type_for(
    rules: LegalRules, *, appointment: bool, present: int, named_requests: int, secret_requests: int
) -> BallotType:
    """Secret for an appointment or when enough ask for it; else named when enough ask; else show of hands."""
    if appointment and rules.secret_for_appointments:
        return BallotType.SECRET
    if reaches(secret_requests, present, rules.secret_ballot_divisor):
        return BallotType.SECRET
    if reaches(named_requests, present, rules.named_ballot_divisor):
        return BallotType.NAMED
    return BallotType.SHOW_OF_HANDS


def needs_casting_vote(rules: LegalRules, ballot_type: BallotType | None, votes_for: int, votes_against: int) -> bool:
    """A tie of votes cast that the president's own vote decides (never in a secret ballot, by default)."""
    if votes_for != votes_against or votes_for == 0 or not rules.casting_vote:
        return False
    return ballot_type != BallotType.SECRET or rules.casting_vote_in_secret


def decide(
    rules: LegalRules,
    ballot_type: BallotType | None,
    votes_for: int,
    votes_against: int,
    president_choice: Choice | None,
) -> tuple[Outcome, bool]:
    """The outcome by the absolute majority of the votes cast (abstentions and blanks are not cast), and whether
    the president's casting vote decided it. No vote cast, or a tie nobody's casting vote decides: rejected."""
    if rules.majority_rule != "absolute_majority_cast":
        raise LookupError(f"unknown majority rule {rules.majority_rule!r}")
    if votes_for * 2 > votes_for + votes_against:
        return Outcome.ADOPTED, False
    if needs_casting_vote(rules, ballot_type, votes_for, votes_against) and president_choice in (
        Choice.FOR,
        Choice.AGAINST,
    ):
        return (Outcome.ADOPTED if president_choice == Choice.FOR else Outcome.REJECTED), True
    return Outcome.REJECTED, False
