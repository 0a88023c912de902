"""Telling people a circuit asks something of them: one mail per task, whatever the number of runs; and one
reminder per late task and due date, whatever the number of times the reminder job runs."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.core.extensions import db
from saas.jobs.queues import job
from saas.mail.operations import find_mail, queue_mail
from saas.reports.models import Report
from saas.tenancy.models import Tenant
from saas.workflow.models import RunState, Task, TaskState, WorkflowRun

SUBJECTS = {
    TaskState.INFORMED: "Pour information : « {title} »",
    TaskState.OPEN: "À traiter : « {title} »",
}
#: the job that reminds late tasks, by its registered name (scheduled by ``quorum workflows schedule``)
REMIND = "saas.workflow.jobs.remind_late_tasks"


def _asks(task: Task, tenant: Tenant, report: Report) -> str:
    step = task.run.version.steps[task.position]
    where = "dans le parapheur électronique, " if step["kind"] == "signature" else ""
    return (
        f"{tenant.name} vous demande, {where}à l'étape « {step['name']} », de traiter le rapport « {report.title} »"
        f" (matière {report.subject_code}).\n"
    )


@job(queue="mail", timeout=60)
def notify_task(task_id: int) -> None:
    """Queue the task's mail under a key of its own: run again (a retry), it finds the mail and sends nothing."""
    task = db.session.get(Task, task_id)
    if task is None or task.state not in SUBJECTS:
        return
    report = db.session.get(Report, task.run.report_id)
    tenant = db.session.get(Tenant, task.tenant_id)
    body = f"Bonjour {task.person.full_name},\n\n" + _asks(task, tenant, report)
    if task.due_on is not None:
        body += f"À faire au plus tard le {task.due_on.strftime('%d/%m/%Y')}.\n"
    queue_mail(
        f"workflow:task:{task.id}",
        to=task.person.email,
        subject=SUBJECTS[task.state].format(title=report.title[:200]),
        body=body,
        tenant_id=task.tenant_id,
    )


def reminder_key(task: Task) -> str:
    return f"workflow:reminder:{task.id}:{task.due_on.isoformat()}"


@job(queue="default", timeout=600)
def remind_late_tasks() -> int:
    """A platform job (system context): every open task of a running circuit whose last day (``due_on``) is
    past in its collectivity's own date gets one reminder mail per due date, under the key
    ``workflow:reminder:<task>:<due_on>``; run again, it finds those mails and sends nothing more. Returns
    the number of reminders queued now."""
    now = datetime.now(UTC)
    # no collectivity's date is later than tomorrow in UTC: the exact cut is made below, in each one's zone
    rows = db.session.execute(
        sa.select(Task, Tenant)
        .join(WorkflowRun, WorkflowRun.id == Task.run_id)
        .join(Tenant, Tenant.id == Task.tenant_id)
        .where(
            Task.state == TaskState.OPEN,
            Task.due_on.is_not(None),
            Task.due_on < (now + timedelta(days=1)).date(),
            WorkflowRun.state == RunState.RUNNING,
        )
        .order_by(Task.id)
    ).all()
    sent = 0
    for task, tenant in rows:
        today = now.astimezone(ZoneInfo(tenant.timezone)).date()
        if task.due_on >= today or find_mail(reminder_key(task)) is not None:
            continue
        report = db.session.get(Report, task.run.report_id)
        late = (today - task.due_on).days
        queue_mail(
            reminder_key(task),
            to=task.person.email,
            subject=f"Relance — en retard : « {report.title[:200]} »",
            body=(
                f"Bonjour {task.person.full_name},\n\n"
                + _asks(task, tenant, report)
                + f"C'était à faire au plus tard le {task.due_on.strftime('%d/%m/%Y')} : la tâche a "
                f"{late} jour{'s' if late > 1 else ''} de retard.\n"
            ),
            tenant_id=task.tenant_id,
        )
        sent += 1
    return sent
