"""What the absences page reads: the colleagues one may delegate to, and one's own delegation by its id."""

from datetime import date

import sqlalchemy as sa
from flask import abort

from saas.core.extensions import db
from saas.identity.models import Mandate, Person, TenantGrant
from saas.tenancy.models import Tenant
from saas.workflow.models import Delegation


def colleagues(tenant: Tenant, person: Person, today: date) -> list[Person]:
    """The people with a mandate in office or a right in the collectivity, ``person`` left out, by name."""
    mandated = sa.select(Mandate.person_id).where(Mandate.tenant_id == tenant.id, Mandate.in_office_on(today))
    granted = sa.select(TenantGrant.person_id).where(TenantGrant.tenant_id == tenant.id)
    return list(
        db.session.execute(
            sa.select(Person)
            .where(sa.or_(Person.id.in_(mandated), Person.id.in_(granted)), Person.id != person.id)
            .order_by(Person.last_name, Person.first_name, Person.id)
        ).scalars()
    )


def load_own_delegation(tenant: Tenant, delegation_id: int, person: Person) -> Delegation:
    """``person``'s delegation in the collectivity; another's, another collectivity's or none: 404 alike."""
    delegation = db.session.execute(
        sa.select(Delegation).where(
            Delegation.id == delegation_id, Delegation.tenant_id == tenant.id, Delegation.person_id == person.id
        )
    ).scalar_one_or_none()
    if delegation is None:
        abort(404)
    return delegation
