"""Telling people a circuit asks something of them: one mail per task, whatever the number of runs."""

from saas.core.extensions import db
from saas.jobs.queues import job
from saas.mail.operations import queue_mail
from saas.reports.models import Report
from saas.tenancy.models import Tenant
from saas.workflow.models import Task, TaskState

SUBJECTS = {
    TaskState.INFORMED: "Pour information : « {title} »",
    TaskState.OPEN: "À traiter : « {title} »",
}


@job(queue="mail", timeout=60)
def notify_task(task_id: int) -> None:
    """Queue the task's mail under a key of its own: run again (a retry), it finds the mail and sends nothing."""
    task = db.session.get(Task, task_id)
    if task is None or task.state not in SUBJECTS:
        return
    report = db.session.get(Report, task.run.report_id)
    tenant = db.session.get(Tenant, task.tenant_id)
    step = task.run.version.steps[task.position]
    body = (
        f"Bonjour {task.person.full_name},\n\n"
        f"{tenant.name} vous demande, à l'étape « {step['name']} », de traiter le rapport « {report.title} »"
        f" (matière {report.subject_code}).\n"
    )
    if task.due_on is not None:
        body += f"À faire au plus tard le {task.due_on.strftime('%d/%m/%Y')}.\n"
    queue_mail(
        f"workflow:task:{task.id}",
        to=task.person.email,
        subject=SUBJECTS[task.state].format(title=report.title[:200]),
        body=body,
        tenant_id=task.tenant_id,
    )
