"""Who sees which act, one rule for the pages and the API: the act of a sitting the caller may see (the
sitting's rule, ``saas.sittings.access.load_sitting``: the assembly's members, its secretariat, the admins),
and for a closed-session item only those who read closed sessions (``saas.sittings.visibility``). Anything else
answers 404 exactly like a missing act. The secretariat of the assembly (or an admin) manages its acts: puts
them to signature, corrects them."""

import sqlalchemy as sa
from flask import abort

from saas.acts.models import Deliberation
from saas.core.extensions import db
from saas.identity.access import can_access_assembly, can_manage
from saas.identity.models import Person
from saas.sittings.access import load_sitting
from saas.sittings.models import Sitting, SittingStatus
from saas.sittings.operations import current_mandate
from saas.sittings.visibility import CONFIDENTIAL_ROLES, reads_closed_session
from saas.tenancy.models import Tenant


def _reads_closed(person: Person, sitting: Sitting, manager: bool) -> bool:
    mandate = current_mandate(person.id, sitting, CONFIDENTIAL_ROLES)
    return reads_closed_session(manager, [mandate.role] if mandate else [])


def load_act(tenant: Tenant, act_id: int, person: Person) -> tuple[Deliberation, bool]:
    """(act, caller manages it); 404 for an act the caller may not see, exactly like a missing one."""
    act = db.session.get(Deliberation, act_id)
    if act is None or act.tenant_id != tenant.id:
        abort(404)
    sitting, manager = load_sitting(tenant, act.sitting_id, person)
    if act.agenda_item.confidential and not _reads_closed(person, sitting, manager):
        abort(404)
    return act, manager


def load_managed_act(tenant: Tenant, act_id: int, person: Person) -> Deliberation:
    """An act the caller manages; 404 otherwise (a member who sees it cannot act on it: the page offers nothing)."""
    act, manager = load_act(tenant, act_id, person)
    if not manager:
        abort(404)
    return act


def visible_acts(
    tenant: Tenant, person: Person, *, year: int | None = None, sitting: Sitting | None = None
) -> list[Deliberation]:
    """The collectivity's acts the caller may see, in the register's order (year, then number)."""
    query = sa.select(Deliberation).where(Deliberation.tenant_id == tenant.id)
    if year is not None:
        query = query.where(Deliberation.year == year)
    if sitting is not None:
        query = query.where(Deliberation.sitting_id == sitting.id)
    acts = db.session.execute(query.order_by(Deliberation.year, Deliberation.sequence)).scalars()
    seen: dict[int, tuple[bool, bool]] = {}
    visible = []
    for act in acts:
        if act.sitting_id not in seen:
            act_sitting = act.sitting
            manager = can_manage(person, "secretary", tenant, act_sitting.assembly)
            sees = manager or (
                act_sitting.status != SittingStatus.DRAFT and can_access_assembly(person, act_sitting.assembly)
            )
            seen[act.sitting_id] = (sees, sees and _reads_closed(person, act_sitting, manager))
        sees, closed = seen[act.sitting_id]
        if sees and (closed or not act.agenda_item.confidential):
            visible.append(act)
    return visible


def years(tenant: Tenant) -> list[int]:
    """The years the collectivity has acts in, the latest first."""
    return list(
        db.session.execute(
            sa.select(Deliberation.year)
            .where(Deliberation.tenant_id == tenant.id)
            .distinct()
            .order_by(Deliberation.year.desc())
        ).scalars()
    )
