"""Evidence download for the secretariat: the proof package of one sitting, as a ZIP.

Only the secretariat of the sitting's assembly may download it (it lists every member's e-mail and
openings); anyone else gets 404, exactly like a missing sitting, so the route reveals nothing.
"""

from flask import g
from flask_login import current_user

from saas.identity.web import tenant_blueprint
from saas.sittings.convocations.access import load_managed_sitting
from saas.sittings.models import Sitting
from saas.sittings.proof import operations as proof
from saas.sittings.proof.download import evidence_download

bp = tenant_blueprint("proof", __name__)


@bp.app_template_global()
def proof_count(sitting: Sitting) -> int:
    """How many time-stamped statements the sitting has (shown next to the download link)."""
    return len(proof.records(sitting))


@bp.get("/s/<int:sitting_id>/evidence.zip")
def evidence_zip(sitting_id: int):
    return evidence_download(load_managed_sitting(g.tenant, sitting_id, current_user))
