"""The coordinator's console (/group/…): the group, members, agreement, contracts, calendar, devices,
usage, cost statements, paper saved and new members.

Thin views: load what the URL names (404 if missing), check access once for the whole blueprint, call
operations, commit once. Anyone but the coordinator and operators gets 404 on every page.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from saas.database import SYSTEM, commit, context
from saas.extensions import db
from saas.groupement import charts, devices, forms, operations, reports, statements
from saas.groupement.models import (
    Contract,
    Device,
    DeviceStatus,
    Lot,
    Membership,
    Milestone,
    MilestoneStatus,
    SharingKey,
    Statement,
)
from saas.groupement.operations import PurchasingError
from saas.identity.models import Person
from saas.tenancy.models import Tenant
from saas.tenancy.operations import export_tenant_file

bp = Blueprint("groupement", __name__, url_prefix="/group")


@bp.before_request
@login_required
def coordinator_only():
    """404, not 403: the console does not exist for whoever may not use it."""
    if not operations.may_use_console(current_user):
        abort(404)


@bp.context_processor
def labels():
    return {
        "milestone_statuses": forms.MILESTONE_STATUSES,
        "device_statuses": forms.DEVICE_STATUSES,
        "sharing_keys": forms.SHARING_KEYS,
        "euros": statements.euros,
        "today": date.today(),
    }


def _me() -> Person:
    return current_user._get_current_object()


def _group():
    group = operations.current_group()
    if group is None:
        abort(404)
    return group


def _one(model, object_id: int):
    group = _group()
    obj = db.session.get(model, object_id)
    owner = obj.contract.group_id if isinstance(obj, Lot) else getattr(obj, "group_id", None)
    if obj is None or owner != group.id:
        abort(404)
    return group, obj


def _form_page(form, title: str, submit: str, back: str, **context):
    """A form page; shown again after a POST, the form was refused (422)."""
    page = render_template("groupement/form.html", form=form, title=title, submit=submit, back=back, **context)
    return page, 422 if request.method == "POST" else 200


def _refused(form, error: PurchasingError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _done(message: str, endpoint: str, **values):
    commit(db.session)
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


# --- The group ------------------------------------------------------------------------------------


@bp.get("/")
def home():
    group = operations.current_group()
    if group is None:
        return render_template("groupement/home.html", group=None)
    today = date.today()
    return render_template(
        "groupement/home.html",
        group=group,
        memberships=operations.memberships(group),
        savings=devices.savings(group),
        overdue=[m for m in operations.milestones(group) if m.is_overdue(today)],
    )


@bp.route("/new", methods=["GET", "POST"])
def create_group():
    if operations.current_group() is not None:
        return redirect(url_for(".home"))
    form = forms.GroupForm()
    coordinators = {t.id: t for t in operations.coordinator_tenants()}
    form.coordinator.choices = [SelectChoice(t.id, t.name) for t in coordinators.values()]
    if form.validate_on_submit():
        try:
            operations.create_group(
                form.name.data,
                coordinators[form.coordinator.data],
                form.joining_reference.data,
                form.joined_on.data,
                _me(),
            )
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Le groupement est créé, avec le calendrier du texte fondateur."), ".home")
    return _form_page(form, _("Créer le groupement"), _("Créer"), url_for(".home"))


@bp.route("/agreement", methods=["GET", "POST"])
def agreement():
    group = _group()
    form = forms.AgreementForm()
    if form.validate_on_submit():
        try:
            operations.upload_agreement(group, form.file.data.stream, form.file.data.filename, _me())
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("La convention constitutive est déposée."), ".home")
    return _form_page(
        form,
        _("Convention constitutive"),
        _("Déposer"),
        url_for(".home"),
        multipart=True,
        intro=_(
            "Le PDF est vérifié comme tout document, puis conservé chiffré. La signature de chaque membre est"
            " enregistrée sur sa fiche ; la signature électronique viendra avec le parapheur."
        ),
    )


@bp.get("/agreement/file")
def agreement_file():
    group = _group()
    content = operations.agreement_bytes(group)
    if content is None:
        abort(404)
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{group.agreement_filename}"'},
    )


# --- Members --------------------------------------------------------------------------------------


@bp.get("/members")
def members():
    """The elected members across the member collectivities: names, seats, devices. Nothing else."""
    group = _group()
    people = devices.group_members(group)
    held = {d.person_id: d for d in devices.devices(group) if d.status == DeviceStatus.ASSIGNED}
    names = {m.tenant_id: m.tenant.name for m in operations.memberships(group)}
    return render_template("groupement/members.html", people=people, held=held, names=names)


@bp.route("/members/join", methods=["GET", "POST"])
def join_member():
    group = _group()
    form = forms.JoinForm()
    taken = {m.tenant_id for m in operations.memberships(group)}
    tenants = {t.id: t for t in db.session.query(Tenant).order_by(Tenant.name) if t.id not in taken}
    form.tenant.choices = [SelectChoice(t.id, t.name) for t in tenants.values()]
    if form.validate_on_submit():
        try:
            operations.join(
                group,
                tenants[form.tenant.data],
                form.joining_reference.data,
                form.joined_on.data,
                _me(),
                seats=form.seats.data,
            )
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Adhésion enregistrée."), ".home")
    return _form_page(form, _("Enregistrer l'adhésion d'une collectivité"), _("Enregistrer"), url_for(".home"))


@bp.route("/members/new", methods=["GET", "POST"])
def provision_member():
    group = _group()
    form = forms.ProvisionForm()
    if form.validate_on_submit():
        values = {field.name: field.data for field in form if field.name != "csrf_token"}
        try:
            membership = operations.provision_member(group, values, _me())
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(
                _(
                    "%(name)s est créée et membre du groupement ; son administrateur a reçu une invitation.",
                    name=membership.tenant.name,
                ),
                ".home",
            )
    return _form_page(
        form,
        _("Accueillir une nouvelle collectivité"),
        _("Créer la collectivité"),
        url_for(".home"),
        intro=_(
            "La collectivité est créée avec sa première assemblée et les règles de son type ; son administrateur"
            " reçoit un lien pour choisir son mot de passe, puis active la double authentification."
        ),
    )


@bp.route("/members/<int:membership_id>", methods=["GET", "POST"])
def edit_member(membership_id: int):
    membership = _one(Membership, membership_id)[1]
    form = forms.MembershipForm(obj=membership)
    if form.validate_on_submit():
        try:
            operations.update_membership(
                membership,
                seats=form.seats.data,
                agreement_signed_on=form.agreement_signed_on.data,
                agreement_signed_by=form.agreement_signed_by.data,
                actor=_me(),
            )
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Adhésion de %(name)s enregistrée.", name=membership.tenant.name), ".home")
    return _form_page(
        form,
        _("%(name)s — licences et convention", name=membership.tenant.name),
        _("Enregistrer"),
        url_for(".home"),
        membership=membership,
    )


@bp.route("/members/<int:membership_id>/withdraw", methods=["GET", "POST"])
def withdraw_member(membership_id: int):
    membership = _one(Membership, membership_id)[1]
    form = forms.WithdrawalForm()
    if form.validate_on_submit():
        try:
            operations.withdraw(
                membership,
                form.withdrawn_on.data,
                form.withdrawal_effect.data,
                form.withdrawal_amount_cents.data,
                _me(),
            )
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Retrait de %(name)s enregistré.", name=membership.tenant.name), ".home")
    return _form_page(
        form, _("Retrait de %(name)s", name=membership.tenant.name), _("Enregistrer le retrait"), url_for(".home")
    )


@bp.get("/members/<int:membership_id>/export")
def export_member(membership_id: int):
    membership = _one(Membership, membership_id)[1]
    with context(db.session, SYSTEM):
        text = export_tenant_file(membership.tenant)
    return Response(
        text,
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{membership.tenant.slug}.toml"'},
    )


# --- Contracts and lots ---------------------------------------------------------------------------


@bp.get("/contracts")
def contracts():
    return render_template("groupement/contracts.html", contracts=operations.contracts(_group()))


def _contract_values(form) -> dict:
    return {
        key: getattr(form, key).data
        for key in ("reference", "title", "supplier", "awarded_on", "start_date", "end_date")
    }


@bp.route("/contracts/new", methods=["GET", "POST"])
def create_contract():
    group = _group()
    form = forms.ContractForm()
    if form.validate_on_submit():
        try:
            operations.save_contract(group, _contract_values(form), _me())
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Marché enregistré."), ".contracts")
    return _form_page(form, _("Nouveau marché"), _("Enregistrer"), url_for(".contracts"))


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
def edit_contract(contract_id: int):
    group, contract = _one(Contract, contract_id)
    form = forms.ContractForm(obj=contract)
    if form.validate_on_submit():
        try:
            operations.save_contract(group, _contract_values(form), _me(), contract=contract)
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Marché enregistré."), ".contracts")
    return _form_page(
        form, _("Marché %(reference)s", reference=contract.reference), _("Enregistrer"), url_for(".contracts")
    )


def _lot_values(form) -> dict:
    return {key: getattr(form, key).data for key in ("number", "title", *operations.LOT_AMOUNTS)}


@bp.route("/contracts/<int:contract_id>/lots/new", methods=["GET", "POST"])
def create_lot(contract_id: int):
    contract = _one(Contract, contract_id)[1]
    form = forms.LotForm()
    if form.validate_on_submit():
        try:
            operations.save_lot(contract, _lot_values(form), _me())
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Lot enregistré."), ".contracts")
    title = _("Nouveau lot du marché %(reference)s", reference=contract.reference)
    return _form_page(form, title, _("Enregistrer"), url_for(".contracts"))


@bp.route("/lots/<int:lot_id>", methods=["GET", "POST"])
def edit_lot(lot_id: int):
    lot = _one(Lot, lot_id)[1]
    form = forms.LotForm(obj=lot)
    if form.validate_on_submit():
        try:
            operations.save_lot(lot.contract, _lot_values(form), _me(), lot=lot)
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Lot enregistré."), ".contracts")
    return _form_page(form, _("Lot n° %(number)s", number=lot.number), _("Enregistrer"), url_for(".contracts"))


# --- Milestones -----------------------------------------------------------------------------------


@bp.get("/milestones")
def milestones():
    return render_template("groupement/milestones.html", milestones=operations.milestones(_group()))


@bp.route("/milestones/<int:milestone_id>", methods=["GET", "POST"])
def edit_milestone(milestone_id: int):
    milestone = _one(Milestone, milestone_id)[1]
    form = forms.MilestoneForm(obj=milestone)
    if form.validate_on_submit():
        try:
            operations.update_milestone(
                milestone,
                planned_date=form.planned_date.data,
                status=MilestoneStatus(form.status.data),
                actual_date=form.actual_date.data,
                actor=_me(),
            )
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Étape enregistrée."), ".milestones")
    return _form_page(form, milestone.title, _("Enregistrer"), url_for(".milestones"))


# --- Devices --------------------------------------------------------------------------------------


@bp.get("/devices")
def devices_list():
    group = _group()
    return render_template("groupement/devices.html", devices=devices.devices(group), savings=devices.savings(group))


@bp.route("/devices/new", methods=["GET", "POST"])
def create_device():
    group = _group()
    form = forms.DeviceForm()
    lots = {lot.id: lot for contract in operations.contracts(group) for lot in contract.lots}
    form.lot.choices = [SelectChoice(0, _("— Aucun —"))] + [
        SelectChoice(lot.id, f"{lot.contract.reference} — lot {lot.number} : {lot.title}") for lot in lots.values()
    ]
    if form.validate_on_submit():
        try:
            devices.add_device(group, form.serial.data, form.model.data, lots.get(form.lot.data), _me())
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Équipement ajouté au stock."), ".devices_list")
    return _form_page(form, _("Nouvel équipement"), _("Ajouter"), url_for(".devices_list"))


def _device_page(group, device: Device, assign_form=None, status_form=None, status: int = 200):
    people = {p.person_id: p for p in devices.group_members(group)}
    assign_form = assign_form or forms.AssignForm(formdata=None)
    assign_form.person.choices = [SelectChoice(p.person_id, p.full_name) for p in people.values()]
    status_form = status_form or forms.DeviceStatusForm(formdata=None)
    status_form.status.choices = [
        SelectChoice(s.value, forms.DEVICE_STATUSES[s]) for s in sorted(devices.STATUS_CHANGES[device.status])
    ]
    page = render_template(
        "groupement/device.html",
        device=device,
        assign_form=assign_form,
        status_form=status_form,
        action_form=forms.ActionForm(),
    )
    return page, status


@bp.get("/devices/<int:device_id>")
def device(device_id: int):
    return _device_page(*_one(Device, device_id))


@bp.post("/devices/<int:device_id>/assign")
def assign_device(device_id: int):
    group, device = _one(Device, device_id)
    form = forms.AssignForm()
    people = {p.person_id for p in devices.group_members(group)}
    form.person.choices = [SelectChoice(person_id, "") for person_id in people]
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data)
        try:
            devices.assign(device, person, _me())
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("Équipement attribué à %(name)s.", name=person.full_name), ".device", device_id=device.id)
    return _device_page(group, device, assign_form=form, status=422)


@bp.post("/devices/<int:device_id>/lost")
def declare_lost(device_id: int):
    group, device = _one(Device, device_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        sessions, tokens = devices.declare_lost(device, _me())
    except PurchasingError as error:
        form = forms.DeviceStatusForm(formdata=None)
        form.form_errors.append(error.message)
        return _device_page(group, device, status_form=form, status=422)
    return _done(
        _(
            "Équipement déclaré perdu : %(sessions)s session(s) et %(tokens)s jeton(s) révoqués ; le titulaire se"
            " reconnecte sur l'équipement de remplacement.",
            sessions=sessions,
            tokens=tokens,
        ),
        ".device",
        device_id=device.id,
    )


@bp.post("/devices/<int:device_id>/status")
def change_device_status(device_id: int):
    group, device = _one(Device, device_id)
    form = forms.DeviceStatusForm()
    form.status.choices = [SelectChoice(s.value, "") for s in devices.STATUS_CHANGES[device.status]]
    if form.validate_on_submit():
        try:
            devices.change_status(device, DeviceStatus(form.status.data), _me())
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("État de l'équipement enregistré."), ".device", device_id=device.id)
    return _device_page(group, device, status_form=form, status=422)


# --- Usage, statements, paper saved ---------------------------------------------------------------


def _date_arg(name: str, default: date) -> date:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


@bp.get("/usage")
def usage():
    group = _group()
    today = date.today()
    start, end = _date_arg("start", today.replace(day=1)), _date_arg("end", today)
    if end < start:
        start, end = end, start
    return render_template("groupement/usage.html", rows=reports.usage(group, start, end), start=start, end=end)


@bp.get("/statements")
def statements_list():
    return render_template("groupement/statements.html", statements=statements.statements(_group()))


@bp.route("/statements/new", methods=["GET", "POST"])
def create_statement():
    group = _group()
    form = forms.StatementForm()
    contracts = {c.id: c for c in operations.contracts(group)}
    form.contract.choices = [SelectChoice(c.id, f"{c.reference} — {c.title}") for c in contracts.values()]
    members = operations.active_memberships(group)
    percentages_given = {m.tenant_id: request.form.get(f"percent-{m.tenant_id}", "") for m in members}
    if form.validate_on_submit():
        key = SharingKey(form.key.data)
        try:
            percentages = _percentages(percentages_given) if key == SharingKey.FIXED else None
            statement = statements.issue(
                group,
                contracts[form.contract.data],
                form.period.data,
                key,
                form.includes_equipment.data,
                _me(),
                percentages,
            )
        except PurchasingError as error:
            _refused(form, error)
        else:
            return _done(_("État de répartition émis."), ".statement", statement_id=statement.id)
    page = render_template("groupement/statement_new.html", form=form, members=members, percentages=percentages_given)
    return page, 422 if request.method == "POST" else 200


def _percentages(given: dict[int, str]) -> dict[int, Decimal]:
    try:
        return {tenant_id: Decimal(value.replace(",", ".").strip() or "0") for tenant_id, value in given.items()}
    except InvalidOperation as error:
        raise PurchasingError(_("Chaque pourcentage est un nombre, par exemple 25 ou 12,5."), "key") from error


@bp.get("/statements/<int:statement_id>")
def statement(statement_id: int):
    group, statement = _one(Statement, statement_id)
    members = {m.tenant_id: m for m in operations.memberships(group)}
    return render_template(
        "groupement/statement.html",
        statement=statement,
        members=members,
        totals=statements.totals(statement),
        items=statements.invoiced_items(statement.contract, statement.includes_equipment),
        key_label=statements.KEY_LABELS[statement.key],
    )


def _member_statement(statement_id: int, membership_id: int):
    group, statement = _one(Statement, statement_id)
    membership = db.session.get(Membership, membership_id)
    if (
        membership is None
        or membership.group_id != group.id
        or not statements.member_lines(statement, membership.tenant_id)
    ):
        abort(404)
    return group, statement, membership


@bp.get("/statements/<int:statement_id>/members/<int:membership_id>.pdf")
def statement_pdf(statement_id: int, membership_id: int):
    group, statement, membership = _member_statement(statement_id, membership_id)
    return Response(
        statements.member_pdf(statement, membership, group),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="repartition-{membership.tenant.slug}-{statement.period}.pdf"'
        },
    )


@bp.get("/statements/<int:statement_id>/members/<int:membership_id>.csv")
def statement_csv(statement_id: int, membership_id: int):
    statement, membership = _member_statement(statement_id, membership_id)[1:]
    return Response(
        statements.member_csv(statement, membership),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="repartition-{membership.tenant.slug}-{statement.period}.csv"'
        },
    )


@bp.get("/paper")
def paper():
    paper = reports.paper_saved(_group())
    names = list(paper.tenants.values())
    values = {(paper.tenants[t], month): pages for (t, month), pages in paper.pages.items()}
    chart = charts.grouped_bars(
        _("Pages diffusées sous forme numérique, par collectivité et par mois"),
        _(
            "Chaque barre porte son nombre de pages ; chaque collectivité a son motif."
            " Le tableau donne les mêmes chiffres."
        ),
        paper.months,
        names,
        values,
    )
    return render_template("groupement/paper.html", paper=paper, chart=chart)
