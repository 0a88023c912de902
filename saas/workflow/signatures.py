"""Signature steps and the signature book (``saas.signing.book``, below this area): a step of kind
"signature" puts the report's main document into the book, its signers in the order the step asks them.

The book knows nothing of circuits. Which request belongs to which passage through a step is recorded here,
as the run's ``request_signature`` action (its request, the step's position and the run's round); the
engine's receiver of ``book.request_closed`` (``operations.signature_closed``) finds it again. Consecutive
signature steps sign one file: the first request prepares the fields of the steps after it too, and each
next request starts from the signed file of the one before (``book.request_signatures(after=…)``).
"""

import sqlalchemy as sa

from saas.core.extensions import db
from saas.documents.models import Document, DocumentKind, DocumentVersion
from saas.documents.operations import documents_of
from saas.identity.models import MandateRole, Person
from saas.reports.models import Report
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.tenancy.models import Tenant
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import TaskAction, WorkflowRun
from saas.workflow.who import resolve

#: the kind of the TaskAction that records a request made for a signature step
REQUESTED = "request_signature"
#: what the stamp says of a signer asked for their role (the words of the book's own request form); plain
#: strings: requests are also made in jobs and commands, with no request to choose a language from
STAMP_ROLES = {MandateRole.PRESIDENT: "Président de séance", MandateRole.SECRETARY_OF_SITTING: "Secrétaire de séance"}


def main_document(report: Report) -> Document | None:
    """The report's main document, if it has one: the act generated after the vote (its "deliberation"
    document, whose current version is the latest act, a correction included), or else the draft itself."""
    documents = [d for d in documents_of(report) if not d.withdrawn]
    for kind in (DocumentKind.DELIBERATION, DocumentKind.REPORT):
        document = next((d for d in documents if d.kind == kind), None)
        if document is not None:
            return document
    return None


def main_version(report: Report) -> DocumentVersion:
    """The current version of the report's main document."""
    document = main_document(report)
    if document is None:
        raise WorkflowError(f"Le rapport « {report.title} » n'a pas de document principal à faire signer.")
    return document.current_version


def in_book(version: DocumentVersion) -> RequestStatus | None:
    """Whether ``version`` waits for signatures in the book (PENDING) or was signed there (SIGNED)."""
    return db.session.execute(
        sa.select(SignatureRequest.status)
        .where(
            SignatureRequest.document_version_id == version.id,
            SignatureRequest.status.in_((RequestStatus.PENDING, RequestStatus.SIGNED)),
        )
        .order_by(SignatureRequest.status)
    ).scalar()


def signer_role(step: dict) -> str:
    """What the stamp says: the role the step asks (« Président de séance »…), or else the step's name."""
    who = step["who"]
    if who["kind"] == "role" and MandateRole(who["role"]) in STAMP_ROLES:
        return STAMP_ROLES[MandateRole(who["role"])]
    return step["name"]


def requests_made(run: WorkflowRun) -> list[TaskAction]:
    """The run's ``request_signature`` actions, newest first."""
    return list(
        db.session.execute(
            sa.select(TaskAction)
            .where(TaskAction.run_id == run.id, TaskAction.kind == REQUESTED)
            .order_by(TaskAction.id.desc())
        ).scalars()
    )


def request_action(run: WorkflowRun, request: SignatureRequest) -> TaskAction | None:
    """The action that made ``request`` for the run's current passage (position and round), if it did."""
    return next(
        (
            action
            for action in requests_made(run)
            if action.data.get("request_id") == request.id
            and action.data.get("position") == run.position
            and action.data.get("round") == run.round
        ),
        None,
    )


def _signers_ahead(run: WorkflowRun, report: Report, position: int, on) -> int:
    """How many people the signature steps right after ``position`` would ask (fields to prepare now)."""
    count, steps = 0, run.version.steps
    for step in steps[position + 1 :]:
        if step["kind"] != "signature":
            break
        try:
            count += len(resolve(step, report, on))
        except WorkflowError:
            break
    return count


def open_request(
    run: WorkflowRun, report: Report, step: dict, people: list[Person], actor: Person, on
) -> tuple[SignatureRequest, int]:
    """The book's request for a signature step; returns it and the spare fields left for the steps after.
    The request of the step just before (signed by all, on the same version, with fields to spare) is
    continued; otherwise a new one is prepared on the main document's current version."""
    tenant = db.session.get(Tenant, run.tenant_id)
    version = main_version(report)
    signers = [book.Signer(person, signer_role(step)) for person in people]
    title = f"{step['name']} — {report.title}"[:300]
    made = requests_made(run)
    previous = made[0] if made else None
    if (
        previous is not None
        and previous.data.get("position") == run.position - 1
        and previous.data.get("round") == run.round - 1
        and previous.data.get("document_version_id") == version.id
        and previous.data.get("spare_fields", 0) >= len(people)
    ):
        earlier = db.session.get(SignatureRequest, previous.data["request_id"])
        if earlier is not None and earlier.status == RequestStatus.SIGNED:
            request = book.request_signatures(
                tenant, title=title, signers=signers, actor=actor, version=version, after=earlier
            )
            return request, previous.data["spare_fields"] - len(people)
    spare = _signers_ahead(run, report, run.position, on)
    request = book.request_signatures(
        tenant, title=title, signers=signers, actor=actor, version=version, spare_fields=spare
    )
    return request, spare
