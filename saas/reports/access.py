"""Who may see and edit a report (one place; handlers call these)."""

import sqlalchemy as sa

from saas.core.extensions import db
from saas.identity.models import GrantKind, Person, TenantGrant
from saas.reports.models import Report


def _holds(person: Person, tenant_id: int, kinds: tuple[GrantKind, ...]) -> bool:
    return (
        db.session.execute(
            sa.select(TenantGrant.id).where(
                TenantGrant.tenant_id == tenant_id, TenantGrant.person_id == person.id, TenantGrant.kind.in_(kinds)
            )
        ).first()
        is not None
    )


#: the grants whose holders see every report of the collectivity
SEE_ALL = (GrantKind.TENANT_ADMIN, GrantKind.SECRETARY, GrantKind.URGENT_VALIDATOR)


def can_edit(person: Person, report: Report) -> bool:
    """The drafter, or an admin of the collectivity, while the report is a draft or refused."""
    if not report.editable:
        return False
    return report.drafter_id == person.id or _holds(person, report.tenant_id, (GrantKind.TENANT_ADMIN,))


def can_see(person: Person, report: Report) -> bool:
    """Its drafter, its rapporteur, the drafters of its service, the collectivity's admins, secretaries and
    holders of the urgent-validation right, who may end any circuit (validators see it through their tasks:
    saas.workflow.access)."""
    if person.id in (report.drafter_id, report.rapporteur_id):
        return True
    if _holds(person, report.tenant_id, SEE_ALL):
        return True
    return drafts_in_service(person, report.tenant_id, report.service_id)


def drafts_in_service(person: Person, tenant_id: int, service_id: int) -> bool:
    """Whether ``person`` holds a drafter grant for the service (colleagues see the service's reports)."""
    return (
        db.session.execute(
            sa.select(TenantGrant.id).where(
                TenantGrant.tenant_id == tenant_id,
                TenantGrant.person_id == person.id,
                TenantGrant.kind == GrantKind.DRAFTER,
                TenantGrant.service_id == service_id,
            )
        ).first()
        is not None
    )
