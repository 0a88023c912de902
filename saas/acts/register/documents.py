"""The register as PDF/A (templates/documents/register.html): the acts of one sitting or of one year, each
sitting followed by its closing page, and a last page left for the electronic signatures."""

from saas.acts.register.record import SittingRecord
from saas.core import display
from saas.core.database import utcnow
from saas.core.printing import render_pdf
from saas.sittings.outcomes import OUTCOME_LABELS


def register_pdf(
    records: list[SittingRecord], *, title: str, tenant_name: str, assembly_name: str, time_zone: str, signers
) -> bytes:
    return render_pdf(
        "register.html",
        title=title,
        tenant_name=tenant_name,
        assembly_name=assembly_name,
        records=records,
        signers=list(signers),
        outcome_labels=OUTCOME_LABELS,
        exported=display.format_datetime(utcnow(), "medium", tenant=time_zone, locale="fr"),
    )
