"""API of "À traiter": what awaits me in every collectivity, one task with exactly what I may do on it, and
an action on a task, handed to the engine.

The task is loaded and access checked before the body is read: a task of another collectivity, or one I
have no right on, answers 404 exactly like a missing one. Refusals answer 422 in French; of two approvals of
a "one of them" step at the same moment, the engine makes one transition and the second is refused ("Cette
tâche n'est plus ouverte…").
"""

from flask_login import current_user
from flask_smorest import Blueprint

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.reports.models import Report
from saas.workflow.inbox import schemas
from saas.workflow.inbox.access import (
    API_NAMES,
    ENGINE_NAMES,
    actions_on,
    earlier_steps,
    history,
    load_task,
    people_to_ask,
)
from saas.workflow.inbox.listing import inbox_for
from saas.workflow.inbox.operations import act, outcome_message
from saas.workflow.models import Task, TaskKind, TaskState

blp = Blueprint(
    "workflow_tasks_api",
    __name__,
    url_prefix="/api/v1",
    description="À traiter : les tâches des circuits de validation (visa, avis, signature) dans toutes mes "
    "collectivités, et les actions sur une tâche.",
)

TASK = "/tenants/<tenant_slug>/tasks/<int:task_id>"
NOT_VISIBLE = "Tâche inconnue, d'une autre collectivité, ou sur laquelle vous n'avez aucun droit."
REFUSED = "Refus, en français : la tâche n'est plus ouverte, l'action ne vous est pas permise, une donnée manque…"


def _task_view(tenant, task, actions: list[str]) -> dict:
    run = task.run
    report = db.session.get(Report, run.report_id)
    step = run.version.steps[task.position]
    required = (step.get("required_metadata") or {}) if task.kind == TaskKind.STEP else {}
    on = tenant.today()
    return {
        "id": task.id,
        "tenant_slug": tenant.slug,
        "state": task.state.value,
        "kind": task.kind.value,
        "due_on": task.due_on,
        "late": task.state == TaskState.OPEN and task.due_on is not None and task.due_on < on,
        "report": {
            "id": report.id,
            "title": report.title,
            "version": run.report_version,
            "subject_code": report.subject_code,
        },
        "step": step | {"required_metadata": required},
        "allowed_actions": [API_NAMES[action] for action in actions],
        "earlier_steps": earlier_steps(task) if "send_back" in actions else [],
        "people_to_ask": people_to_ask(tenant, task, current_user, on) if "insert" in actions else [],
        "history": history(task),
    }


@operation(
    blp,
    "/me/tasks",
    "GET",
    200,
    schemas.TenantInboxSchema(many=True),
    summary="À traiter",
    description="Tout ce qui m'attend, par collectivité : les tâches ouvertes des circuits (les miennes, et "
    "celles d'une personne absente que je remplace), en retard d'abord, et les documents à signer de mon "
    "parapheur. Une tâche d'étape de signature dont le document est déjà listé à signer n'est pas répétée.",
)
def my_tasks():
    return inbox_for(current_user)


@operation(
    blp,
    TASK,
    "GET",
    200,
    schemas.TaskSchema,
    summary="Une tâche",
    description="Le rapport, l'étape, l'échéance, l'historique du circuit et exactement les actions que je "
    "peux faire maintenant (allowed_actions).",
    not_found=NOT_VISIBLE,
)
def get_task(tenant_slug, task_id):
    tenant = enter_tenant(tenant_slug, current_user)
    task, actions = load_task(tenant, task_id, current_user)
    return _task_view(tenant, task, actions)


@operation(
    blp,
    TASK + "/actions",
    "POST",
    200,
    schemas.ActionResultSchema,
    summary="Agir sur une tâche",
    description='{"action": "approve" | "refuse" | "send_back" | "insert" | "opinion" | "validate_urgently", …} : '
    "approve (comment, metadata), refuse (reason, metadata), send_back (to_step), insert (person_id), opinion "
    "(opinion, unanimous ou counts, comment), validate_urgently (reason). Le moteur vérifie de nouveau, sous "
    "verrou, que l'action m'est permise ; une seule transition même si deux personnes répondent en même temps.",
    body=schemas.TaskActionInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def act_on_task(tenant_slug, task_id):
    tenant = enter_tenant(tenant_slug, current_user)
    task, _ = load_task(tenant, task_id, current_user)
    data = json_body(schemas.TaskActionInSchema)
    counts = data.get("counts") or {}
    outcome = act(
        tenant,
        task,
        current_user,
        ENGINE_NAMES[data["action"]],
        comment=data.get("comment"),
        reason=data.get("reason"),
        metadata=data.get("metadata"),
        to_step=data.get("to_step"),
        person_id=data.get("person_id"),
        opinion=data.get("opinion"),
        unanimous=data.get("unanimous"),
        counts={
            key: counts[name]
            for key, name in (("for", "votes_for"), ("against", "votes_against"), ("abstain", "abstain"))
            if name in counts
        },
    )
    commit(db.session)
    task = db.session.get(Task, task_id)  # as it is now; the caller may have no right on it left (urgency)
    actions = actions_on(tenant, task, current_user)
    body = schemas.ActionResultSchema().dump(
        {"outcome": outcome, "message": outcome_message(outcome, task), "task": _task_view(tenant, task, actions)}
    )
    return json_response(body)


api_blueprint(blp)
