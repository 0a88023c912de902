"""Purchasing group API (/api/v1/group/…): the coordinator's console for API clients.

Only the coordinator and operators may call it; for anyone else every route answers 404, as a missing id
would. Objects named in the URL are loaded before the body is read. Refusals answer 422 in French.
"""

from datetime import date

from flask import Response, request
from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.database import SYSTEM, commit, context
from saas.extensions import db
from saas.groupement import devices, operations, reports, statements
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
from saas.groupement.schemas import (
    AgreementSchema,
    AssignSchema,
    ContractInSchema,
    ContractSchema,
    DeviceInSchema,
    DeviceSchema,
    DeviceStatusSchema,
    LostSchema,
    LotInSchema,
    LotSchema,
    MembershipSchema,
    MembershipUpdateSchema,
    MilestoneInSchema,
    MilestoneSchema,
    PaperRowSchema,
    ProvisionSchema,
    PurchasingGroupSchema,
    SavingsSchema,
    StatementInSchema,
    StatementLineSchema,
    StatementSchema,
    UsageQuerySchema,
    UsageSchema,
    WithdrawalSchema,
)
from saas.identity.models import Person
from saas.platform.api_docs import api_blueprint, body_doc, json_body, json_response
from saas.tenancy.operations import export_tenant_file

blp = Blueprint(
    "groupement_api",
    __name__,
    url_prefix="/api/v1/group",
    description="Groupement de commandes (coordonnateur) : membres, convention, marchés et lots, calendrier, "
    "équipements, licences et usage, répartition des coûts, papier économisé, nouveaux membres.",
)
api_blueprint(blp)

NOT_VISIBLE = "Inconnu, ou réservé au coordonnateur du groupement."
REFUSED = "Refus : le message dit pourquoi (en français)."


@blp.before_request
def coordinator_only():
    """Runs after the bearer check; anyone but the coordinator and operators meets a 404."""
    if current_user.is_authenticated and not operations.may_use_console(current_user):
        abort(404, message=NOT_VISIBLE)


def _group():
    group = operations.current_group()
    if group is None:
        abort(404, message="Le groupement n'est pas encore créé.")
    return group


def _one(model, object_id: int):
    group = _group()
    obj = db.session.get(model, object_id)
    owner = obj.contract.group_id if isinstance(obj, Lot) else getattr(obj, "group_id", None)
    if obj is None or owner != group.id:
        abort(404, message=NOT_VISIBLE)
    return group, obj


def _refuse(error: PurchasingError):
    errors = {"json": {error.field: [error.message]}} if error.field else None
    abort(422, message=error.message, errors=errors)


def _file(content: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _membership_view(membership: Membership) -> dict:
    return {**MembershipSchema().dump(membership), "active": membership.is_active(date.today())}


def _savings_view(group) -> dict:
    saving = devices.savings(group)
    return {**SavingsSchema().dump(saving), "devices_avoided": saving.devices_avoided}


def _milestone_view(milestone: Milestone) -> dict:
    return {**MilestoneSchema().dump(milestone), "overdue": milestone.is_overdue(date.today())}


FILE_DOC = {"responses": {"200": {"description": "Le fichier.", "content": {"application/pdf": {}}}}}


# --- The group and its members --------------------------------------------------------------------


@blp.route("", methods=["GET"])
@blp.response(200, PurchasingGroupSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Le groupement",
    description="Le coordonnateur, les membres, la convention, l'économie d'équipements et les étapes en retard.",
)
def get_group():
    group = _group()
    today = date.today()
    return json_response(
        {
            **PurchasingGroupSchema(
                only=("id", "name", "coordinator", "agreement_filename", "agreement_uploaded_at")
            ).dump(group),
            "members": [_membership_view(m) for m in operations.memberships(group)],
            "savings": _savings_view(group),
            "overdue_milestones": [_milestone_view(m) for m in operations.milestones(group) if m.is_overdue(today)],
        }
    )


@blp.route("/agreement", methods=["GET"])
@blp.alt_response(404, description=NOT_VISIBLE + " Ou pas encore de convention déposée.")
@blp.doc(summary="La convention constitutive (PDF)", description="Le fichier déposé par le coordonnateur.", **FILE_DOC)
def get_agreement():
    group = _group()
    content = operations.agreement_bytes(group)
    if content is None:
        abort(404, message="Aucune convention n'a été déposée.")
    return _file(content, "application/pdf", group.agreement_filename)


@blp.route("/agreement", methods=["PUT"])
@blp.response(200, AgreementSchema)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Déposer la convention constitutive",
    description="Le PDF en corps de requête (application/pdf), vérifié comme tout document. La signature "
    "de chaque membre est enregistrée sur son adhésion (PATCH /group/members/{membership_id}).",
    requestBody={"required": True, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
)
def put_agreement():
    group = _group()
    try:
        operations.upload_agreement(group, request.stream, request.args.get("filename", ""), current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return group


@blp.route("/members", methods=["GET"])
@blp.response(200, MembershipSchema(many=True))
@blp.doc(summary="Les membres", description="Adhésions, licences, signature de la convention, retraits.")
def list_members():
    return json_response([_membership_view(m) for m in operations.memberships(_group())])


@blp.route("/members", methods=["POST"])
@blp.response(201, MembershipSchema)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Accueillir une nouvelle collectivité",
    description="Crée la collectivité (un syndicat par défaut) avec sa première assemblée, invite son "
    "administrateur (lien pour choisir son mot de passe) et l'inscrit au groupement avec sa délibération.",
    **body_doc(ProvisionSchema),
)
def provision_member():
    group = _group()
    data = json_body(ProvisionSchema)
    try:
        membership = operations.provision_member(group, data, current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return json_response(_membership_view(membership), 201)


@blp.route("/members/<int:membership_id>", methods=["GET"])
@blp.response(200, MembershipSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="Une adhésion")
def get_member(membership_id):
    return json_response(_membership_view(_one(Membership, membership_id)[1]))


@blp.route("/members/<int:membership_id>", methods=["PATCH"])
@blp.response(200, MembershipSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Licences et signature de la convention",
    description="Nombre de licences ; convention signée le … par … (enregistrement, pas une signature électronique).",
    **body_doc(MembershipUpdateSchema),
)
def patch_member(membership_id):
    membership = _one(Membership, membership_id)[1]
    data = json_body(MembershipUpdateSchema)
    try:
        operations.update_membership(
            membership,
            seats=data.get("seats", membership.seats),
            agreement_signed_on=data.get("agreement_signed_on", membership.agreement_signed_on),
            agreement_signed_by=data.get("agreement_signed_by", membership.agreement_signed_by),
            actor=current_user,
        )
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return json_response(_membership_view(membership))


@blp.route("/members/<int:membership_id>/withdrawal", methods=["POST"])
@blp.response(200, MembershipSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Retrait d'un membre", description="Date et effet financier.", **body_doc(WithdrawalSchema))
def withdraw_member(membership_id):
    membership = _one(Membership, membership_id)[1]
    data = json_body(WithdrawalSchema)
    try:
        operations.withdraw(
            membership, data["withdrawn_on"], data["withdrawal_effect"], data["withdrawal_amount_cents"], current_user
        )
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return json_response(_membership_view(membership))


@blp.route("/members/<int:membership_id>/export", methods=["GET"])
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Exporter la collectivité (fichier tenants/*.toml)",
    description="Le format que « quorum tenants load » relit : identité, assemblées, groupes politiques.",
    responses={"200": {"description": "Le fichier TOML.", "content": {"application/toml": {}}}},
)
def export_member(membership_id):
    membership = _one(Membership, membership_id)[1]
    with context(db.session, SYSTEM):
        text = export_tenant_file(membership.tenant)
    return _file(text, "application/toml", f"{membership.tenant.slug}.toml")


# --- Contracts and lots ---------------------------------------------------------------------------


@blp.route("/contracts", methods=["GET"])
@blp.response(200, ContractSchema(many=True))
@blp.doc(summary="Les marchés et leurs lots", description="Montants en centimes.")
def list_contracts():
    return operations.contracts(_group())


@blp.route("/contracts", methods=["POST"])
@blp.response(201, ContractSchema)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Enregistrer un marché", **body_doc(ContractInSchema))
def create_contract():
    group = _group()
    data = json_body(ContractInSchema)
    try:
        contract = operations.save_contract(group, data, current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return contract


@blp.route("/contracts/<int:contract_id>", methods=["GET"])
@blp.response(200, ContractSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="Un marché")
def get_contract(contract_id):
    return _one(Contract, contract_id)[1]


@blp.route("/contracts/<int:contract_id>/lots", methods=["POST"])
@blp.response(201, LotSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Ajouter un lot", description="Unités et montants en centimes.", **body_doc(LotInSchema))
def create_lot(contract_id):
    contract = _one(Contract, contract_id)[1]
    data = json_body(LotInSchema)
    try:
        lot = operations.save_lot(contract, data, current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return lot


@blp.route("/lots/<int:lot_id>", methods=["PUT"])
@blp.response(200, LotSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Modifier un lot", **body_doc(LotInSchema))
def update_lot(lot_id):
    lot = _one(Lot, lot_id)[1]
    data = json_body(LotInSchema)
    try:
        operations.save_lot(lot.contract, data, current_user, lot=lot)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return lot


# --- Milestones -----------------------------------------------------------------------------------


@blp.route("/milestones", methods=["GET"])
@blp.response(200, MilestoneSchema(many=True))
@blp.doc(summary="Le calendrier", description="Dates prévues et réelles, état, alerte de retard (overdue).")
def list_milestones():
    return json_response([_milestone_view(m) for m in operations.milestones(_group())])


@blp.route("/milestones/<int:milestone_id>", methods=["PATCH"])
@blp.response(200, MilestoneSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Mettre à jour une étape", **body_doc(MilestoneInSchema))
def update_milestone(milestone_id):
    milestone = _one(Milestone, milestone_id)[1]
    data = json_body(MilestoneInSchema)
    try:
        operations.update_milestone(
            milestone,
            planned_date=data["planned_date"],
            status=MilestoneStatus(data["status"]),
            actual_date=data["actual_date"],
            actor=current_user,
        )
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return json_response(_milestone_view(milestone))


# --- Devices --------------------------------------------------------------------------------------


@blp.route("/devices", methods=["GET"])
@blp.response(200, DeviceSchema(many=True))
@blp.doc(summary="Les équipements", description="Inventaire : numéro de série, modèle, lot, état, titulaire.")
def list_devices():
    return devices.devices(_group())


@blp.route("/devices", methods=["POST"])
@blp.response(201, DeviceSchema)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Ajouter un équipement au stock", **body_doc(DeviceInSchema))
def create_device():
    group = _group()
    data = json_body(DeviceInSchema)
    lot = None
    if data["lot_id"] is not None:
        lot = db.session.get(Lot, data["lot_id"])
        if lot is None or lot.contract.group_id != group.id:
            abort(422, message="Lot inconnu.", errors={"json": {"lot_id": ["Lot inconnu."]}})
    try:
        device = devices.add_device(group, data["serial"], data["model"], lot, current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return device


@blp.route("/devices/<int:device_id>", methods=["GET"])
@blp.response(200, DeviceSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="Un équipement")
def get_device(device_id):
    return _one(Device, device_id)[1]


@blp.route("/devices/<int:device_id>/assignment", methods=["PUT"])
@blp.response(200, DeviceSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Attribuer un équipement",
    description="À un élu d'une collectivité membre ; un seul équipement par personne, quel que soit le "
    "nombre de ses mandats (422 sinon).",
    **body_doc(AssignSchema),
)
def assign_device(device_id):
    group, device = _one(Device, device_id)
    data = json_body(AssignSchema)
    member_ids = {m.person_id for m in devices.group_members(group)}
    person = db.session.get(Person, data["person_id"]) if data["person_id"] in member_ids else None
    if person is None:
        abort(422, message="Choisissez un élu d'une collectivité membre.", errors={"json": {"person_id": ["Inconnu."]}})
    try:
        devices.assign(device, person, current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return device


@blp.route("/devices/<int:device_id>/lost", methods=["POST"])
@blp.response(200, LostSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Déclarer un équipement perdu (verrouillage à distance)",
    description="Toutes les sessions et tous les jetons de son titulaire sont révoqués aussitôt ; il se "
    "reconnecte sur l'équipement de remplacement. Inscrit au journal d'audit de la plateforme.",
)
def declare_lost(device_id):
    device = _one(Device, device_id)[1]
    try:
        sessions, tokens = devices.declare_lost(device, current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return {"sessions_revoked": sessions, "tokens_revoked": tokens, "device": device}


@blp.route("/devices/<int:device_id>/status", methods=["PUT"])
@blp.response(200, DeviceSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(422, description=REFUSED)
@blp.doc(summary="Rendu, effacé, remis en stock", **body_doc(DeviceStatusSchema))
def change_device_status(device_id):
    device = _one(Device, device_id)[1]
    data = json_body(DeviceStatusSchema)
    try:
        devices.change_status(device, DeviceStatus(data["status"]), current_user)
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return device


@blp.route("/savings", methods=["GET"])
@blp.response(200, SavingsSchema)
@blp.doc(summary="L'économie d'équipements", description="Élus, mandats, équipements, équipements évités.")
def get_savings():
    return json_response(_savings_view(_group()))


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
    return reports.usage(_group(), start, end)


@blp.route("/paper", methods=["GET"])
@blp.response(200, PaperRowSchema(many=True))
@blp.doc(summary="Papier économisé", description="Pages diffusées sous forme numérique × destinataires, par mois.")
def get_paper():
    paper = reports.paper_saved(_group())
    return [
        {"tenant_id": tenant_id, "tenant_name": paper.tenants[tenant_id], "month": month, "pages": pages}
        for (tenant_id, month), pages in sorted(paper.pages.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


# --- Cost statements ------------------------------------------------------------------------------


@blp.route("/statements", methods=["GET"])
@blp.response(200, StatementSchema(many=True))
@blp.doc(summary="Les états de répartition", description="Les plus récents d'abord.")
def list_statements():
    return statements.statements(_group())


@blp.route("/statements", methods=["POST"])
@blp.response(201, StatementSchema)
@blp.alt_response(422, description=REFUSED)
@blp.doc(
    summary="Émettre un état de répartition",
    description="Répartit les montants du marché pour la période entre les membres actifs selon la clé ; "
    "chaque poste est réparti au centime près (plus fort reste).",
    **body_doc(StatementInSchema),
)
def issue_statement():
    group = _group()
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
    try:
        statement = statements.issue(
            group,
            contract,
            data["period"],
            SharingKey(data["key"]),
            data["includes_equipment"],
            current_user,
            percentages,
        )
    except PurchasingError as error:
        _refuse(error)
    commit(db.session)
    return statement


@blp.route("/statements/<int:statement_id>", methods=["GET"])
@blp.response(200, StatementSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="Un état de répartition", description="Toutes les lignes, par membre et par poste.")
def get_statement(statement_id):
    return _one(Statement, statement_id)[1]


def _member_statement(statement_id: int, membership_id: int):
    group, statement = _one(Statement, statement_id)
    membership = db.session.get(Membership, membership_id)
    if (
        membership is None
        or membership.group_id != group.id
        or not statements.member_lines(statement, membership.tenant_id)
    ):
        abort(404, message=NOT_VISIBLE)
    return group, statement, membership


@blp.route("/statements/<int:statement_id>/members/<int:membership_id>.pdf", methods=["GET"])
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="L'état d'un membre (PDF)", **FILE_DOC)
def statement_pdf(statement_id, membership_id):
    group, statement, membership = _member_statement(statement_id, membership_id)
    filename = f"repartition-{membership.tenant.slug}-{statement.period}.pdf"
    return _file(statements.member_pdf(statement, membership, group), "application/pdf", filename)


@blp.route("/statements/<int:statement_id>/members/<int:membership_id>.csv", methods=["GET"])
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="L'état d'un membre (CSV)",
    description="Séparateur « ; », virgule décimale, montants en euros, UTF-8.",
    responses={"200": {"description": "Le fichier CSV.", "content": {"text/csv": {}}}},
)
def statement_csv(statement_id, membership_id):
    statement, membership = _member_statement(statement_id, membership_id)[1:]
    filename = f"repartition-{membership.tenant.slug}-{statement.period}.csv"
    return _file(statements.member_csv(statement, membership), "text/csv; charset=utf-8", filename)


@blp.route("/members/<int:membership_id>/statements", methods=["GET"])
@blp.response(200, StatementSchema(many=True))
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(summary="Les états d'un membre", description="Les états où figure ce membre, avec ses seules lignes.")
def member_statements(membership_id):
    group, membership = _one(Membership, membership_id)
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
