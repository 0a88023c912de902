"""The law of the vote as data: which ballot an item gets, and what the counts decide (absolute majority of the
votes cast, the president's casting vote on a tie except in a secret ballot)."""

import dataclasses

import pytest

from saas.sittings.outcomes import BallotType, Outcome
from saas.sittings.votes import results
from saas.sittings.votes.models import Choice
from saas.tenancy.legal_rules import rules_for
from saas.tenancy.models import TenantKind

COMMUNE = rules_for(TenantKind.COMMUNE, 10000)
DEPARTEMENT = rules_for(TenantKind.DEPARTEMENT, 540000)
SECRET, NAMED, HANDS = BallotType.SECRET, BallotType.NAMED, BallotType.SHOW_OF_HANDS


def ballot(rules=COMMUNE, appointment=False, present=20, named=0, secret=0):
    return results.ballot_type_for(
        rules, appointment=appointment, present=present, named_requests=named, secret_requests=secret
    )


def test_show_of_hands_by_default_and_secret_for_appointments():
    assert ballot() == HANDS
    assert ballot(appointment=True) == SECRET
    assert ballot(DEPARTEMENT, appointment=True) == SECRET


@pytest.mark.parametrize("present, enough", [(20, 5), (21, 6), (4, 1), (33, 9)])
def test_a_quarter_of_those_present_gets_a_named_ballot(present, enough):
    assert ballot(present=present, named=enough - 1) == HANDS
    assert ballot(present=present, named=enough) == NAMED


@pytest.mark.parametrize("present, enough", [(21, 7), (20, 7), (3, 1), (33, 11)])
def test_a_third_of_those_present_gets_a_secret_ballot_which_wins_over_named(present, enough):
    assert ballot(present=present, secret=enough - 1) != SECRET
    assert ballot(present=present, secret=enough, named=present) == SECRET


def test_departement_named_at_a_sixth_and_no_secret_on_request():
    assert ballot(DEPARTEMENT, present=42, named=6) == HANDS
    assert ballot(DEPARTEMENT, present=42, named=7) == NAMED
    assert ballot(DEPARTEMENT, present=42, secret=42) == HANDS


def test_no_request_no_change_even_with_nobody_present():
    assert ballot(present=0) == HANDS


@pytest.mark.parametrize(
    "votes_for, against, expected",
    [(10, 9, Outcome.ADOPTED), (1, 0, Outcome.ADOPTED), (9, 10, Outcome.REJECTED), (0, 0, Outcome.REJECTED)],
)
def test_absolute_majority_of_votes_cast(votes_for, against, expected):
    assert results.decide(COMMUNE, HANDS, votes_for, against, None) == (expected, False)


@pytest.mark.parametrize("ballot_type", [HANDS, NAMED])
@pytest.mark.parametrize("choice, expected", [(Choice.FOR, Outcome.ADOPTED), (Choice.AGAINST, Outcome.REJECTED)])
def test_on_a_tie_the_presidents_own_vote_decides(ballot_type, choice, expected):
    assert results.needs_casting_vote(COMMUNE, ballot_type, 7, 7)
    assert results.decide(COMMUNE, ballot_type, 7, 7, choice) == (expected, True)


@pytest.mark.parametrize("choice", [None, Choice.ABSTENTION])
def test_a_tie_without_the_presidents_vote_for_or_against_is_rejected(choice):
    assert results.decide(COMMUNE, HANDS, 4, 4, choice) == (Outcome.REJECTED, False)


@pytest.mark.parametrize("choice", [Choice.FOR, Choice.AGAINST, None])
def test_a_tie_in_a_secret_ballot_is_rejected(choice):
    assert not results.needs_casting_vote(COMMUNE, SECRET, 5, 5)
    assert results.decide(COMMUNE, SECRET, 5, 5, choice) == (Outcome.REJECTED, False)


def test_the_casting_vote_is_data():
    without = dataclasses.replace(COMMUNE, casting_vote=False)
    assert results.decide(without, HANDS, 3, 3, Choice.FOR) == (Outcome.REJECTED, False)
    in_secret = dataclasses.replace(COMMUNE, casting_vote_in_secret=True)
    assert results.needs_casting_vote(in_secret, SECRET, 3, 3)


def test_an_unknown_majority_rule_is_an_error():
    with pytest.raises(LookupError):
        results.decide(dataclasses.replace(COMMUNE, majority_rule="relative"), HANDS, 1, 0, None)
