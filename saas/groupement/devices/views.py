"""The console's devices (/group/devices): the inventory, one device per elected member, the remote lock
of a lost one. What the lock revokes is in ``devices.declare_lost``."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.groupement import forms, operations
from saas.groupement.console import (
    console_blueprint,
    done,
    form_page,
    load,
    load_group,
    me,
    refusal_on_form_page,
    refused,
)
from saas.groupement.devices import operations as devices
from saas.groupement.models import Device, DeviceStatus
from saas.identity.models import Person

bp = console_blueprint("groupement_devices", __name__)


@bp.get("/devices")
def devices_list():
    group = load_group()
    return render_template("groupement/devices.html", devices=devices.devices(group), savings=devices.savings(group))


@bp.route("/devices/new", methods=["GET", "POST"])
def create_device():
    group = load_group()
    form = forms.DeviceForm()
    lots = {lot.id: lot for contract in operations.contracts(group) for lot in contract.lots}
    form.lot.choices = [SelectChoice(0, _("— Aucun —"))] + [
        SelectChoice(lot.id, f"{lot.contract.reference} — lot {lot.number} : {lot.title}") for lot in lots.values()
    ]
    page = (form, _("Nouvel équipement"), _("Ajouter"), url_for(".devices_list"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        devices.add_device(group, form.serial.data, form.model.data, lots.get(form.lot.data), me())
        return done(_("Équipement ajouté au stock."), ".devices_list")
    return form_page(*page)


def _device_page(group, device: Device, assign_form=None, status_form=None, status: int = 200):
    """The device with its two forms; a refused one comes back with its errors (and a 422)."""
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
    return _device_page(*load(Device, device_id))


@bp.post("/devices/<int:device_id>/assign")
def assign_device(device_id: int):
    group, device = load(Device, device_id)
    form = forms.AssignForm()
    people = {p.person_id for p in devices.group_members(group)}
    form.person.choices = [SelectChoice(person_id, "") for person_id in people]
    on_refusal(lambda error: _device_page(group, device, assign_form=refused(form, error), status=422))
    if form.validate_on_submit():
        person = db.session.get(Person, form.person.data)
        devices.assign(device, person, me())
        return done(_("Équipement attribué à %(name)s.", name=person.full_name), ".device", device_id=device.id)
    return _device_page(group, device, assign_form=form, status=422)


@bp.post("/devices/<int:device_id>/lost")
def declare_lost(device_id: int):
    group, device = load(Device, device_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    on_refusal(lambda error: _device_page(group, device, status_form=_above(error), status=422))
    sessions, tokens = devices.declare_lost(device, me())
    return done(
        _(
            "Équipement déclaré perdu : %(sessions)s session(s) et %(tokens)s jeton(s) révoqués ; le titulaire se"
            " reconnecte sur l'équipement de remplacement.",
            sessions=sessions,
            tokens=tokens,
        ),
        ".device",
        device_id=device.id,
    )


def _above(error) -> forms.DeviceStatusForm:
    """The status form, empty, with the refusal above it."""
    form = forms.DeviceStatusForm(formdata=None)
    form.form_errors.append(error.message)
    return form


@bp.post("/devices/<int:device_id>/status")
def change_device_status(device_id: int):
    group, device = load(Device, device_id)
    form = forms.DeviceStatusForm()
    form.status.choices = [SelectChoice(s.value, "") for s in devices.STATUS_CHANGES[device.status]]
    on_refusal(lambda error: _device_page(group, device, status_form=refused(form, error), status=422))
    if form.validate_on_submit():
        devices.change_status(device, DeviceStatus(form.status.data), me())
        return done(_("État de l'équipement enregistré."), ".device", device_id=device.id)
    return _device_page(group, device, status_form=form, status=422)
