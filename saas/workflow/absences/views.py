"""« Mes absences »: a person declares an absence (from, to) and the colleague who does their circuit tasks
meanwhile (``operations.delegate``), sees and ends their delegations; a delegate sees the tasks of the
people they replace today (``access.acts_for``). Anyone with a mandate or a right in the collectivity."""

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.core.database import commit
from saas.core.errors import on_refusal, show_on
from saas.core.extensions import db
from saas.identity.web import tenant_blueprint
from saas.reports.models import Report
from saas.workflow import operations
from saas.workflow.absences import access
from saas.workflow.absences.forms import NO_DELEGATE, AbsenceForm, EndForm
from saas.workflow.definitions import WorkflowError

bp = tenant_blueprint("workflow_absences", __name__)


def _task_row(task) -> dict:
    return {
        "task": task,
        "step": task.run.version.steps[task.position]["name"],
        "report": db.session.get(Report, task.run.report_id),
    }


def _page(form: AbsenceForm, status: int = 200):
    today = g.tenant.today()
    return (
        render_template(
            "workflow/absences/absences.html",
            tenant=g.tenant,
            form=form,
            end_form=EndForm(),
            today=today,
            delegations=operations.delegations_of(current_user, g.tenant.id, today),
            replacing=[
                (delegation, [_task_row(task) for task in tasks])
                for delegation, tasks in operations.replacing(current_user, g.tenant.id, today)
            ],
        ),
        status,
    )


def _form() -> AbsenceForm:
    form = AbsenceForm()
    people = access.colleagues(g.tenant, current_user, g.tenant.today())
    form.delegate.choices = [(NO_DELEGATE, _("— Choisissez —"))] + [(p.id, p.full_name) for p in people]
    return form


@bp.get("/absences")
def absences():
    return _page(_form())


@bp.post("/absences")
def declare_absence():
    form = _form()
    on_refusal(lambda error: _page(show_on(form, error), 422))
    if not form.validate_on_submit():
        return _page(form, 422)
    chosen = {p.id: p for p in access.colleagues(g.tenant, current_user, g.tenant.today())}
    if form.delegate.data == current_user.id:
        delegate = current_user
    elif form.delegate.data in chosen:
        delegate = chosen[form.delegate.data]
    else:
        raise WorkflowError(
            _("Choisissez la personne qui vous remplace parmi celles de la collectivité."), field="delegate"
        )
    if form.ends_on.data < g.tenant.today():
        raise WorkflowError(
            _("Cette absence est déjà passée : le dernier jour est avant aujourd'hui."), field="ends_on"
        )
    operations.delegate(current_user, delegate, g.tenant, form.starts_on.data, form.ends_on.data, actor=current_user)
    commit(db.session)
    flash(
        _(
            "Absence enregistrée : %(name)s pourra faire vos tâches du %(start)s au %(end)s.",
            name=delegate.full_name,
            start=form.starts_on.data.strftime("%d/%m/%Y"),
            end=form.ends_on.data.strftime("%d/%m/%Y"),
        ),
        "success",
    )
    return redirect(url_for(".absences"))


@bp.post("/absences/<int:delegation_id>/fin")
def end_delegation(delegation_id: int):
    delegation = access.load_own_delegation(g.tenant, delegation_id, current_user)
    form = EndForm()
    on_refusal(lambda error: _page(show_on(_form(), error), 422))
    if not form.validate_on_submit():
        return _page(_form(), 400)
    name = delegation.delegate.full_name
    operations.end_delegation(delegation, actor=current_user, today=g.tenant.today())
    commit(db.session)
    flash(_("Délégation à %(name)s terminée.", name=name), "success")
    return redirect(url_for(".absences"))
