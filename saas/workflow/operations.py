"""The engine: submit a report (or an adopted act, to sign), then approve, refuse, send back, insert someone,
give an opinion, validate urgently, delegate; a signature step's request in the signature book closing moves
the circuit too (``signature_closed``). Plain functions: they flush, write audit events and queue notifications,
never commit.

Exactly once under concurrency: every action on a circuit first locks the run's row (SELECT … FOR UPDATE;
SQLite's writers queue anyway), then reads the task again and closes it with a conditional
``UPDATE … WHERE state = 'open'``: of two validators of a "one of them" step approving at the same second, the
second finds the step passed and is refused, so there is one transition and one audit event.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.extensions import db
from saas.documents.models import DocumentKind, DocumentVersion
from saas.documents.operations import latest_sitting, versions_seen
from saas.identity.models import GrantKind, Person
from saas.jobs.queues import enqueue
from saas.reports import access as report_access
from saas.reports.models import Report, ReportStatus
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.sittings.models import Sitting
from saas.tenancy.models import Tenant
from saas.workflow import planning, signatures
from saas.workflow.access import ACTIONS, acts_for, allowed_actions, holds_grant
from saas.workflow.definitions import (
    WorkflowError,
    active_definitions,
    definition_for,
    latest_version,
    members_vote,
)
from saas.workflow.models import (
    AppliesTo,
    DefinitionStatus,
    Delegation,
    RunState,
    Task,
    TaskAction,
    TaskKind,
    TaskState,
    WorkflowDefinition,
    WorkflowRun,
)
from saas.workflow.who import belongs, resolve

OPINIONS = {"favourable": "favorable", "unfavourable": "défavorable", "reserved": "réservé"}
#: the states of a task someone may still act on, or that waits for an inserted opinion
PENDING = (TaskState.OPEN, TaskState.WAITING)


# --- By when a step asks (who it asks: saas.workflow.who) --------------------------------------------------


def due_on(step: dict, report: Report, on: date) -> date | None:
    deadline = step.get("deadline") or {}
    if "days_after_arrival" in deadline:
        return on + timedelta(days=deadline["days_after_arrival"])
    if "days_before_sitting" in deadline and report.sitting_id is not None:
        sitting = db.session.get(Sitting, report.sitting_id)
        zone = ZoneInfo(db.session.get(Tenant, report.tenant_id).timezone)
        return sitting.starts_at.astimezone(zone).date() - timedelta(days=deadline["days_before_sitting"])
    return None


# --- Moving a circuit -------------------------------------------------------------------------------------


def _notify(task: Task) -> None:
    enqueue("saas.workflow.jobs.notify_task", task.id, tenant_id=task.tenant_id, job_id=f"workflow-task-{task.id}")


def _for_acts(run: WorkflowRun) -> bool:
    """Whether the run signs an adopted act (its report is deliberated: the circuit never changes its status)."""
    return run.version.definition.applies_to == AppliesTo.ACTS


def _enter(run: WorkflowRun, report: Report, position: int, actor: Person) -> str:
    """Make the tasks of the step at ``position`` (information steps pass at once); "completed" at the end.
    ``actor`` moved the circuit there: a signature step's request in the book is made in their name."""
    steps, today = run.version.steps, report.tenant.today()
    while position < len(steps):
        step = steps[position]
        run.position = position
        information, signature = step["kind"] == "information", step["kind"] == "signature"
        people = resolve(step, report, today)
        for person in people:
            task = Task(
                tenant_id=run.tenant_id,
                run=run,
                person=person,
                step_key=step["key"],
                position=position,
                round=run.round,
                state=TaskState.INFORMED if information else TaskState.OPEN,
                due_on=due_on(step, report, today),
                closed_at=utcnow() if information else None,
            )
            db.session.add(task)
            db.session.flush()
            if not signature:  # a signer is told by the signature book, when their turn comes
                _notify(task)
        if signature:
            _request_signatures(run, report, step, people, actor, today)
        if not information:
            return step["key"]
        position, run.round = position + 1, run.round + 1
    run.state, run.finished_at = RunState.COMPLETED, utcnow()
    if not _for_acts(run):
        report.status = ReportStatus.READY
    db.session.flush()
    return "completed"


def _request_signatures(run: WorkflowRun, report: Report, step: dict, people: list, actor: Person, on) -> None:
    """Put the main document into the signature book for the step's people, in order; record which request
    it is (the run's ``request_signature`` action), so that its closing is recognised."""
    request, spare = signatures.open_request(run, report, step, people, actor, on)
    data = {
        "request_id": request.id,
        "position": run.position,
        "round": run.round,
        "document_version_id": request.document_version_id,
        "spare_fields": spare,
        "sha256": request.current_blob.sha256,
    }
    action = _act(run, None, actor, signatures.REQUESTED, report, None, data)
    _audit("workflow.signature_requested", run, action, step["key"], step=step["key"], request_id=request.id)


def _withdraw_requests(run: WorkflowRun, actor: Person) -> None:
    """Withdraw from the book the run's requests still awaiting signatures (the circuit left their step).
    Call after the step's tasks are cancelled: the book's closing signal then finds nothing to do."""
    for made in signatures.requests_made(run):
        request = db.session.get(SignatureRequest, made.data["request_id"])
        if request is not None and request.status == RequestStatus.PENDING:
            book.cancel(request, actor)


def _go_to(run: WorkflowRun, report: Report, position: int, actor: Person) -> str:
    run.round += 1
    return _enter(run, report, position, actor)


def _cancel_pending(run: WorkflowRun, **where) -> None:
    query = sa.update(Task).where(Task.run_id == run.id, Task.state.in_(PENDING))
    for column, value in where.items():
        query = query.where(getattr(Task, column) == value)
    db.session.execute(query.values(state=TaskState.CANCELLED, closed_at=utcnow()))


def _lock(task: Task) -> tuple[Task, WorkflowRun, Report]:
    """Lock the task's run, then read the run, the task and the report again as they are now."""
    run = db.session.execute(
        sa.select(WorkflowRun)
        .where(WorkflowRun.id == task.run_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    task = db.session.execute(
        sa.select(Task).where(Task.id == task.id).execution_options(populate_existing=True)
    ).scalar_one()
    report = db.session.execute(
        sa.select(Report).where(Report.id == run.report_id).execution_options(populate_existing=True)
    ).scalar_one()
    return task, run, report


def _begin(task: Task, actor: Person, action: str, on: date | None = None) -> tuple[Task, WorkflowRun, Report]:
    task, run, report = _lock(task)
    if action not in allowed_actions(actor, task, on):
        if run.state != RunState.RUNNING:
            raise WorkflowError("Ce circuit est terminé : il n'y a plus rien à faire.")
        if task.state != TaskState.OPEN:
            raise WorkflowError("Cette tâche n'est plus ouverte : elle a déjà été traitée, ou l'étape est passée.")
        raise WorkflowError(f"Vous ne pouvez pas faire « {ACTIONS[action]} » sur cette tâche.")
    return task, run, report


def _close(task: Task, state: TaskState) -> None:
    """Close an open task, once: a concurrent closing that got there first leaves no row to update."""
    result = db.session.execute(
        sa.update(Task)
        .where(Task.id == task.id, Task.state == TaskState.OPEN)
        .values(state=state, closed_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise WorkflowError("Cette tâche n'est plus ouverte : elle a déjà été traitée, ou l'étape est passée.")


def _require_metadata(step: dict, action: str, metadata: dict) -> None:
    names = (step.get("required_metadata") or {}).get(action, [])
    missing = [name for name in names if not str(metadata.get(name) or "").strip()]
    if missing:
        raise WorkflowError(
            f"L'étape « {step['name']} » demande : {', '.join(missing)}.",
            errors={"json": {"metadata": {name: ["Champ obligatoire."] for name in missing}}},
        )


def _act(
    run: WorkflowRun,
    task: Task | None,
    actor: Person,
    kind: str,
    report: Report,
    comment: str | None,
    data: dict | None = None,
) -> TaskAction:
    behalf = acts_for(actor, task, report.tenant.today()) if task is not None else actor
    action = TaskAction(
        tenant_id=run.tenant_id,
        run_id=run.id,
        task_id=task.id if task else None,
        kind=kind,
        actor_id=actor.id,
        on_behalf_of_id=behalf.id if behalf is not None and behalf.id != actor.id else None,
        comment=(comment or "").strip() or None,
        data=data or {},
        documents=versions_seen(report),
    )
    db.session.add(action)
    db.session.flush()
    return action


def _audit(event: str, run: WorkflowRun, action: TaskAction, outcome: str, **data) -> None:
    record(
        event,
        tenant_id=run.tenant_id,
        actor_id=action.actor_id,
        obj=run,
        data={
            "report_id": run.report_id,
            "task_id": action.task_id,
            "action_id": action.id,
            "on_behalf_of_id": action.on_behalf_of_id,
            "documents": action.documents,
            "outcome": outcome,
            **data,
        },
    )


def _after_yes(run: WorkflowRun, report: Report, task: Task, actor: Person) -> str:
    """After a task said yes: an inserted task returns to whoever asked; a step moves on once it is done."""
    if task.kind == TaskKind.INSERTED:
        db.session.execute(
            sa.update(Task)
            .where(Task.id == task.returns_to_id, Task.state == TaskState.WAITING)
            .values(state=TaskState.OPEN)
            .execution_options(synchronize_session="fetch")
        )
        return "returned"
    step = run.version.steps[task.position]
    if step["mode"] == "all":
        left = db.session.execute(
            sa.select(sa.func.count())
            .select_from(Task)
            .where(
                Task.run_id == run.id,
                Task.position == task.position,
                Task.round == task.round,
                Task.kind == TaskKind.STEP,
                Task.state != TaskState.APPROVED,
            )
        ).scalar_one()
        if left:
            return "waiting_for_others"
    _cancel_pending(run, position=task.position, round=task.round)
    return _go_to(run, report, task.position + 1, actor)


def _after_refusal(run: WorkflowRun, report: Report, step: dict, actor: Person) -> str:
    """A step refused: back to the drafter (the run ends refused; a report becomes editable again, an act
    keeps its status) or to the earlier step the definition names."""
    _cancel_pending(run)
    if step["on_refusal"] == "drafter":
        run.state, run.finished_at = RunState.REFUSED, utcnow()
        if not _for_acts(run):
            report.status = ReportStatus.REFUSED
        db.session.flush()
        return "drafter"
    return _go_to(run, report, run.version.position_of(step["on_refusal"]), actor)


# --- The actions ------------------------------------------------------------------------------------------


def submit(report: Report, actor: Person, definition: WorkflowDefinition | None = None) -> WorkflowRun:
    """Start the report's circuit (a refused report starts again as its next version). A step that names
    nobody is refused as a WorkflowError after the run was flushed: the caller's rollback undoes it all.
    For a report aimed at a sitting, the run keeps the plan worked back from its notice day
    (``run.plan``); ``planning.submission_warning(run)`` says in French when it cannot be met."""
    report = db.session.execute(
        sa.select(Report).where(Report.id == report.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if not report.editable:
        raise WorkflowError("Ce rapport est déjà en cours de validation, ou validé.")
    if not report_access.can_edit(actor, report):
        raise WorkflowError("Seul le rédacteur du rapport, ou un administrateur, peut le soumettre.")
    definition = definition or definition_for(report)
    if definition.tenant_id != report.tenant_id or definition.applies_to != AppliesTo.REPORTS:
        raise WorkflowError("Ce circuit ne s'applique pas aux rapports de cette collectivité.")
    if definition.status == DefinitionStatus.RETIRED:
        raise WorkflowError(f"Le circuit « {definition.name} » est retiré : choisissez-en un autre.")
    if report.status == ReportStatus.REFUSED:
        report.version += 1
    version = latest_version(definition)
    report.status = ReportStatus.IN_CIRCUIT
    return _start(report, definition, version, actor, plan=planning.submission_plan(version, report))


def _start(
    report: Report, definition: WorkflowDefinition, version, actor: Person, plan: dict | None = None
) -> WorkflowRun:
    """Make the run of ``version`` for ``report``, enter its first step and write ``workflow.submitted``."""
    run = WorkflowRun(
        tenant_id=report.tenant_id,
        report_id=report.id,
        version=version,
        report_version=report.version,
        started_by_id=actor.id,
        position=0,
        round=1,
        plan=plan,
    )
    db.session.add(run)
    db.session.flush()
    outcome = _enter(run, report, 0, actor)
    record(
        "workflow.submitted",
        tenant_id=run.tenant_id,
        actor_id=actor.id,
        obj=run,
        data={
            "report_id": report.id,
            "report_version": report.version,
            "definition": definition.key,
            "version": version.number,
            **({"applies_to": definition.applies_to.value} if definition.applies_to != AppliesTo.REPORTS else {}),
            "documents": versions_seen(report),
            "outcome": outcome,
        },
    )
    return run


def signing_refusal(report: Report, actor: Person) -> str | None:
    """Why ``actor`` may not put ``report``'s act into a circuit for acts to sign now (French), or None: it must
    be on an agenda, they its sitting's secretariat or an admin, no circuit of it running, and its main
    document neither waiting in the signature book nor signed there. The page offers the action only then."""
    sitting = latest_sitting(report)
    if sitting is None:
        return "Ce rapport n'est inscrit à l'ordre du jour d'aucune séance : il n'y a pas d'acte à signer."
    if not book.may_request(actor, db.session.get(Tenant, report.tenant_id), sitting):
        return "Seul le secrétariat des assemblées, ou un administrateur, peut faire signer un acte."
    running = db.session.execute(
        sa.select(WorkflowRun.id).where(WorkflowRun.report_id == report.id, WorkflowRun.state == RunState.RUNNING)
    ).first()
    if running is not None:
        return "Un circuit de ce rapport est déjà en cours."
    document = signatures.main_document(report)
    if document is None:
        return f"Le rapport « {report.title} » n'a pas de document principal à faire signer."
    already = signatures.in_book(document.current_version)
    if already == RequestStatus.PENDING:
        return "Ce document attend déjà des signatures dans le parapheur."
    if already == RequestStatus.SIGNED:
        return "Ce document a déjà été signé dans le parapheur."
    return None


def start_signing(report: Report, actor: Person, definition: WorkflowDefinition | None = None) -> WorkflowRun:
    """Start the circuit that signs a report's adopted act (a definition for "acts", e.g. the president then
    the secretary of the sitting), when ``signing_refusal`` says nothing against it. Its signature steps put
    the main document into the signature book; the report's status stays as is."""
    report = db.session.execute(
        sa.select(Report).where(Report.id == report.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    refusal = signing_refusal(report, actor)
    if refusal is not None:
        raise WorkflowError(refusal)
    if definition is None:
        candidates = active_definitions(report.tenant_id, AppliesTo.ACTS)
        if len(candidates) != 1:
            raise WorkflowError(
                "Aucun circuit actif pour les actes à signer."
                if not candidates
                else "Plusieurs circuits d'actes à signer conviennent : choisissez-en un.",
                field="definition",
            )
        definition = candidates[0]
    if definition.tenant_id != report.tenant_id or definition.applies_to != AppliesTo.ACTS:
        raise WorkflowError("Ce circuit ne s'applique pas aux actes de cette collectivité.", field="definition")
    if definition.status == DefinitionStatus.RETIRED:
        raise WorkflowError(f"Le circuit « {definition.name} » est retiré : choisissez-en un autre.")
    return _start(report, definition, latest_version(definition), actor)


def approve(task: Task, actor: Person, *, comment: str | None = None, metadata: dict | None = None) -> str:
    """Approve (or sign) a task; returns what followed: the next step's key, "completed", "returned" (an
    inserted opinion went back), or "waiting_for_others" (an "all of them" step)."""
    task, run, report = _begin(task, actor, "approve")
    metadata = metadata or {}
    if task.kind == TaskKind.STEP:
        _require_metadata(run.version.steps[task.position], "approve", metadata)
    _close(task, TaskState.APPROVED)
    action = _act(run, task, actor, "approve", report, comment, metadata)
    outcome = _after_yes(run, report, task, actor)
    _audit("workflow.approved", run, action, outcome, step=task.step_key)
    return outcome


def give_opinion(
    task: Task,
    actor: Person,
    opinion: str,
    *,
    unanimous: bool | None = None,
    counts: dict | None = None,
    comment: str | None = None,
) -> str:
    """A committee's opinion (favourable, unfavourable or reserved; unanimous or with counts), or in a step
    that collects it from the members (``members_vote``) one member's own; advisory: the circuit goes on
    whatever it says, and the opinion is kept to be quoted in the deliberation."""
    task, run, report = _begin(task, actor, "give_opinion")
    if opinion not in OPINIONS:
        raise WorkflowError("L'avis est favorable, défavorable ou réservé.", field="opinion")
    counts = counts or {}
    if task.kind == TaskKind.STEP and members_vote(run.version.steps[task.position]) and (unanimous or counts):
        raise WorkflowError(
            "Chaque membre donne ici son propre avis : l'unanimité et les décomptes de la commission sont établis "
            "par Quorum à partir des avis de ses membres.",
            field="counts",
        )
    if set(counts) - {"for", "against", "abstain"} or any(
        not isinstance(value, int) or value < 0 or value > 10_000 for value in counts.values()
    ):
        raise WorkflowError("Les décomptes sont des nombres de voix pour, contre et d'abstentions.", field="counts")
    _close(task, TaskState.APPROVED)
    data = {"opinion": opinion, "unanimous": unanimous, **counts}
    action = _act(run, task, actor, "give_opinion", report, comment, data)
    outcome = _after_yes(run, report, task, actor)
    _audit("workflow.opinion_given", run, action, outcome, step=task.step_key, opinion=opinion)
    return outcome


def refuse(task: Task, actor: Person, reason: str, *, metadata: dict | None = None) -> str:
    """Refuse with a reason: back to the drafter (the report returns to draft, for a new version) or to the
    earlier step the definition names. An inserted person's refusal returns to whoever asked."""
    task, run, report = _begin(task, actor, "refuse")
    if not (reason or "").strip():
        raise WorkflowError("Indiquez le motif du refus.", field="reason")
    metadata, step = metadata or {}, run.version.steps[task.position]
    if task.kind == TaskKind.STEP:
        _require_metadata(step, "refuse", metadata)
    _close(task, TaskState.REFUSED)
    action = _act(run, task, actor, "refuse", report, reason, metadata)
    if task.kind == TaskKind.INSERTED:
        outcome = _after_yes(run, report, task, actor)
    else:
        outcome = _after_refusal(run, report, step, actor)
    _audit("workflow.refused", run, action, outcome, step=task.step_key)
    return outcome


def send_back(task: Task, actor: Person, to_step: str, *, comment: str | None = None) -> str:
    """Send the report back to an earlier step, which is asked again."""
    task, run, report = _begin(task, actor, "send_back")
    position = run.version.position_of(to_step)
    if position is None or position >= task.position:
        raise WorkflowError(f"« {to_step} » n'est pas une étape précédente de ce circuit.", field="to_step")
    _close(task, TaskState.SENT_BACK)
    action = _act(run, task, actor, "send_back", report, comment, {"to_step": to_step})
    _cancel_pending(run)
    outcome = _go_to(run, report, position, actor)
    _audit("workflow.sent_back", run, action, outcome, step=task.step_key, to_step=to_step)
    return outcome


def insert(task: Task, actor: Person, other: Person, *, comment: str | None = None) -> Task:
    """Ask ``other``'s opinion before answering ("rebond"): the task waits, then returns to its person."""
    task, run, report = _begin(task, actor, "insert")
    if other.id in (task.person_id, actor.id):
        raise WorkflowError("Choisissez une autre personne que vous-même.", field="person")
    if not belongs(other, run.tenant_id):
        raise WorkflowError(f"{other.full_name} n'a ni mandat ni droit dans la collectivité.", field="person")
    _close(task, TaskState.WAITING)
    inserted = Task(
        tenant_id=run.tenant_id,
        run=run,
        person=other,
        step_key=task.step_key,
        position=task.position,
        round=task.round,
        kind=TaskKind.INSERTED,
        returns_to_id=task.id,
        due_on=task.due_on,
    )
    db.session.add(inserted)
    db.session.flush()
    action = _act(run, task, actor, "insert", report, comment, {"person_id": other.id, "task_id": inserted.id})
    _notify(inserted)
    _audit("workflow.inserted", run, action, "inserted", step=task.step_key, person_id=other.id)
    return inserted


def validate_urgently(run: WorkflowRun, actor: Person, reason: str) -> None:
    """End the circuit at once as validated, by a holder of the urgent-validation right, with a reason."""
    run = db.session.execute(
        sa.select(WorkflowRun)
        .where(WorkflowRun.id == run.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if not holds_grant(actor, run.tenant_id, GrantKind.URGENT_VALIDATOR):
        raise WorkflowError("Seul un titulaire du droit de validation d'urgence peut valider en urgence.")
    if run.state != RunState.RUNNING:
        raise WorkflowError("Ce circuit est terminé : il n'y a plus rien à faire.")
    if not (reason or "").strip():
        raise WorkflowError("Indiquez le motif de l'urgence.", field="reason")
    report = db.session.get(Report, run.report_id)
    action = _act(
        run, None, actor, "validate_urgently", report, reason, {"skipped_from": run.version.steps[run.position]["key"]}
    )
    _cancel_pending(run)
    _withdraw_requests(run, actor)
    run.state, run.finished_at = RunState.COMPLETED, utcnow()
    report.status = ReportStatus.READY
    db.session.flush()
    _audit("workflow.validated_urgently", run, action, "completed")


def delegate(
    absent: Person, delegate_to: Person, tenant: Tenant, starts_on: date, ends_on: date, *, actor: Person
) -> Delegation:
    """Let ``delegate_to`` act on ``absent``'s tasks in ``tenant`` from ``starts_on`` to ``ends_on``; given by
    the absent person, or by an admin of the collectivity."""
    if actor.id != absent.id and not holds_grant(actor, tenant.id, GrantKind.TENANT_ADMIN):
        raise WorkflowError("Seule la personne absente, ou un administrateur, peut déléguer ses tâches.")
    if ends_on < starts_on:
        raise WorkflowError("La fin de la délégation précède son début.", field="ends_on")
    if absent.id == delegate_to.id:
        raise WorkflowError("On ne se délègue pas à soi-même.", field="delegate")
    for person in (absent, delegate_to):
        if not belongs(person, tenant.id):
            raise WorkflowError(f"{person.full_name} n'a ni mandat ni droit dans la collectivité.", field="delegate")
    delegation = Delegation(
        tenant_id=tenant.id, person_id=absent.id, delegate_id=delegate_to.id, starts_on=starts_on, ends_on=ends_on
    )
    db.session.add(delegation)
    db.session.flush()
    record(
        "workflow.delegated",
        tenant_id=tenant.id,
        actor_id=actor.id,
        obj=delegation,
        data={
            "person_id": absent.id,
            "delegate_id": delegate_to.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
        },
    )
    return delegation


def end_delegation(delegation: Delegation, *, actor: Person, today: date) -> None:
    """End a delegation now (the absent person is back, or an admin ends it): one that ran before ``today``
    ends yesterday, and its record stays; one that has not begun yet (or begins today) is withdrawn."""
    if actor.id != delegation.person_id and not holds_grant(actor, delegation.tenant_id, GrantKind.TENANT_ADMIN):
        raise WorkflowError("Seule la personne absente, ou un administrateur, peut mettre fin à la délégation.")
    if delegation.ends_on < today:
        raise WorkflowError("Cette délégation est déjà terminée.")
    data = {"person_id": delegation.person_id, "delegate_id": delegation.delegate_id}
    if delegation.starts_on < today:
        delegation.ends_on = today - timedelta(days=1)
        data["ends_on"] = delegation.ends_on.isoformat()
    else:
        db.session.delete(delegation)
        data["withdrawn"] = True
    db.session.flush()
    record("workflow.delegation_ended", tenant_id=delegation.tenant_id, actor_id=actor.id, obj=delegation, data=data)


def delegations_of(person: Person, tenant_id: int, today: date) -> list[Delegation]:
    """``person``'s delegations in the collectivity that are not over (current and to come), soonest first."""
    return list(
        db.session.execute(
            sa.select(Delegation)
            .where(Delegation.tenant_id == tenant_id, Delegation.person_id == person.id, Delegation.ends_on >= today)
            .order_by(Delegation.starts_on, Delegation.id)
        ).scalars()
    )


def replacing(person: Person, tenant_id: int, today: date) -> list[tuple[Delegation, list[Task]]]:
    """The delegations in force today where ``person`` is the delegate, each with the absent person's open
    tasks that ``person`` may now do for them (``access.acts_for``)."""
    delegations = db.session.execute(
        sa.select(Delegation)
        .where(
            Delegation.tenant_id == tenant_id,
            Delegation.delegate_id == person.id,
            Delegation.starts_on <= today,
            Delegation.ends_on >= today,
        )
        .order_by(Delegation.ends_on, Delegation.id)
    ).scalars()
    return [
        (delegation, [task for task in open_tasks(delegation.person, tenant_id) if acts_for(person, task, today)])
        for delegation in delegations
    ]


def open_tasks(person: Person, tenant_id: int) -> list[Task]:
    """``person``'s open tasks in one collectivity (the inbox groups these by collectivity)."""
    return list(
        db.session.execute(
            sa.select(Task)
            .where(Task.tenant_id == tenant_id, Task.person_id == person.id, Task.state == TaskState.OPEN)
            .order_by(Task.id)
        ).scalars()
    )


def tasks_of(run: WorkflowRun) -> list[Task]:
    return list(db.session.execute(sa.select(Task).where(Task.run_id == run.id).order_by(Task.id)).scalars())


def actions_of(run: WorkflowRun) -> list[TaskAction]:
    return list(
        db.session.execute(sa.select(TaskAction).where(TaskAction.run_id == run.id).order_by(TaskAction.id)).scalars()
    )


# --- A signature step's request closed in the book ---------------------------------------------------------


def signature_closed(request: SignatureRequest, **_) -> None:
    """Receiver of ``saas.signing.book.operations.request_closed`` (connected in ``saas.create_app``), in the
    book's transaction. A request this run made for its current step: signed by all, the step's tasks are
    done (one ``sign`` action per signer, with the signed file's SHA-256) and the circuit moves on; refused
    (or withdrawn from the book by hand), the step is refused as its definition says. Exactly once: the run
    is locked, and a second delivery finds the step passed (no open task, another round) and changes nothing."""
    if request.document_version_id is None:
        return
    version = db.session.get(DocumentVersion, request.document_version_id)
    run = db.session.execute(
        sa.select(WorkflowRun)
        .where(WorkflowRun.report_id == version.document.report_id, WorkflowRun.state == RunState.RUNNING)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if run is None or signatures.request_action(run, request) is None:
        return
    tasks = list(
        db.session.execute(
            sa.select(Task)
            .where(
                Task.run_id == run.id,
                Task.position == run.position,
                Task.round == run.round,
                Task.kind == TaskKind.STEP,
                Task.state == TaskState.OPEN,
            )
            .order_by(Task.id)
            .execution_options(populate_existing=True)
        ).scalars()
    )
    if not tasks:
        return
    report = db.session.get(Report, run.report_id)
    step = run.version.steps[run.position]
    by_person = {task.person_id: task for task in tasks}
    if request.status == RequestStatus.SIGNED:
        sha256, actions = request.current_blob.sha256, []
        for signed in request.steps:
            task = by_person.get(signed.person_id)
            if task is None:
                continue
            _close(task, TaskState.APPROVED)
            data = {"request_id": request.id, "sha256": sha256, "signed_at": signed.signed_at.isoformat()}
            actions.append(_act(run, task, task.person, "sign", report, signed.comment, data))
        if not actions:
            return
        _cancel_pending(run, position=run.position, round=run.round)
        last = actions[-1]
        outcome = _go_to(run, report, run.position + 1, last.actor)
        _audit("workflow.signed", run, last, outcome, step=step["key"], request_id=request.id, sha256=sha256)
        return
    refused = next((s for s in request.steps if s.refused_at is not None), None)
    task = by_person.get(refused.person_id) if refused is not None else None
    if task is not None:
        _close(task, TaskState.REFUSED)
        action = _act(run, task, task.person, "refuse", report, refused.reason, {"request_id": request.id})
    else:  # withdrawn from the book by hand: the circuit cannot stay on a step nobody can sign any more
        reason = "La demande de signature a été retirée du parapheur."
        action = _act(
            run,
            None,
            db.session.get(Person, run.started_by_id),
            "signature_withdrawn",
            report,
            reason,
            {"request_id": request.id},
        )
    actor = action.actor
    outcome = _after_refusal(run, report, step, actor)
    _audit("workflow.refused", run, action, outcome, step=step["key"], request_id=request.id)


# --- A document changed during the circuit ----------------------------------------------------------------


def documents_changed(version, **_) -> None:
    """Receiver of ``saas.documents.operations.version_added``: the report's running circuit learns that its
    documents changed. Approvals given before keep the versions they saw (``TaskAction.documents``), so they
    read as given on an earlier version; if a step already approved in this circuit says
    ``reapprove_after_change``, the circuit goes back to the earliest such step, which is asked again."""
    report = db.session.get(Report, version.document.report_id)
    run = db.session.execute(
        sa.select(WorkflowRun)
        .where(WorkflowRun.report_id == report.id, WorkflowRun.state == RunState.RUNNING)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if run is None:
        return
    approved = db.session.execute(
        sa.select(Task.position)
        .where(Task.run_id == run.id, Task.kind == TaskKind.STEP, Task.state == TaskState.APPROVED)
        .distinct()
    ).scalars()
    again = sorted(position for position in approved if run.version.steps[position]["reapprove_after_change"])
    if (
        not again
        and version.document.kind == DocumentKind.REPORT
        and run.version.steps[run.position]["kind"] == "signature"
    ):
        again = [run.position]  # the request in the book is on the version before: sign the new one
    data = {
        "report_id": report.id,
        "document_id": version.document_id,
        "version": version.number,
        "sha256": version.sha256,
        "asked_again_from": run.version.steps[again[0]]["key"] if again else None,
    }
    if again:
        actor = db.session.get(Person, version.uploaded_by_id or run.started_by_id)
        _cancel_pending(run)
        _withdraw_requests(run, actor)
        data["outcome"] = _go_to(run, report, again[0], actor)
    record("workflow.documents_changed", tenant_id=run.tenant_id, actor_id=version.uploaded_by_id, obj=run, data=data)


def approval_outdated(action: TaskAction, report: Report) -> bool:
    """Whether an approval was given on earlier versions of the report's documents than the current ones."""
    seen = {entry["sha256"] for entry in action.documents}
    return any(entry["sha256"] not in seen for entry in versions_seen(report))
