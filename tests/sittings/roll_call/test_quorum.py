"""Quorum at each item with the collectivity's rule as data: more than half of the members in office physically
present (communes, EPCIs), proxies never counted; remote members counted where the rules say so (EPCIs);
an absolute majority of members in office (départements, régions); a member not taking part is not counted for
that item; a sitting reconvened after a failed quorum needs none."""

import dataclasses

import pytest

from saas.sittings.roll_call import operations as roll_call
from saas.sittings.votes import operations as votes
from saas.tenancy.models import TenantKind


def _presence(c, in_tenant, item=1):
    with in_tenant(c.tenant):
        return votes.presence_at(c.item(item))


def test_more_than_half_of_the_members_in_office_physically_present(council, in_tenant):
    reached = _presence(council(members=6, absent=(4, 5, 6)), in_tenant)
    assert (reached.in_office, reached.quorum_required, reached.quorum_present) == (7, 4, 4)
    assert reached.quorum_reached and reached.quorum_article == "L2121-17"
    missed = _presence(council(members=6, absent=(3, 4, 5, 6)), in_tenant)
    assert (missed.quorum_present, missed.quorum_reached) == (3, False)


def test_an_even_number_in_office_needs_more_than_half(council, in_tenant):
    presence = _presence(council(members=7, absent=(5, 6, 7)), in_tenant)
    assert (presence.in_office, presence.quorum_required, presence.quorum_present) == (8, 5, 5)
    assert presence.quorum_reached


def test_proxies_do_not_count(council, in_tenant):
    c = council(members=6, absent=(6,), proxies=((3, 0), (4, 1), (5, 2)))
    presence = _presence(c, in_tenant)
    assert len(presence.represented) == 3 and presence.quorum_present == 3
    assert not presence.quorum_reached
    assert ("Membre M03", "Paul Président") in presence.represented


def test_remote_members_count_in_an_epci_not_in_a_commune(council, in_tenant):
    commune = _presence(council(members=6, remote_allowed=True, remote=(1, 2, 3, 4)), in_tenant)
    assert len(commune.remote) == 4 and commune.quorum_present == 3 and not commune.quorum_reached
    epci = _presence(council(kind=TenantKind.EPCI, members=6, remote_allowed=True, remote=(1, 2, 3, 4)), in_tenant)
    assert epci.quorum_present == 7 and epci.quorum_reached
    assert epci.quorum_article == "L5211-1, L2121-17"


@pytest.mark.parametrize("kind, article", [(TenantKind.DEPARTEMENT, "L3121-14"), (TenantKind.REGION, "L4132-13")])
def test_departement_and_region_absolute_majority_of_members_in_office(council, in_tenant, kind, article):
    reached = _presence(council(kind=kind, population=500000, members=8, absent=(5, 6, 7, 8)), in_tenant)
    assert (reached.in_office, reached.quorum_required, reached.quorum_present) == (9, 5, 5)
    assert reached.quorum_reached and reached.quorum_article == article
    missed = _presence(council(kind=kind, population=500000, members=8, absent=(4, 5, 6, 7, 8)), in_tenant)
    assert not missed.quorum_reached


def test_a_member_not_taking_part_is_not_counted_for_that_item_only(council, in_tenant):
    c = council(members=6, absent=(4, 5, 6))
    with in_tenant(c.tenant):
        votes.declare_not_taking_part(c.item(1), c.members[0], actor=c.members[0], reason="président de l'association")
        first, second = votes.presence_at(c.item(1)), votes.presence_at(c.item(2))
    assert (first.quorum_present, first.quorum_reached) == (3, False)
    assert (second.quorum_present, second.quorum_reached) == (4, True)


def test_whether_not_taking_part_excludes_from_the_quorum_is_data(council, in_tenant, monkeypatch):
    c = council(members=6, absent=(4, 5, 6))
    with in_tenant(c.tenant):
        votes.declare_not_taking_part(c.item(1), c.members[0], actor=c.secretariat)
        rules = dataclasses.replace(roll_call.tenant_rules(c.tenant), quorum_excludes_not_taking_part=False)
        monkeypatch.setattr(roll_call, "tenant_rules", lambda tenant: rules)
        assert votes.presence_at(c.item(1)).quorum_present == 4


def test_arrivals_and_departures_change_the_quorum_from_the_item_on_the_floor(council, in_tenant):
    c = council(members=6, absent=(4, 5, 6))
    with in_tenant(c.tenant):
        roll_call.record_departure(c.sitting, c.members[0], actor=c.secretariat)
        assert not votes.presence_at(c.item(1)).quorum_reached
        event = roll_call.record_arrival(c.sitting, c.members[4], actor=c.secretariat)
        assert event.item_id == c.item(1).id
        assert votes.presence_at(c.item(1)).quorum_reached
        assert [e.kind.value for e in roll_call.presence_events(c.sitting)] == ["departure", "arrival"]


def test_a_reconvened_sitting_needs_no_quorum(council, in_tenant):
    first = council(members=6, absent=(1, 2, 3, 4, 5), opened=False)
    again = council(members=6, absent=(1, 2, 3, 4, 5), reconvened_from=first.sitting)
    with in_tenant(again.tenant):
        presence = votes.presence_at(again.item(1))
        assert presence.quorum_waived and not presence.quorum_reached
        outcome = votes.enter_totals(
            again.item(1), votes_for=2, votes_against=0, abstentions=0, actor=again.secretariat
        )
    assert outcome.outcome.value == "adopted" and outcome.presence.quorum_waived


def test_without_quorum_the_vote_is_refused_and_the_item_postponed(council, in_tenant):
    c = council(members=6, absent=(3, 4, 5, 6))
    with in_tenant(c.tenant):
        for attempt in (
            lambda: votes.open_electronic_vote(c.item(1), actor=c.secretariat),
            lambda: votes.enter_totals(c.item(1), votes_for=3, votes_against=0, abstentions=0, actor=c.secretariat),
            lambda: votes.enter_named_votes(c.item(1), {c.president.id: "for"}, actor=c.secretariat),
        ):
            with pytest.raises(votes.VoteRefused, match=r"quorum n'est pas atteint .*article L2121-17") as refused:
                attempt()
            assert refused.value.status == 409
        outcome = votes.postpone_for_lack_of_quorum(c.item(1), actor=c.secretariat)
    assert outcome.outcome.value == "postponed"
    assert outcome.reason == "quorum non atteint (article L2121-17 du CGCT)"
    assert not outcome.presence.quorum_reached


def test_postponing_for_lack_of_quorum_is_refused_when_it_is_reached(council, in_tenant):
    c = council()
    with in_tenant(c.tenant), pytest.raises(votes.VoteRefused, match="quorum est atteint"):
        votes.postpone_for_lack_of_quorum(c.item(1), actor=c.secretariat)
