"""Who sees which report on the drafters' pages and in the API (one rule for both doors).

A report is seen by whoever ``saas.reports.access.can_see`` names (its drafter, its rapporteur, the drafters
of its service; every report: the collectivity's admins, secretaries and urgent validators) and by whoever
its circuit asks or asked something (``saas.workflow.access.holds_task_on``): the same people read its
documents (saas.documents.access). Anyone else, and anyone of another collectivity, gets 404, exactly like a
missing id; the list shows them nothing.
"""

import sqlalchemy as sa
from flask_smorest import abort

from saas.core.extensions import db
from saas.identity.models import GrantKind, Person, TenantGrant
from saas.reports import access as report_access
from saas.reports.models import Report, Service
from saas.tenancy.models import Tenant
from saas.workflow.access import holds_task_on
from saas.workflow.models import Task, WorkflowRun

NOT_VISIBLE = "Rapport inconnu, ou que vous ne pouvez pas voir."


def may_see(person: Person, report: Report) -> bool:
    return report_access.can_see(person, report) or holds_task_on(person, report)


def load_report(tenant: Tenant, report_id: int, person: Person) -> Report:
    """The report ``report_id`` of ``tenant`` if ``person`` may see it; 404 otherwise."""
    report = db.session.get(Report, report_id)
    if report is None or report.tenant_id != tenant.id or not may_see(person, report):
        abort(404, message=NOT_VISIBLE)
    return report


def _grants(person: Person, tenant: Tenant) -> list[TenantGrant]:
    return list(
        db.session.execute(
            sa.select(TenantGrant).where(TenantGrant.tenant_id == tenant.id, TenantGrant.person_id == person.id)
        ).scalars()
    )


def visible_reports(tenant: Tenant, person: Person) -> list[Report]:
    """Every report of ``tenant`` that ``person`` may see, newest first (the same rule as ``may_see``)."""
    grants = _grants(person, tenant)
    query = sa.select(Report).where(Report.tenant_id == tenant.id)
    if not any(grant.kind in report_access.SEE_ALL for grant in grants):
        services = [grant.service_id for grant in grants if grant.kind == GrantKind.DRAFTER]
        asked = (
            sa.select(WorkflowRun.report_id)
            .join(Task, Task.run_id == WorkflowRun.id)
            .where(WorkflowRun.tenant_id == tenant.id, Task.person_id == person.id)
        )
        query = query.where(
            sa.or_(
                Report.drafter_id == person.id,
                Report.rapporteur_id == person.id,
                Report.service_id.in_(services),
                Report.id.in_(asked),
            )
        )
    return list(db.session.execute(query.order_by(Report.updated_at.desc(), Report.id.desc())).scalars())


def drafting_services(tenant: Tenant, person: Person) -> list[Service]:
    """The services, not archived, in which ``person`` may draft reports."""
    return list(
        db.session.execute(
            sa.select(Service)
            .join(TenantGrant, TenantGrant.service_id == Service.id)
            .where(
                TenantGrant.tenant_id == tenant.id,
                TenantGrant.person_id == person.id,
                TenantGrant.kind == GrantKind.DRAFTER,
                Service.archived.is_(False),
            )
            .order_by(Service.name)
        ).scalars()
    )
