"""Votes on the item on the floor: ballot type and requests, not taking part, the three entry modes, proxies,
the result by law frozen once with its presence, and item_decided sent with it."""

import pytest
import sqlalchemy as sa

from saas.acts.minutes import operations as minutes_ops
from saas.sittings.outcomes import BallotType, Outcome, item_decided
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.votes import operations as votes
from saas.sittings.votes.models import Ballot, ItemResult


@pytest.fixture
def decided():
    received = []

    def receive(item, outcome):
        received.append((item.id, outcome))

    item_decided.connect(receive)
    yield received
    item_decided.disconnect(receive)


def _electronic(c, item, choices: dict[int, str]):
    """Open the vote, cast ``choices`` (person number -> choice) each by the voter, close it."""
    votes.open_electronic_vote(item, actor=c.secretariat)
    for number, choice in choices.items():
        person = c.people[number]
        votes.cast_ballot(item, voter=person, choice=choice, actor=person)
    return votes.close_electronic_vote(item, actor=c.president)


def test_an_electronic_vote_frozen_and_sent_to_the_acts(council, in_tenant, decided):
    c = council(members=4)
    with in_tenant(c.tenant):
        outcome = _electronic(c, c.item(1), {0: "for", 1: "for", 2: "for", 3: "abstention"})
        assert votes.outcome_of(c.item(1)) == outcome
    assert (outcome.outcome, outcome.ballot_type) == (Outcome.ADOPTED, BallotType.SHOW_OF_HANDS)
    assert (outcome.votes_for, outcome.votes_against, outcome.abstentions, outcome.votes_cast) == (3, 0, 1, 3)
    assert outcome.unanimous and outcome.names_against == () and outcome.names_abstaining == ()
    assert outcome.presence.in_office == 5 and len(outcome.presence.present) == 5
    assert decided == [(c.item(1).id, outcome)]


def test_a_frozen_result_never_changes(council, in_tenant):
    c = council()
    with in_tenant(c.tenant):
        votes.enter_totals(c.item(1), votes_for=5, votes_against=0, abstentions=0, actor=c.secretariat)
        for attempt in (
            lambda: votes.enter_totals(c.item(1), votes_for=0, votes_against=5, abstentions=0, actor=c.secretariat),
            lambda: votes.postpone_item(c.item(1), actor=c.secretariat, reason="non"),
            lambda: votes.take_note(c.item(1), actor=c.secretariat),
            lambda: votes.set_current_item(c.sitting, c.item(1), actor=c.secretariat),
        ):
            with pytest.raises(votes.VoteRefused, match="déjà réglé"):
                attempt()
        roll_call.record_departure(c.sitting, c.members[0], actor=c.secretariat)
        assert len(votes.presence_at(c.item(1)).present) == 7  # frozen with the result
        assert len(votes.presence_at(c.item(2)).present) == 6


def test_a_named_ballot_names_those_against_and_abstaining(council, in_tenant):
    c = council(members=7)
    with in_tenant(c.tenant):
        for number in (1, 2):
            votes.request_ballot(c.item(1), c.people[number], BallotType.NAMED, actor=c.secretariat)
        assert votes.ballot_type_of(c.item(1)) == BallotType.NAMED  # 2 of 8 present: a quarter
        outcome = votes.enter_named_votes(
            c.item(1),
            {c.people[n].id: choice for n, choice in enumerate(["for", "for", "for", "for", "against", "against",
                                                                   "abstention", "not_taking_part"])},
            actor=c.secretariat,
        )  # fmt: skip
    assert (outcome.outcome, outcome.ballot_type) == (Outcome.ADOPTED, BallotType.NAMED)
    assert outcome.names_against == ("Membre M04", "Membre M05")
    assert outcome.names_abstaining == ("Membre M06",)
    assert outcome.not_taking_part == ("Membre M07",)
    assert (outcome.votes_for, outcome.votes_against, outcome.abstentions) == (4, 2, 1)


def test_on_a_tie_the_presidents_vote_decides_except_in_a_secret_ballot(council, in_tenant):
    c = council(members=3)
    with in_tenant(c.tenant):
        tie = _electronic(c, c.item(1), {0: "against", 1: "for", 2: "for", 3: "against"})
        assert (tie.outcome, tie.casting_vote) == (Outcome.REJECTED, True)
        votes.set_current_item(c.sitting, c.item(2), actor=c.secretariat)
        for number in (1, 2):
            votes.request_ballot(c.item(2), c.people[number], BallotType.SECRET, actor=c.people[number])
        secret = _electronic(c, c.item(2), {0: "for", 1: "for", 2: "against", 3: "against"})
    assert (secret.ballot_type, secret.outcome, secret.casting_vote) == (BallotType.SECRET, Outcome.REJECTED, False)
    assert (secret.votes_for, secret.votes_against) == (2, 2) and secret.names_against == ()


def test_a_secret_ballot_keeps_no_link_between_voter_and_choice(council, in_tenant, session):
    c = council(members=3, items=1)
    with in_tenant(c.tenant):
        c.item(1).appointment = True
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        assert votes.vote_of(c.item(1)).ballot_type == BallotType.SECRET
        votes.cast_ballot(c.item(1), voter=c.people[1], choice="blank", actor=c.people[1])
        votes.cast_ballot(c.item(1), voter=c.people[2], choice="for", actor=c.people[2])
        tally = votes.tally(c.item(1))
        assert (tally.voted, tally.entitled, tally.counts) == (2, 4, {})
        assert session.execute(sa.select(Ballot.choice)).scalars().all() == [None, None]
        outcome = votes.close_electronic_vote(c.item(1), actor=c.secretariat)
    assert (outcome.votes_for, outcome.blank, outcome.outcome) == (1, 1, Outcome.ADOPTED)


def test_totals_are_checked_against_the_voters(council, in_tenant):
    c = council(members=4, absent=(4,), proxies=((3, 1),))
    with in_tenant(c.tenant):
        with pytest.raises(votes.VoteInputError, match=r"\(6\) dépasse le nombre de votants possibles \(4"):
            votes.enter_totals(c.item(1), votes_for=4, votes_against=1, abstentions=1, actor=c.secretariat)
        with pytest.raises(votes.VoteInputError, match="blancs"):
            votes.enter_totals(c.item(1), votes_for=1, votes_against=0, abstentions=0, blank=1, actor=c.secretariat)
        with pytest.raises(votes.VoteInputError, match="voix du président est prépondérante .*L2121-20"):
            votes.enter_totals(c.item(1), votes_for=2, votes_against=2, abstentions=0, actor=c.secretariat)
        with pytest.raises(votes.VoteInputError, match="entier"):
            votes.enter_totals(c.item(1), votes_for=-1, votes_against=2, abstentions=0, actor=c.secretariat)
        outcome = votes.enter_totals(
            c.item(1), votes_for=2, votes_against=2, abstentions=0, president_choice="for", actor=c.secretariat
        )
    assert (outcome.outcome, outcome.casting_vote) == (Outcome.ADOPTED, True)


def test_a_proxy_holder_votes_once_for_the_giver_who_cannot_vote(council, in_tenant):
    c = council(members=4, proxies=((4, 1),))
    with in_tenant(c.tenant):
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        holder, giver = c.people[1], c.people[4]
        votes.cast_ballot(c.item(1), voter=holder, choice="for", actor=holder)
        votes.cast_ballot(c.item(1), voter=giver, choice="against", actor=holder)
        with pytest.raises(votes.VoteRefused, match="déjà enregistré"):
            votes.cast_ballot(c.item(1), voter=giver, choice="for", actor=holder)
        with pytest.raises(votes.VoteRefused, match="donné pouvoir à Membre M01"):
            votes.cast_ballot(c.item(1), voter=giver, choice="for", actor=giver)
        with pytest.raises(votes.VoteRefused, match="ne portez pas le pouvoir"):
            votes.cast_ballot(c.item(1), voter=c.people[2], choice="for", actor=c.people[3])
        votes.cast_ballot(c.item(1), voter=c.people[2], choice="for", actor=c.secretariat, by_secretariat=True)
        with pytest.raises(votes.VoteRefused, match="secrétariat ou le président"):
            votes.cast_ballot(c.item(1), voter=c.people[3], choice="for", actor=c.people[2], by_secretariat=True)
        assert [row["voter_id"] for row in votes.not_voted_yet(c.item(1))] == [c.people[3].id, c.people[0].id]
        outcome = votes.close_electronic_vote(c.item(1), actor=c.president)
    assert (outcome.votes_for, outcome.votes_against) == (2, 1)


def test_not_taking_part_neither_in_ones_name_nor_as_proxy_holder(council, in_tenant):
    c = council(members=5, proxies=((5, 1),))
    with in_tenant(c.tenant):
        votes.declare_not_taking_part(c.item(1), c.people[1], actor=c.people[1], reason="intéressé")
        votes.declare_not_taking_part(c.item(1), c.people[1], actor=c.people[1])  # idempotent
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        for voter in (c.people[1], c.people[5]):
            with pytest.raises(votes.VoteRefused, match="L2131-11|pas appelé"):
                votes.cast_ballot(c.item(1), voter=voter, choice="for", actor=c.people[1])
        with pytest.raises(votes.VoteRefused, match="engagé ou réglé"):
            votes.withdraw_not_taking_part(c.item(1), c.people[1], actor=c.people[1])
        with pytest.raises(votes.VoteRefused, match="engagé ou réglé"):
            votes.declare_not_taking_part(c.item(1), c.people[2], actor=c.people[2])
        outcome = votes.close_electronic_vote(c.item(1), actor=c.president)
    assert outcome.not_taking_part == ("Membre M01",)
    assert {row["name"] for row in votes.result_of(c.item(1)).entitled} == {
        "Paul Président", "Membre M02", "Membre M03", "Membre M04"
    }  # fmt: skip


def test_a_declaration_withdrawn_before_the_vote(council, in_tenant):
    c = council()
    with in_tenant(c.tenant):
        votes.declare_not_taking_part(c.item(2), c.people[1], actor=c.secretariat)
        votes.withdraw_not_taking_part(c.item(2), c.people[1], actor=c.secretariat)
        assert roll_call.not_taking_part(c.item(2)) == []
        with pytest.raises(votes.StateConflict, match="n'a pas déclaré"):
            votes.withdraw_not_taking_part(c.item(2), c.people[1], actor=c.secretariat)


def test_ballot_requests_come_from_members_present_and_count_on_them(council, in_tenant):
    c = council(members=8, absent=(8,))
    with in_tenant(c.tenant):
        with pytest.raises(votes.VoteInputError, match="membres présents"):
            votes.request_ballot(c.item(1), c.people[8], BallotType.SECRET, actor=c.secretariat)
        with pytest.raises(votes.VoteInputError, match="main levée"):
            votes.request_ballot(c.item(1), c.people[1], BallotType.SHOW_OF_HANDS, actor=c.secretariat)
        for number in (1, 2, 3):
            votes.request_ballot(c.item(1), c.people[number], BallotType.SECRET, actor=c.people[number])
        assert votes.ballot_type_of(c.item(1)) == BallotType.SECRET  # 3 of 8 present: a third
        roll_call.record_departure(c.sitting, c.people[3], actor=c.secretariat)
        assert votes.ballot_type_of(c.item(1)) == BallotType.SHOW_OF_HANDS  # 2 of 7 still ask: less than a third
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        with pytest.raises(votes.VoteRefused, match="ne peut plus être demandé"):
            votes.request_ballot(c.item(1), c.people[4], BallotType.SECRET, actor=c.people[4])


def test_the_vote_is_on_the_item_on_the_floor_and_the_floor_waits_for_the_vote(council, in_tenant):
    c = council()
    with in_tenant(c.tenant):
        with pytest.raises(votes.VoteRefused, match="pas celui en discussion"):
            votes.open_electronic_vote(c.item(2), actor=c.secretariat)
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        with pytest.raises(votes.VoteRefused, match="Un vote a déjà été engagé"):
            votes.enter_totals(c.item(1), votes_for=1, votes_against=0, abstentions=0, actor=c.secretariat)
        for attempt in (
            lambda: votes.set_current_item(c.sitting, c.item(2), actor=c.secretariat),
            lambda: votes.close_sitting(c.sitting, actor=c.secretariat),
            lambda: votes.postpone_item(c.item(1), actor=c.secretariat, reason="plus tard"),
        ):
            with pytest.raises(votes.VoteRefused, match="ouvert"):
                attempt()
        votes.close_electronic_vote(c.item(1), actor=c.secretariat)
        with pytest.raises(votes.VoteRefused, match="déjà clos|déjà réglé"):
            votes.close_electronic_vote(c.item(1), actor=c.secretariat)
        votes.set_current_item(c.sitting, c.item(2), actor=c.secretariat)
        assert votes.current_item(c.sitting).id == c.item(2).id


def test_the_vote_waits_for_the_roll_call(council, in_tenant):
    c = council(confirmed=False)
    with in_tenant(c.tenant), pytest.raises(votes.VoteRefused, match="L'appel n'est pas terminé"):
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)


def test_postponed_withdrawn_and_noted_items_have_no_vote(council, in_tenant, decided, session):
    c = council(items=3)
    with in_tenant(c.tenant):
        noted = votes.take_note(c.item(1), actor=c.secretariat)
        withdrawn = votes.withdraw_at_sitting(c.item(3), actor=c.secretariat, reason="dossier incomplet")
        with pytest.raises(votes.VoteInputError, match="motif"):
            votes.postpone_item(c.item(2), actor=c.secretariat, reason="  ")
        postponed = votes.postpone_item(c.item(2), actor=c.secretariat, reason="en attente de l'avis du préfet")
        assert session.execute(sa.select(sa.func.count(ItemResult.id))).scalar_one() == 3
    assert (noted.outcome, noted.ballot_type, noted.votes_cast) == (Outcome.NOTED, None, 0)
    assert (withdrawn.outcome, withdrawn.reason) == (Outcome.WITHDRAWN, "dossier incomplet")
    assert postponed.outcome == Outcome.POSTPONED
    assert [outcome.outcome for _, outcome in decided] == [Outcome.NOTED, Outcome.WITHDRAWN, Outcome.POSTPONED]


def test_closing_the_sitting(council, in_tenant):
    c = council()
    with in_tenant(c.tenant):
        with pytest.raises(votes.RollCallError, match="président"):
            votes.close_sitting(c.sitting, actor=c.members[0])
        votes.close_sitting(c.sitting, actor=c.president)
        assert c.sitting.status.value == "closed" and c.sitting.closed_at is not None
        assert votes.current_item(c.sitting) is None
        # the list of deliberations is drawn at the closing (saas.acts.minutes, L2121-25)
        [listing] = minutes_ops.lists_of(c.sitting)
        assert listing.version == 1 and listing.online_due_on is not None
        with pytest.raises(votes.StateConflict, match="pas en cours"):
            votes.enter_totals(c.item(1), votes_for=1, votes_against=0, abstentions=0, actor=c.secretariat)


def test_the_live_state_takes_a_dozen_statements(council, in_tenant, session):
    c = council(members=30, proxies=((30, 1),))
    with in_tenant(c.tenant):
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        for number in range(1, 20):
            votes.cast_ballot(c.item(1), voter=c.people[number], choice="for", actor=c.people[number])
        session.expire_all()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(session.get_bind(), "before_cursor_execute", listener)
        try:
            state = votes.live_state(c.sitting)
        finally:
            sa.event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert state["vote"]["voted"] == 19 and state["vote"]["entitled"] == 31
    assert state["quorum"]["reached"] and state["presence"]["represented"] == 1
    assert len([s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]) <= 14
