"""The minutes (templates/documents/minutes.html) and the list of deliberations
(templates/documents/deliberation_list.html) as PDF/A, from a ``SittingRecord``."""

from saas.acts.register import record as phrases
from saas.acts.register.record import SittingRecord
from saas.core.printing import render_pdf

HELPERS = {
    "result_phrase": phrases.result_phrase,
    "named_votes": phrases.named_votes,
    "quorum_phrase": phrases.quorum_phrase,
    "presence_changes": phrases.presence_changes,
}


def minutes_pdf(record: SittingRecord, *, article: str, status_label: str | None, approval: str | None) -> bytes:
    return render_pdf(
        "minutes.html", record=record, article=article, status_label=status_label, approval=approval, **HELPERS
    )


def deliberation_list_pdf(
    record: SittingRecord,
    *,
    version: int,
    generated: str,
    article: str | None,
    due: str | None,
    councillors_article: str | None,
) -> bytes:
    return render_pdf(
        "deliberation_list.html",
        record=record,
        version=version,
        generated=generated,
        article=article,
        due=due,
        councillors_article=councillors_article,
        **HELPERS,
    )
