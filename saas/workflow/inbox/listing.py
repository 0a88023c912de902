""" "À traiter": everything awaiting one person, in every collectivity — the open tasks of the circuits (their
own, and those of an absent colleague they stand in for) and the signature book's documents whose turn is
theirs — grouped by collectivity.

The crossing goes through what the person may read, as "Mes séances" does (saas.sittings.inbox): their own
mandates and grants (person-owned) name the collectivities; then, per collectivity, the listing enters that
tenant's context with the person's id, exactly what a request under /t/<slug>/ does after checking access,
and reads there. It never uses the system context: the ORM filter and row-level security keep applying.

The number of queries grows with the number of collectivities, never with the number of tasks: per
collectivity, one query for the tasks (joined to their run, report and person, the delegations in a
subquery), one for the steps of their circuits' versions, and one for the reports of the documents to sign.

One inbox, not two: a task of a circuit step of kind "signature" is done in the signature book, whose
request is its one row (``signed_in_the_book``).
"""

import dataclasses
from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa

from saas.core.database import TenantContext, context
from saas.core.extensions import db
from saas.documents.models import Document, DocumentVersion
from saas.identity.models import Mandate, Person, TenantGrant
from saas.reports.models import Report
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest, SignatureStep, StepStatus
from saas.tenancy.models import Tenant
from saas.workflow.models import Delegation, RunState, Task, TaskKind, TaskState, WorkflowRun, WorkflowVersion


@dataclasses.dataclass(frozen=True)
class TaskEntry:
    task_id: int
    report_id: int
    report_title: str
    step_key: str
    step_name: str
    #: approval, committee_opinion, signature (information steps ask nothing and never wait here)
    step_kind: str
    #: "step", or "inserted" (someone asked my opinion before answering)
    kind: str
    due_on: date | None
    late: bool
    since: datetime
    #: the absent colleague I stand in for (a delegation), None for my own task
    on_behalf_of: str | None


@dataclasses.dataclass(frozen=True)
class SignatureEntry:
    request_id: int
    title: str
    role: str
    position: int
    signers: int
    requested_at: datetime
    #: the report whose document it is, when it came from one
    report_id: int | None


@dataclasses.dataclass(frozen=True)
class TenantInbox:
    tenant_id: int
    slug: str
    name: str
    time_zone: str
    tasks: list[TaskEntry]
    signatures: list[SignatureEntry]

    @property
    def count(self) -> int:
        return len(self.tasks) + len(self.signatures)


def tenants_of(person: Person, today: date | None = None) -> list[Tenant]:
    """The collectivities where ``person`` holds a current mandate or a grant (those whose pages they reach)."""
    today = today or date.today()
    with context(db.session, TenantContext(person_id=person.id)):
        mandated = sa.select(Mandate.tenant_id).where(Mandate.person_id == person.id, Mandate.in_office_on(today))
        granted = sa.select(TenantGrant.tenant_id).where(TenantGrant.person_id == person.id)
        return list(
            db.session.execute(
                sa.select(Tenant)
                .where(sa.or_(Tenant.id.in_(mandated), Tenant.id.in_(granted)))
                .order_by(Tenant.name, Tenant.id)
            ).scalars()
        )


def _stood_in_for(person: Person, tenant_id: int, on: date):
    """The people whose tasks ``person`` may do on day ``on`` as their delegate (a subquery)."""
    return sa.select(Delegation.person_id).where(
        Delegation.tenant_id == tenant_id,
        Delegation.delegate_id == person.id,
        Delegation.starts_on <= on,
        Delegation.ends_on >= on,
    )


def _open_tasks(person: Person, tenant_id: int, on: date):
    return sa.and_(
        Task.tenant_id == tenant_id,
        Task.state == TaskState.OPEN,
        sa.or_(Task.person_id == person.id, Task.person_id.in_(_stood_in_for(person, tenant_id, on))),
        WorkflowRun.state == RunState.RUNNING,
    )


def _steps_of(version_ids: set[int]) -> dict[int, list[dict]]:
    """The circuits' steps, once per version (a few versions serve thousands of tasks); one query, even
    for none, so the count of queries does not depend on the tasks."""
    return {
        version_id: document["steps"]
        for version_id, document in db.session.execute(
            sa.select(WorkflowVersion.id, WorkflowVersion.document).where(WorkflowVersion.id.in_(version_ids))
        ).all()
    }


def _task_entries(person: Person, tenant: Tenant, on: date) -> list[TaskEntry]:
    rows = db.session.execute(
        sa.select(Task, Report.id, Report.title, WorkflowRun.version_id, Person.first_name, Person.last_name)
        .join(WorkflowRun, WorkflowRun.id == Task.run_id)
        .join(Report, Report.id == WorkflowRun.report_id)
        .join(Person, Person.id == Task.person_id)
        .where(_open_tasks(person, tenant.id, on))
        .order_by(Task.id)
    ).all()
    steps = _steps_of({row.version_id for row in rows})
    entries = []
    for task, report_id, title, version_id, first_name, last_name in rows:
        step = steps[version_id][task.position]
        entries.append(
            TaskEntry(
                task_id=task.id,
                report_id=report_id,
                report_title=title,
                step_key=task.step_key,
                step_name=step["name"],
                step_kind=step["kind"],
                kind=task.kind.value,
                due_on=task.due_on,
                late=task.due_on is not None and task.due_on < on,
                since=task.created_at,
                on_behalf_of=None if task.person_id == person.id else f"{first_name} {last_name}",
            )
        )
    return entries


def _reports_of_requests(request_ids: list[int]) -> dict[int, int]:
    """The report of each signature request made from a report's document version (one query)."""
    if not request_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(SignatureRequest.id, Document.report_id)
            .join(DocumentVersion, DocumentVersion.id == SignatureRequest.document_version_id)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(SignatureRequest.id.in_(request_ids))
        ).all()
    )


def signed_in_the_book(kind: TaskKind | str, step_kind: str) -> bool:
    """One inbox, not two: a signature step's task is done in the signature book, whose request is its one
    row (shown when the book's order reaches the person), so the task itself is not listed."""
    return step_kind == "signature" and kind == TaskKind.STEP


def _order(entry: TaskEntry):
    return (not entry.late, entry.due_on or date.max, entry.task_id)


def inbox_for(person: Person) -> list[TenantInbox]:
    """Every collectivity of ``person`` with something awaiting them, by name; in each, the tasks late first
    then by due date, and the documents to sign oldest first."""
    person = db.session.get(Person, person.id)
    signing = defaultdict(list)
    for entry in book.book_for(person):
        signing[entry.tenant_id].append(entry)
    inboxes = []
    for tenant in tenants_of(person):
        with context(db.session, TenantContext(tenant_id=tenant.id, person_id=person.id)):
            on = tenant.today()
            waiting = signing.get(tenant.id, [])
            reports = _reports_of_requests([entry.request_id for entry in waiting])
            signatures = [
                SignatureEntry(
                    request_id=entry.request_id,
                    title=entry.title,
                    role=entry.role,
                    position=entry.position,
                    signers=entry.signers,
                    requested_at=entry.requested_at,
                    report_id=reports.get(entry.request_id),
                )
                for entry in waiting
            ]
            tasks = [
                task for task in _task_entries(person, tenant, on) if not signed_in_the_book(task.kind, task.step_kind)
            ]
        if tasks or signatures:
            inboxes.append(
                TenantInbox(
                    tenant_id=tenant.id,
                    slug=tenant.slug,
                    name=tenant.name,
                    time_zone=tenant.timezone,
                    tasks=sorted(tasks, key=_order),
                    signatures=signatures,
                )
            )
    return inboxes


def count_for(person: Person) -> int:
    """How many things await ``person`` (the number beside "À traiter" in the navigation): the rows the page
    lists, counted without loading the reports (per collectivity: the open tasks' step positions, the steps
    of their circuits' versions)."""
    total = 0
    tenants = tenants_of(person)
    for tenant in tenants:
        with context(db.session, TenantContext(tenant_id=tenant.id, person_id=person.id)):
            rows = db.session.execute(
                sa.select(Task.kind, Task.position, WorkflowRun.version_id)
                .join(WorkflowRun, WorkflowRun.id == Task.run_id)
                .where(_open_tasks(person, tenant.id, tenant.today()))
            ).all()
            steps = _steps_of({row.version_id for row in rows})
            total += sum(not signed_in_the_book(row.kind, steps[row.version_id][row.position]["kind"]) for row in rows)
    with context(db.session, TenantContext(person_id=person.id)):
        total += db.session.execute(
            sa.select(sa.func.count(SignatureStep.id)).where(
                SignatureStep.person_id == person.id,
                SignatureStep.status == StepStatus.PENDING,
                SignatureStep.tenant_id.in_([tenant.id for tenant in tenants]),
            )
        ).scalar_one()
    return total
