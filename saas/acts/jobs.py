"""The act's PDF, made after the commit that numbered it (WeasyPrint takes a second: not under the counter's
lock), then, when the act was made by someone who may, its signature circuit started."""

from saas.acts import operations
from saas.acts.models import Deliberation
from saas.core.extensions import db
from saas.jobs.queues import job
from saas.workflow import operations as engine


@job(queue="default", timeout=300)
def generate_act(act_id: int) -> None:
    """Run again (a retry), it finds the PDF made and the circuit started, and does nothing more."""
    act = db.session.get(Deliberation, act_id)
    if act is None:
        return
    operations.generate_pdf(act)
    actor = act.created_by
    if actor is not None and operations.is_current(act) and engine.signing_refusal(act.report, actor) is None:
        operations.start_signing(act, actor)
