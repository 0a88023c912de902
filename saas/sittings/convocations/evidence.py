"""The evidence package of a convened sitting: the proof records and the convocation PDFs they name.

For the secretariat (the sitting page and the API) and the operator (``quorum evidence export``).
"""

import sqlalchemy as sa
from flask import Response, abort

from saas.core.database import write_apart
from saas.core.extensions import db
from saas.mail.models import MailAttachment, OutboundMail
from saas.sittings.convocations.models import Convocation
from saas.sittings.convocations.operations import notices_of
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
    pdfs = [(f"convocation-{row.person_id}.pdf", read_all(db.session.get(Blob, row.pdf_blob_id))) for row in rows]
    return pdfs + notice_pdfs(sitting)


def notice_pdfs(sitting: Sitting) -> list[tuple[str, bytes]]:
    """The PDFs of the notices sent after the convocation (new convocation, supplement), as attached to
    each person's mail: ``avis-<number>-<person id>.pdf``."""
    pdfs = []
    for notice in notices_of(sitting):
        rows = db.session.execute(
            sa.select(OutboundMail.ref, MailAttachment.blob_id)
            .join(MailAttachment, MailAttachment.mail_id == OutboundMail.id)
            .where(
                OutboundMail.key.like(f"notice:{notice.id}:%"),
                OutboundMail.tenant_id == sitting.tenant_id,
                MailAttachment.content_type == "application/pdf",
            )
            .order_by(OutboundMail.id)
        ).all()
        for ref, blob_id in rows:
            name = f"avis-{notice.number}-{ref['person_id']}.pdf"
            pdfs.append((name, read_all(db.session.get(Blob, blob_id))))
    return pdfs


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
