"""Tables of saas.sittings.access."""

from flask import abort

from saas.core.extensions import db
from saas.identity.access import can_access_assembly, can_manage, get_assembly_or_404
from saas.identity.models import Person
from saas.sittings import operations
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.visibility import CONFIDENTIAL_ROLES, reads_closed_session
from saas.tenancy.models import Tenant


def load_sitting(tenant: Tenant, sitting_id: int, person: Person) -> tuple[Sitting, bool]:
    """(sitting, caller manages it). 404 for another tenant's sitting, exactly like a missing one; a draft
    is the secretary's own, so members get 404 for it too."""
    sitting = db.session.get(Sitting, sitting_id)
    if sitting is None or sitting.tenant_id != tenant.id:
        abort(404)
    manager = can_manage(person, "secretary", tenant, sitting.assembly)
    if not manager and (sitting.status == SittingStatus.DRAFT or not can_access_assembly(person, sitting.assembly)):
        abort(404)
    return sitting, manager


def load_managed_assembly(tenant: Tenant, assembly_id: int, person: Person):
    """An assembly of ``tenant`` whose secretariat ``person`` holds (404 otherwise)."""
    assembly = get_assembly_or_404(assembly_id, person)
    if not can_manage(person, "secretary", tenant, assembly):
        abort(404)
    return assembly


def visible_items(sitting: Sitting, person: Person, manager: bool) -> list[AgendaItem]:
    """The agenda; closed-session items only for the secretariat and members and staff of the assembly."""
    items = operations.active_items(sitting)
    mandate = operations.current_mandate(person.id, sitting, CONFIDENTIAL_ROLES)
    if reads_closed_session(manager, [mandate.role] if mandate else []):
        return items
    return [item for item in items if not item.confidential]
