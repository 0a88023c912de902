"""The formulas of the act, one test per case; the founding text's sentence first."""

import dataclasses

import pytest

from saas.acts import formulas
from saas.sittings.outcomes import BallotType, Outcome
from saas.tenancy.models import AssemblyKind, TenantKind
from tests.fixtures.outcomes import outcome_for

COUNCIL = "le Conseil Municipal"
COMMISSION = "sur avis favorable unanime de la Commission n° 1"
FOUNDING = (
    "Après en avoir délibéré et sur avis favorable unanime de la Commission n° 1, le Conseil Municipal, à "
    "l'unanimité des suffrages exprimés, décide d'adopter les propositions du Rapporteur."
)


def outcome(**values):
    return outcome_for(1, **values)


def test_the_founding_texts_sentence():
    assert formulas.decision(outcome(), COUNCIL, COMMISSION) == FOUNDING
    # the agenda's phrase gives the same sentence as the circuit's quote
    assert formulas.decision(outcome(), COUNCIL, "Avis favorable unanime de la Commission n° 1") == FOUNDING


def test_unanimity_with_abstentions_says_them():
    sentence = formulas.decision(outcome(votes_for=40, abstentions=2), COUNCIL, None)
    assert sentence == (
        "Après en avoir délibéré, le Conseil Municipal, à l'unanimité des suffrages exprimés (2 abstentions), "
        "décide d'adopter les propositions du Rapporteur."
    )
    assert "(1 abstention)" in formulas.decision(outcome(votes_for=40, abstentions=1), COUNCIL, None)


def test_a_majority_gives_the_counts():
    sentence = formulas.decision(outcome(votes_for=30, votes_against=5, abstentions=2), COUNCIL, None)
    assert "le Conseil Municipal, par 30 voix pour, 5 voix contre et 2 abstentions, décide d'adopter" in sentence
    assert "par 30 voix pour et 5 voix contre, décide" in formulas.decision(
        outcome(votes_for=30, votes_against=5), COUNCIL, None
    )
    assert "par 1 voix pour, 0 voix contre" not in formulas.decision(outcome(votes_for=1), COUNCIL, None)


def test_blank_ballots_in_a_secret_ballot():
    sentence = formulas.decision(
        outcome(ballot_type=BallotType.SECRET, votes_for=20, votes_against=10, blank=3), COUNCIL, None
    )
    assert (
        "le Conseil Municipal, au scrutin secret, par 20 voix pour, 10 voix contre et 3 bulletins blancs ou nuls,"
        in (sentence)
    )


def test_a_named_ballot_names_those_against_and_abstaining():
    decided = outcome(
        ballot_type=BallotType.NAMED,
        votes_for=30,
        votes_against=2,
        abstentions=1,
        names_against=("Anne Martin", "Paul Durand"),
        names_abstaining=("Luc Petit",),
    )
    assert "au scrutin public, par 30 voix pour, 2 voix contre et 1 abstention," in formulas.decision(
        decided, COUNCIL, None
    )
    assert formulas.notes(decided) == ["Ont voté contre : Anne Martin et Paul Durand.", "Abstention : Luc Petit."]
    one = dataclasses.replace(decided, names_against=("Anne Martin",), names_abstaining=("A", "B", "C"))
    assert formulas.notes(one) == ["A voté contre : Anne Martin.", "Abstentions : A, B et C."]


def test_a_secret_or_show_of_hands_ballot_never_names_anyone():
    for ballot in (BallotType.SECRET, BallotType.SHOW_OF_HANDS):
        decided = outcome(ballot_type=ballot, votes_against=2, names_against=("Anne Martin",))
        assert formulas.notes(decided) == []


def test_those_not_taking_part():
    assert formulas.notes(outcome(not_taking_part=("Marc Blanc",))) == ["Marc Blanc ne prend pas part au vote."]
    assert formulas.notes(outcome(not_taking_part=("Marc Blanc", "Zoé Noir"))) == [
        "Marc Blanc et Zoé Noir ne prennent pas part au vote."
    ]


def test_the_presidents_casting_vote():
    sentence = formulas.decision(outcome(votes_for=15, votes_against=15, casting_vote=True), COUNCIL, None)
    assert (
        "par 15 voix pour et 15 voix contre, la voix du président étant prépondérante (article L2121-20 du CGCT), "
        "décide d'adopter" in sentence
    )


def test_a_tie_in_a_secret_ballot_rejects():
    decided = outcome(
        outcome=Outcome.REJECTED, ballot_type=BallotType.SECRET, votes_for=10, votes_against=10, casting_vote=False
    )
    sentence = formulas.decision(decided, COUNCIL, None)
    assert "les voix étant partagées au scrutin secret" in sentence
    assert sentence.endswith("décide de ne pas adopter les propositions du Rapporteur.")


def test_a_rejection():
    sentence = formulas.decision(outcome(outcome=Outcome.REJECTED, votes_for=10, votes_against=25), COUNCIL, None)
    assert sentence == (
        "Après en avoir délibéré, le Conseil Municipal, par 10 voix pour et 25 voix contre, décide de ne pas adopter "
        "les propositions du Rapporteur."
    )
    unanimous = formulas.decision(outcome(outcome=Outcome.REJECTED, votes_for=0, votes_against=30), COUNCIL, None)
    assert "à l'unanimité des suffrages exprimés, décide de ne pas adopter" in unanimous


def test_prend_acte():
    decided = outcome(outcome=Outcome.NOTED, ballot_type=None, votes_for=0)
    assert formulas.decision(decided, COUNCIL, COMMISSION) == (
        "Après en avoir débattu et sur avis favorable unanime de la Commission n° 1, le Conseil Municipal prend acte "
        "de la communication du Rapporteur."
    )


def test_an_opinion_in_other_words_is_quoted():
    assert formulas.opinion_clause("  ") is None
    assert formulas.opinion_clause("Réservé, en attente du budget.") == "sur avis : Réservé, en attente du budget"
    assert formulas.opinion_clause("sur avis défavorable du Bureau") == "sur avis défavorable du Bureau"


@pytest.mark.parametrize(
    ("tenant_kind", "assembly_kind", "name", "expected"),
    [
        (TenantKind.COMMUNE, AssemblyKind.COUNCIL, "Conseil municipal", "le Conseil Municipal"),
        (TenantKind.EPCI, AssemblyKind.COUNCIL, "Conseil communautaire", "le Conseil communautaire"),
        (TenantKind.DEPARTEMENT, AssemblyKind.COUNCIL, "Conseil départemental", "le Conseil départemental"),
        (TenantKind.REGION, AssemblyKind.COUNCIL, "Conseil régional", "le Conseil régional"),
        (TenantKind.SYNDICAT, AssemblyKind.COUNCIL, "Comité", "le Comité syndical"),
        (TenantKind.DEPARTEMENT, AssemblyKind.STANDING_COMMITTEE, "Commission permanente", "la Commission permanente"),
        (TenantKind.EPCI, AssemblyKind.BUREAU, "Bureau communautaire", "le Bureau communautaire"),
    ],
)
def test_the_assemblys_name(tenant_kind, assembly_kind, name, expected):
    assert formulas.assembly_name(tenant_kind, assembly_kind, name) == expected


def test_the_visa_and_the_quorum_lines():
    assert formulas.seen("Jean Dumont") == "Vu le rapport présenté par Jean Dumont,"
    assert formulas.seen(None) == "Vu le rapport présenté à l'assemblée,"
    assert formulas.quorum_line(28, 40, True, "L2121-17", False) == (
        "Quorum : 28 — membres comptés : 40 — quorum atteint (article L2121-17 du CGCT)."
    )
    assert "sans condition de quorum (article L2121-17 du CGCT)" in formulas.quorum_line(28, 3, False, "L2121-17", True)
    assert formulas.presence_line(40, 2, 55) == "Membres en exercice : 55 — présents : 40 — représentés : 2"
