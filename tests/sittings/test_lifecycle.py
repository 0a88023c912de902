"""The sitting's lifecycle guards: a date in the past refused (``now`` replays the past), the generic status
change that only convenes (opening and closing are refused, 409), and the interval after a failed quorum."""

from datetime import UTC, datetime, timedelta

import pytest

from saas.core.database import utcnow
from saas.sittings import operations
from saas.sittings.models import SittingStatus
from saas.sittings.operations import SittingError, StatusConflict
from tests.fixtures.sittings import MONDAY_15_MARCH_2027


def test_a_sitting_in_the_past_is_refused_and_now_replays_the_past(session, create_tenant, in_tenant):
    tenant = create_tenant()
    assembly = tenant.assemblies[0]
    yesterday = utcnow() - timedelta(days=1)
    with in_tenant(tenant):
        with pytest.raises(SittingError, match="est passée : choisissez une date à venir") as refused:
            operations.create_sitting(tenant, assembly, starts_at=yesterday, place="Mairie", actor=None)
        assert "du CGCT" not in refused.value.message
        past = datetime(2026, 3, 16, 17, tzinfo=UTC)
        with pytest.raises(SittingError, match=r"\(lundi 16 mars 2026 à 18h00\) est passée"):
            operations.create_sitting(tenant, assembly, starts_at=past, place="Mairie", actor=None)
        with pytest.raises(SittingError, match="est passée"):  # this very minute is not to come
            operations.create_sitting(tenant, assembly, starts_at=past, place="Mairie", actor=None, now=past)
        replayed = operations.create_sitting(
            tenant, assembly, starts_at=past, place="Mairie", actor=None, now=past - timedelta(days=20)
        )
        assert replayed.starts_at == past


def test_editing_a_draft_to_a_past_date_is_refused_but_other_changes_pass(
    session, create_tenant, create_sitting, in_tenant, audit_events
):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False)
    with in_tenant(tenant):
        with pytest.raises(SittingError, match="est passée"):
            operations.update_sitting(sitting, starts_at=utcnow() - timedelta(minutes=5), actor=None)
        assert sitting.starts_at == MONDAY_15_MARCH_2027
        operations.update_sitting(sitting, place="Salle des fêtes", actor=None)
        later = MONDAY_15_MARCH_2027 + timedelta(days=1)
        operations.update_sitting(sitting, starts_at=later, actor=None, now=MONDAY_15_MARCH_2027)
    assert sitting.place == "Salle des fêtes" and sitting.starts_at == later
    assert [set(data) for _, data in audit_events(tenant, "sitting.updated")] == [{"place"}, {"starts_at"}]


@pytest.mark.parametrize("status", ["in_progress", "closed"])
def test_the_generic_status_change_refuses_opening_and_closing(create_tenant, create_sitting, in_tenant, status):
    """The issue's bug: a sitting set "en cours" then "close" twelve days before its date."""
    tenant = create_tenant()
    sitting = create_sitting(tenant)
    with in_tenant(tenant), pytest.raises(StatusConflict, match="article L2121-15 du CGCT") as refused:
        operations.change_status(sitting, status, actor=None)
    assert refused.value.status == 409 and sitting.status == SittingStatus.CONVENED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("cancelled", "s'annule avec son motif"),
        ("archived", "ne peut pas passer à l'état « archivée »"),
        ("ouverte", "État de séance inconnu : « ouverte »"),
        ("\udcff", "État de séance inconnu"),
    ],
)
def test_the_generic_status_change_refuses_everything_else_in_french(
    create_tenant, create_sitting, in_tenant, status, message
):
    tenant = create_tenant()
    sitting = create_sitting(tenant)
    with in_tenant(tenant), pytest.raises(SittingError, match=message) as refused:
        operations.change_status(sitting, status, actor=None)
    assert refused.value.status == 422


def test_convening_a_sitting_whose_date_passed_is_refused(create_tenant, create_sitting, in_tenant):
    tenant = create_tenant()
    sitting = create_sitting(tenant, convene=False)
    with in_tenant(tenant), pytest.raises(SittingError, match="La séance est passée"):
        operations.set_status(sitting, SittingStatus.CONVENED, actor=None, at=MONDAY_15_MARCH_2027)
