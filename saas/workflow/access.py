"""What a person may do in a circuit: the one function the engine checks and the pages will show from."""

from datetime import date

import sqlalchemy as sa

from saas.core.extensions import db
from saas.documents import access as documents_access
from saas.identity.models import GrantKind, Person, TenantGrant
from saas.reports.models import Report
from saas.tenancy.models import Tenant
from saas.workflow.definitions import members_vote
from saas.workflow.models import Delegation, RunState, Task, TaskKind, TaskState, WorkflowRun

#: every action a task may offer, with its French name (for buttons and refusals)
ACTIONS = {
    "approve": "Valider",
    "refuse": "Refuser",
    "send_back": "Renvoyer à une étape précédente",
    "insert": "Demander l'avis de quelqu'un",
    "give_opinion": "Rendre l'avis",
    "validate_urgently": "Valider en urgence",
}


def acts_for(person: Person, task: Task, on: date) -> Person | None:
    """``person`` themself when the task is theirs; the absent person when ``person`` is their delegate on
    day ``on``; otherwise None."""
    if task.person_id == person.id:
        return person
    delegation = (
        db.session.execute(
            sa.select(Delegation).where(
                Delegation.tenant_id == task.tenant_id,
                Delegation.person_id == task.person_id,
                Delegation.delegate_id == person.id,
                Delegation.starts_on <= on,
                Delegation.ends_on >= on,
            )
        )
        .scalars()
        .first()
    )
    return delegation.person if delegation is not None else None


def holds_grant(person: Person, tenant_id: int, kind: GrantKind) -> bool:
    """Whether ``person`` holds a grant of ``kind`` in the collectivity (urgent validation, administration)."""
    return (
        db.session.execute(
            sa.select(TenantGrant.id).where(
                TenantGrant.tenant_id == tenant_id, TenantGrant.person_id == person.id, TenantGrant.kind == kind
            )
        ).first()
        is not None
    )


def allowed_actions(person: Person, task: Task, on: date | None = None) -> frozenset[str]:
    """The actions ``person`` may take on ``task`` now, and only those (an empty set: show nothing)."""
    on = on or db.session.get(Tenant, task.tenant_id).today()
    run = task.run
    if run is None or run.state != RunState.RUNNING:  # a run of another collectivity than the current one
        return frozenset()
    actions: set[str] = set()
    if holds_grant(person, task.tenant_id, GrantKind.URGENT_VALIDATOR):
        actions.add("validate_urgently")
    if task.state != TaskState.OPEN or acts_for(person, task, on) is None:
        return frozenset(actions)
    if task.kind == TaskKind.INSERTED:
        return frozenset(actions | {"approve", "refuse"})
    step = run.version.steps[task.position]
    if step["kind"] == "signature":
        # signed (or refused) in the signature book, with the signer's own second factor; never here
        return frozenset(actions)
    if members_vote(step):  # one voice among the committee's: neither a detour nor a return of the report
        return frozenset(actions | {"give_opinion"})
    if step["kind"] == "committee_opinion":
        actions |= {"give_opinion", "insert"}
    elif step["kind"] == "approval":
        actions |= {"approve", "refuse", "insert"}
    if task.position > 0:
        actions.add("send_back")
    return frozenset(actions)


def may_act(person: Person, task: Task, action: str, on: date | None = None) -> bool:
    if action not in ACTIONS:
        raise KeyError(f"unknown workflow action {action!r}")
    return action in allowed_actions(person, task, on)


def holds_task_on(person: Person, report: Report) -> bool:
    """Whether a circuit of ``report`` asks or asked ``person`` anything, or someone they stand in for today
    (they read its documents)."""
    today = report.tenant.today()
    replaced = sa.select(Delegation.person_id).where(
        Delegation.tenant_id == report.tenant_id,
        Delegation.delegate_id == person.id,
        Delegation.starts_on <= today,
        Delegation.ends_on >= today,
    )
    return (
        db.session.execute(
            sa.select(Task.id)
            .join(WorkflowRun, WorkflowRun.id == Task.run_id)
            .where(WorkflowRun.report_id == report.id)
            .where(sa.or_(Task.person_id == person.id, Task.person_id.in_(replaced)))
            .limit(1)
        ).first()
        is not None
    )


def register_readers() -> None:
    """Let the people a circuit asks read the report's documents (saas.documents.access)."""
    documents_access.also_readable_by(holds_task_on)
