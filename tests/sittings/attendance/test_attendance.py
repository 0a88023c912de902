"""Attendance answers and proxies (L2121-20): who may answer, one proxy per holder, three sittings."""

from datetime import date, timedelta

import pytest

from saas.audit.models import chain_key
from saas.audit.operations import verify_chain
from saas.identity.models import MandateRole
from saas.sittings import operations
from saas.sittings.attendance.operations import active_proxy, answer_attendance, attendance_of, give_proxy, revoke_proxy
from saas.sittings.models import AttendanceAnswer, SittingStatus
from saas.sittings.operations import SittingError
from saas.tenancy.models import TenantKind
from tests.fixtures.sittings import MONDAY_15_MARCH_2027


@pytest.fixture
def council(create_tenant, create_person, give_mandate):
    """A commune with four members of its council."""
    tenant = create_tenant()
    members = [create_person(first_name=name, last_name="Conseil") for name in ("Anne", "Bruno", "Chloé", "David")]
    for member in members:
        give_mandate(member, tenant)
    return tenant, members


def test_member_answers_and_changes_their_answer(council, create_sitting, in_tenant, audit_events):
    tenant, (anne, *_) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant, anne):
        answer_attendance(anne, sitting, AttendanceAnswer.PRESENT)
        answer_attendance(anne, sitting, "absent")
        assert attendance_of(sitting, anne.id).answer == AttendanceAnswer.ABSENT
    answers = [(data["answer"], data["previous"]) for _, data in audit_events(tenant, "attendance.answered")]
    assert answers == [("present", None), ("absent", "present")]


def test_non_members_and_former_members_cannot_answer(
    council, create_sitting, create_person, create_tenant, give_mandate, in_tenant
):
    tenant, _ = council
    other_tenant = create_tenant()
    outsider, former = create_person(), create_person()
    give_mandate(outsider, other_tenant)
    give_mandate(former, tenant, end_date=date(2026, 12, 31))
    sitting = create_sitting(tenant)
    for person in (outsider, former):
        with in_tenant(tenant, person), pytest.raises(SittingError, match="ne siège pas dans cette assemblée"):
            answer_attendance(person, sitting, AttendanceAnswer.PRESENT)
        with in_tenant(tenant):
            assert attendance_of(sitting, person.id) is None


def test_remote_only_when_allowed(council, create_sitting, in_tenant):
    tenant, (anne, *_) = council
    in_person = create_sitting(tenant)
    with in_tenant(tenant, anne), pytest.raises(SittingError, match="à distance n'est pas prévue"):
        answer_attendance(anne, in_person, AttendanceAnswer.REMOTE)
    hybrid = create_sitting(tenant, starts_at=MONDAY_15_MARCH_2027 + timedelta(days=7), remote_allowed=True)
    with in_tenant(tenant, anne):
        assert answer_attendance(anne, hybrid, AttendanceAnswer.REMOTE).answer == AttendanceAnswer.REMOTE


def test_answers_only_while_convened(council, create_sitting, in_tenant):
    tenant, (anne, *_) = council
    draft = create_sitting(tenant, convene=False)
    with in_tenant(tenant, anne), pytest.raises(SittingError, match="pas encore convoquée"):
        answer_attendance(anne, draft, AttendanceAnswer.PRESENT)
    opened = create_sitting(tenant, starts_at=MONDAY_15_MARCH_2027 + timedelta(days=7))
    with in_tenant(tenant):
        operations.set_status(opened, SittingStatus.IN_PROGRESS, actor=None)
    with in_tenant(tenant, anne), pytest.raises(SittingError, match="ne peut plus être modifiée"):
        answer_attendance(anne, opened, AttendanceAnswer.ABSENT)


@pytest.mark.parametrize(("answer", "message"), [("proxy", "désignez le collègue"), ("replaced", "suppléant")])
def test_proxy_and_replaced_are_not_plain_answers(council, create_sitting, in_tenant, answer, message):
    tenant, (anne, *_) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant, anne), pytest.raises(SittingError, match=message):
        answer_attendance(anne, sitting, answer)


def test_second_proxy_to_the_same_holder_is_refused(council, create_sitting, in_tenant, audit_events):
    """The issue's acceptance: one proxy per holder (L2121-20)."""
    tenant, (anne, bruno, chloe, _) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant, anne):
        proxy = give_proxy(anne, bruno, sitting)
        assert attendance_of(sitting, anne.id).answer == AttendanceAnswer.PROXY
    with in_tenant(tenant, chloe), pytest.raises(SittingError, match="un seul pouvoir \\(article L2121-20 du CGCT\\)"):
        give_proxy(chloe, bruno, sitting)
    with in_tenant(tenant):
        assert active_proxy(sitting, holder_id=bruno.id) == proxy
        assert attendance_of(sitting, chloe.id) is None
    assert audit_events(tenant, "proxy.given") == [
        (
            str(proxy.id),
            {
                "sitting_id": sitting.id,
                "giver_id": anne.id,
                "holder_id": bruno.id,
                "illness": False,
                "channel": "application",
            },
        )
    ]


@pytest.mark.parametrize("kind, article", [(TenantKind.DEPARTEMENT, "L3121-16"), (TenantKind.REGION, "L4132-15")])
def test_a_departement_or_region_refusal_cites_its_own_article(
    create_tenant, create_person, give_mandate, create_sitting, in_tenant, kind, article
):
    tenant = create_tenant(kind=kind, population=540000)
    anne, bruno, chloe = (create_person(first_name=name, last_name="Élue") for name in ("Anne", "Bruno", "Chloé"))
    for member in (anne, bruno, chloe):
        give_mandate(member, tenant)
    sitting = create_sitting(tenant)
    with in_tenant(tenant, anne):
        give_proxy(anne, bruno, sitting)
    with (
        in_tenant(tenant, chloe),
        pytest.raises(SittingError, match=f"un seul pouvoir \\(article {article} du CGCT\\)"),
    ):
        give_proxy(chloe, bruno, sitting)


def test_a_giver_gives_one_proxy_and_not_to_themself(council, create_sitting, in_tenant):
    tenant, (anne, bruno, chloe, _) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant, anne):
        with pytest.raises(SittingError, match="à soi-même"):
            give_proxy(anne, anne, sitting)
        give_proxy(anne, bruno, sitting)
        with pytest.raises(SittingError, match="a déjà donné procuration"):
            give_proxy(anne, chloe, sitting)


def test_no_chains_of_proxies(council, create_sitting, in_tenant):
    tenant, (anne, bruno, chloe, _) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant):
        give_proxy(anne, bruno, sitting)
        with pytest.raises(SittingError, match="a lui-même donné procuration"):
            give_proxy(chloe, anne, sitting)
        with pytest.raises(SittingError, match="détient la procuration d'un collègue"):
            give_proxy(bruno, chloe, sitting)


def test_holder_must_sit_in_the_same_assembly(
    council, create_sitting, create_person, create_tenant, give_mandate, in_tenant, session
):
    tenant, (anne, *_) = council
    staff, elsewhere = create_person(), create_person()
    give_mandate(staff, tenant, role=MandateRole.STAFF)
    give_mandate(elsewhere, create_tenant())
    sitting = create_sitting(tenant)
    for holder in (staff, elsewhere):
        with in_tenant(tenant, anne), pytest.raises(SittingError, match="collègue de la même assemblée"):
            give_proxy(anne, holder, sitting)
    with in_tenant(tenant):
        assert active_proxy(sitting, giver_id=anne.id) is None


def test_holder_who_will_be_absent_cannot_hold(council, create_sitting, in_tenant):
    tenant, (anne, bruno, *_) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant):
        answer_attendance(bruno, sitting, AttendanceAnswer.ABSENT)
        with pytest.raises(SittingError, match="indiqué être absent"):
            give_proxy(anne, bruno, sitting)


def test_fourth_consecutive_proxy_is_refused_unless_illness(council, create_sitting, in_tenant):
    tenant, (anne, bruno, *_) = council
    sittings = [create_sitting(tenant, starts_at=MONDAY_15_MARCH_2027 + timedelta(weeks=n)) for n in range(5)]
    with in_tenant(tenant, anne):
        for sitting in sittings[:3]:
            give_proxy(anne, bruno, sitting)
        with pytest.raises(SittingError, match="plus de 3 séances consécutives, sauf maladie"):
            give_proxy(anne, bruno, sittings[3])
        assert give_proxy(anne, bruno, sittings[3], illness=True).illness
        revoke_proxy(active_proxy(sittings[1], giver_id=anne.id), actor=anne)
        give_proxy(anne, bruno, sittings[4])  # the run is broken at the second sitting


@pytest.mark.parametrize("kind", [TenantKind.DEPARTEMENT, TenantKind.REGION])
def test_a_departement_or_region_delegates_one_meeting_at_a_time_with_no_cap(
    create_tenant, create_person, give_mandate, create_sitting, in_tenant, kind
):
    """L3121-16, L4132-15: a delegation "pour cette réunion", as many meetings in a row as needed."""
    tenant = create_tenant(kind=kind, population=540000)
    anne, bruno = (create_person(first_name=name, last_name="Élue") for name in ("Anne", "Bruno"))
    for member in (anne, bruno):
        give_mandate(member, tenant)
    sittings = [create_sitting(tenant, starts_at=MONDAY_15_MARCH_2027 + timedelta(weeks=n)) for n in range(5)]
    with in_tenant(tenant, anne):
        for sitting in sittings:
            assert not give_proxy(anne, bruno, sitting).illness


def test_run_counts_sittings_on_both_sides(council, create_sitting, in_tenant):
    """Proxies given in advance count too: sittings 1, 2, 4 then 3 makes four in a row."""
    tenant, (anne, bruno, *_) = council
    sittings = [create_sitting(tenant, starts_at=MONDAY_15_MARCH_2027 + timedelta(weeks=n)) for n in range(4)]
    with in_tenant(tenant, anne):
        for sitting in (sittings[0], sittings[1], sittings[3]):
            give_proxy(anne, bruno, sitting)
        with pytest.raises(SittingError, match="séances consécutives"):
            give_proxy(anne, bruno, sittings[2])


def test_revoke_then_give_again(council, create_sitting, in_tenant, audit_events):
    tenant, (anne, bruno, chloe, _) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant, anne):
        first = give_proxy(anne, bruno, sitting)
        revoke_proxy(first, actor=anne)
        assert attendance_of(sitting, anne.id).answer == AttendanceAnswer.ABSENT
        with pytest.raises(SittingError, match="déjà été retirée"):
            revoke_proxy(first, actor=anne)
        second = give_proxy(anne, bruno, sitting)
    assert first.revoked_at is not None and second.revoked_at is None
    assert [object_id for object_id, _ in audit_events(tenant, "proxy.revoked")] == [str(first.id)]
    assert verify_chain(chain_key(tenant.id)).intact


def test_answering_present_revokes_the_proxy(council, create_sitting, in_tenant):
    tenant, (anne, bruno, chloe, _) = council
    sitting = create_sitting(tenant)
    with in_tenant(tenant, anne):
        proxy = give_proxy(anne, bruno, sitting)
        answer_attendance(anne, sitting, AttendanceAnswer.PRESENT)
        assert proxy.revoked_at is not None
        give_proxy(chloe, bruno, sitting)  # Bruno is free to hold another proxy now
