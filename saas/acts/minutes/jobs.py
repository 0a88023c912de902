"""Jobs of the minutes and the list of deliberations: ids only, each idempotent."""

import logging

from saas.acts.minutes import operations
from saas.acts.minutes.models import DeliberationList, Minutes, MinutesStatus
from saas.audit.operations import record
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.jobs.queues import job

log = logging.getLogger(__name__)


@job(queue="signing", timeout=300)
def sign_minutes(minutes_id: int) -> None:
    """Freeze approved minutes and put them into the book (nothing if they are there already). A refusal of the
    book (no president in office…) is recorded, not raised: the secretariat sees it and asks again."""
    minutes = db.session.get(Minutes, minutes_id)
    if minutes is None or minutes.status != MinutesStatus.APPROVED:
        return
    try:
        with db.session.begin_nested():
            operations.request_signatures(minutes, actor=None)
    except DomainError as error:
        log.warning("minutes %s not put to signature: %s", minutes_id, error.message)
        record(
            "minutes.signature_not_requested",
            tenant_id=minutes.tenant_id,
            obj=minutes,
            data={"reason": error.message},
        )


@job(queue="mail", timeout=300)
def mail_list(list_id: int) -> None:
    listing = db.session.get(DeliberationList, list_id)
    if listing is not None:
        operations.mail_list(listing)
