"""Secretariat API of convocations: convene a sitting, follow the sending, download the evidence package.

Only the secretariat of the sitting's assembly (or the tenant's admins) reaches these calls; for anyone
else, another tenant's sitting and a missing one alike, they answer 404. The sitting is loaded and access
checked before anything else happens.
"""

from flask_login import current_user
from flask_smorest import Blueprint, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.identity.access import enter_tenant
from saas.identity.web import api_blueprint
from saas.sittings.convocations.access import load_managed_sitting
from saas.sittings.convocations.evidence import evidence_download
from saas.sittings.convocations.operations import (
    convocation_progress,
    convocations_of,
    recipient_statuses,
    send_convocations,
)
from saas.sittings.convocations.schemas import ConvocationProgressSchema
from saas.sittings.models import Sitting
from saas.sittings.operations import SittingError

blp = Blueprint(
    "convocations_api",
    __name__,
    url_prefix="/api/v1",
    description="Convocations (secrétariat) : convoquer une séance, suivre l'envoi, télécharger le dossier de preuve.",
)

NOT_VISIBLE = "Séance inconnue, ou dont vous n'assurez pas le secrétariat."
SITTING = "/tenants/<tenant_slug>/sittings/<int:sitting_id>"
ZIP = {"type": "string", "format": "binary"}


def _managed(tenant_slug: str, sitting_id: int) -> Sitting:
    return load_managed_sitting(enter_tenant(tenant_slug, current_user), sitting_id, current_user)


def _progress(sitting: Sitting) -> dict:
    sent, total = convocation_progress(sitting)
    return {
        "sitting_id": sitting.id,
        "status": sitting.status.value,
        "sent": sent,
        "total": total,
        "done": total > 0 and sent == total,
        "recipients": recipient_statuses(sitting),
    }


@blp.route(SITTING + "/convocations", methods=["POST"])
@blp.response(202, ConvocationProgressSchema, description="Envoi lancé : une convocation par personne.")
@blp.alt_response(200, schema=ConvocationProgressSchema, description="Déjà convoquée : rien n'est envoyé à nouveau.")
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(
    422, description="Refus, en français : convocation trop tardive (avec l'article du CGCT), ordre du jour vide…"
)
@blp.doc(
    summary="Convoquer la séance",
    description="Vérifie le délai de convocation (jours francs selon la collectivité ; urgence motivée : "
    "au moins un jour franc), passe la séance à « convoquée », horodate le manifeste et envoie une convocation "
    "(ou invitation) par personne. Idempotent : un second appel ne renvoie rien.",
)
def convene(tenant_slug, sitting_id):
    sitting = _managed(tenant_slug, sitting_id)
    if convocations_of(sitting):
        return _progress(sitting), 200
    try:
        send_convocations(sitting, current_user)
    except SittingError as error:
        db.session.rollback()
        abort(422, message=error.message)
    commit(db.session)
    return _progress(sitting), 202


@blp.route(SITTING + "/convocations", methods=["GET"])
@blp.response(200, ConvocationProgressSchema)
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.doc(
    summary="Suivre l'envoi des convocations",
    description="n / N courriels partis, et pour chaque personne : qualité, état du courriel, remise et première "
    "ouverture horodatées.",
)
def progress(tenant_slug, sitting_id):
    return _progress(_managed(tenant_slug, sitting_id))


@blp.route(SITTING + "/evidence", methods=["GET"])
@blp.response(200, ZIP, content_type="application/zip", description="Le dossier de preuve (ZIP, en pièce jointe).")
@blp.alt_response(404, description=NOT_VISIBLE)
@blp.alt_response(409, description="Aucune preuve encore : la séance n'a pas été convoquée.")
@blp.doc(
    summary="Télécharger le dossier de preuve",
    description="Manifestes, compléments, remises et ouvertures horodatés (RFC 3161) avec leurs jetons, "
    "certificats et convocations PDF ; vérifiable avec `openssl ts -verify` ou `quorum evidence verify`.",
)
def evidence(tenant_slug, sitting_id):
    return evidence_download(_managed(tenant_slug, sitting_id))


api_blueprint(blp)
