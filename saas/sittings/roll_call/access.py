"""Who reaches the sitting held: the loaders of the roll call and the votes (missing or not allowed -> 404).

- ``load_held_sitting(tenant, sitting_id, person) -> (sitting, chair)``: a sitting the caller may see (the
  sittings' own rule: another tenant's, a draft for a member, an assembly they do not sit in -> 404), and
  whether they chair it (its secretariat, or the assembly's president on the sitting's day).
- ``require_chair(chair)``: 404 for a member who is not the chair, exactly like a missing sitting (the house's
  rule: a member never learns that a secretariat route exists for this sitting).
- ``load_item(sitting, item_id, person)``: an item of this sitting's agenda the caller may see.
"""

from flask import abort

from saas.core.extensions import db
from saas.identity.access import can_manage
from saas.identity.models import Person
from saas.sittings.access import load_sitting, visible_items
from saas.sittings.models import AgendaItem, Sitting
from saas.sittings.roll_call.operations import may_chair
from saas.tenancy.models import Tenant


def load_held_sitting(tenant: Tenant, sitting_id: int, person: Person) -> tuple[Sitting, bool]:
    sitting, manager = load_sitting(tenant, sitting_id, person)
    return sitting, manager or may_chair(person, sitting)


def require_chair(chair: bool) -> None:
    if not chair:
        abort(404)


def load_item(sitting: Sitting, item_id: int, person: Person) -> AgendaItem:
    """An item on the sitting's agenda that ``person`` may see (closed session: members and staff)."""
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.sitting_id != sitting.id or item.tenant_id != sitting.tenant_id:
        abort(404)
    manager = can_manage(person, "secretary", sitting.tenant, sitting.assembly)
    if item.id not in {visible.id for visible in visible_items(sitting, person, manager)}:
        abort(404)
    return item
