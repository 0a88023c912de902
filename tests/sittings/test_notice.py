"""Notice periods: the deadline is the last minute of the right local day, for each kind of tenant."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from saas.sittings import operations
from saas.sittings.models import Sitting, SittingStatus
from saas.sittings.notice import check_notice, latest_sending_time
from saas.tenancy.models import TenantKind

PARIS = ZoneInfo("Europe/Paris")
ONE_MINUTE = timedelta(minutes=1)
#: the sittings of June 2026 are past: these tests create them as on 1 May 2026 (``now``)
BEFORE = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def sitting_at(starts_at, urgency=False, reason=None) -> Sitting:
    return Sitting(starts_at=starts_at, urgency=urgency, urgency_reason=reason, place="Salle du conseil")


CASES = [
    # kind, population, last sending day (the sitting is Monday 15 June 2026 at 18:00), article
    (TenantKind.COMMUNE, 10_000, paris(2026, 6, 9, 23, 59, 59), "L2121-12"),  # 5 jours francs
    (TenantKind.COMMUNE, 800, paris(2026, 6, 11, 23, 59, 59), "L2121-11"),  # 3 jours francs
    (TenantKind.EPCI, 1_200, paris(2026, 6, 9, 23, 59, 59), "L5211-1, L2121-12"),  # ≥ 3 500 rules anyway
    (TenantKind.DEPARTEMENT, 500_000, paris(2026, 6, 3, 23, 59, 59), "L3121-19"),  # 12 plain days
    (TenantKind.REGION, 5_000_000, paris(2026, 6, 3, 23, 59, 59), "L4132-18"),
]


@pytest.mark.parametrize(("kind", "population", "last_minute", "article"), CASES)
def test_deadline_for_each_kind_of_tenant(create_tenant, kind, population, last_minute, article):
    tenant = create_tenant(kind=kind, population=population)
    sitting = sitting_at(paris(2026, 6, 15, 18, 0))
    deadline = latest_sending_time(tenant, sitting)
    assert deadline.replace(microsecond=0) == last_minute
    assert check_notice(tenant, sitting, last_minute - ONE_MINUTE) is None
    assert check_notice(tenant, sitting, last_minute.astimezone(UTC)) is None
    too_late = check_notice(tenant, sitting, last_minute + ONE_MINUTE)
    assert too_late is not None
    assert too_late.article == article
    assert f"article {article} du CGCT" in too_late.message
    assert f"{last_minute.day} juin 2026 à 23h59" in too_late.message


def test_clear_days_are_stricter_than_plain_days_for_the_same_number(create_tenant):
    """5 jours francs before Monday 15 is Tuesday 9; 12 plain days is Wednesday 3, not Tuesday 2."""
    commune = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    region = create_tenant(kind=TenantKind.REGION, population=5_000_000)
    sitting = sitting_at(paris(2026, 6, 15, 9, 0))
    assert latest_sending_time(commune, sitting).date().isoformat() == "2026-06-09"
    assert latest_sending_time(region, sitting).date().isoformat() == "2026-06-03"


@pytest.mark.parametrize(
    ("sitting_local", "deadline_utc"),
    [
        # spring forward on Sunday 29 March 2026: the deadline (Wednesday 25) is still in winter time
        (paris(2026, 3, 31, 18, 0), datetime(2026, 3, 25, 22, 59, 59, tzinfo=UTC)),
        # the sitting is in summer time, its deadline (Saturday 28) in winter time
        (paris(2026, 4, 3, 18, 0), datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC)),
        # fall back on Sunday 25 October 2026: deadline Friday 23 in summer time, sitting in winter time
        (paris(2026, 10, 29, 18, 0), datetime(2026, 10, 23, 21, 59, 59, tzinfo=UTC)),
    ],
)
def test_deadline_follows_daylight_saving_time(create_tenant, sitting_local, deadline_utc):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    sitting = sitting_at(sitting_local.astimezone(UTC))
    assert latest_sending_time(tenant, sitting).astimezone(UTC).replace(microsecond=0) == deadline_utc
    assert check_notice(tenant, sitting, deadline_utc - ONE_MINUTE) is None
    assert check_notice(tenant, sitting, deadline_utc + ONE_MINUTE) is not None


def test_the_sitting_day_is_the_local_day_not_the_utc_day(create_tenant):
    """00:30 on Monday 15 in Paris is Sunday 14 in UTC: the count starts from Monday all the same."""
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    sitting = sitting_at(paris(2026, 6, 15, 0, 30).astimezone(UTC))
    assert latest_sending_time(tenant, sitting).replace(microsecond=0) == paris(2026, 6, 9, 23, 59, 59)


def test_time_zone_of_the_tenant_is_used(create_tenant):
    """Réunion (UTC+4): the deadline is midnight there, four hours before midnight in UTC."""
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000, timezone="Indian/Reunion")
    sitting = sitting_at(datetime(2026, 6, 15, 14, 0, tzinfo=UTC))
    assert latest_sending_time(tenant, sitting).astimezone(UTC).replace(microsecond=0) == datetime(
        2026, 6, 9, 19, 59, 59, tzinfo=UTC
    )


def test_urgency_with_a_reason_needs_one_clear_day(create_tenant):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    sitting = sitting_at(paris(2026, 6, 15, 18, 0), urgency=True, reason="Sinistre sur l'école")
    assert check_notice(tenant, sitting, paris(2026, 6, 13, 23, 58)) is None
    too_late = check_notice(tenant, sitting, paris(2026, 6, 14, 0, 0))
    assert too_late is not None and "1 jour franc" in too_late.message and "en urgence" in too_late.message


def test_urgency_without_a_reason_is_no_urgency(create_tenant):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    sitting = sitting_at(paris(2026, 6, 15, 18, 0), urgency=True, reason="  ")
    too_late = check_notice(tenant, sitting, paris(2026, 6, 13, 12, 0))
    assert too_late is not None
    assert "sans motif" in too_late.message and "L2121-12" in too_late.message
    assert check_notice(tenant, sitting, paris(2026, 6, 9, 12, 0)) is None


def test_urgency_for_a_region_also_needs_one_clear_day(create_tenant):
    region = create_tenant(kind=TenantKind.REGION, population=5_000_000)
    sitting = sitting_at(paris(2026, 6, 15, 18, 0), urgency=True, reason="Catastrophe naturelle")
    assert latest_sending_time(region, sitting).replace(microsecond=0) == paris(2026, 6, 13, 23, 59, 59)


def test_an_urgent_sitting_cannot_be_created_without_a_reason(session, create_tenant, in_tenant):
    tenant = create_tenant()
    with in_tenant(tenant), pytest.raises(operations.SittingError, match="motif de l'urgence"):
        operations.create_sitting(
            tenant,
            tenant.assemblies[0],
            starts_at=paris(2026, 6, 15, 18),
            place="Mairie",
            actor=None,
            urgency=True,
            now=BEFORE,
        )


def test_convening_too_late_is_refused_and_changes_nothing(create_tenant, create_sitting, in_tenant, audit_events):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    sitting = create_sitting(tenant, starts_at=paris(2026, 6, 15, 18, 0), convene=False, now=BEFORE)
    with in_tenant(tenant), pytest.raises(operations.SittingError, match="article L2121-12 du CGCT"):
        operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=paris(2026, 6, 10, 0, 0, 30))
    assert sitting.status == SittingStatus.DRAFT
    assert audit_events(tenant, "sitting.status_changed") == []
    with in_tenant(tenant):
        operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=paris(2026, 6, 9, 23, 59))
    assert sitting.status == SittingStatus.CONVENED
    assert audit_events(tenant, "sitting.status_changed") == [(str(sitting.id), {"from": "draft", "to": "convened"})]


def test_urgent_convocation_at_one_clear_day_with_reason_is_accepted(create_tenant, create_sitting, in_tenant):
    """The issue's acceptance: an urgent convocation at ≥ 1 jour franc with a reason is accepted."""
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    sitting = create_sitting(
        tenant, starts_at=paris(2026, 6, 15, 18, 0), convene=False, urgency=True, urgency_reason="Crue", now=BEFORE
    )
    with in_tenant(tenant):
        operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=paris(2026, 6, 13, 17, 0))
    assert sitting.status == SittingStatus.CONVENED


@pytest.mark.parametrize(
    ("kind", "population", "article"),
    [
        (TenantKind.COMMUNE, 10_000, "L2121-7"),
        (TenantKind.COMMUNE, 800, "L2121-7"),
        (TenantKind.EPCI, 190_000, "L5211-1, L2121-7"),
    ],
)
def test_first_sitting_after_renewal_needs_three_clear_days(create_tenant, kind, population, article):
    """L2121-7: 3 jours francs, also where the ordinary notice is 5."""
    tenant = create_tenant(kind=kind, population=population)
    sitting = sitting_at(paris(2026, 6, 15, 18, 0))
    sitting.first_after_renewal = True
    assert latest_sending_time(tenant, sitting).replace(microsecond=0) == paris(2026, 6, 11, 23, 59, 59)
    too_late = check_notice(tenant, sitting, paris(2026, 6, 12, 0, 0, 30))
    assert too_late is not None and too_late.article == article
    assert "première séance après le renouvellement" in too_late.message and "3 jours francs" in too_late.message


@pytest.mark.parametrize("kind", [TenantKind.DEPARTEMENT, TenantKind.REGION])
def test_no_renewal_notice_where_the_law_sets_the_date(session, create_tenant, in_tenant, kind):
    tenant = create_tenant(kind=kind, population=500_000)
    with in_tenant(tenant), pytest.raises(operations.SittingError, match="première réunion après le renouvellement"):
        operations.create_sitting(
            tenant,
            tenant.assemblies[0],
            starts_at=paris(2026, 6, 15, 18),
            place="Hôtel du département",
            actor=None,
            first_after_renewal=True,
            now=BEFORE,
        )


def test_the_renewal_flag_is_offered_and_kept_through_the_api(
    client, session, create_tenant, create_person, give_grant
):
    from saas.identity.models import GrantKind
    from tests.fixtures.web import bearer

    tenant = create_tenant(kind=TenantKind.COMMUNE, population=10_000)
    secretary = create_person()
    give_grant(secretary, tenant, GrantKind.TENANT_ADMIN)
    response = client.post(
        f"/api/v1/tenants/{tenant.slug}/assemblies/{tenant.assemblies[0].id}/sittings",
        json={"starts_at": "2027-03-15T18:00:00+01:00", "place": "Mairie", "first_after_renewal": True},
        headers=bearer(secretary),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["first_after_renewal"] is True
