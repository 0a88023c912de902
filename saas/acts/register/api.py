"""Register API (R2121-9): an assembly's register by year (each held sitting, its acts in order with their order
number, its closing page, its exports and their signature state); for the secretariat, exporting a sitting or a
year (put into the signature book); downloading the latest export.

The same rule as the pages (``access.py``): an assembly or sitting of another collectivity, or one the caller may
not see, answers 404 exactly like a missing one, before the body is read. Refusals answer 422 in French.
"""

from flask import abort as flask_abort
from flask_login import current_user
from flask_smorest import Blueprint

from saas.acts.register import access
from saas.acts.register import operations as registers
from saas.acts.register.schemas import ExportSchema, RegisterQuerySchema, RegisterSchema, YearExportInSchema
from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.signing.book.models import RequestStatus
from saas.storage.http import send_blob

blp = api_blueprint(
    Blueprint(
        "register_api",
        __name__,
        url_prefix="/api/v1",
        description="Registre des délibérations (R2121-9) : par séance et par année, exports signés.",
    )
)

NOT_VISIBLE = "Collectivité, assemblée ou séance inconnue, ou que vous ne pouvez pas voir."
REFUSED = "Refus : le message dit pourquoi, en français (séance non close, année vide…)."
REGISTER = "/tenants/<tenant_slug>/assemblies/<int:assembly_id>/register"
PDF = {"responses": {"200": {"description": "Le PDF/A.", "content": {"application/pdf": {}}}}}


def _signature(export) -> str:
    if export.request is None:
        return "non mis à la signature"
    if export.request.status == RequestStatus.SIGNED:
        return "signé"
    if export.request.status == RequestStatus.PENDING:
        return "au parapheur"
    return "signature interrompue"


def _export(export) -> dict:
    return {
        "id": export.id,
        "scope": export.scope.value,
        "sitting_id": export.sitting_id,
        "year": export.year,
        "acts": export.acts,
        "signature": _signature(export),
        "created_at": export.created_at,
    }


@operation(
    blp,
    REGISTER,
    "GET",
    200,
    RegisterSchema,
    summary="Le registre d'une année",
    not_found=NOT_VISIBLE,
    description="Les séances closes de l'année, leurs actes dans l'ordre, leur page de clôture, leurs exports.",
)
@blp.arguments(RegisterQuerySchema, location="query")
def get_register(query, tenant_slug, assembly_id):
    tenant = enter_tenant(tenant_slug, current_user)
    assembly, _manager = access.load_register(tenant, assembly_id, current_user)
    years = registers.years_of(assembly, tenant.today())
    year = query.get("year") or years[0]
    sittings = []
    for sitting in registers.held_sittings(assembly, year):
        record = registers.record_of(sitting)
        sittings.append(
            {
                "sitting_id": sitting.id,
                "starts_at": sitting.starts_at,
                "opened_at": record.opened_at,
                "closed_at": record.closed_at,
                "president": record.president,
                "secretary": record.secretary,
                "acts": record.acts,
                "exports": [_export(e) for e in registers.exports_of(assembly, sitting=sitting)],
            }
        )
    return {
        "assembly_id": assembly.id,
        "year": year,
        "years": years,
        "sittings": sittings,
        "exports": [_export(e) for e in registers.exports_of(assembly, year=year)],
    }


@operation(
    blp,
    "/tenants/<tenant_slug>/sittings/<int:sitting_id>/register-exports",
    "POST",
    201,
    ExportSchema,
    summary="Exporter le registre d'une séance",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
    description="Le PDF/A des actes de la séance et sa page de clôture, au parapheur du président puis du "
    "secrétaire de séance.",
)
def post_sitting_export(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, manager = access.load_held_sitting(tenant, sitting_id, current_user)
    if not manager:
        flask_abort(404)
    export = registers.export_sitting(sitting, current_user)
    commit(db.session)
    return json_response(ExportSchema().dump(_export(export)), 201)


@operation(
    blp,
    REGISTER + "/exports",
    "POST",
    201,
    ExportSchema,
    body=YearExportInSchema,
    summary="Exporter le registre d'une année",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
    description="Toutes les séances closes de l'année avec leur page de clôture, au parapheur du président.",
)
def post_year_export(tenant_slug, assembly_id):
    tenant = enter_tenant(tenant_slug, current_user)
    assembly = access.load_managed_register(tenant, assembly_id, current_user)
    data = json_body(YearExportInSchema)
    export = registers.export_year(assembly, data["year"], current_user)
    commit(db.session)
    return json_response(ExportSchema().dump(_export(export)), 201)


@operation(
    blp,
    REGISTER + "/<int:number>/pdf",
    status=None,
    summary="Le dernier export d'une année",
    not_found=NOT_VISIBLE + " Ou année sans export.",
    **PDF,
)
def get_year_pdf(tenant_slug, assembly_id, number):
    tenant = enter_tenant(tenant_slug, current_user)
    assembly, _manager = access.load_register(tenant, assembly_id, current_user)
    blob, _signed = registers.export_file(access.latest_export(assembly, year=number))
    return send_blob(blob, f"registre-{number}.pdf", "application/pdf")


@operation(
    blp,
    "/tenants/<tenant_slug>/sittings/<int:sitting_id>/register-exports/pdf",
    status=None,
    summary="Le dernier export d'une séance",
    not_found=NOT_VISIBLE + " Ou séance sans export.",
    **PDF,
)
def get_sitting_pdf(tenant_slug, sitting_id):
    tenant = enter_tenant(tenant_slug, current_user)
    sitting, _manager = access.load_held_sitting(tenant, sitting_id, current_user)
    blob, _signed = registers.export_file(access.latest_export(sitting.assembly, sitting=sitting))
    return send_blob(blob, f"registre-seance-{sitting.id}.pdf", "application/pdf")
