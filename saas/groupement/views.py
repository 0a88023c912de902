"""The coordinator's console (/group/…): the group, its members, new members.

The other pages are in ``agreement_views`` (the agreement and its signature), ``contract_views``
(contracts, lots, calendar), ``device_views`` (devices) and ``statement_views`` (usage, cost statements,
paper saved); what they share, the access check first, is in ``console``. Thin views: load what the URL
names (404 if missing), call operations, commit once.
"""

from datetime import date

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from saas.core.database import SYSTEM, context
from saas.core.extensions import db
from saas.groupement import forms, operations
from saas.groupement.agreement import operations as agreement_signing
from saas.groupement.console import (
    attachment,
    console_blueprint,
    done,
    form_page,
    load,
    load_group,
    me,
    refusal_on_form_page,
)
from saas.groupement.devices import operations as devices
from saas.groupement.models import DeviceStatus, Membership
from saas.tenancy.models import Tenant
from saas.tenancy.operations import export_tenant_file

bp = console_blueprint("groupement", __name__)


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
        signing=next(iter(agreement_signing.signings(group)), None),
    )


@bp.route("/new", methods=["GET", "POST"])
def create_group():
    if operations.current_group() is not None:
        return redirect(url_for(".home"))
    form = forms.GroupForm()
    coordinators = {t.id: t for t in operations.coordinator_tenants()}
    form.coordinator.choices = [SelectChoice(t.id, t.name) for t in coordinators.values()]
    page = (form, _("Créer le groupement"), _("Créer"), url_for(".home"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.create_group(
            form.name.data,
            coordinators[form.coordinator.data],
            form.joining_reference.data,
            form.joined_on.data,
            me(),
        )
        return done(_("Le groupement est créé, avec le calendrier du texte fondateur."), ".home")
    return form_page(*page)


# --- Members --------------------------------------------------------------------------------------


@bp.get("/members")
def members():
    """The elected members across the member collectivities: names, seats, devices. Nothing else."""
    group = load_group()
    people = devices.group_members(group)
    held = {d.person_id: d for d in devices.devices(group) if d.status == DeviceStatus.ASSIGNED}
    names = {m.tenant_id: m.tenant.name for m in operations.memberships(group)}
    return render_template("groupement/members.html", people=people, held=held, names=names)


@bp.route("/members/join", methods=["GET", "POST"])
def join_member():
    group = load_group()
    form = forms.JoinForm()
    taken = {m.tenant_id for m in operations.memberships(group)}
    tenants = {t.id: t for t in db.session.query(Tenant).order_by(Tenant.name) if t.id not in taken}
    form.tenant.choices = [SelectChoice(t.id, t.name) for t in tenants.values()]
    page = (form, _("Enregistrer l'adhésion d'une collectivité"), _("Enregistrer"), url_for(".home"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.join(
            group,
            tenants[form.tenant.data],
            form.joining_reference.data,
            form.joined_on.data,
            me(),
            seats=form.seats.data,
        )
        return done(_("Adhésion enregistrée."), ".home")
    return form_page(*page)


@bp.route("/members/new", methods=["GET", "POST"])
def provision_member():
    group = load_group()
    form = forms.ProvisionForm()
    page = (form, _("Accueillir une nouvelle collectivité"), _("Créer la collectivité"), url_for(".home"))
    intro = _(
        "La collectivité est créée avec sa première assemblée et les règles de son type ; son administrateur"
        " reçoit un lien pour choisir son mot de passe, puis active la double authentification."
    )
    refusal_on_form_page(*page, intro=intro)
    if form.validate_on_submit():
        values = {field.name: field.data for field in form if field.name != "csrf_token"}
        membership = operations.provision_member(group, values, me())
        return done(
            _(
                "%(name)s est créée et membre du groupement ; son administrateur a reçu une invitation.",
                name=membership.tenant.name,
            ),
            ".home",
        )
    return form_page(*page, intro=intro)


@bp.route("/members/<int:membership_id>", methods=["GET", "POST"])
def edit_member(membership_id: int):
    membership = load(Membership, membership_id)[1]
    form = forms.MembershipForm(obj=membership)
    name = membership.tenant.name
    page = (form, _("%(name)s — licences et convention", name=name), _("Enregistrer"), url_for(".home"))
    refusal_on_form_page(*page, membership=membership)
    if form.validate_on_submit():
        operations.update_membership(
            membership,
            seats=form.seats.data,
            agreement_signed_on=form.agreement_signed_on.data,
            agreement_signed_by=form.agreement_signed_by.data,
            actor=me(),
        )
        return done(_("Adhésion de %(name)s enregistrée.", name=name), ".home")
    return form_page(*page, membership=membership)


@bp.route("/members/<int:membership_id>/withdraw", methods=["GET", "POST"])
def withdraw_member(membership_id: int):
    membership = load(Membership, membership_id)[1]
    form = forms.WithdrawalForm()
    name = membership.tenant.name
    page = (form, _("Retrait de %(name)s", name=name), _("Enregistrer le retrait"), url_for(".home"))
    refusal_on_form_page(*page)
    if form.validate_on_submit():
        operations.withdraw(
            membership,
            form.withdrawn_on.data,
            form.withdrawal_effect.data,
            form.withdrawal_amount_cents.data,
            me(),
        )
        return done(_("Retrait de %(name)s enregistré.", name=name), ".home")
    return form_page(*page)


@bp.get("/members/<int:membership_id>/export")
def export_member(membership_id: int):
    membership = load(Membership, membership_id)[1]
    with context(db.session, SYSTEM):
        text = export_tenant_file(membership.tenant)
    return attachment(text, "application/toml", f"{membership.tenant.slug}.toml")
