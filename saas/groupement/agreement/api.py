"""Purchasing group API, the agreement (/api/v1/group/agreement…): the file, and its electronic signature by
every member in turn (``agreement_signing``). Coordinator and operators only; 404 for anyone else, as for a
missing id. Refusals answer 422 in French."""

from flask import request
from flask_login import current_user
from flask_smorest import abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.core.rest import json_body, json_response, operation
from saas.groupement import operations
from saas.groupement.agreement import operations as agreement_signing
from saas.groupement.agreement.operations import Signatory
from saas.groupement.agreement.schemas import AgreementSigningSchema, ProposedSignatorySchema, SigningStartSchema
from saas.groupement.console import (
    FILE_DOC,
    NOT_VISIBLE,
    REFUSED,
    attachment,
    console_api_blueprint,
    load,
    load_group,
)
from saas.groupement.models import AgreementSigning, Membership
from saas.groupement.operations import PurchasingError
from saas.groupement.schemas import AgreementSchema
from saas.identity.models import Person
from saas.signing.reports import report_pdf

blp = console_api_blueprint(
    "groupement_agreement_api",
    __name__,
    "Groupement de commandes (coordonnateur) : la convention constitutive et sa signature électronique par "
    "chaque membre, à tour de rôle, dans le parapheur de sa collectivité.",
)


@operation(
    blp,
    "/agreement",
    "GET",
    None,
    summary="La convention constitutive (PDF)",
    description="Le fichier déposé par le coordonnateur.",
    not_found=NOT_VISIBLE + " Ou pas encore de convention déposée.",
    **FILE_DOC,
)
def get_agreement():
    group = load_group()
    content = operations.agreement_bytes(group)
    if content is None:
        abort(404, message="Aucune convention n'a été déposée.")
    return attachment(content, "application/pdf", group.agreement_filename)


@operation(
    blp,
    "/agreement",
    "PUT",
    200,
    AgreementSchema,
    summary="Déposer la convention constitutive",
    description="Le PDF en corps de requête (application/pdf), vérifié comme tout document. Refusé pendant "
    "qu'une signature de la convention est en cours.",
    refused=REFUSED,
    requestBody={"required": True, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
)
def put_agreement():
    group = load_group()
    operations.upload_agreement(group, request.stream, request.args.get("filename", ""), current_user)
    commit(db.session)
    return group


@operation(
    blp,
    "/agreement/signatories",
    "GET",
    200,
    ProposedSignatorySchema(many=True),
    summary="Signataires possibles",
    description="Pour chaque membre, dans l'ordre proposé (le coordonnateur en dernier) : ses élus en fonction, "
    "le président de son assemblée et la qualité usuelle de son exécutif.",
)
def list_signatories():
    return [
        {
            "membership_id": membership.id,
            "tenant": membership.tenant,
            "candidates": people,
            "proposed_person_id": president,
            "proposed_role": title,
        }
        for membership, people, president, title in agreement_signing.proposal(load_group())
    ]


@operation(
    blp,
    "/agreement/signings",
    "GET",
    200,
    AgreementSigningSchema(many=True),
    summary="Les tours de signature de la convention",
    description="Du plus récent au plus ancien.",
)
def list_signings():
    return agreement_signing.signings(load_group())


@operation(
    blp,
    "/agreement/signings",
    "POST",
    201,
    AgreementSigningSchema,
    summary="Faire signer la convention",
    description="Un signataire par membre actif, dans l'ordre de signature. Tous les emplacements sont préparés, "
    "puis la convention entre dans le parapheur du premier signataire ; chaque signature la transmet au suivant.",
    body=SigningStartSchema,
    refused=REFUSED,
)
def start_signing():
    group = load_group()
    data = json_body(SigningStartSchema)
    signatories = [_signatory(group, row) for row in data["signatories"]]
    signing = agreement_signing.start(group, signatories, current_user)
    commit(db.session)
    return json_response(AgreementSigningSchema().dump(signing), 201)


def _signatory(group, row: dict) -> Signatory:
    membership, person = db.session.get(Membership, row["membership_id"]), db.session.get(Person, row["person_id"])
    if membership is None or membership.group_id != group.id:
        raise PurchasingError(f"Adhésion inconnue : {row['membership_id']}.", "signatories")
    if person is None:
        raise PurchasingError(f"Personne inconnue : {row['person_id']}.", "signatories")
    return Signatory(membership, person, row["role"])


@operation(
    blp,
    "/agreement/signings/<int:signing_id>",
    "GET",
    200,
    AgreementSigningSchema,
    summary="Un tour de signature",
    description="Chaque signataire, son rang, son état et son motif de refus.",
    not_found=NOT_VISIBLE,
)
def get_signing(signing_id):
    return load(AgreementSigning, signing_id)[1]


@operation(
    blp,
    "/agreement/signings/<int:signing_id>/cancel",
    "POST",
    200,
    AgreementSigningSchema,
    summary="Annuler la signature en cours",
    description="La convention quitte le parapheur où elle attend.",
    not_found=NOT_VISIBLE,
    refused=REFUSED,
)
def cancel_signing(signing_id):
    signing = load(AgreementSigning, signing_id)[1]
    agreement_signing.cancel(signing, current_user)
    commit(db.session)
    return signing


@operation(
    blp,
    "/agreement/signings/<int:signing_id>/file",
    "GET",
    None,
    summary="La convention signée par tous (PDF)",
    not_found=NOT_VISIBLE + " Ou pas encore signée par tous.",
    **FILE_DOC,
)
def get_signed_file(signing_id):
    group, signing = load(AgreementSigning, signing_id)
    content = agreement_signing.signed_agreement(signing)
    if content is None:
        abort(404, message="La convention n'est pas encore signée par tous les membres.")
    return attachment(content, "application/pdf", agreement_signing.signed_filename(group))


@operation(
    blp,
    "/agreement/signings/<int:signing_id>/report",
    "GET",
    None,
    summary="Rapport de validation de la convention signée (PDF)",
    description="Chaque signature vérifiée hors ligne (intégrité, certificat, horodatage, modifications "
    "après signature), en faisant confiance aux autorités de chaque membre signataire.",
    not_found=NOT_VISIBLE + " Ou pas encore signée par tous.",
    **FILE_DOC,
)
def get_validation_report(signing_id):
    signing = load(AgreementSigning, signing_id)[1]
    report = agreement_signing.validation_report(signing)
    if report is None:
        abort(404, message="La convention n'est pas encore signée par tous les membres.")
    return attachment(report_pdf(report), "application/pdf", "rapport-verification-convention.pdf")
