"""The evidence package of a convened sitting: the proof records and the convocation PDFs they name.

For the secretariat (the sitting page and the API) and the operator (``quorum evidence export``).
"""

import sqlalchemy as sa
from flask import Response, abort

from saas.core.database import write_apart
from saas.core.extensions import db
from saas.sittings.convocations.models import Convocation
from saas.sittings.models import Sitting
from saas.sittings.proof import operations as proof
from saas.storage.models import Blob
from saas.storage.operations import read_all


def sent_pdfs(sitting: Sitting) -> list[tuple[str, bytes]]:
    """The convocation PDFs sent for the sitting, as they were attached to the mails."""
    rows = db.session.execute(
        sa.select(Convocation)
        .where(Convocation.sitting_id == sitting.id, Convocation.pdf_blob_id.is_not(None))
        .order_by(Convocation.id)
    ).scalars()
    return [(f"convocation-{row.person_id}.pdf", read_all(db.session.get(Blob, row.pdf_blob_id))) for row in rows]


def evidence_zip(sitting: Sitting) -> bytes:
    """Every time-stamped statement of the sitting with its token, the certificates and the PDFs sent.
    Raises ProofError (French) when nothing has been recorded yet."""
    return proof.evidence_zip(sitting, sent_pdfs(sitting))


def evidence_download(sitting: Sitting) -> Response:
    """The package as a download; 409 with the reason when there is none. Reading the trust roots may renew
    the tenant's CA near its end (saas.trust.pki): what that writes is kept, as a page load's write."""
    try:
        with write_apart(db.session):
            package = evidence_zip(sitting)
    except proof.ProofError as error:
        abort(409, description=str(error))
    return Response(
        package,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="preuve-seance-{sitting.id}.zip"',
            "Cache-Control": "no-store",
        },
    )
