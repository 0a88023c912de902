"""Expected quorum (proxies and remote answers never count) and the inbox across collectivities."""

from datetime import date, timedelta

import sqlalchemy as sa

from saas.core.database import TenantContext, context
from saas.identity.models import MandateRole
from saas.sittings.attendance.operations import answer_attendance, give_proxy
from saas.sittings.attendance.quorum import quorum_status
from saas.sittings.inbox import inbox_for
from saas.sittings.models import AttendanceAnswer, Sitting
from saas.tenancy.models import TenantKind
from tests import services
from tests.fixtures.sittings import MONDAY_15_MARCH_2027


def seat(create_person, give_mandate, tenant, count, **values):
    people = [create_person() for _ in range(count)]
    for person in people:
        give_mandate(person, tenant, **values)
    return people


def test_commune_quorum_counts_only_members_physically_present(
    create_tenant, create_person, give_mandate, create_sitting, in_tenant
):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    members = seat(create_person, give_mandate, tenant, 6)
    seat(create_person, give_mandate, tenant, 2, role=MandateRole.STAFF)  # never members in office
    seat(create_person, give_mandate, tenant, 1, end_date=date(2026, 6, 30))  # left before the sitting
    sitting = create_sitting(tenant, remote_allowed=True)
    with in_tenant(tenant):
        for member in members[:3]:
            answer_attendance(member, sitting, AttendanceAnswer.PRESENT)
        answer_attendance(members[3], sitting, AttendanceAnswer.REMOTE)
        give_proxy(members[4], members[0], sitting)
        status = quorum_status(sitting)
        assert (status.in_office, status.required, status.present, status.reached) == (6, 4, 3, False)
        assert (status.rule, status.article) == ("half_physically_present", "L2121-17")
        answer_attendance(members[3], sitting, AttendanceAnswer.PRESENT)
        assert quorum_status(sitting).reached


def test_region_quorum_is_an_absolute_majority_without_proxies(
    create_tenant, create_person, give_mandate, create_sitting, in_tenant
):
    region = create_tenant(kind=TenantKind.REGION, population=5_000_000)
    members = seat(create_person, give_mandate, region, 5)
    sitting = create_sitting(region)
    with in_tenant(region):
        answer_attendance(members[0], sitting, AttendanceAnswer.PRESENT)
        answer_attendance(members[1], sitting, AttendanceAnswer.PRESENT)
        give_proxy(members[2], members[0], sitting)
        give_proxy(members[3], members[1], sitting)
        status = quorum_status(sitting)
        assert (status.in_office, status.required, status.present, status.reached) == (5, 3, 2, False)
        assert (status.rule, status.article) == ("absolute_majority_in_office", "L4132-13")
        answer_attendance(members[4], sitting, AttendanceAnswer.PRESENT)
        assert quorum_status(sitting).reached


def test_inbox_shows_every_mandate_and_nothing_else(
    session, create_tenant, create_person, give_mandate, create_sitting, in_tenant
):
    """The issue's acceptance: a member of the City and the Agglomeration sees both sittings in one inbox,
    answers "proxy" for one; a tenant where they hold no mandate shows nothing."""
    city = create_tenant(slug="ville", kind=TenantKind.COMMUNE, population=120_000)
    agglo = create_tenant(slug="agglo", kind=TenantKind.EPCI, population=190_000)
    stranger = create_tenant(slug="ailleurs")
    member, colleague = create_person(), create_person()
    for tenant in (city, agglo):
        give_mandate(member, tenant)
    give_mandate(colleague, agglo)
    give_mandate(create_person(), stranger)
    city_sitting = create_sitting(city)
    agglo_sitting = create_sitting(agglo, starts_at=MONDAY_15_MARCH_2027 + timedelta(days=2))
    create_sitting(stranger)
    create_sitting(city, starts_at=MONDAY_15_MARCH_2027 + timedelta(days=9), convene=False)  # a draft
    with in_tenant(agglo, member):
        give_proxy(member, colleague, agglo_sitting)
    with context(session, TenantContext()):
        session.expunge_all()
        inbox = inbox_for(member, today=date(2027, 1, 1))
    assert [(e.tenant_slug, e.sitting_id, e.answer) for e in inbox] == [
        ("ville", city_sitting.id, None),
        ("agglo", agglo_sitting.id, "proxy"),
    ]
    assert inbox[0].assembly_name == "Conseil" and inbox[0].status == "convened"


def test_inbox_skips_ended_mandates(session, create_tenant, create_person, give_mandate, create_sitting):
    city = create_tenant()
    member = create_person()
    give_mandate(member, city, end_date=date(2027, 2, 1))
    create_sitting(city)  # 15 March 2027, after the mandate
    assert inbox_for(member, today=date(2027, 1, 1)) == []


def test_inbox_crossing_is_only_the_persons_own_under_row_level_security(
    session, create_tenant, create_person, give_mandate, create_sitting
):
    """With only the person's id, even raw SQL sees none of the sittings; the inbox reads them tenant by
    tenant as the application role, never as the system."""
    city, agglo = create_tenant(), create_tenant()
    member = create_person()
    give_mandate(member, city)
    give_mandate(member, agglo)
    create_sitting(city)
    create_sitting(agglo)
    with context(session, TenantContext(person_id=member.id)):
        raw = session.execute(sa.text("SELECT id FROM sitting")).scalars().all()
        orm = session.execute(sa.select(Sitting)).scalars().all()
        production = services.profile() == "production"
        role = session.execute(sa.text("SELECT current_user")).scalar_one() if production else None
        entries = inbox_for(member, today=date(2027, 1, 1))
    assert orm == [] and len(entries) == 2
    if production:
        assert role == services.APP_ROLE and raw == []
    else:
        assert len(raw) >= 2  # SQLite has no row-level security: the ORM filter is the guard there
