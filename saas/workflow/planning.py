"""Deadlines worked back from the law: for a circuit, a report and a sitting, the latest day each step must
finish so that the convocation can leave on the legal notice day (saas.sittings.notice, from
saas/tenancy/legal_rules.toml: 3 or 5 jours francs for communes and EPCIs, 12 days for départements and
régions).

Backward from the last sending day: the last step finishes by that day, each earlier step by the next step's
latest start. A step lasts its ``days_after_arrival`` (1 day if it has none; an information step passes at
once, 0 days, as the engine passes it); ``days_before_sitting`` caps its finish. Forward from today, each step
taking its whole duration: a step whose earliest finish falls after its latest finish is late, and the plan
cannot be met. Plain functions, no request, no writes.
"""

import dataclasses
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.core import display
from saas.core.extensions import db
from saas.identity.models import Person
from saas.reports.models import Report, ReportStatus, Service
from saas.sittings.models import Sitting
from saas.sittings.notice import latest_sending_time
from saas.tenancy.models import Assembly, Tenant
from saas.workflow.definitions import WorkflowError, definition_for, latest_version
from saas.workflow.models import RunState, Task, TaskKind, TaskState, WorkflowRun, WorkflowVersion
from saas.workflow.who import resolve

#: a step without a deadline of days after its arrival is given one day
DEFAULT_DURATION = 1
#: "à risque": the current step's latest finish is at most this many days away
AT_RISK_DAYS = 2
#: the time of day of a sitting imagined by a dry run (only its day counts)
DRY_RUN_HOUR = time(18, 0)


@dataclasses.dataclass
class PlannedStep:
    key: str
    name: str
    kind: str
    #: its people, for a plan computed with them; empty when the step names nobody (see ``nobody``)
    people: list[Person]
    #: why nobody would be asked (French), when the step names nobody
    nobody: str | None
    #: who it will be, in words, when that depends on the report (its drafter, its service): a dry run
    depends: str | None
    duration: int
    latest_start: date
    latest_finish: date
    #: the latest finish is the step's own ``days_before_sitting``, earlier than the next step needs
    capped: bool
    #: starting today, each step taking its whole duration, this one would finish after its latest finish
    late: bool


@dataclasses.dataclass
class Plan:
    sitting_day: date
    #: the last day on which the convocation may leave (legal notice)
    sending_day: date
    today: date
    steps: list[PlannedStep]

    @property
    def feasible(self) -> bool:
        """Whether the circuit can be run in time starting today."""
        return not self.late_steps

    @property
    def late_steps(self) -> list[PlannedStep]:
        return [step for step in self.steps if step.late]

    def step(self, key: str) -> PlannedStep | None:
        return next((step for step in self.steps if step.key == key), None)

    def as_json(self) -> dict:
        """What a run keeps of its plan (WorkflowRun.plan): dates, not people."""
        return {
            "sitting_day": self.sitting_day.isoformat(),
            "sending_day": self.sending_day.isoformat(),
            "computed_on": self.today.isoformat(),
            "feasible": self.feasible,
            "steps": [
                {"key": step.key, "name": step.name, "latest_finish": step.latest_finish.isoformat(), "late": step.late}
                for step in self.steps
            ],
        }


@dataclasses.dataclass
class Subject:
    """What a plan needs of a report: its collectivity, drafter, service and target assembly. A dry run has no
    report: it names a target assembly, and optionally a service (and so its head); no drafter."""

    tenant_id: int
    assembly: Assembly
    drafter: Person | None = None
    service: Service | None = None


def duration(step: dict) -> int:
    if step["kind"] == "information":
        return 0
    return (step.get("deadline") or {}).get("days_after_arrival", DEFAULT_DURATION)


def sitting_day(tenant: Tenant, sitting: Sitting) -> date:
    return sitting.starts_at.astimezone(ZoneInfo(tenant.timezone)).date()


def sending_day(tenant: Tenant, sitting: Sitting) -> date:
    """The last day the convocation of ``sitting`` may leave (its legal notice, in the collectivity's zone)."""
    return latest_sending_time(tenant, sitting).date()


def imagined_sitting(tenant: Tenant, day: date) -> Sitting:
    """A sitting on ``day`` (ordinary notice: no urgency, not the first after a renewal), for a dry run. It is
    not added to the session and names no assembly: only its date is read."""
    starts_at = datetime.combine(day, DRY_RUN_HOUR, tzinfo=ZoneInfo(tenant.timezone))
    return Sitting(tenant_id=tenant.id, starts_at=starts_at, urgency=False, first_after_renewal=False)


def work_back(steps: list[dict], sitting_on: date, send_by: date, today: date) -> list[tuple[date, date, bool, bool]]:
    """(latest start, latest finish, capped, late) of each step: the arithmetic alone."""
    backward: list[tuple[date, date, bool]] = []
    finish_by = send_by
    for step in reversed(steps):
        capped = False
        before = (step.get("deadline") or {}).get("days_before_sitting")
        if before is not None and sitting_on - timedelta(days=before) < finish_by:
            finish_by, capped = sitting_on - timedelta(days=before), True
        start_by = finish_by - timedelta(days=duration(step))
        backward.append((start_by, finish_by, capped))
        finish_by = start_by
    backward.reverse()
    result, earliest = [], today
    for step, (start_by, finish_by, capped) in zip(steps, backward, strict=True):
        earliest += timedelta(days=duration(step))
        result.append((start_by, finish_by, capped, earliest > finish_by))
    return result


def _people(step: dict, subject, on: date) -> tuple[list[Person], str | None, str | None]:
    """(people, why nobody, who it depends on)."""
    who = step["who"]
    if who["kind"] == "drafter" and subject.drafter is None:
        return [], None, "le rédacteur du rapport, quel qu'il soit"
    if who["kind"] == "drafter_service_head" and subject.service is None:
        return [], None, "le chef du service du rédacteur, selon le service"
    try:
        return resolve(step, subject, on), None, None
    except WorkflowError as error:  # a step naming nobody is shown as such in a plan, not refused
        return [], error.message, None


def plan(
    steps: list[dict], subject, tenant: Tenant, sitting: Sitting, *, today: date | None = None, people: bool = True
) -> Plan:
    """The plan of ``steps`` (a version's) for ``subject`` (a Report or a Subject) aimed at ``sitting``;
    ``people`` resolves who each step would ask (a submission keeps only the dates)."""
    today = today or tenant.today()
    sitting_on, send_by = sitting_day(tenant, sitting), sending_day(tenant, sitting)
    planned = []
    for step, (start_by, finish_by, capped, late) in zip(
        steps, work_back(steps, sitting_on, send_by, today), strict=True
    ):
        asked, nobody, depends = _people(step, subject, today) if people else ([], None, None)
        planned.append(
            PlannedStep(
                key=step["key"],
                name=step["name"],
                kind=step["kind"],
                people=asked,
                nobody=nobody,
                depends=depends,
                duration=duration(step),
                latest_start=start_by,
                latest_finish=finish_by,
                capped=capped,
                late=late,
            )
        )
    return Plan(sitting_day=sitting_on, sending_day=send_by, today=today, steps=planned)


def submission_plan(version: WorkflowVersion, report: Report) -> dict | None:
    """The plan a run keeps at submission (``WorkflowRun.plan``), for a report aimed at a sitting."""
    if report.sitting_id is None:
        return None
    sitting = db.session.get(Sitting, report.sitting_id)
    tenant = db.session.get(Tenant, report.tenant_id)
    return plan(version.steps, report, tenant, sitting, people=False).as_json()


def _long(value: str) -> str:
    return display.format_date(date.fromisoformat(value), "full", locale=display.DOCUMENT_LOCALE)


def submission_warning(run: WorkflowRun) -> list[str]:
    """The French lines that warn the drafter when the plan kept at submission cannot be met (none when it
    can, or when the report aimed at no sitting): which steps would have had to finish when, and the date
    by which each step must finish. For the report page and the flash after submission."""
    kept = run.plan
    if not kept or kept["feasible"]:
        return []
    late = [step for step in kept["steps"] if step["late"]]
    dates = [f"l'étape « {late[0]['name']} » aurait dû finir le {_long(late[0]['latest_finish'])}"]
    dates += [f"l'étape « {step['name']} » le {_long(step['latest_finish'])}" for step in late[1:]]
    lines = [
        f"Ce calendrier ne peut pas être tenu : {', '.join(dates)}"
        f", pour que la convocation parte au plus tard le {_long(kept['sending_day'])}"
        f" (séance du {_long(kept['sitting_day'])})."
    ]
    lines += [
        f"Étape « {step['name']} » : à finir au plus tard le {_long(step['latest_finish'])}"
        + (" — en retard." if step["late"] else ".")
        for step in kept["steps"]
    ]
    return lines


# --- The board of a sitting's reports ---------------------------------------------------------------------

#: worst first
STATES = {
    "late": ("en retard", 0),
    "no_circuit": ("sans circuit", 1),
    "at_risk": ("à risque", 1),
    "on_time": ("dans les temps", 2),
    "ready": ("validé", 3),
}


@dataclasses.dataclass
class BoardRow:
    report: Report
    run: WorkflowRun | None
    #: the step the report waits at (running), or its circuit's first step (not yet submitted)
    step_name: str | None
    #: who the current step waits for (running circuits)
    waiting_for: list[Person]
    #: the current step's latest finish (running), or the first step's latest start (not yet submitted)
    due: date | None
    state: str
    #: why, in French, when there is something to say (no circuit applies, not yet submitted…)
    note: str | None = None

    @property
    def state_label(self) -> str:
        return STATES[self.state][0]


def _state(finish_by: date, today: date) -> str:
    if today > finish_by:
        return "late"
    return "at_risk" if (finish_by - today).days <= AT_RISK_DAYS else "on_time"


def _running_row(report: Report, run: WorkflowRun, tenant: Tenant, sitting: Sitting, today: date) -> BoardRow:
    steps = run.version.steps
    current = plan(steps, report, tenant, sitting, today=today, people=False).steps[run.position]
    waiting = db.session.execute(
        sa.select(Person)
        .join(Task, Task.person_id == Person.id)
        .where(
            Task.run_id == run.id,
            Task.position == run.position,
            Task.round == run.round,
            Task.kind == TaskKind.STEP,
            Task.state.in_((TaskState.OPEN, TaskState.WAITING)),
        )
        .order_by(Task.id)
    ).scalars()
    return BoardRow(
        report=report,
        run=run,
        step_name=current.name,
        waiting_for=list(waiting),
        due=current.latest_finish,
        state=_state(current.latest_finish, today),
    )


def _unsubmitted_row(report: Report, tenant: Tenant, sitting: Sitting, today: date) -> BoardRow:
    try:
        definition = definition_for(report)
    except WorkflowError as error:
        return BoardRow(report, None, None, [], None, "no_circuit", note=error.message)
    planned = plan(latest_version(definition).steps, report, tenant, sitting, today=today, people=False)
    first = planned.steps[0]
    state = "late" if not planned.feasible else _state(first.latest_start, today)
    note = "refusé, à soumettre à nouveau" if report.status == ReportStatus.REFUSED else "pas encore soumis"
    return BoardRow(report, None, first.name, [], first.latest_start, state, note=f"{note} ; première étape")


def board(tenant: Tenant, sitting: Sitting, today: date | None = None) -> list[BoardRow]:
    """The reports aimed at ``sitting``, worst first: late, at risk (the current step's latest finish is at
    most two days away), on time, then those already validated."""
    today = today or tenant.today()
    reports = db.session.execute(
        sa.select(Report).where(Report.tenant_id == tenant.id, Report.sitting_id == sitting.id).order_by(Report.id)
    ).scalars()
    rows = []
    for report in reports:
        run = db.session.execute(
            sa.select(WorkflowRun).where(WorkflowRun.report_id == report.id).order_by(WorkflowRun.id.desc()).limit(1)
        ).scalar_one_or_none()
        if report.status == ReportStatus.READY:
            rows.append(BoardRow(report, run, None, [], None, "ready"))
        elif run is not None and run.state == RunState.RUNNING:
            rows.append(_running_row(report, run, tenant, sitting, today))
        else:
            rows.append(_unsubmitted_row(report, tenant, sitting, today))
    rows.sort(key=lambda row: (STATES[row.state][1], row.due or date.max, row.report.id))
    return rows
