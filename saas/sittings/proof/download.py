"""Tables of saas.sittings.proof.download."""

from flask import Response, abort

from saas.core.database import commit
from saas.core.extensions import db
from saas.sittings.models import Sitting
from saas.sittings.proof import operations as proof


def evidence_download(sitting: Sitting) -> Response:
    """The package as a download (also for the secretariat API); 409 with the reason when there is none."""
    try:
        package = proof.evidence_zip(sitting)
    except proof.ProofError as error:
        abort(409, description=str(error))
    # reading the trust roots may renew the tenant's CA near its end (saas.trust.pki): keep what it wrote
    commit(db.session)
    return Response(
        package,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="preuve-seance-{sitting.id}.zip"',
            "Cache-Control": "no-store",
        },
    )
