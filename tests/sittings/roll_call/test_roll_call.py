"""The roll call confirmed or corrected by the secretariat, then fixed by the first vote; arrivals and departures
with their time and item, never deleted; proxies that count only while their holder is here; deputies."""

import pytest
import sqlalchemy as sa

from saas.sittings.operations import SittingError
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.models import PresenceEvent, SeatStatus
from saas.sittings.roll_call.operations import SeatChange
from saas.sittings.votes import operations as votes
from saas.tenancy.models import TenantKind


def test_the_secretariat_corrects_the_suggestions_and_confirms_the_rest(council, in_tenant, audit_events):
    c = council(members=4, confirmed=False)
    with in_tenant(c.tenant):
        roll_call.confirm_roll_call(
            c.sitting,
            [
                SeatChange(c.members[3].id, SeatStatus.REPRESENTED, proxy_holder_id=c.members[0].id),
                SeatChange(c.members[2].id, SeatStatus.ABSENT),
            ],
            actor=c.secretariat,
        )
        assert not roll_call.roll_call_complete(c.sitting)
        roll_call.confirm_roll_call(c.sitting, [], actor=c.secretariat, confirm_all=True)
        assert roll_call.roll_call_complete(c.sitting)
        presence = votes.presence_at(c.item(1))
    assert presence.represented == (("Membre M04", "Membre M01"),)
    assert presence.absent == ("Membre M03",)
    assert len(audit_events(c.tenant, "roll_call.confirmed")) == 2


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: SeatChange(c.members[0].id, SeatStatus.REMOTE), "distance n'est pas prévue"),
        (lambda c: SeatChange(c.members[0].id, SeatStatus.REPLACED, deputy_name="Claire"), "suppléant"),
        (lambda c: SeatChange(c.members[0].id, SeatStatus.REPRESENTED), "collègue présent qui porte"),
        (
            lambda c: SeatChange(c.members[0].id, SeatStatus.REPRESENTED, proxy_holder_id=c.members[0].id),
            "collègue présent",
        ),
        (lambda c: SeatChange(c.secretariat.id, SeatStatus.PRESENT), "membre en exercice"),
    ],
)
def test_what_the_roll_call_refuses(council, in_tenant, change, message):
    c = council(confirmed=False)
    with in_tenant(c.tenant), pytest.raises(SittingError, match=message):
        roll_call.confirm_roll_call(c.sitting, [change(c)], actor=c.secretariat)


def test_one_proxy_per_holder_and_the_holder_must_be_here(council, in_tenant):
    c = council(members=4, absent=(4,), confirmed=False)
    with in_tenant(c.tenant):
        with pytest.raises(SittingError, match="un seul pouvoir .*L2121-20"):
            roll_call.confirm_roll_call(
                c.sitting,
                [
                    SeatChange(c.members[1].id, SeatStatus.REPRESENTED, proxy_holder_id=c.members[0].id),
                    SeatChange(c.members[2].id, SeatStatus.REPRESENTED, proxy_holder_id=c.members[0].id),
                ],
                actor=c.secretariat,
            )
    with in_tenant(c.tenant), pytest.raises(SittingError, match="collègue présent"):
        roll_call.confirm_roll_call(
            c.sitting,
            [SeatChange(c.members[1].id, SeatStatus.REPRESENTED, proxy_holder_id=c.members[3].id)],
            actor=c.secretariat,
        )


def test_an_epci_member_replaced_by_a_deputy_who_counts_and_votes(council, in_tenant, create_person):
    c = council(kind=TenantKind.EPCI, members=4, absent=(3, 4), confirmed=False)
    deputy = create_person(first_name="Claire", last_name="Suppléante", password=None)
    with in_tenant(c.tenant):
        roll_call.confirm_roll_call(
            c.sitting,
            [
                SeatChange(
                    c.members[2].id, SeatStatus.REPLACED, deputy_name="Claire Suppléante", deputy_person_id=deputy.id
                )
            ],
            actor=c.secretariat,
            confirm_all=True,
        )
        presence = votes.presence_at(c.item(1))
        assert presence.replaced == (("Membre M03", "Claire Suppléante"),) and presence.quorum_present == 4
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        votes.cast_ballot(c.item(1), voter=c.members[2], choice="for", actor=deputy)
        with pytest.raises(votes.VoteRefused, match="pouvoir"):
            votes.cast_ballot(c.item(1), voter=c.members[2], choice="for", actor=c.members[2])
        assert votes.tally(c.item(1)).voted == 1


def test_the_first_vote_fixes_the_roll_call(council, in_tenant):
    c = council()
    with in_tenant(c.tenant):
        votes.open_electronic_vote(c.item(1), actor=c.secretariat)
        with pytest.raises(SittingError, match="ne peut plus être corrigé") as refused:
            roll_call.confirm_roll_call(
                c.sitting, [SeatChange(c.members[0].id, SeatStatus.ABSENT)], actor=c.secretariat
            )
        assert refused.value.status == 409


def test_a_departure_leaving_a_proxy_and_a_holder_leaving(council, in_tenant, session):
    c = council(members=6)
    with in_tenant(c.tenant):
        roll_call.record_departure(c.sitting, c.members[0], actor=c.secretariat, proxy_holder=c.members[1])
        presence = votes.presence_at(c.item(1))
        assert presence.represented == (("Membre M01", "Membre M02"),)
        voters = roll_call.seats_at(c.item(1)).entitled_voters()
        assert voters[c.members[0].id] == {c.members[1].id}
        with pytest.raises(SittingError, match="un seul pouvoir"):
            roll_call.record_departure(c.sitting, c.members[2], actor=c.secretariat, proxy_holder=c.members[1])
        roll_call.record_departure(c.sitting, c.members[1], actor=c.secretariat)
        presence = votes.presence_at(c.item(1))
        assert presence.represented == () and set(presence.absent) == {"Membre M01", "Membre M02"}
        assert c.members[0].id not in roll_call.seats_at(c.item(1)).entitled_voters()
        roll_call.record_arrival(c.sitting, c.members[1], actor=c.secretariat)
        assert votes.presence_at(c.item(1)).represented == (("Membre M01", "Membre M02"),)
        roll_call.record_arrival(c.sitting, c.members[0], actor=c.secretariat)
        assert votes.presence_at(c.item(1)).represented == ()
        assert session.execute(sa.select(sa.func.count(PresenceEvent.id))).scalar_one() == 4


def test_arrivals_and_departures_that_do_not_hold(council, in_tenant):
    c = council(members=4, absent=(4,))
    with in_tenant(c.tenant):
        with pytest.raises(SittingError, match="déjà présent"):
            roll_call.record_arrival(c.sitting, c.members[0], actor=c.secretariat)
        with pytest.raises(SittingError, match="n'est pas en séance"):
            roll_call.record_departure(c.sitting, c.members[3], actor=c.secretariat)
        with pytest.raises(SittingError, match="distance"):
            roll_call.record_arrival(c.sitting, c.members[3], actor=c.secretariat, remote=True)
        with pytest.raises(SittingError, match="collègue présent"):
            roll_call.record_departure(c.sitting, c.members[0], actor=c.secretariat, proxy_holder=c.members[3])


def test_nothing_is_recorded_once_the_sitting_is_closed(council, in_tenant):
    c = council()
    with in_tenant(c.tenant):
        votes.close_sitting(c.sitting, actor=c.president)
        with pytest.raises(SittingError, match="pas en cours") as refused:
            roll_call.record_arrival(c.sitting, c.members[0], actor=c.secretariat)
        assert refused.value.status == 409
