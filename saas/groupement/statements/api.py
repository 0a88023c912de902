"""Purchasing group API: licences and usage, paper saved, and the cost statements with each member's PDF
and CSV (/api/v1/group/usage, /paper, /statements). Counts only, never a collectivity's contents. Access
and loading: ``console``."""

from datetime import date

from flask_login import current_user
from flask_smorest import abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.groupement.console import (
    FILE_DOC,
    NOT_VISIBLE,
    REFUSED,
    attachment,
    console_api_blueprint,
    load,
    load_group,
)
from saas.groupement.models import Contract, Membership, SharingKey, Statement
from saas.groupement.schemas import (
    PaperRowSchema,
    StatementInSchema,
    StatementLineSchema,
    StatementSchema,
    UsageQuerySchema,
    UsageSchema,
)
from saas.groupement.statements import operations as statements
from saas.groupement.statements import reports
from saas.groupement.statements.access import load_member_statement

blp = console_api_blueprint(
    "groupement_statements_api",
    __name__,
    "Groupement de commandes (coordonnateur) : licences et usage, papier économisé, états de répartition des "
    "coûts entre les membres.",
)


# --- Licences and usage, paper saved --------------------------------------------------------------


@blp.route("/usage", methods=["GET"])
@blp.arguments(UsageQuerySchema, location="query")
@blp.response(200, UsageSchema(many=True))
@blp.doc(
    summary="Licences et usage",
    description="Par membre : licences, élus actifs, connexions, documents diffusés dans la période (des "
    "nombres seulement, jamais de contenu).",
)
def get_usage(query):
    today = date.today()
    start, end = query["start"] or today.replace(day=1), query["end"] or today
    if end < start:
        abort(422, message="La fin de la période précède son début.")
    return reports.usage(load_group(), start, end)


@operation(
    blp,
    "/paper",
    "GET",
    200,
    PaperRowSchema(many=True),
    summary="Papier économisé",
    description="Pages diffusées sous forme numérique × destinataires, par mois.",
)
def get_paper():
    paper = reports.paper_saved(load_group())
    return [
        {"tenant_id": tenant_id, "tenant_name": paper.tenants[tenant_id], "month": month, "pages": pages}
        for (tenant_id, month), pages in sorted(paper.pages.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


# --- Cost statements ------------------------------------------------------------------------------


@operation(
    blp,
    "/statements",
    "GET",
    200,
    StatementSchema(many=True),
    summary="Les états de répartition",
    description="Les plus récents d'abord.",
)
def list_statements():
    return statements.statements(load_group())


@operation(
    blp,
    "/statements",
    "POST",
    201,
    StatementSchema,
    summary="Émettre un état de répartition",
    description="Répartit les montants du marché pour la période entre les membres actifs selon la clé ; "
    "chaque poste est réparti au centime près (plus fort reste).",
    body=StatementInSchema,
    refused=REFUSED,
)
def issue_statement():
    group = load_group()
    data = json_body(StatementInSchema)
    contract = db.session.get(Contract, data["contract_id"])
    if contract is None or contract.group_id != group.id:
        abort(422, message="Marché inconnu.", errors={"json": {"contract_id": ["Marché inconnu."]}})
    percentages = None
    if data["percentages"] is not None:
        try:
            percentages = {int(tenant_id): value for tenant_id, value in data["percentages"].items()}
        except ValueError:
            abort(422, message="Les clés des pourcentages sont des identifiants de collectivité.")
    statement = statements.issue(
        group,
        contract,
        data["period"],
        SharingKey(data["key"]),
        data["includes_equipment"],
        current_user,
        percentages,
    )
    commit(db.session)
    return statement


@operation(
    blp,
    "/statements/<int:statement_id>",
    "GET",
    200,
    StatementSchema,
    summary="Un état de répartition",
    description="Toutes les lignes, par membre et par poste.",
    not_found=NOT_VISIBLE,
)
def get_statement(statement_id):
    return load(Statement, statement_id)[1]


@operation(
    blp,
    "/statements/<int:statement_id>/members/<int:membership_id>.pdf",
    "GET",
    None,
    summary="L'état d'un membre (PDF)",
    not_found=NOT_VISIBLE,
    **FILE_DOC,
)
def statement_pdf(statement_id, membership_id):
    group, statement, membership = load_member_statement(statement_id, membership_id)
    filename = f"repartition-{membership.tenant.slug}-{statement.period}.pdf"
    return attachment(statements.member_pdf(statement, membership, group), "application/pdf", filename)


@operation(
    blp,
    "/statements/<int:statement_id>/members/<int:membership_id>.csv",
    "GET",
    None,
    summary="L'état d'un membre (CSV)",
    description="Séparateur « ; », virgule décimale, montants en euros, UTF-8.",
    not_found=NOT_VISIBLE,
    responses={"200": {"description": "Le fichier CSV.", "content": {"text/csv": {}}}},
)
def statement_csv(statement_id, membership_id):
    statement, membership = load_member_statement(statement_id, membership_id)[1:]
    filename = f"repartition-{membership.tenant.slug}-{statement.period}.csv"
    return attachment(statements.member_csv(statement, membership), "text/csv; charset=utf-8", filename)


@operation(
    blp,
    "/members/<int:membership_id>/statements",
    "GET",
    200,
    StatementSchema(many=True),
    summary="Les états d'un membre",
    description="Les états où figure ce membre, avec ses seules lignes.",
    not_found=NOT_VISIBLE,
)
def member_statements(membership_id):
    group, membership = load(Membership, membership_id)
    result = []
    for statement in statements.statements(group):
        lines = statements.member_lines(statement, membership.tenant_id)
        if lines:
            result.append(
                {
                    **StatementSchema(exclude=("lines",)).dump(statement),
                    "lines": StatementLineSchema(many=True).dump(lines),
                }
            )
    return json_response(result)
