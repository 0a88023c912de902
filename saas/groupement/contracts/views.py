"""The console's contracts and their lots, and the procurement calendar (/group/contracts, /group/lots,
/group/milestones). Amounts are in cents, as the forms say."""

from flask import render_template, url_for
from flask_babel import gettext as _

from saas.groupement import forms, operations
from saas.groupement.console import console_blueprint, done, form_page, load, load_group, me, refusal_on_form_page
from saas.groupement.models import Contract, Lot, Milestone, MilestoneStatus

bp = console_blueprint("groupement_contracts", __name__)


# --- Contracts and lots ---------------------------------------------------------------------------


@bp.get("/contracts")
def contracts():
    return render_template("groupement/contracts.html", contracts=operations.contracts(load_group()))


def _contract_values(form) -> dict:
    return {
        key: getattr(form, key).data
        for key in ("reference", "title", "supplier", "awarded_on", "start_date", "end_date")
    }


@bp.route("/contracts/new", methods=["GET", "POST"])
def create_contract():
    group = load_group()
    form = forms.ContractForm()
    page = (form, _("Nouveau marché"), _("Enregistrer"), url_for(".contracts"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.save_contract(group, _contract_values(form), me())
        return done(_("Marché enregistré."), ".contracts")
    return form_page(*page)


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
def edit_contract(contract_id: int):
    group, contract = load(Contract, contract_id)
    form = forms.ContractForm(obj=contract)
    page = (form, _("Marché %(reference)s", reference=contract.reference), _("Enregistrer"), url_for(".contracts"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.save_contract(group, _contract_values(form), me(), contract=contract)
        return done(_("Marché enregistré."), ".contracts")
    return form_page(*page)


def _lot_values(form) -> dict:
    return {key: getattr(form, key).data for key in ("number", "title", *operations.LOT_AMOUNTS)}


@bp.route("/contracts/<int:contract_id>/lots/new", methods=["GET", "POST"])
def create_lot(contract_id: int):
    contract = load(Contract, contract_id)[1]
    form = forms.LotForm()
    title = _("Nouveau lot du marché %(reference)s", reference=contract.reference)
    page = (form, title, _("Enregistrer"), url_for(".contracts"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.save_lot(contract, _lot_values(form), me())
        return done(_("Lot enregistré."), ".contracts")
    return form_page(*page)


@bp.route("/lots/<int:lot_id>", methods=["GET", "POST"])
def edit_lot(lot_id: int):
    lot = load(Lot, lot_id)[1]
    form = forms.LotForm(obj=lot)
    page = (form, _("Lot n° %(number)s", number=lot.number), _("Enregistrer"), url_for(".contracts"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.save_lot(lot.contract, _lot_values(form), me(), lot=lot)
        return done(_("Lot enregistré."), ".contracts")
    return form_page(*page)


# --- Milestones -----------------------------------------------------------------------------------


@bp.get("/milestones")
def milestones():
    return render_template("groupement/milestones.html", milestones=operations.milestones(load_group()))


@bp.route("/milestones/<int:milestone_id>", methods=["GET", "POST"])
def edit_milestone(milestone_id: int):
    milestone = load(Milestone, milestone_id)[1]
    form = forms.MilestoneForm(obj=milestone)
    page = (form, milestone.title, _("Enregistrer"), url_for(".milestones"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.update_milestone(
            milestone,
            planned_date=form.planned_date.data,
            status=MilestoneStatus(form.status.data),
            actual_date=form.actual_date.data,
            actor=me(),
        )
        return done(_("Étape enregistrée."), ".milestones")
    return form_page(*page)
