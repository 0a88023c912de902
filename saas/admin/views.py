"""Tenant admin screens: assemblies, political groups, mandates and invitations, grants, member import.

Thin views: load what the URL names (404 if missing or another tenant's), check access once for the whole
blueprint, call operations, commit once. Everything a tenant admin may not see answers 404.
"""

from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from saas.admin import forms
from saas.admin import operations as ops
from saas.core import display
from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.core.inputs import parse_id
from saas.identity import operations as identity
from saas.identity.access import can_manage
from saas.identity.models import GrantKind, Mandate, MandateRole, TenantGrant
from saas.identity.web import tenant_blueprint
from saas.prefecture import operations as prefecture
from saas.prefecture.classification import classification
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, PoliticalGroupKind

bp = tenant_blueprint("admin", __name__, "/admin")


@bp.before_request
def require_admin():
    """Runs after the tenant is entered; a caller who is not admin here gets the page of a missing id."""
    if not can_manage(current_user, "admin", g.tenant):
        abort(404)


@bp.context_processor
def labels():
    return {
        "assembly_kinds": forms.ASSEMBLY_KINDS,
        "group_kinds": forms.GROUP_KINDS,
        "roles": forms.ROLES,
        "grant_kinds": forms.GRANT_KINDS,
        "today": date.today(),
        "tenant": g.get("tenant"),
    }


def _owned_or_404(model, object_id: int):
    """A row of the current tenant. The tenant check is explicit: a person's own mandates and grants of
    other tenants are visible in the request context, and must not be reachable from this tenant's URLs."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.tenant_id != g.tenant.id:
        abort(404)
    return obj


def _form_page(form, title: str, submit: str, back: str, **context):
    """A form page; shown again after a POST, the form was refused (422)."""
    page = render_template("admin/form.html", form=form, title=title, submit=submit, back=back, **context)
    return page, 422 if request.method == "POST" else 200


def _refusal_under(field: str, form, *page, **context) -> None:
    """A refusal of this request is shown under ``form``'s ``field``, on its page (``_form_page``'s
    arguments): the one refusal handler (``saas.core.errors``) rolls back and answers it, 422."""

    def shown(error):
        getattr(form, field).errors.append(str(error))
        return _form_page(form, *page, **context)

    on_refusal(shown)


# --- Overview -------------------------------------------------------------------------------------


@bp.get("/")
def home():
    current = [m for m in ops.mandates(g.tenant) if m.in_office_on(date.today())]
    counts = {
        "assemblies": len(ops.assemblies(g.tenant, include_archived=False)),
        "groups": len(ops.political_groups(g.tenant)),
        "mandates": len(current),
        "people": len({m.person_id for m in current}),
        "grants": len(ops.grants(g.tenant)),
    }
    return render_template("admin/home.html", counts=counts)


# --- Télétransmission (@ctes) --------------------------------------------------------------------


@bp.route("/teletransmission", methods=["GET", "POST"])
def teletransmission():
    tenant = g.tenant
    form = forms.TeletransmissionForm(
        data=None
        if request.method == "POST"
        else {
            "departement": tenant.actes_departement,
            "arrondissement": tenant.actes_arrondissement,
            "nature": tenant.actes_nature or "",
            "email": tenant.actes_email,
        }
    )
    form.nature.choices = [SelectChoice("", _("— à choisir —"))] + [
        SelectChoice(code, f"{code} — {name}") for code, name in classification().collectivities.items()
    ]
    page = (_("Télétransmission des actes (@ctes)"), _("Enregistrer"), url_for(".home"))
    intro = _(
        "Comment la collectivité est nommée dans l'enveloppe des actes transmis à la préfecture (SIREN %(siren)s).",
        siren=tenant.siren,
    )

    def shown(error):
        getattr(form, error.field if error.field in form else "departement").errors.append(str(error))
        return _form_page(form, *page, intro=intro)

    on_refusal(shown)
    if form.validate_on_submit():
        prefecture.set_identity(
            tenant,
            departement=form.departement.data,
            arrondissement=form.arrondissement.data,
            nature=form.nature.data,
            email=form.email.data,
            actor=current_user,
        )
        commit(db.session)
        flash(_("Télétransmission : identité de la collectivité enregistrée."), "success")
        return redirect(url_for(".home"))
    return _form_page(form, *page, intro=intro)


# --- Assemblies -----------------------------------------------------------------------------------


@bp.get("/assemblies")
def assemblies():
    return render_template("admin/assemblies.html", assemblies=ops.assemblies(g.tenant), action_form=forms.ActionForm())


@bp.route("/assemblies/new", methods=["GET", "POST"])
def create_assembly():
    form = forms.NewAssemblyForm()
    page = (_("Nouvelle assemblée"), _("Créer l'assemblée"), url_for(".assemblies"))
    _refusal_under("key", form, *page)
    if form.validate_on_submit():
        assembly = ops.create_assembly(
            g.tenant,
            name=form.name.data,
            kind=AssemblyKind(form.kind.data),
            seats=form.seats.data,
            key=form.key.data or None,
            actor=current_user,
        )
        commit(db.session)
        flash(_("Assemblée « %(name)s » créée.", name=assembly.name), "success")
        return redirect(url_for(".assemblies"))
    return _form_page(form, *page)


@bp.route("/assemblies/<int:assembly_id>", methods=["GET", "POST"])
def edit_assembly(assembly_id: int):
    assembly = _owned_or_404(Assembly, assembly_id)
    form = forms.AssemblyForm(obj=assembly)
    if form.validate_on_submit():
        ops.update_assembly(
            assembly, name=form.name.data, kind=AssemblyKind(form.kind.data), seats=form.seats.data, actor=current_user
        )
        commit(db.session)
        flash(_("Assemblée « %(name)s » enregistrée.", name=assembly.name), "success")
        return redirect(url_for(".assemblies"))
    return _form_page(
        form, _("Modifier l'assemblée « %(name)s »", name=assembly.name), _("Enregistrer"), url_for(".assemblies")
    )


@bp.post("/assemblies/<int:assembly_id>/archive")
def archive_assembly(assembly_id: int):
    return _set_archived(_owned_or_404(Assembly, assembly_id), True)


@bp.post("/assemblies/<int:assembly_id>/restore")
def restore_assembly(assembly_id: int):
    return _set_archived(_owned_or_404(Assembly, assembly_id), False)


def _set_archived(assembly: Assembly, archived: bool):
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    ops.set_assembly_archived(assembly, archived, current_user)
    commit(db.session)
    message = _("Assemblée « %(name)s » archivée.") if archived else _("Assemblée « %(name)s » rétablie.")
    flash(message % {"name": assembly.name}, "success")
    return redirect(url_for(".assemblies"))


# --- Political groups -----------------------------------------------------------------------------


@bp.get("/groups")
def groups():
    return render_template("admin/groups.html", groups=ops.political_groups(g.tenant))


@bp.route("/groups/new", methods=["GET", "POST"])
def create_group():
    form = forms.GroupForm()
    page = (_("Nouveau groupe politique"), _("Créer le groupe"), url_for(".groups"))
    _refusal_under("name", form, *page)
    if form.validate_on_submit():
        group = ops.create_group(
            g.tenant, name=form.name.data, kind=PoliticalGroupKind(form.kind.data), actor=current_user
        )
        commit(db.session)
        flash(_("Groupe « %(name)s » créé.", name=group.name), "success")
        return redirect(url_for(".groups"))
    return _form_page(form, *page)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def edit_group(group_id: int):
    group = _owned_or_404(PoliticalGroup, group_id)
    form = forms.GroupForm(obj=group)
    page = (_("Modifier le groupe « %(name)s »", name=group.name), _("Enregistrer"), url_for(".groups"))
    _refusal_under("name", form, *page)
    if form.validate_on_submit():
        ops.update_group(group, name=form.name.data, kind=PoliticalGroupKind(form.kind.data), actor=current_user)
        commit(db.session)
        flash(_("Groupe « %(name)s » enregistré.", name=group.name), "success")
        return redirect(url_for(".groups"))
    return _form_page(form, *page)


# --- Mandates -------------------------------------------------------------------------------------


@bp.get("/mandates")
def mandates():
    assembly_id = request.args.get("assembly", type=parse_id)
    assembly = _owned_or_404(Assembly, assembly_id) if assembly_id else None
    return render_template(
        "admin/mandates.html",
        mandates=ops.mandates(g.tenant, assembly),
        assemblies=ops.assemblies(g.tenant),
        selected=assembly,
    )


@bp.route("/mandates/new", methods=["GET", "POST"])
def create_mandate():
    form = forms.MandateForm()
    form.assembly.choices = [SelectChoice(a.id, a.name) for a in ops.assemblies(g.tenant, include_archived=False)]
    form.political_group.choices = [SelectChoice(forms.NO_CHOICE, _("— Aucun —"))] + [
        SelectChoice(group.id, group.name) for group in ops.political_groups(g.tenant)
    ]
    if form.validate_on_submit():
        existing = identity.person_by_email(form.email.data)
        group = _owned_or_404(PoliticalGroup, form.political_group.data) if form.political_group.data else None
        mandate = identity.give_mandate(
            g.tenant,
            identity.MandateRequest(
                email=form.email.data,
                first_name=form.first_name.data,
                last_name=form.last_name.data,
                assembly=_owned_or_404(Assembly, form.assembly.data),
                role=MandateRole(form.role.data),
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                political_group=group,
            ),
            current_user,
        )
        commit(db.session)
        if existing is None:
            flash(
                _(
                    "Compte créé pour %(email)s : une invitation à choisir son mot de passe lui a été envoyée.",
                    email=mandate.person.email,
                ),
                "success",
            )
        else:
            flash(
                _(
                    "Un compte Quorum existait déjà pour %(email)s : le mandat y a été ajouté (une seule identité par"
                    " personne) et %(name)s en a été informé·e par e-mail.",
                    email=existing.email,
                    name=existing.full_name,
                ),
                "success",
            )
        return redirect(url_for(".mandates", assembly=mandate.assembly_id))
    return _form_page(
        form,
        _("Inviter / ajouter un mandat"),
        _("Ajouter le mandat"),
        url_for(".mandates"),
        intro=_(
            "Si l'adresse e-mail a déjà un compte Quorum (dans cette collectivité ou une autre), le mandat est"
            " ajouté à ce compte ; sinon un compte est créé et une invitation est envoyée."
        ),
    )


@bp.route("/mandates/<int:mandate_id>/end", methods=["GET", "POST"])
def end_mandate(mandate_id: int):
    mandate = _owned_or_404(Mandate, mandate_id)
    form = forms.EndMandateForm()
    title = _(
        "Terminer le mandat de %(name)s (%(assembly)s)", name=mandate.person.full_name, assembly=mandate.assembly.name
    )
    page = (title, _("Terminer le mandat"), url_for(".mandates"))
    intro = _("Le mandat reste dans l'historique de la collectivité ; il cesse de donner accès après ce jour.")
    _refusal_under("end_date", form, *page, intro=intro)
    if form.validate_on_submit():
        ops.end_mandate(mandate, form.end_date.data, current_user)
        commit(db.session)
        flash(
            _(
                "Mandat de %(name)s terminé le %(date)s.",
                name=mandate.person.full_name,
                date=display.format_date(mandate.end_date),
            ),
            "success",
        )
        return redirect(url_for(".mandates", assembly=mandate.assembly_id))
    return _form_page(form, *page, intro=intro)


# --- Grants ---------------------------------------------------------------------------------------


@bp.get("/grants")
def grants():
    return render_template("admin/grants.html", grants=ops.grants(g.tenant), action_form=forms.ActionForm())


@bp.route("/grants/new", methods=["GET", "POST"])
def create_grant():
    form = forms.GrantForm()
    people = {person.id: person for person in ops.people(g.tenant)}
    form.person.choices = [SelectChoice(p.id, f"{p.last_name} {p.first_name} <{p.email}>") for p in people.values()]
    form.assembly.choices = [SelectChoice(forms.NO_CHOICE, _("— Aucune —"))] + [
        SelectChoice(a.id, a.name) for a in ops.assemblies(g.tenant, include_archived=False)
    ]
    if form.validate_on_submit():
        person = people[form.person.data]  # one of the choices: the form refused any other id
        assembly = _owned_or_404(Assembly, form.assembly.data) if form.assembly.data else None
        before = {grant.id for grant in ops.grants(g.tenant)}
        grant = identity.give_grant(person, g.tenant, GrantKind(form.kind.data), assembly=assembly, actor=current_user)
        commit(db.session)
        if grant.id in before:
            flash(_("%(name)s a déjà ce droit.", name=person.full_name), "warning")
        else:
            flash(_("Droit accordé à %(name)s.", name=person.full_name), "success")
        return redirect(url_for(".grants"))
    return _form_page(
        form,
        _("Accorder un droit"),
        _("Accorder"),
        url_for(".grants"),
        intro=_(
            "Seules les personnes ayant un mandat ou un droit dans la collectivité sont proposées : invitez d'abord"
            " une nouvelle personne depuis « Mandats »."
        ),
    )


@bp.post("/grants/<int:grant_id>/remove")
def remove_grant(grant_id: int):
    grant = _owned_or_404(TenantGrant, grant_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    name = grant.person.full_name
    on_refusal(_flashed_on_grants)
    ops.remove_grant(grant, current_user)
    commit(db.session)
    flash(_("Droit retiré à %(name)s.", name=name), "success")
    return redirect(url_for(".grants"))


def _flashed_on_grants(error):
    """A refused removal: its French reason flashed on the list of grants."""
    flash(str(error), "error")
    return redirect(url_for(".grants"))


# --- Member import --------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_members():
    form = forms.ImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        report = ops.check_members_csv(g.tenant, form.file.data.read(ops.MAX_IMPORT_BYTES + 1))
        if report.ok:
            ops.import_members(g.tenant, report, current_user)
            commit(db.session)
        else:
            status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "admin/import.html",
        form=form,
        report=report,
        max_rows=ops.MAX_IMPORT_ROWS,
        columns=ops.REQUIRED_COLUMNS + ops.OPTIONAL_COLUMNS,
    ), status
