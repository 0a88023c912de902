"""The act pages: a collectivity's deliberations by year, a sitting's deliberations, one act (its number, text,
outcome, PDF, signature through the circuit, corrections, extract). Members see the acts of their assemblies,
closed-session items only those who read closed sessions (``access.py``); the secretariat puts an act to
signature and corrects it."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.acts import access, forms, printing
from saas.acts import operations as acts
from saas.core.database import commit, utcnow
from saas.core.errors import on_refusal, show_on
from saas.core.extensions import db
from saas.identity.models import Person
from saas.identity.web import tenant_blueprint
from saas.sittings.access import load_sitting
from saas.sittings.outcomes import BALLOT_LABELS, OUTCOME_LABELS
from saas.storage.http import send_blob
from saas.workflow.reports import operations as circuits

bp = tenant_blueprint("acts", __name__)


def _year() -> int | None:
    text = request.args.get("annee", "")
    if not text:
        return None
    if not text.isdigit() or not 2000 <= int(text) <= 2200:
        abort(404)
    return int(text)


@bp.get("/deliberations")
def deliberations():
    years = access.years(g.tenant)
    year = _year() or (years[0] if years else g.tenant.today().year)
    return render_template(
        "acts/list.html",
        tenant=g.tenant,
        year=year,
        years=years,
        acts=access.visible_acts(g.tenant, current_user, year=year),
        outcomes=OUTCOME_LABELS,
        signature_labels=acts.SIGNATURE_LABELS,
        state_of=acts.signature_state,
    )


@bp.get("/s/<int:sitting_id>/deliberations")
def sitting_deliberations(sitting_id: int):
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    return render_template(
        "acts/sitting.html",
        tenant=g.tenant,
        sitting=sitting,
        manager=manager,
        acts=access.visible_acts(g.tenant, current_user, sitting=sitting),
        outcomes=OUTCOME_LABELS,
        signature_labels=acts.SIGNATURE_LABELS,
        state_of=acts.signature_state,
    )


def _page(act, manager: bool, correction_form=None, status: int = 200):
    run = acts.signing_run(act)
    state = acts.signature_state(act)
    outcome = acts.outcome_from_json(act.outcome_snapshot)
    return (
        render_template(
            "acts/act.html",
            tenant=g.tenant,
            act=act,
            manager=manager,
            outcome=outcome,
            outcomes=OUTCOME_LABELS,
            ballots=BALLOT_LABELS,
            state=state,
            signature_labels=acts.SIGNATURE_LABELS,
            run=run,
            steps=circuits.progress(run, g.tenant.today()) if run else [],
            chain=acts.chain(act),
            paragraphs=act.text.split("\n\n"),
            template=printing.template_source(g.tenant, "deliberation.html"),
            may_sign=manager and state in ("not_started", "refused") and acts.is_current(act),
            may_correct=manager and acts.is_current(act) and state != "running",
            action_form=forms.ActionForm(),
            correction_form=correction_form or forms.CorrectionForm(),
            creator=db.session.get(Person, act.created_by_id) if act.created_by_id else None,
        ),
        status,
    )


@bp.get("/deliberations/<int:act_id>")
def act(act_id: int):
    act, manager = access.load_act(g.tenant, act_id, current_user)
    return _page(act, manager)


@bp.get("/deliberations/<int:act_id>/pdf")
def pdf(act_id: int):
    act, _manager = access.load_act(g.tenant, act_id, current_user)
    if act.document_version_id is None:
        abort(404)
    signed = acts.signed_request(act)
    blob = signed.current_blob if signed is not None else act.document_version.blob
    return send_blob(blob, f"deliberation-{act.number}.pdf", "application/pdf", inline=True)


@bp.get("/deliberations/<int:act_id>/extrait")
def extract(act_id: int):
    act, _manager = access.load_act(g.tenant, act_id, current_user)
    return printing.extract_response(act, utcnow())


def _flashed_on_act(act_id: int):
    def shown(error):
        flash(str(error), "error")
        return redirect(url_for(".act", act_id=act_id))

    return shown


@bp.post("/deliberations/<int:act_id>/signature")
def start_signing(act_id: int):
    act = access.load_managed_act(g.tenant, act_id, current_user)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    on_refusal(_flashed_on_act(act.id))
    acts.start_signing(act, current_user)
    commit(db.session)
    flash(
        _(
            "Délibération n° %(number)s mise à la signature du président puis du secrétaire de séance.",
            number=act.number,
        ),
        "success",
    )
    return redirect(url_for(".act", act_id=act.id))


@bp.post("/deliberations/<int:act_id>/correction")
def correct(act_id: int):
    act = access.load_managed_act(g.tenant, act_id, current_user)
    form = forms.CorrectionForm()
    on_refusal(lambda error: _page(act, True, show_on(form, error), 422))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return _page(act, True, form, 422)
    correction = acts.correct_deliberation(act, form.reason.data, actor=current_user)
    commit(db.session)
    flash(_("Acte rectificatif n° %(number)s établi.", number=correction.number), "success")
    return redirect(url_for(".act", act_id=correction.id))
