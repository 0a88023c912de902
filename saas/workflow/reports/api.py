"""Reports API: the collectivity's reports the caller may see, a new report, one report with its documents,
its circuit's progress, the committee's opinion and the plan's warning; changing it while it is a draft or
refused; submitting it to its circuit; urgent validation; the signature of its act once on an agenda; its history.

The same rule as the pages (``access.py``): a report of another collectivity, or one the caller may not see,
answers 404 exactly like a missing one, before the body is read. Refusals answer 422 with their French
message (``errors.json`` names the field: ``service``, ``title``, ``subject_code``, ``assembly``, ``sitting``,
``rapporteur``).
"""

from flask import request
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.documents.operations import documents_of
from saas.identity.access import enter_tenant
from saas.identity.models import GrantKind, Person
from saas.identity.web import api_blueprint
from saas.reports import access as report_access
from saas.reports import operations as reports
from saas.reports.models import Report, Service
from saas.sittings.models import Sitting
from saas.tenancy.models import Assembly, Tenant
from saas.workflow import definitions, planning
from saas.workflow import operations as engine
from saas.workflow.access import holds_grant
from saas.workflow.models import AppliesTo, RunState
from saas.workflow.reports import access, opinions
from saas.workflow.reports import operations as ops
from saas.workflow.reports.schemas import (
    ReportDetailSchema,
    ReportHistoryEntrySchema,
    ReportInSchema,
    ReportPatchSchema,
    ReportSchema,
    StartSigningInSchema,
    UrgentValidationInSchema,
)

blp = Blueprint(
    "reports_api",
    __name__,
    url_prefix="/api/v1",
    description="Rapports (projets de délibération) : rédaction, soumission au circuit de validation, "
    "avancement, avis de commission, historique.",
)

NOT_VISIBLE = "Collectivité ou rapport inconnu, ou que vous ne pouvez pas voir."
REFUSED = "Refus : le message dit pourquoi, en français (code matière, séance d'une autre assemblée, rapport gelé…)."
REPORTS = "/tenants/<tenant_slug>/reports"
REPORT = REPORTS + "/<int:report_id>"


class _Detail:
    """The report with what its detail adds (read by ReportDetailSchema as attributes)."""

    def __init__(self, report: Report, **extra):
        self._report = report
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._report, name)


def _detail(report: Report, status: int = 200):
    run = ops.current_run(report)
    circuit = None
    if run is not None:
        circuit = {
            "run_id": run.id,
            "definition_key": run.version.definition.key,
            "definition_name": run.version.definition.name,
            "version": run.version.number,
            "report_version": run.report_version,
            "state": run.state.value,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "steps": ops.progress(run, report.tenant.today()),
        }
    detail = _Detail(
        report,
        editable=report_access.can_edit(current_user, report),
        committee_opinion=opinions.quote(report),
        documents=[document for document in documents_of(report) if not document.withdrawn],
        circuit=circuit,
        warning=planning.submission_warning(run) if run is not None and run.state == RunState.RUNNING else [],
    )
    return json_response(ReportDetailSchema().dump(detail), status)


def _in_tenant(model, object_id: int | None, tenant: Tenant, field: str, message: str):
    """A row of the collectivity named by an id of the body; another collectivity's is refused as unknown."""
    if object_id is None:
        return None
    row = db.session.get(model, object_id)
    if row is None or row.tenant_id != tenant.id:
        raise reports.ReportError(message, field=field)
    return row


def _rapporteur(tenant: Tenant, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    person = next((person for person in ops.rapporteurs(tenant) if person.id == person_id), None)
    if person is None:
        raise reports.ReportError("Choisissez comme rapporteur un élu de la collectivité.", field="rapporteur")
    return person


def _fields(tenant: Tenant, data: dict, report: Report | None = None) -> reports.ReportFields:
    def given(name, current):
        return data[name] if name in data else current

    assembly = _in_tenant(
        Assembly,
        given("assembly_id", report.assembly_id if report else None),
        tenant,
        "assembly",
        "Assemblée inconnue dans cette collectivité.",
    )
    sitting = _in_tenant(
        Sitting,
        given("sitting_id", report.sitting_id if report else None),
        tenant,
        "sitting",
        "Séance inconnue dans cette collectivité.",
    )
    return reports.ReportFields(
        title=given("title", report.title if report else ""),
        subject_code=given("subject_code", report.subject_code if report else "").strip(),
        assembly=assembly,
        sitting=sitting,
        rapporteur=_rapporteur(tenant, given("rapporteur_id", report.rapporteur_id if report else None)),
    )


@operation(
    blp,
    REPORTS,
    "GET",
    200,
    ReportSchema(many=True),
    summary="Les rapports",
    description="Les rapports de la collectivité que je peux voir, les plus récents d'abord : ceux que je rédige, "
    "ceux de mes services, ceux dont un circuit me demande quelque chose ; tous pour les administrateurs, le "
    "secrétariat et les titulaires du droit de validation d'urgence.",
    not_found="Collectivité inconnue, ou dont vous n'êtes pas membre.",
)
def list_reports(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    return access.visible_reports(tenant, current_user)


@operation(
    blp,
    REPORTS,
    "POST",
    201,
    ReportDetailSchema,
    summary="Rédiger un rapport",
    description="Un nouveau rapport, brouillon, dans un service pour lequel j'ai le droit de rédiger.",
    body=ReportInSchema,
    not_found="Collectivité inconnue, ou dont vous n'êtes pas membre.",
    refused=REFUSED,
)
def create_report(tenant_slug):
    tenant = enter_tenant(tenant_slug, current_user)
    data = json_body(ReportInSchema)
    service = _in_tenant(Service, data["service_id"], tenant, "service", "Service inconnu dans cette collectivité.")
    report = reports.create_report(current_user, service, _fields(tenant, data), actor=current_user)
    commit(db.session)
    return _detail(report, 201)


@operation(
    blp,
    REPORT,
    "GET",
    200,
    ReportDetailSchema,
    summary="Un rapport",
    description="Le rapport, ses documents en vigueur (SHA-256), l'avancement de son circuit (qui tient chaque "
    "étape), l'avis de commission à citer, et l'avertissement du calendrier s'il ne peut pas être tenu.",
    not_found=NOT_VISIBLE,
)
def get_report(tenant_slug, report_id):
    tenant = enter_tenant(tenant_slug, current_user)
    return _detail(access.load_report(tenant, report_id, current_user))


@operation(
    blp,
    REPORT,
    "PATCH",
    200,
    ReportDetailSchema,
    summary="Modifier un rapport",
    description="Les champs donnés changent, les autres restent ; seulement un brouillon ou un rapport refusé, par "
    "son rédacteur ou un administrateur. « sitting_id » ou « rapporteur_id » à null les retire ; {} ne change rien.",
    body=ReportPatchSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def patch_report(tenant_slug, report_id):
    tenant = enter_tenant(tenant_slug, current_user)
    report = access.load_report(tenant, report_id, current_user)
    if not isinstance(request.get_json(silent=True), dict):
        abort(422, message="Le corps de la requête doit être un objet JSON : les champs à modifier.")
    data = json_body(ReportPatchSchema)
    if not data:
        return _detail(report)  # nothing asked, nothing changed
    if report.editable and not report_access.can_edit(current_user, report):
        raise reports.ReportError("Seul le rédacteur du rapport, ou un administrateur, peut le modifier.")
    reports.edit_report(report, _fields(tenant, data, report), actor=current_user)
    commit(db.session)
    return _detail(report)


@operation(
    blp,
    REPORT + "/submit",
    "POST",
    200,
    ReportDetailSchema,
    summary="Soumettre au circuit",
    description="Le circuit actif de la collectivité pour l'assemblée visée commence ; un rapport refusé repart "
    "comme sa version suivante. « warning » dit, en français, quand le calendrier de la séance visée ne peut pas "
    "être tenu (le circuit commence quand même).",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def submit_report(tenant_slug, report_id):
    tenant = enter_tenant(tenant_slug, current_user)
    report = access.load_report(tenant, report_id, current_user)
    engine.submit(report, current_user)
    commit(db.session)
    return _detail(report)


@operation(
    blp,
    REPORT + "/validate-urgently",
    "POST",
    200,
    ReportDetailSchema,
    summary="Valider en urgence",
    description="Pour les titulaires du droit de validation d'urgence : le circuit en cours s'arrête, le rapport "
    "est validé ; le motif est gardé dans l'historique.",
    body=UrgentValidationInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def validate_urgently(tenant_slug, report_id):
    tenant = enter_tenant(tenant_slug, current_user)
    report = access.load_report(tenant, report_id, current_user)
    data = json_body(UrgentValidationInSchema)
    run = ops.running_run(report)
    if run is None:
        raise reports.ReportError("Ce rapport n'est pas en cours de validation.")
    if not holds_grant(current_user, tenant.id, GrantKind.URGENT_VALIDATOR):
        raise reports.ReportError("Seul un titulaire du droit de validation d'urgence peut valider en urgence.")
    engine.validate_urgently(run, current_user, data["reason"])
    commit(db.session)
    return _detail(report)


@operation(
    blp,
    REPORT + "/sign",
    "POST",
    200,
    ReportDetailSchema,
    summary="Faire signer l'acte",
    description="Pour le secrétariat de la séance ou un administrateur, une fois le rapport inscrit à l'ordre du "
    "jour : un circuit d'actes à signer de la collectivité commence (par exemple la présidence, puis le ou la "
    "secrétaire de séance) ; son document principal part dans le parapheur. Le statut du rapport ne change pas.",
    body=StartSigningInSchema,
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def start_signing(tenant_slug, report_id):
    tenant = enter_tenant(tenant_slug, current_user)
    report = access.load_report(tenant, report_id, current_user)
    data = json_body(StartSigningInSchema)
    definition = None
    if data.get("definition_id") is not None:
        definition = next(
            (d for d in definitions.active_definitions(tenant.id, AppliesTo.ACTS) if d.id == data["definition_id"]),
            None,
        )
        if definition is None:
            raise reports.ReportError("Ce circuit d'actes à signer n'existe pas ici, ou n'est plus en service.",
                                      field="definition_id")  # fmt: skip
    engine.start_signing(report, current_user, definition)
    commit(db.session)
    return _detail(report)


@operation(
    blp,
    REPORT + "/history",
    "GET",
    200,
    ReportHistoryEntrySchema(many=True),
    summary="Historique d'un rapport",
    description="Chaque soumission et chaque action de ses circuits, des plus anciennes aux plus récentes : qui, "
    "quand, pour qui, le commentaire, et les versions des documents vues (SHA-256), marquées quand un avis a été "
    "donné sur une version antérieure.",
    not_found=NOT_VISIBLE,
)
def report_history(tenant_slug, report_id):
    tenant = enter_tenant(tenant_slug, current_user)
    return ops.history(access.load_report(tenant, report_id, current_user))


api_blueprint(blp)
