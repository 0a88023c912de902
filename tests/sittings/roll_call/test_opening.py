"""Opening a sitting: only convened, only on its day, only by its president or secretariat, once its secretary
is appointed among the members (L2121-15); the roll call starts from the members' answers and proxies."""

from datetime import timedelta

import pytest

from saas.core.database import utcnow
from saas.sittings.models import SittingStatus
from saas.sittings.operations import SittingError
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.models import SeatStatus


def test_the_opening_appoints_the_secretary_and_starts_the_roll_call_from_the_answers(council, in_tenant):
    c = council(members=5, absent=(4,), proxies=((5, 2),), opened=False)
    with in_tenant(c.tenant):
        roll_call.open_sitting(c.sitting, secretary=c.members[0], actor=c.president, now=utcnow())
        assert c.sitting.status == SittingStatus.IN_PROGRESS
        assert c.sitting.secretary_id == c.members[0].id and c.sitting.opened_at is not None
        entries = {entry.person_id: entry for entry in roll_call.roll_call(c.sitting)}
        assert entries[c.members[3].id].status == SeatStatus.ABSENT
        assert entries[c.members[4].id].status == SeatStatus.REPRESENTED
        assert entries[c.members[4].id].proxy_holder_id == c.members[1].id
        assert entries[c.president.id].status == SeatStatus.PRESENT
        assert all(entry.confirmed_at is None for entry in entries.values())
        assert not roll_call.roll_call_complete(c.sitting)
        assert roll_call.floor(c.sitting).current_item_id == c.item(1).id


@pytest.mark.parametrize("shift, message", [(timedelta(days=-1), "le jour"), (timedelta(days=1), "le jour")])
def test_only_on_the_sittings_day(council, in_tenant, shift, message):
    c = council(opened=False)
    with in_tenant(c.tenant), pytest.raises(SittingError, match=message):
        roll_call.open_sitting(c.sitting, secretary=c.members[0], actor=c.secretariat, now=utcnow() + shift)


def test_only_a_convened_sitting_and_only_once(council, in_tenant):
    c = council()
    with in_tenant(c.tenant), pytest.raises(SittingError, match="Seule une séance convoquée"):
        roll_call.open_sitting(c.sitting, secretary=c.members[0], actor=c.secretariat, now=utcnow())


def test_a_member_cannot_open_and_the_secretary_is_a_member_in_office(council, in_tenant, create_person):
    c = council(opened=False)
    with in_tenant(c.tenant):
        with pytest.raises(SittingError, match="L2121-14"):
            roll_call.open_sitting(c.sitting, secretary=c.members[0], actor=c.members[1], now=utcnow())
        with pytest.raises(SittingError, match="L2121-15"):
            roll_call.open_sitting(c.sitting, secretary=c.secretariat, actor=c.president, now=utcnow())
        with pytest.raises(SittingError, match="L2121-15"):
            roll_call.open_sitting(c.sitting, secretary=create_person(), actor=c.president, now=utcnow())
        assert c.sitting.status == SittingStatus.CONVENED
