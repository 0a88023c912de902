"""The drafters' report pages: the collectivity's reports the person may see, a new report, a report with its
documents, its circuit's progress, the committee's opinion as the deliberation quotes it, and its history;
submitting it to its circuit (with the plan's warning when the legal notice day cannot be held), urgent
validation, and, once it is on an agenda, putting its act into a circuit for acts to sign. And, in the admin
screens, the services: create one, name its head, give drafter grants.

Thin views: load what the URL names (404 if missing, another collectivity's or not visible: access.py), call
operations, commit once. A refusal shows its French message under its field (forms) or as a flash on the
report page (actions), with nothing written.
"""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.core import display
from saas.core.database import commit
from saas.core.errors import on_refusal, show_on
from saas.core.extensions import db
from saas.documents.access import may_change
from saas.documents.operations import documents_of
from saas.identity.access import can_manage
from saas.identity.models import GrantKind, Person
from saas.identity.web import tenant_blueprint
from saas.reports import access as report_access
from saas.reports import operations as reports
from saas.reports.models import Report, ReportStatus, Service
from saas.sittings.models import Sitting
from saas.tenancy.models import Assembly
from saas.workflow import definitions, planning
from saas.workflow import labels as workflow_labels
from saas.workflow import operations as engine
from saas.workflow.access import holds_grant
from saas.workflow.editor.operations import people_of, services_of
from saas.workflow.models import AppliesTo, RunState
from saas.workflow.reports import access, forms, opinions
from saas.workflow.reports import labels as report_labels
from saas.workflow.reports import operations as ops

bp = tenant_blueprint("workflow_reports", __name__, "/rapports")


@bp.context_processor
def context():
    return {
        "tenant": g.get("tenant"),
        "report_statuses": report_labels.REPORT_STATUS_LABELS,
        "task_states": workflow_labels.TASK_STATE_LABELS,
        "action_labels": workflow_labels.ACTION_LABELS,
        "step_states": report_labels.STEP_STATE_LABELS,
        "step_kinds": workflow_labels.STEP_KIND_LABELS,
        "modes": workflow_labels.MODE_LABELS,
        "opinion_words": engine.OPINIONS,
    }


def _report(report_id: int) -> Report:
    return access.load_report(g.tenant, report_id, current_user)


# --- The list and the form ---------------------------------------------------------------------------------


@bp.get("")
def reports_list():
    """Every report of the collectivity the caller may see (their own, their service's, those their circuit
    asks them about; all for admins and secretaries); empty for anyone else."""
    return render_template(
        "workflow/reports/list.html",
        reports=access.visible_reports(g.tenant, current_user),
        drafts=bool(access.drafting_services(g.tenant, current_user)),
    )


def _choose(form: forms.ReportForm, services: list[Service] | None) -> forms.ReportForm:
    if services is not None:
        form.service.choices = [(service.id, service.name) for service in services]
    form.rapporteur.choices = [(forms.NO_CHOICE, _("— aucun pour l'instant —"))] + [
        (person.id, person.full_name) for person in ops.rapporteurs(g.tenant)
    ]
    form.assembly.choices = [(assembly.id, assembly.name) for assembly in ops.target_assemblies(g.tenant)]
    form.sitting.choices = [(forms.NO_CHOICE, _("— pas encore de séance —"))] + [
        (sitting.id, f"{sitting.assembly.name} — {_format_day(sitting)}") for sitting in ops.open_sittings(g.tenant)
    ]
    return form


def _format_day(sitting: Sitting) -> str:
    return display.format_datetime(sitting.starts_at, "long", tenant=g.tenant)


def _fields(form: forms.ReportForm) -> reports.ReportFields:
    """The form's choices as objects of this collectivity (each select only offers those)."""
    assembly = db.session.get(Assembly, form.assembly.data)
    sitting = db.session.get(Sitting, form.sitting.data) if form.sitting.data else None
    rapporteur = db.session.get(Person, form.rapporteur.data) if form.rapporteur.data else None
    if assembly is None or assembly.tenant_id != g.tenant.id:
        abort(400)
    return reports.ReportFields(
        title=form.title.data,
        subject_code=(form.subject_code.data or "").strip(),
        assembly=assembly,
        sitting=sitting,
        rapporteur=rapporteur,
    )


def _form_page(form, title: str, report: Report | None = None, status: int = 200):
    return render_template("workflow/reports/form.html", form=form, title=title, report=report), status


@bp.route("/nouveau", methods=["GET", "POST"])
def create():
    services = access.drafting_services(g.tenant, current_user)
    if not services:
        abort(404)  # only drafters write reports
    form = _choose(forms.ReportForm(), services)
    on_refusal(lambda error: _form_page(show_on(form, error), _("Nouveau rapport"))[0])
    if form.validate_on_submit():
        service = next(service for service in services if service.id == form.service.data)
        report = reports.create_report(current_user, service, _fields(form), actor=current_user)
        commit(db.session)
        flash(
            _("Rapport n° %(id)s créé : joignez ses documents, puis soumettez-le au circuit.", id=report.id), "success"
        )
        return redirect(url_for(".report", report_id=report.id))
    return _form_page(form, _("Nouveau rapport"), status=422 if request.method == "POST" else 200)


@bp.route("/<int:report_id>/modifier", methods=["GET", "POST"])
def edit(report_id: int):
    report = _report(report_id)
    if not report_access.can_edit(current_user, report):
        abort(404)
    form = _choose(forms.EditReportForm(obj=None), None)
    if request.method == "GET":
        form.title.data, form.subject_code.data = report.title, report.subject_code
        form.assembly.data = report.assembly_id
        form.sitting.data = report.sitting_id or forms.NO_CHOICE
        form.rapporteur.data = report.rapporteur_id or forms.NO_CHOICE
    title = _("Modifier le rapport n° %(id)s", id=report.id)
    on_refusal(lambda error: _form_page(show_on(form, error), title, report)[0])
    if form.validate_on_submit():
        reports.edit_report(report, _fields(form), actor=current_user)
        commit(db.session)
        flash(_("Rapport enregistré."), "success")
        return redirect(url_for(".report", report_id=report.id))
    return _form_page(form, title, report, status=422 if request.method == "POST" else 200)


# --- The report page ---------------------------------------------------------------------------------------


@bp.get("/<int:report_id>")
def report(report_id: int):
    report = _report(report_id)
    run = ops.current_run(report)
    running = run is not None and run.state == RunState.RUNNING
    urgent = running and holds_grant(current_user, g.tenant.id, GrantKind.URGENT_VALIDATOR)
    circuits = _acts_circuits(report)
    return render_template(
        "workflow/reports/report.html",
        report=report,
        run=run,
        starter=db.session.get(Person, run.started_by_id) if run else None,
        sitting=db.session.get(Sitting, report.sitting_id) if report.sitting_id else None,
        steps=ops.progress(run, g.tenant.today()) if run else [],
        warning=planning.submission_warning(run) if running else [],
        quote=opinions.quote(report),
        history=ops.history(report),
        documents=[document for document in documents_of(report) if not document.withdrawn],
        may_edit=report_access.can_edit(current_user, report),
        may_upload=may_change(report) and report.status != ReportStatus.READY,
        urgent_form=forms.UrgentForm() if urgent else None,
        signing_form=forms.signing_form(circuits) if circuits else None,
        action_form=forms.ActionForm(),
    )


def _acts_circuits(report: Report) -> list:
    """The circuits for acts to sign that the person may start on ``report`` now (none when
    ``engine.signing_refusal`` says why not; ``start_signing`` checks it again under the report's lock)."""
    if engine.signing_refusal(report, current_user) is not None:
        return []
    return definitions.active_definitions(g.tenant.id, AppliesTo.ACTS)


def _started(run, started: str) -> None:
    """Flash what a circuit's start did (``started``: "Rapport soumis au circuit"…): validated at once, or the
    step that waits and for whom."""
    name = run.version.definition.name
    if run.state == RunState.COMPLETED:
        flash(_("%(started)s « %(name)s » : il est validé.", started=started, name=name), "success")
        return
    holders = ", ".join(person.full_name for person in ops.holders(run))
    flash(
        _(
            "%(started)s « %(name)s » (version %(v)s) : l'étape « %(step)s » attend %(who)s.",
            started=started,
            name=name,
            v=run.report_version,
            step=run.version.steps[run.position]["name"],
            who=holders or _("personne"),
        ),
        "success",
    )


def _flashed_on_report(report_id: int):
    def shown(error):
        flash(str(error), "error")
        return redirect(url_for(".report", report_id=report_id))

    return shown


@bp.post("/<int:report_id>/soumettre")
def submit(report_id: int):
    report = _report(report_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    on_refusal(_flashed_on_report(report.id))
    run = engine.submit(report, current_user)
    warning = planning.submission_warning(run)
    _started(run, _("Rapport soumis au circuit"))
    commit(db.session)
    for line in warning:
        flash(line, "warning")
    return redirect(url_for(".report", report_id=report.id))


@bp.post("/<int:report_id>/faire-signer")
def start_signing(report_id: int):
    report = _report(report_id)
    circuits = _acts_circuits(report)
    form = forms.signing_form(circuits)
    on_refusal(_flashed_on_report(report.id))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        if not circuits:  # none may be started here: the engine refuses, saying why in French
            engine.start_signing(report, current_user)
        flash(_("Choisissez un circuit de signature parmi ceux proposés."), "error")
        return redirect(url_for(".report", report_id=report.id)), 303
    chosen = next(circuit for circuit in circuits if circuit.id == form.definition.data)
    run = engine.start_signing(report, current_user, chosen)
    _started(run, _("Acte mis à la signature dans le circuit"))
    commit(db.session)
    return redirect(url_for(".report", report_id=report.id))


@bp.post("/<int:report_id>/urgence")
def validate_urgently(report_id: int):
    report = _report(report_id)
    run = ops.running_run(report)
    if run is None or not holds_grant(current_user, g.tenant.id, GrantKind.URGENT_VALIDATOR):
        abort(404)
    form = forms.UrgentForm()
    on_refusal(_flashed_on_report(report.id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(url_for(".report", report_id=report.id)), 303
    engine.validate_urgently(run, current_user, form.reason.data)
    commit(db.session)
    flash(_("Rapport validé en urgence : il peut être inscrit à l'ordre du jour."), "success")
    return redirect(url_for(".report", report_id=report.id))


# --- Services, in the admin screens --------------------------------------------------------------------------

services_bp = tenant_blueprint("workflow_services", __name__, "/admin/services")


@services_bp.before_request
def require_admin():
    """Runs after the tenant is entered; a caller who is not admin here gets the page of a missing id."""
    if not can_manage(current_user, "admin", g.tenant):
        abort(404)


@services_bp.context_processor
def services_context():
    return {"tenant": g.get("tenant")}


def _people_choices(empty: str | None = None) -> list[tuple[int, str]]:
    people = [(person.id, person.full_name) for person in people_of(g.tenant)]
    return ([(forms.NO_CHOICE, empty)] if empty else []) + people


def _service(service_id: int) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or service.tenant_id != g.tenant.id:
        abort(404)
    return service


def _services_page(create_form=None, status: int = 200):
    services = services_of(g.tenant)
    drafters = ops.drafters_by_service(g.tenant)
    head_forms, drafter_forms = {}, {}
    for service in services:
        head_forms[service.id] = forms.HeadForm(prefix=f"head-{service.id}", head=service.head_person_id or 0)
        head_forms[service.id].head.choices = _people_choices(_("— aucun —"))
        drafter_forms[service.id] = forms.DrafterForm(prefix=f"drafter-{service.id}")
        drafter_forms[service.id].person.choices = _people_choices()
    if create_form is None:
        create_form = forms.ServiceForm()
        create_form.head.choices = _people_choices(_("— aucun —"))
    return (
        render_template(
            "workflow/reports/services.html",
            services=services,
            drafters=drafters,
            create_form=create_form,
            head_forms=head_forms,
            drafter_forms=drafter_forms,
        ),
        status,
    )


def _person(person_id: int) -> Person | None:
    """A person with a mandate or a right here (the only ones the selects offer)."""
    if not person_id:
        return None
    person = next((person for person in people_of(g.tenant) if person.id == person_id), None)
    if person is None:
        abort(400)
    return person


@services_bp.get("")
def services():
    return _services_page()


@services_bp.post("")
def create_service():
    form = forms.ServiceForm()
    form.head.choices = _people_choices(_("— aucun —"))
    on_refusal(lambda error: _services_page(show_on(form, error), 422)[0])
    if not form.validate_on_submit():
        return _services_page(form, 422)
    service = reports.create_service(g.tenant, form.name.data, head=_person(form.head.data), actor=current_user)
    commit(db.session)
    flash(_("Service « %(name)s » créé.", name=service.name), "success")
    return redirect(url_for(".services"))


@services_bp.post("/<int:service_id>/chef")
def set_head(service_id: int):
    service = _service(service_id)
    form = forms.HeadForm(prefix=f"head-{service.id}")
    form.head.choices = _people_choices(_("— aucun —"))
    if not form.validate_on_submit():
        abort(400)
    reports.set_service_head(service, _person(form.head.data), actor=current_user)
    commit(db.session)
    flash(_("Chef du service « %(name)s » enregistré.", name=service.name), "success")
    return redirect(url_for(".services"))


@services_bp.post("/<int:service_id>/redacteurs")
def add_drafter(service_id: int):
    service = _service(service_id)
    form = forms.DrafterForm(prefix=f"drafter-{service.id}")
    form.person.choices = _people_choices()
    if not form.validate_on_submit():
        abort(400)
    person = _person(form.person.data)
    on_refusal(lambda error: (flash(str(error), "error"), redirect(url_for(".services")))[1])
    reports.give_drafter_grant(person, service, actor=current_user)
    commit(db.session)
    flash(_("%(name)s rédige désormais pour « %(service)s ».", name=person.full_name, service=service.name), "success")
    return redirect(url_for(".services"))
