"""Tables of saas.sittings.convocations.access."""

from flask import abort

from saas.identity.models import Person
from saas.sittings.access import load_sitting
from saas.sittings.models import Sitting
from saas.tenancy.models import Tenant


def load_managed_sitting(tenant: Tenant, sitting_id: int, person: Person) -> Sitting:
    """A sitting of ``tenant`` whose assembly's secretariat ``person`` holds; 404 for anyone else, another
    tenant's sitting and a missing one alike (the convocation screens, the evidence, the secretariat API)."""
    sitting, manager = load_sitting(tenant, sitting_id, person)
    if not manager:
        abort(404)
    return sitting
