"""The circuit editor, in the collectivity's admin screens: its circuits and the templates to adopt, a
circuit's diagram, versions and reports, the form editor, TOML export and import, retire and delete, and the
dry run of its deadlines for a sitting date.

Thin views: load what the URL names (404 if missing or another collectivity's), check access once for the
whole blueprint (admins of the collectivity only; anyone else gets 404), call operations, commit once. A
refused change (the schema of the files, French) is shown next to its field, 422, and nothing is saved.
"""

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.core.inputs import parse_id
from saas.identity.access import can_manage
from saas.identity.mandates.labels import NOTICE_COUNTING_LABELS
from saas.identity.models import Person
from saas.identity.web import tenant_blueprint
from saas.reports.models import Service
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Assembly
from saas.workflow import definitions, labels, planning
from saas.workflow.editor import diagram, forms
from saas.workflow.editor import operations as ops
from saas.workflow.models import DefinitionStatus, WorkflowDefinition

bp = tenant_blueprint("workflow_editor", __name__, "/admin/circuits")


@bp.before_request
def require_admin():
    """Runs after the tenant is entered; a caller who is not admin here gets the page of a missing id."""
    if not can_manage(current_user, "admin", g.tenant):
        abort(404)


@bp.context_processor
def context():
    return {
        "tenant": g.get("tenant"),
        "step_kinds": labels.STEP_KIND_LABELS,
        "modes": labels.MODE_LABELS,
        "statuses": labels.DEFINITION_STATUS_LABELS,
        "applies_to": labels.applies_to,
        "describe_deadline": labels.describe_deadline,
        "refuses": labels.refuses,
    }


def _definition(definition_id: int) -> WorkflowDefinition:
    definition = db.session.get(WorkflowDefinition, definition_id)
    if definition is None or definition.tenant_id != g.tenant.id:
        abort(404)
    return definition


def _editable(definition_id: int) -> WorkflowDefinition:
    """A definition that may still change (a retired one is offered no more, and keeps its versions)."""
    definition = _definition(definition_id)
    if definition.status == DefinitionStatus.RETIRED:
        raise definitions.WorkflowError(_("Ce circuit est retiré : il ne peut plus être modifié."))
    return definition


def _names():
    """The collectivity's assemblies by key and people by e-mail, to say who a step asks in words."""
    assemblies = {assembly.key: assembly.name for assembly in ops.assemblies_of(g.tenant, include_archived=True)}
    people = {person.email: person.full_name for person in ops.people_of(g.tenant)}
    return assemblies, people


def _status(default: int = 200) -> int:
    return 422 if request.method == "POST" else default


def _saved(definition: WorkflowDefinition, version, changed: bool, what: str):
    commit(db.session)
    if changed:
        flash(_("%(what)s : version %(n)s enregistrée.", what=what, n=version.number), "success")
    else:
        flash(_("Aucun changement : la version %(n)s reste en vigueur.", n=version.number), "warning")
    return redirect(url_for(".circuit", definition_id=definition.id))


# --- The collectivity's circuits ----------------------------------------------------------------------------


@bp.get("")
def circuits():
    owned = ops.definitions_of(g.tenant)
    return render_template(
        "workflow/editor/circuits.html",
        circuits=owned,
        latest={definition.id: definitions.latest_version(definition) for definition in owned},
        uses=ops.use_counts(g.tenant),
        templates=ops.templates_not_adopted(g.tenant),
        action_form=forms.ActionForm(),
    )


@bp.post("/adopter")
def adopt():
    form = forms.ActionForm()
    if not form.validate_on_submit() or not form.key.data:
        abort(400)
    on_refusal(_flashed_on_list)
    definition = definitions.adopt_template(g.tenant, form.key.data, actor=current_user)
    commit(db.session)
    flash(_("Circuit « %(name)s » adopté : cette copie est celle de la collectivité.", name=definition.name), "success")
    return redirect(url_for(".circuit", definition_id=definition.id))


def _flashed_on_list(error):
    flash(str(error), "error")
    return redirect(url_for(".circuits"))


@bp.route("/nouveau", methods=["GET", "POST"])
def create():
    form = forms.NewDefinitionForm()
    on_refusal(lambda error: _definition_page(forms.show_problems(form, error, None), _("Nouveau circuit")))
    if form.validate_on_submit():
        definition = definitions.create_definition(g.tenant, form.document(), actor=current_user)
        commit(db.session)
        flash(_("Circuit « %(name)s » créé, avec une première étape à adapter.", name=definition.name), "success")
        return redirect(url_for(".circuit", definition_id=definition.id))
    return _definition_page(form, _("Nouveau circuit")), _status()


def _definition_page(form, title: str, definition: WorkflowDefinition | None = None):
    back = url_for(".circuit", definition_id=definition.id) if definition else url_for(".circuits")
    return render_template("workflow/editor/form.html", form=form, title=title, definition=definition, back=back)


@bp.route("/importer", methods=["GET", "POST"])
def import_file():
    form = forms.ImportForm()
    on_refusal(lambda error: _import_page(form, error))
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(ops.MAX_IMPORT_BYTES + 1)
        definition, outcome = ops.import_toml(g.tenant, data, upload.filename or "circuit.toml", actor=current_user)
        commit(db.session)
        messages = {
            "created": _("Circuit « %(name)s » importé."),
            "revised": _("Circuit « %(name)s » : le fichier en est la nouvelle version."),
            "unchanged": _("Circuit « %(name)s » : le fichier est identique à la version en vigueur, rien ne change."),
        }
        flash(messages[outcome] % {"name": definition.name}, "warning" if outcome == "unchanged" else "success")
        return redirect(url_for(".circuit", definition_id=definition.id))
    return _import_page(form), _status()


def _import_page(form, error=None):
    if error is not None:
        form.file.errors = [*form.file.errors, *error.message.split("\n")]
    return render_template("workflow/editor/import.html", form=form, max_kb=ops.MAX_IMPORT_BYTES // 1024)


# --- One circuit ----------------------------------------------------------------------------------------------


def _circuit_page(definition: WorkflowDefinition, refusal: str | None = None):
    version = definitions.latest_version(definition)
    assemblies, people = _names()
    ids = {v.created_by_id for v in definition.versions if v.created_by_id}
    creators = {
        person.id: person for person in db.session.execute(sa.select(Person).where(Person.id.in_(ids))).scalars()
    }
    using = definitions.reports_using(definition)
    return render_template(
        "workflow/editor/circuit.html",
        definition=definition,
        version=version,
        versions=list(reversed(definition.versions)),
        creators=creators,
        using=using,
        diagram=diagram.layout(version.document, assemblies, people),
        who=lambda step: labels.describe_who(step["who"], assemblies, people),
        refusal_of=lambda step: labels.describe_refusal(step, {s["key"]: s["name"] for s in version.steps}),
        editable=definition.status == DefinitionStatus.ACTIVE,
        refusal=refusal,
        action_form=forms.ActionForm(),
    )


@bp.get("/<int:definition_id>")
def circuit(definition_id: int):
    return _circuit_page(_definition(definition_id))


@bp.route("/<int:definition_id>/modifier", methods=["GET", "POST"])
def edit(definition_id: int):
    definition = _editable(definition_id)
    document = ops.working_copy(definition)
    form = forms.DefinitionForm(data=None if request.method == "POST" else document)
    title = _("Modifier le circuit « %(name)s »", name=definition.name)
    on_refusal(lambda error: _definition_page(forms.show_problems(form, error, None), title, definition))
    if form.validate_on_submit():
        document["name"] = form.name.data.strip()
        document.pop("description", None)
        if (form.description.data or "").strip():
            document["description"] = form.description.data.strip()
        return _saved(definition, *ops.save(definition, document, current_user), _("Circuit"))
    return _definition_page(form, title, definition), _status()


def _step_form(form_class, definition: WorkflowDefinition, document: dict, index: int):
    """The step form, its choices built from the collectivity (steps before ``index`` for a refusal)."""
    form = form_class()
    named = document["steps"][index]["who"].get("emails", []) if index < len(document["steps"]) else []
    form.set_choices(ops.people_of(g.tenant), ops.assemblies_of(g.tenant), document["steps"][:index], named)
    return form


def _step_page(definition: WorkflowDefinition, form, title: str):
    return render_template("workflow/editor/step.html", definition=definition, form=form, title=title)


@bp.route("/<int:definition_id>/ajouter-une-etape", methods=["GET", "POST"])
def add_step(definition_id: int):
    definition = _editable(definition_id)
    document = ops.working_copy(definition)
    index = len(document["steps"])
    form = _step_form(forms.NewStepForm, definition, document, index)
    if request.method == "GET":
        form.reapprove_after_change.data = True
    title = _("Nouvelle étape du circuit « %(name)s »", name=definition.name)
    on_refusal(lambda error: _step_page(definition, forms.show_problems(form, error, index), title))
    if form.validate_on_submit():
        key = form.key.data or ops.key_from(form.name.data, {step["key"] for step in document["steps"]})
        document["steps"].append(form.step(key))
        return _saved(definition, *ops.save(definition, document, current_user), _("Étape ajoutée"))
    return _step_page(definition, form, title), _status()


def _step_index(document: dict, step_key: str) -> int:
    index = ops.step_index(document, step_key)
    if index is None:
        abort(404)
    return index


@bp.route("/<int:definition_id>/etapes/<step_key>", methods=["GET", "POST"])
def edit_step(definition_id: int, step_key: str):
    definition = _editable(definition_id)
    document = ops.working_copy(definition)
    index = _step_index(document, step_key)
    form = _step_form(forms.StepForm, definition, document, index)
    if request.method == "GET":
        form.fill(document["steps"][index])
    title = _("Étape « %(step)s » du circuit « %(name)s »", step=document["steps"][index]["name"], name=definition.name)
    on_refusal(lambda error: _step_page(definition, forms.show_problems(form, error, index), title))
    if form.validate_on_submit():
        document["steps"][index] = form.step(step_key)
        return _saved(definition, *ops.save(definition, document, current_user), _("Étape enregistrée"))
    return _step_page(definition, form, title), _status()


def _change_steps(definition_id: int, step_key: str, change, what: str):
    """Move or remove a step: the whole document is checked again; a refusal shows on the circuit page."""
    definition = _editable(definition_id)
    document = ops.working_copy(definition)
    index = _step_index(document, step_key)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    on_refusal(lambda error: _circuit_page(definition, refusal=str(error)))
    change(document, index)
    return _saved(definition, *ops.save(definition, document, current_user), what)


@bp.post("/<int:definition_id>/etapes/<step_key>/monter")
def move_up(definition_id: int, step_key: str):
    return _change_steps(definition_id, step_key, lambda doc, i: ops.move_step(doc, i, -1), _("Étape déplacée"))


@bp.post("/<int:definition_id>/etapes/<step_key>/descendre")
def move_down(definition_id: int, step_key: str):
    return _change_steps(definition_id, step_key, lambda doc, i: ops.move_step(doc, i, 1), _("Étape déplacée"))


@bp.post("/<int:definition_id>/etapes/<step_key>/supprimer")
def remove_step(definition_id: int, step_key: str):
    return _change_steps(definition_id, step_key, lambda doc, i: doc["steps"].pop(i), _("Étape supprimée"))


@bp.get("/<int:definition_id>/export")
def export(definition_id: int):
    definition = _definition(definition_id)
    asked = request.args.get("version")
    if asked is None:
        version = definitions.latest_version(definition)
    else:
        try:
            version = ops.version_number(definition, parse_id(asked))
        except ValueError:
            abort(404)
        if version is None:
            abort(404)
    return Response(
        ops.export_toml(definition, version, g.tenant),
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{definition.key}.toml"'},
    )


@bp.post("/<int:definition_id>/retirer")
def retire(definition_id: int):
    definition = _definition(definition_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    definitions.retire_definition(definition, actor=current_user)
    commit(db.session)
    flash(
        _(
            "Circuit « %(name)s » retiré : il ne sera plus proposé ; les circuits en cours continuent.",
            name=definition.name,
        ),
        "success",
    )
    return redirect(url_for(".circuit", definition_id=definition.id))


@bp.post("/<int:definition_id>/supprimer")
def delete(definition_id: int):
    definition = _definition(definition_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    name = definition.name
    on_refusal(lambda error: _circuit_page(definition, refusal=str(error)))
    definitions.delete_definition(definition, actor=current_user)
    commit(db.session)
    flash(_("Circuit « %(name)s » supprimé.", name=name), "success")
    return redirect(url_for(".circuits"))


# --- Dry run -------------------------------------------------------------------------------------------------


@bp.get("/<int:definition_id>/essai")
def dry_run(definition_id: int):
    definition = _definition(definition_id)
    version = definitions.latest_version(definition)
    assemblies = ops.assemblies_of(g.tenant)
    services = ops.services_of(g.tenant)
    form = forms.DryRunForm(formdata=request.args if request.args else None)
    form.assembly.choices = [SelectChoice(a.id, a.name) for a in assemblies]
    form.service.choices = [SelectChoice(0, _("— Aucun —"))] + [SelectChoice(s.id, s.name) for s in services]
    if not request.args:  # the first visit proposes an assembly of the kind the circuit is for
        fitting = [a for a in assemblies if a.kind == definition.assembly_kind] or assemblies
        form.assembly.data = fitting[0].id if fitting else None
    plan, status = None, 200
    if request.args and form.validate():
        assembly = db.session.get(Assembly, form.assembly.data)  # one of the choices: the form refused others
        service = db.session.get(Service, form.service.data) if form.service.data else None
        subject = planning.Subject(tenant_id=g.tenant.id, assembly=assembly, service=service)
        sitting = planning.imagined_sitting(g.tenant, form.sitting_day.data)
        plan = planning.plan(version.steps, subject, g.tenant, sitting)
    elif request.args:
        status = 422
    rules = tenant_rules(g.tenant)
    assembly_names, people = _names()
    return render_template(
        "workflow/editor/dry_run.html",
        definition=definition,
        version=version,
        form=form,
        plan=plan,
        notice={
            "days": rules.notice_days,
            "counting": NOTICE_COUNTING_LABELS[rules.notice_counting],
            "article": rules.notice_article,
        },
        who=lambda step: labels.describe_who(step["who"], assembly_names, people),
        steps={step["key"]: step for step in version.steps},
    ), status
