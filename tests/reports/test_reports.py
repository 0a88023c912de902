"""Reports before the sitting: drafted in a service by a drafter, an @ctes subject code of the right shape,
edited only while a draft or refused, never deleted; isolated per collectivity."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.identity import operations as identity
from saas.identity.models import GrantKind, TenantGrant
from saas.reports import access
from saas.reports import operations as reports
from saas.reports.models import Report, ReportStatus
from saas.reports.operations import ReportError, ReportFields
from saas.sittings.models import Sitting
from saas.tenancy.models import Assembly, AssemblyKind
from tests import services


def fields(place, **values) -> ReportFields:
    return ReportFields(
        title=values.pop("title", "Tarifs des services publics 2027"),
        subject_code=values.pop("subject_code", "7.1"),
        assembly=values.pop("assembly", place.council),
        **values,
    )


def test_a_drafter_creates_a_report_in_their_service(session, drafting, as_person):
    with as_person(drafting.drafter, drafting.tenant):
        report = reports.create_report(drafting.drafter, drafting.service, fields(drafting, subject_code="7.10"))
    assert (report.status, report.version, report.subject_code, report.tenant_id) == (
        ReportStatus.DRAFT,
        1,
        "7.10",
        drafting.tenant.id,
    )
    event = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "report.created")).scalar_one()
    assert (event.tenant_id, event.actor_id, event.object_id) == (
        drafting.tenant.id,
        drafting.drafter.id,
        str(report.id),
    )


def test_only_a_drafter_of_the_service_drafts_there(drafting, create_person, as_person):
    outsider = create_person()
    with as_person(outsider, drafting.tenant), pytest.raises(ReportError, match="ne rédige pas pour le service"):
        reports.create_report(outsider, drafting.service, fields(drafting))


@pytest.mark.parametrize("code", ["71", "0.1", "7.100", "A.1", "7.", " 7.1", ""])
def test_the_subject_code_has_the_actes_shape(drafting, as_person, code):
    with (
        as_person(drafting.drafter, drafting.tenant),
        pytest.raises(ReportError, match="code matière @ctes") as refused,
    ):
        reports.create_report(drafting.drafter, drafting.service, fields(drafting, subject_code=code))
    assert refused.value.field == "subject_code"


def test_title_assembly_and_sitting_are_checked(session, drafting, make_drafting, as_person):
    other = make_drafting()
    committee = Assembly(tenant_id=drafting.tenant.id, key="commission", name="Commission", kind=AssemblyKind.COMMITTEE)
    session.add(committee)
    session.flush()
    sitting = Sitting(
        tenant_id=drafting.tenant.id,
        assembly_id=committee.id,
        starts_at=datetime(2027, 1, 20, 18, tzinfo=UTC),
        place="Salle",
    )
    session.add(sitting)
    session.flush()
    with as_person(drafting.drafter, drafting.tenant):
        with pytest.raises(ReportError, match="obligatoire"):
            reports.create_report(drafting.drafter, drafting.service, fields(drafting, title="   "))
        with pytest.raises(ReportError, match="n'appartient pas"):
            reports.create_report(drafting.drafter, drafting.service, fields(drafting, assembly=other.council))
        with pytest.raises(ReportError, match="séance visée"):
            reports.create_report(drafting.drafter, drafting.service, fields(drafting, sitting=sitting))
        report = reports.create_report(
            drafting.drafter,
            drafting.service,
            fields(drafting, assembly=committee, sitting=sitting, rapporteur=drafting.head),
        )
    assert (report.sitting_id, report.rapporteur_id) == (sitting.id, drafting.head.id)


def test_edited_only_while_draft_or_refused(drafting, as_person):
    with as_person(drafting.drafter, drafting.tenant):
        report = reports.create_report(drafting.drafter, drafting.service, fields(drafting))
        reports.edit_report(report, fields(drafting, title="Tarifs 2027 (révisés)"), actor=drafting.drafter)
        assert report.title == "Tarifs 2027 (révisés)"
        for status, editable in (
            (ReportStatus.IN_CIRCUIT, False),
            (ReportStatus.READY, False),
            (ReportStatus.REFUSED, True),
        ):
            report.status = status
            assert access.can_edit(drafting.drafter, report) is editable
            if editable:
                reports.edit_report(report, fields(drafting, subject_code="7.2"), actor=drafting.drafter)
            else:
                with pytest.raises(ReportError, match="ne peut plus être modifié"):
                    reports.edit_report(report, fields(drafting), actor=drafting.drafter)
    assert report.subject_code == "7.2"


def test_drafter_grants_name_a_service(session, drafting, create_person):
    again = reports.give_drafter_grant(drafting.drafter, drafting.service, actor=None)
    grants = (
        session.execute(
            sa.select(TenantGrant).where(
                TenantGrant.person_id == drafting.drafter.id, TenantGrant.kind == GrantKind.DRAFTER
            )
        )
        .scalars()
        .all()
    )
    assert grants == [again] and again.service_id == drafting.service.id
    with pytest.raises(ValueError, match="names a service"):
        identity.give_grant(create_person(), drafting.tenant, GrantKind.DRAFTER, assembly=None, actor=None)
    with pytest.raises(ReportError, match="existe déjà"):
        reports.create_service(drafting.tenant, "Direction des finances", head=None, actor=None)


def test_a_report_of_a_is_invisible_in_b(session, drafting, make_drafting, as_person):
    other = make_drafting()
    with as_person(drafting.drafter, drafting.tenant):
        report = reports.create_report(drafting.drafter, drafting.service, fields(drafting))
    report_id = report.id
    with as_person(other.drafter, other.tenant):
        session.expunge_all()
        assert session.get(Report, report_id) is None
        assert reports.reports_of(other.tenant) == []
        raw = session.execute(sa.text("SELECT tenant_id FROM report")).scalars().all()
    if services.profile() == "production":
        assert drafting.tenant.id not in raw
    else:
        assert drafting.tenant.id in raw  # SQLite has no row-level security: the ORM filter guards
