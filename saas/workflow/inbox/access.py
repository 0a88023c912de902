"""The task a URL names, for its page and the API: 404 unless it is of this collectivity and the caller has a
right on it — it is theirs, they stand in for its person today, or ``allowed_actions`` gives them something
to do on it (an urgent validator). The actions shown are exactly ``saas.workflow.access.allowed_actions``."""

from datetime import date

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from saas.core.extensions import db
from saas.identity.models import Mandate, Person, TenantGrant
from saas.tenancy.models import Tenant
from saas.workflow.access import acts_for, allowed_actions
from saas.workflow.models import Task, TaskAction

#: the API's names of the engine's actions (``opinion`` is the engine's ``give_opinion``)
API_NAMES = {
    "approve": "approve",
    "refuse": "refuse",
    "send_back": "send_back",
    "insert": "insert",
    "give_opinion": "opinion",
    "validate_urgently": "validate_urgently",
}
ENGINE_NAMES = {api: engine for engine, api in API_NAMES.items()}
#: the order buttons and forms come in
ORDER = ("approve", "give_opinion", "refuse", "send_back", "insert", "validate_urgently")


def load_task(tenant: Tenant, task_id: int, person: Person) -> tuple[Task, list[str]]:
    """The task and what ``person`` may do on it, in order; 404 exactly like a missing task otherwise (a
    task of another collectivity is readable by its own person from here, so the tenant is checked)."""
    task = db.session.get(Task, task_id)
    if task is None or task.tenant_id != tenant.id:
        abort(404)
    on = tenant.today()
    actions = actions_on(tenant, task, person)
    if not actions and task.person_id != person.id and acts_for(person, task, on) is None:
        abort(404)
    return task, actions


def actions_on(tenant: Tenant, task: Task, person: Person) -> list[str]:
    """``allowed_actions`` in the order the page and the API show them."""
    allowed = allowed_actions(person, task, tenant.today())
    return [action for action in ORDER if action in allowed]


def history(task: Task) -> list[TaskAction]:
    """What was done in the task's circuit, oldest first, with who did it."""
    return list(
        db.session.execute(
            sa.select(TaskAction)
            .where(TaskAction.run_id == task.run_id)
            .options(selectinload(TaskAction.actor))
            .order_by(TaskAction.id)
        ).scalars()
    )


def people_to_ask(tenant: Tenant, task: Task, person: Person, on: date) -> list[Person]:
    """Whom ``person`` may ask before answering: the collectivity's people with a current mandate or a right,
    by name, except themselves and the task's own person."""
    mandated = sa.select(Mandate.person_id).where(Mandate.tenant_id == tenant.id, Mandate.in_office_on(on))
    granted = sa.select(TenantGrant.person_id).where(TenantGrant.tenant_id == tenant.id)
    return list(
        db.session.execute(
            sa.select(Person)
            .where(
                sa.or_(Person.id.in_(mandated), Person.id.in_(granted)),
                Person.id.not_in([person.id, task.person_id]),
            )
            .order_by(Person.last_name, Person.first_name, Person.id)
        ).scalars()
    )


def person_to_ask(tenant: Tenant, task: Task, person: Person, person_id: int | None) -> Person | None:
    """The person chosen to ask, if they are one of ``people_to_ask`` (None otherwise: the caller refuses it
    without naming anyone of another collectivity)."""
    if person_id is None:
        return None
    return next((other for other in people_to_ask(tenant, task, person, tenant.today()) if other.id == person_id), None)


def earlier_steps(task: Task) -> list[dict]:
    """The steps before the task's one, to send the report back to."""
    return task.run.version.steps[: task.position]
