""" "À traiter" (/a-traiter): everything awaiting me in every collectivity, grouped by collectivity; and a
task's page (/t/<collectivité>/taches/<id>): the report, its documents, what was done in its circuit, and
only the actions ``allowed_actions`` gives me, each a small form.

Thin views: load the task (404 if missing, another collectivity's, or nothing of mine), read the form, hand
the action to the engine (``inbox.operations.act``), commit once. A refusal (French) is shown on the task's
page, under the field it names, with its status (``on_refusal``); nothing is written.
"""

import dataclasses

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from saas.core.database import commit
from saas.core.errors import on_refusal, show_on
from saas.core.extensions import db
from saas.core.inputs import ID_PATTERN
from saas.documents.operations import documents_of
from saas.identity.web import tenant_blueprint
from saas.reports.models import Report
from saas.sittings.presentation import BADGE_COLOURS
from saas.workflow import labels
from saas.workflow.access import ACTIONS
from saas.workflow.inbox import forms
from saas.workflow.inbox.access import earlier_steps, history, load_task, people_to_ask
from saas.workflow.inbox.listing import count_for, inbox_for
from saas.workflow.inbox.operations import act, outcome_message
from saas.workflow.models import TaskKind
from saas.workflow.operations import OPINIONS

#: the tasks of one collectivity shown at once (a person with thousands of them gets pages)
PER_PAGE = 50

inbox_bp = Blueprint("workflow_inbox", __name__)
bp = tenant_blueprint("workflow_tasks", __name__, "/taches")


@inbox_bp.app_context_processor
def inbox_count():
    """The number beside "À traiter" in the navigation, counted once per page and only if the page shows it."""

    def count() -> int:
        if "inbox_count" not in g:
            g.inbox_count = count_for(current_user) if current_user.is_authenticated else 0
        return g.inbox_count

    return {"inbox_count": count}


@dataclasses.dataclass(frozen=True)
class TaskPage:
    """One page of a collectivity's tasks: its ``entries`` are tasks ``first`` to ``first + len - 1``."""

    entries: list
    number: int
    pages: int
    first: int
    total: int


def _task_page(inbox, number: int) -> TaskPage:
    total = len(inbox.tasks)
    pages = max(1, -(-total // PER_PAGE))
    if not 1 <= number <= pages:
        abort(404)
    start = (number - 1) * PER_PAGE
    return TaskPage(inbox.tasks[start : start + PER_PAGE], number, pages, start + 1, total)


@inbox_bp.get("/a-traiter")
@login_required
def my_tasks():
    """Every collectivity's first page of tasks, and the page ``?collectivite=<slug>&page=<n>`` asks of one."""
    inboxes = inbox_for(current_user)
    asked = request.args.get("collectivite")
    number = request.args.get("page", 1, type=int)
    pages = {inbox.slug: _task_page(inbox, number if inbox.slug == asked else 1) for inbox in inboxes}
    return render_template(
        "workflow/inbox/inbox.html",
        inboxes=inboxes,
        pages=pages,
        badge_colours=BADGE_COLOURS,
        step_kinds=labels.STEP_KIND_LABELS,
    )


# --- A task's page --------------------------------------------------------------------------------


def _forms(task, actions: list[str], given: dict) -> dict:
    """A form per allowed action: the one posted (with its input and errors), the others empty."""
    step, on = _step(task), g.tenant.today()
    makers = {
        "approve": lambda: forms.approve_form(step, formdata=None),
        "refuse": lambda: forms.refuse_form(step, formdata=None),
        "send_back": lambda: forms.send_back_form(earlier_steps(task), formdata=None),
        "insert": lambda: forms.insert_form(people_to_ask(g.tenant, task, current_user, on), formdata=None),
        "give_opinion": lambda: forms.opinion_form(step, formdata=None),
        "validate_urgently": lambda: forms.urgent_form(formdata=None),
    }
    return {action: given.get(action) or makers[action]() for action in actions}


def _page(task, actions: list[str], refusal: str | None = None, **given):
    run = task.run
    report = db.session.get(Report, run.report_id)
    return render_template(
        "workflow/inbox/task.html",
        tenant=g.tenant,
        task=task,
        run=run,
        report=report,
        step=run.version.steps[task.position],
        steps=run.version.steps,
        documents=[document for document in documents_of(report) if not document.withdrawn],
        history=history(task),
        forms=_forms(task, actions, given),
        action_names=ACTIONS,
        step_kinds=labels.STEP_KIND_LABELS,
        task_states=labels.TASK_STATE_LABELS,
        action_labels=labels.ACTION_LABELS,
        opinions=OPINIONS,
        today=g.tenant.today(),
        stand_in=task.person_id != current_user.id,
        refusal=refusal,
    )


@bp.get("/<int:task_id>")
def task_page(task_id: int):
    task, actions = load_task(g.tenant, task_id, current_user)
    return _page(task, actions)


def _posted(task_id: int, action: str, make):
    """The posted form of ``action`` on the task. A refusal is shown under its field in that form; for an
    action the caller may not take (any more), above the page, which shows only what they may do."""
    task, actions = load_task(g.tenant, task_id, current_user)
    form = make(task)
    if action not in actions:
        on_refusal(lambda error: _page(task, actions, refusal=error.message))
        return task, form, None  # the engine refuses it, in French
    on_refusal(lambda error: _page(task, actions, **{action: show_on(form, error)}))
    if not form.validate():
        return task, None, (_page(task, actions, **{action: form}), 422)
    return task, form, None


def _done(task, outcome: str, message: str):
    commit(db.session)
    flash(" ".join(part for part in (message, outcome_message(outcome, task)) if part), "success")
    return redirect(url_for("workflow_inbox.my_tasks"))


def _step(task):
    return task.run.version.steps[task.position] if task.kind == TaskKind.STEP else None


@bp.post("/<int:task_id>/valider")
def approve(task_id: int):
    task, form, refused = _posted(task_id, "approve", lambda task: forms.approve_form(_step(task)))
    if refused:
        return refused
    outcome = act(g.tenant, task, current_user, "approve", comment=form.comment.data, metadata=form.metadata())
    return _done(task, outcome, "Visa enregistré.")


@bp.post("/<int:task_id>/refuser")
def refuse(task_id: int):
    task, form, refused = _posted(task_id, "refuse", lambda task: forms.refuse_form(_step(task)))
    if refused:
        return refused
    outcome = act(g.tenant, task, current_user, "refuse", reason=form.reason.data, metadata=form.metadata())
    return _done(task, outcome, "Refus enregistré.")


@bp.post("/<int:task_id>/renvoyer")
def send_back(task_id: int):
    task, form, refused = _posted(task_id, "send_back", lambda task: forms.send_back_form(earlier_steps(task)))
    if refused:
        return refused
    outcome = act(g.tenant, task, current_user, "send_back", to_step=form.to_step.data, comment=form.comment.data)
    return _done(task, outcome, "Rapport renvoyé.")


@bp.post("/<int:task_id>/demander-avis")
def insert(task_id: int):
    task, form, refused = _posted(
        task_id,
        "insert",
        lambda task: forms.insert_form(people_to_ask(g.tenant, task, current_user, g.tenant.today())),
    )
    if refused:
        return refused
    chosen = (form.person.data or "").strip()
    person_id = int(chosen) if ID_PATTERN.fullmatch(chosen) else None
    outcome = act(g.tenant, task, current_user, "insert", person_id=person_id, comment=form.comment.data)
    return _done(task, outcome, "Avis demandé.")


@bp.post("/<int:task_id>/avis")
def give_opinion(task_id: int):
    task, form, refused = _posted(task_id, "give_opinion", lambda task: forms.opinion_form(_step(task)))
    if refused:
        return refused
    unanimous, counts = form.tally()
    outcome = act(
        g.tenant,
        task,
        current_user,
        "give_opinion",
        opinion=form.opinion.data,
        unanimous=unanimous,
        counts=counts,
        comment=form.comment.data,
    )
    return _done(task, outcome, "Avis enregistré.")


@bp.post("/<int:task_id>/urgence")
def validate_urgently(task_id: int):
    task, form, refused = _posted(task_id, "validate_urgently", lambda task: forms.urgent_form())
    if refused:
        return refused
    outcome = act(g.tenant, task, current_user, "validate_urgently", reason=form.reason.data)
    return _done(task, outcome, "Validation d'urgence enregistrée.")
