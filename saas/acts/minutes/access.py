"""Who sees the minutes and the list of deliberations of a sitting: whoever sees the sitting
(``saas.sittings.access.load_sitting``: its assembly's members, its secretariat, the admins); anything else
answers 404 exactly like a missing sitting. The secretary of the sitting and the secretariat write the minutes
(``operations.may_write``); the secretariat alone generates the list and records its publication."""

from flask import abort

from saas.acts.minutes import operations as minutes
from saas.acts.minutes.models import DeliberationList, OutsideCouncillor
from saas.core.extensions import db
from saas.identity.models import Person
from saas.sittings.access import load_sitting
from saas.sittings.models import AgendaItem, Sitting
from saas.tenancy.models import Tenant


def load_minutes_sitting(tenant: Tenant, sitting_id: int, person: Person) -> tuple[Sitting, bool, bool]:
    """(sitting, caller manages it, caller writes its minutes)."""
    sitting, manager = load_sitting(tenant, sitting_id, person)
    return sitting, manager, manager or minutes.may_write(person, sitting)


def load_writable_sitting(tenant: Tenant, sitting_id: int, person: Person) -> Sitting:
    """A sitting whose minutes the caller writes; 404 otherwise."""
    sitting, _manager, writer = load_minutes_sitting(tenant, sitting_id, person)
    if not writer:
        abort(404)
    return sitting


def load_managed_sitting(tenant: Tenant, sitting_id: int, person: Person) -> Sitting:
    sitting, manager = load_sitting(tenant, sitting_id, person)
    if not manager:
        abort(404)
    return sitting


def load_councillors_sitting(tenant: Tenant, sitting_id: int, person: Person) -> Sitting:
    """A sitting of an EPCI whose list goes to the councillors of its member communes (L5211-40-2), managed by
    the caller: where they keep that list of councillors; 404 otherwise (another kind of collectivity too)."""
    sitting = load_managed_sitting(tenant, sitting_id, person)
    if minutes.councillors_rule(tenant) is None:
        abort(404)
    return sitting


def load_councillor(tenant: Tenant, councillor_id: int) -> OutsideCouncillor:
    """A councillor still on the list; an archived one, or one of another collectivity, is 404."""
    councillor = db.session.get(OutsideCouncillor, councillor_id)
    if councillor is None or councillor.tenant_id != tenant.id or councillor.archived_at is not None:
        abort(404)
    return councillor


def load_item(sitting: Sitting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.sitting_id != sitting.id or item.tenant_id != sitting.tenant_id:
        abort(404)
    return item


def load_list(sitting: Sitting, version: int) -> DeliberationList:
    listing = next((listing for listing in minutes.lists_of(sitting) if listing.version == version), None)
    if listing is None:
        abort(404)
    return listing
