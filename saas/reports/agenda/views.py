"""Placing a report on a sitting's agenda, from the sitting page: its secretariat picks a report whose circuit
is complete (for the sitting's own assembly) or running (for a committee that gives its opinion)."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

from saas.core.database import commit
from saas.core.extensions import db
from saas.identity.web import tenant_blueprint
from saas.reports.agenda.operations import placeable
from saas.reports.models import Report
from saas.reports.operations import place_on_agenda
from saas.sittings.access import load_sitting
from saas.sittings.models import Sitting, SittingStatus

bp = tenant_blueprint("reports_agenda", __name__)


class PlaceForm(FlaskForm):
    report = SelectField(
        _l("Rapport"),
        coerce=int,
        validators=[InputRequired(_l("Choisissez un rapport."))],
        validate_choice=False,
    )


def _form(sitting: Sitting) -> PlaceForm:
    form = PlaceForm()
    form.report.choices = [(report.id, f"{report.title} ({report.assembly.name})") for report in placeable(sitting)]
    return form


@bp.app_context_processor
def agenda_on_pages():
    """The sitting page's "Inscrire un rapport" form, for its secretariat while the agenda is open."""

    def place_form(sitting: Sitting, manager: bool) -> PlaceForm | None:
        if not manager or sitting.status not in (SittingStatus.DRAFT, SittingStatus.CONVENED):
            return None
        return _form(sitting)

    return {"place_report_form": place_form}


@bp.post("/s/<int:sitting_id>/rapports")
def place(sitting_id: int):
    """A refusal (a report not ready, already on the agenda, the agenda fixed) shows the French error page,
    422, after the one refusal handler rolled back."""
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    if not manager:
        abort(404)
    form = _form(sitting)
    if not form.validate_on_submit():
        message = " ".join(m for errors in form.errors.values() for m in errors)
        return render_template("error.html", code=422, message=message), 422
    if form.report.data not in {value for value, _label in form.report.choices}:
        message = _(
            "Ce rapport ne peut pas être inscrit à cette séance : son circuit de validation n'est pas terminé,"
            " il est déjà à l'ordre du jour, ou il n'existe pas."
        )
        return render_template("error.html", code=422, message=message), 422
    report = db.session.get(Report, form.report.data)
    convened = sitting.status == SittingStatus.CONVENED
    item = place_on_agenda(report, sitting, actor=current_user)
    commit(db.session)
    if convened:
        flash(
            _(
                "Rapport inscrit au point %(n)s par une convocation complémentaire, envoyée à chaque personne "
                "convoquée.",
                n=item.position,
            ),
            "success",
        )
    else:
        flash(_("Rapport inscrit au point %(n)s de l'ordre du jour.", n=item.position), "success")
    return redirect(url_for("sittings.sitting", sitting_id=sitting.id))
