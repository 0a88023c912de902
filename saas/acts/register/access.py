"""Who reads an assembly's register (R2121-9): whoever sees the assembly (its members, its secretariat, the
admins; ``saas.identity.access.get_assembly_or_404``); only the secretariat asks for exports. Anything else
answers 404 exactly like a missing assembly."""

from flask import abort

from saas.acts.register import operations as register
from saas.acts.register.models import RegisterExport
from saas.identity.access import can_manage, get_assembly_or_404
from saas.identity.models import Person
from saas.sittings.access import load_sitting
from saas.sittings.models import Assembly, Sitting
from saas.tenancy.models import Tenant


def load_register(tenant: Tenant, assembly_id: int, person: Person) -> tuple[Assembly, bool]:
    """(assembly, caller manages its register)."""
    assembly = get_assembly_or_404(assembly_id, person)
    return assembly, can_manage(person, "secretary", tenant, assembly)


def load_managed_register(tenant: Tenant, assembly_id: int, person: Person) -> Assembly:
    assembly, manager = load_register(tenant, assembly_id, person)
    if not manager:
        abort(404)
    return assembly


def load_held_sitting(tenant: Tenant, sitting_id: int, person: Person) -> tuple[Sitting, bool]:
    """A held (closed) sitting the caller sees, and whether they manage it; 404 for any other."""
    sitting, manager = load_sitting(tenant, sitting_id, person)
    if sitting.status not in register.HELD:
        abort(404)
    return sitting, manager


def latest_export(assembly: Assembly, sitting: Sitting | None = None, year: int | None = None) -> RegisterExport:
    if year is not None and not register.FIRST_YEAR <= year <= register.LAST_YEAR:
        abort(404)
    exports = register.exports_of(assembly, sitting=sitting, year=year)
    if not exports:
        abort(404)
    return exports[0]
