"""What the report pages and the API read of a report's circuits: its runs, where each step of the current
one stands and who holds it, and the history of every action with the documents seen. Plain reads: no
writes, no request (the actions themselves are saas.reports.operations and saas.workflow.operations)."""

import dataclasses
from datetime import date, datetime

import sqlalchemy as sa

from saas.core.extensions import db
from saas.documents.models import Document, DocumentVersion
from saas.identity.models import MEMBER_ROLES, GrantKind, Mandate, Person, TenantGrant
from saas.reports.models import Report
from saas.sittings.models import Sitting, SittingStatus
from saas.tenancy.models import Assembly, AssemblyKind, Tenant
from saas.workflow.models import RunState, Task, TaskState, WorkflowRun
from saas.workflow.operations import actions_of, approval_outdated, tasks_of

#: the actions whose documents seen may be outdated by a later version
APPROVALS = ("approve", "give_opinion")


def runs_of(report: Report) -> list[WorkflowRun]:
    return list(
        db.session.execute(
            sa.select(WorkflowRun)
            .where(WorkflowRun.report_id == report.id, WorkflowRun.tenant_id == report.tenant_id)
            .order_by(WorkflowRun.id)
        ).scalars()
    )


@dataclasses.dataclass
class StepProgress:
    position: int
    key: str
    name: str
    kind: str
    mode: str
    #: done, current, to_come, refused, skipped
    state: str
    #: the tasks of the step's latest passage, its people and their states
    tasks: list[Task]
    #: the latest day to finish, from the plan kept at submission (a report aimed at a sitting)
    finish_by: date | None
    late: bool
    #: the current step's earliest deadline (``Task.due_on``) when it is past
    overdue: date | None = None


def progress(run: WorkflowRun, today: date | None = None) -> list[StepProgress]:
    """Each step of the run's version, with where it stands and who holds it."""
    today = today or db.session.get(Tenant, run.tenant_id).today()
    tasks = tasks_of(run)
    planned = {step["key"]: step for step in (run.plan or {}).get("steps", [])}
    urgent = run.state == RunState.COMPLETED and any(a.kind == "validate_urgently" for a in actions_of(run))
    rows = []
    for position, step in enumerate(run.version.steps):
        passages = [task for task in tasks if task.position == position]
        latest = max((task.round for task in passages), default=None)
        if run.state == RunState.COMPLETED:
            state = "skipped" if urgent and position >= run.position else "done"
        elif position < run.position:
            state = "done"
        elif position == run.position:
            state = "refused" if run.state == RunState.REFUSED else "current"
        else:
            state = "to_come"
        plan = planned.get(step["key"]) or {}
        finish_by = date.fromisoformat(plan["latest_finish"]) if plan.get("latest_finish") else None
        rows.append(
            StepProgress(
                position=position,
                key=step["key"],
                name=step["name"],
                kind=step["kind"],
                mode=step.get("mode", "one"),
                state=state,
                tasks=[task for task in passages if task.round == latest],
                finish_by=finish_by,
                late=bool(plan.get("late")),
                overdue=_overdue([task for task in passages if task.round == latest], today)
                if state == "current"
                else None,
            )
        )
    return rows


def _overdue(tasks: list[Task], today: date) -> date | None:
    due = [task.due_on for task in tasks if task.state == TaskState.OPEN and task.due_on is not None]
    return min(due) if due and min(due) < today else None


@dataclasses.dataclass
class SeenVersion:
    document_title: str
    number: int
    sha256: str


@dataclasses.dataclass
class Entry:
    """One line of a report's history."""

    at: datetime
    kind: str
    actor: Person | None
    #: the absent person a delegate acted for
    on_behalf_of: Person | None
    #: the step's name (none for a submission or an urgent validation)
    step_name: str | None
    #: the report's version the run was submitted as
    report_version: int
    comment: str | None
    data: dict
    documents: list[SeenVersion]
    #: an approval given on earlier versions of the documents than the current ones
    outdated: bool
    #: for an insertion: the person asked
    asked: Person | None = None
    #: for a send-back: the step it went back to
    to_step: str | None = None


def _seen(entries: list[dict]) -> list[SeenVersion]:
    ids = [entry["id"] for entry in entries]
    found = {
        version.id: (version, title)
        for version, title in db.session.execute(
            sa.select(DocumentVersion, Document.title)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(DocumentVersion.id.in_(ids))
        ).all()
    }
    seen = []
    for entry in entries:
        version, title = found.get(entry["id"], (None, "?"))
        seen.append(SeenVersion(title, version.number if version else 0, entry["sha256"]))
    return seen


def history(report: Report) -> list[Entry]:
    """Every submission and action on the report's circuits, oldest first."""
    entries = []
    for run in runs_of(report):
        steps = run.version.steps
        entries.append(
            Entry(
                at=run.started_at,
                kind="submit",
                actor=db.session.get(Person, run.started_by_id),
                on_behalf_of=None,
                step_name=None,
                report_version=run.report_version,
                comment=None,
                data={"definition": run.version.definition.name, "version": run.version.number},
                documents=[],
                outdated=False,
            )
        )
        tasks = {task.id: task for task in tasks_of(run)}
        for action in actions_of(run):
            task = tasks.get(action.task_id)
            data = action.data or {}
            to_step = data.get("to_step")
            entries.append(
                Entry(
                    at=action.at,
                    kind=action.kind,
                    actor=action.actor,
                    on_behalf_of=db.session.get(Person, action.on_behalf_of_id) if action.on_behalf_of_id else None,
                    step_name=steps[task.position]["name"] if task is not None else None,
                    report_version=run.report_version,
                    comment=action.comment,
                    data=data,
                    documents=_seen(action.documents),
                    outdated=action.kind in APPROVALS and approval_outdated(action, report),
                    asked=db.session.get(Person, data["person_id"]) if action.kind == "insert" else None,
                    to_step=next((s["name"] for s in steps if s["key"] == to_step), to_step) if to_step else None,
                )
            )
    return sorted(entries, key=lambda entry: entry.at)


def current_run(report: Report) -> WorkflowRun | None:
    runs = runs_of(report)
    return runs[-1] if runs else None


def running_run(report: Report) -> WorkflowRun | None:
    run = current_run(report)
    return run if run is not None and run.state == RunState.RUNNING else None


def holders(run: WorkflowRun) -> list[Person]:
    """Whom the current step waits for."""
    return [task.person for task in tasks_of(run) if task.state == TaskState.OPEN]


# --- The choices of the report form ----------------------------------------------------------------------


def target_assemblies(tenant: Tenant) -> list[Assembly]:
    """The assemblies a report may aim at, the council first (the usual choice)."""
    council_first = sa.case((Assembly.kind == AssemblyKind.COUNCIL, 0), else_=1)
    return list(
        db.session.execute(
            sa.select(Assembly)
            .where(Assembly.tenant_id == tenant.id, Assembly.archived.is_(False))
            .order_by(council_first, Assembly.name)
        ).scalars()
    )


def open_sittings(tenant: Tenant) -> list[Sitting]:
    """The sittings a report may aim at: in preparation or convened, soonest first."""
    return list(
        db.session.execute(
            sa.select(Sitting)
            .where(Sitting.tenant_id == tenant.id, Sitting.status.in_((SittingStatus.DRAFT, SittingStatus.CONVENED)))
            .order_by(Sitting.starts_at)
        ).scalars()
    )


def rapporteurs(tenant: Tenant) -> list[Person]:
    """The people with a mandate in the collectivity (a report's rapporteur is one of its élus)."""
    members = sa.select(Mandate.person_id).where(Mandate.tenant_id == tenant.id, Mandate.role.in_(MEMBER_ROLES))
    return list(
        db.session.execute(
            sa.select(Person).where(Person.id.in_(members)).order_by(Person.last_name, Person.first_name, Person.id)
        ).scalars()
    )


def drafters_by_service(tenant: Tenant) -> dict[int, list[Person]]:
    """The drafters of each service of the collectivity, by service id."""
    rows = db.session.execute(
        sa.select(TenantGrant.service_id, Person)
        .join(Person, Person.id == TenantGrant.person_id)
        .where(TenantGrant.tenant_id == tenant.id, TenantGrant.kind == GrantKind.DRAFTER)
        .order_by(Person.last_name, Person.first_name)
    ).all()
    drafters: dict[int, list[Person]] = {}
    for service_id, person in rows:
        drafters.setdefault(service_id, []).append(person)
    return drafters
