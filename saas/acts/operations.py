"""Deliberations: numbered, generated, put to signature, corrected, extracted. Plain functions: they flush
and write audit events, never commit.

Exactly once: ``create_deliberation`` first locks the agenda item's row, then looks for its act, so a signal
or a job delivered twice makes one act and takes one number (and the unique index on the item's original act
stops anything that would slip past). A number is taken from the collectivity's counter of the year by
``UPDATE … RETURNING`` in the same transaction: the row stays locked until the commit, so two acts adopted at
the same moment get consecutive numbers, and a rolled-back act gives its number back.
"""

import io
import string
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from saas.acts import formulas, printing
from saas.acts.models import DEFAULT_NUMBER_FORMAT, ActCounter, Deliberation
from saas.acts.snapshots import outcome_from_json, outcome_to_json
from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.documents.operations import add_act_version
from saas.identity.models import Person
from saas.jobs.queues import enqueue
from saas.reports.operations import report_for_item
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.sittings.models import AgendaItem, Sitting
from saas.sittings.outcomes import ItemOutcome
from saas.tenancy.models import Tenant
from saas.workflow import operations as engine
from saas.workflow.models import RunState, WorkflowRun
from saas.workflow.reports.opinions import quote

MAX_REASON = 2000


class ActError(DomainError):
    """A refusal about an act, shown as is (French)."""


# --- Numbers ----------------------------------------------------------------------------------------------


def check_number_format(number_format: str) -> str:
    """``number_format`` if it is a format of ``{year}`` and ``{seq}`` (``{seq:03d}``…) that makes a number of at
    most 60 characters; raises ActError otherwise."""
    number_format = (number_format or "").strip()
    invalid = ActError(
        "Le format du numéro s'écrit avec {year} (l'année) et {seq} (le rang), par exemple {year}-{seq:03d}.",
        field="number_format",
    )
    if not number_format or len(number_format) > 60:
        raise invalid
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(number_format) if name is not None]
        sample = number_format.format(year=2026, seq=9999)
    except (ValueError, KeyError, IndexError, TypeError):
        raise invalid from None
    if "seq" not in fields or set(fields) - {"year", "seq"} or len(sample) > 60 or not sample.strip():
        raise invalid
    return number_format


def _counter_format(tenant_id: int, year: int) -> str:
    """The format a new year starts with: the latest year's before it, else the default."""
    return (
        db.session.execute(
            sa.select(ActCounter.number_format)
            .where(ActCounter.tenant_id == tenant_id, ActCounter.year < year)
            .order_by(ActCounter.year.desc())
            .limit(1)
        ).scalar()
        or DEFAULT_NUMBER_FORMAT
    )


def _ensure_counter(tenant_id: int, year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ActCounter)
    db.session.execute(
        insert.values(
            tenant_id=tenant_id, year=year, last_sequence=0, number_format=_counter_format(tenant_id, year)
        ).on_conflict_do_nothing(index_elements=["tenant_id", "year"])
    )


def take_number(tenant_id: int, year: int) -> tuple[int, str]:
    """The next sequence of the collectivity's year and the number it makes ("2026-044"). The counter's row
    is locked until the transaction ends: call it last before the act is flushed."""
    _ensure_counter(tenant_id, year)
    sequence, number_format = db.session.execute(
        sa.update(ActCounter)
        .where(ActCounter.tenant_id == tenant_id, ActCounter.year == year)
        .values(last_sequence=ActCounter.last_sequence + 1)
        .returning(ActCounter.last_sequence, ActCounter.number_format)
        .execution_options(synchronize_session=False)
    ).one()
    return sequence, number_format.format(year=year, seq=sequence)


def continue_numbering(tenant_id: int, year: int, last_sequence: int) -> None:
    """The collectivity numbered ``last_sequence`` acts of the year before Quorum: the next one takes the number
    after (never backwards)."""
    _ensure_counter(tenant_id, year)
    db.session.execute(
        sa.update(ActCounter)
        .where(ActCounter.tenant_id == tenant_id, ActCounter.year == year, ActCounter.last_sequence < last_sequence)
        .values(last_sequence=last_sequence)
        .execution_options(synchronize_session=False)
    )


def set_number_format(tenant: Tenant, year: int, number_format: str, actor: Person | None) -> ActCounter:
    """Set how the acts of ``year`` are numbered from now on (the numbers given stay as they are)."""
    number_format = check_number_format(number_format)
    if not 2000 <= year <= 2200:
        raise ActError("L'année est comprise entre 2000 et 2200.", field="year")
    _ensure_counter(tenant.id, year)
    counter = db.session.execute(
        sa.select(ActCounter)
        .where(ActCounter.tenant_id == tenant.id, ActCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    before = counter.number_format
    counter.number_format = number_format
    db.session.flush()
    record(
        "act.number_format_set",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=counter,
        data={"year": year, "before": before, "after": number_format},
    )
    return counter


# --- Making the act ----------------------------------------------------------------------------------------


def decided_on(sitting: Sitting) -> date:
    """The sitting's day in the collectivity's time zone."""
    return sitting.starts_at.astimezone(printing.zone(sitting.tenant)).date()


def committee_opinion(item: AgendaItem) -> str | None:
    """The committee's opinion as the act quotes it: from the report's circuit, else the agenda's phrase."""
    if item.report is not None:
        quoted = quote(item.report)
        if quoted:
            return quoted
    return item.committee_opinion


def compose_text(item: AgendaItem, outcome: ItemOutcome) -> str:
    """The act's text: the visa of the report, the decision sentence with its formulas, the notes."""
    assembly = formulas.sitting_assembly(item.sitting)
    rapporteur = item.rapporteur or (item.report.rapporteur if item.report is not None else None)
    paragraphs = [formulas.seen(rapporteur.full_name if rapporteur else None)]
    paragraphs.append(formulas.decision(outcome, assembly, committee_opinion(item)))
    paragraphs += formulas.notes(outcome)
    return "\n\n".join(paragraphs)


def _lock_item(item: AgendaItem) -> AgendaItem:
    return db.session.execute(
        sa.select(AgendaItem)
        .where(AgendaItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def act_of_item(item_id: int) -> Deliberation | None:
    """The original act of an agenda item (not a correction), if one was made."""
    return db.session.execute(
        sa.select(Deliberation).where(Deliberation.agenda_item_id == item_id, Deliberation.corrects_id.is_(None))
    ).scalar_one_or_none()


def _audit(action: str, act: Deliberation, actor: Person | None, **data) -> None:
    record(
        action,
        tenant_id=act.tenant_id,
        actor_id=actor.id if actor else None,
        obj=act,
        data={"number": act.number, "agenda_item_id": act.agenda_item_id, "sitting_id": act.sitting_id} | data,
    )


def _make(item: AgendaItem, outcome: ItemOutcome, actor: Person | None, corrects: Deliberation | None = None):
    sitting = item.sitting
    report = report_for_item(item, actor=actor)
    day = decided_on(sitting)
    text = compose_text(item, outcome)
    sequence, number = take_number(item.tenant_id, day.year)
    act = Deliberation(
        tenant_id=item.tenant_id,
        number=number,
        year=day.year,
        sequence=sequence,
        sitting_id=sitting.id,
        agenda_item_id=item.id,
        item_position=item.position if corrects is None else corrects.item_position,
        report_id=report.id,
        title=item.title,
        decided_on=day,
        subject_code=item.subject_code or report.subject_code,
        outcome=outcome.outcome,
        outcome_snapshot=outcome_to_json(outcome),
        text=text,
        corrects=corrects,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(act)
    db.session.flush()
    enqueue("saas.acts.jobs.generate_act", act.id, tenant_id=act.tenant_id, job_id=f"act-generate-{act.id}")
    return act


def create_deliberation(item: AgendaItem, outcome: ItemOutcome, *, actor: Person | None = None) -> Deliberation | None:
    """The act of a decided item, once: adopted, rejected (a deliberation of rejection) or noted (« prend
    acte »); a postponed or withdrawn item makes none (None). Delivered again, it returns the act made."""
    if outcome.item_id != item.id:
        raise ActError("Ce résultat n'est pas celui de ce point.")
    if outcome.outcome not in formulas.ACT_OUTCOMES:
        return None
    item = _lock_item(item)
    existing = act_of_item(item.id)
    if existing is not None:
        return existing
    if item.withdrawn_at is not None:
        raise ActError("Ce point a été retiré de l'ordre du jour : il ne donne pas lieu à une délibération.")
    act = _make(item, outcome, actor)
    _audit("act.created", act, actor, outcome=outcome.outcome.value)
    return act


def on_item_decided(sender: AgendaItem, outcome: ItemOutcome, **_) -> None:
    """Receiver of ``saas.sittings.outcomes.item_decided``: the votes froze an item's outcome."""
    create_deliberation(sender, outcome)


def generate_pdf(act: Deliberation, actor: Person | None = None) -> Deliberation:
    """The act's PDF/A, as a new version of its report's "deliberation" document; once (made again, nothing)."""
    act = db.session.execute(
        sa.select(Deliberation)
        .where(Deliberation.id == act.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if act.document_version_id is not None:
        return act
    pdf = printing.deliberation_pdf(act)
    version = add_act_version(act.report, act.title[:300], io.BytesIO(pdf), f"deliberation-{act.number}.pdf", actor)
    act.document_version_id = version.id
    db.session.flush()
    _audit("act.generated", act, actor, sha256=version.sha256, document_version_id=version.id)
    return act


# --- Signature ---------------------------------------------------------------------------------------------


def signing_run(act: Deliberation) -> WorkflowRun | None:
    """The latest circuit that signs the act's PDF (started after it was generated)."""
    if act.document_version_id is None:
        return None
    return db.session.execute(
        sa.select(WorkflowRun)
        .where(WorkflowRun.report_id == act.report_id, WorkflowRun.started_at >= act.created_at)
        .order_by(WorkflowRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def start_signing(act: Deliberation, actor: Person) -> WorkflowRun:
    """Put the act to signature through the collectivity's circuit for acts (``actes-a-signer``: the president,
    then the secretary of the sitting, L2121-23). The checks are the engine's own (``signing_refusal``)."""
    if act.document_version_id is None:
        raise ActError("Le document de la délibération est en cours de génération : réessayez dans un instant.")
    if not is_current(act):
        raise ActError("Cette délibération a été corrigée : c'est l'acte rectificatif qui se signe.")
    run = engine.start_signing(act.report, actor)
    _audit("act.signing_started", act, actor, run_id=run.id)
    return run


#: what the act's signature stands at, as the pages and the API say it
SIGNATURE_LABELS = {
    "generating": "document en cours de génération",
    "not_started": "à mettre à la signature",
    "running": "en cours de signature",
    "signed": "signée",
    "refused": "signature refusée",
}


def signature_state(act: Deliberation) -> str:
    """One of SIGNATURE_LABELS' keys."""
    if act.document_version_id is None:
        return "generating"
    run = signing_run(act)
    if run is None:
        return "signed" if signed_request(act) is not None else "not_started"
    if run.state == RunState.COMPLETED:
        return "signed"
    return "refused" if run.state == RunState.REFUSED else "running"


def signed_request(act: Deliberation) -> SignatureRequest | None:
    """The book's latest signed request of the act's PDF: its file carries every signature so far."""
    if act.document_version_id is None:
        return None
    return db.session.execute(
        sa.select(SignatureRequest)
        .where(
            SignatureRequest.document_version_id == act.document_version_id,
            SignatureRequest.status == RequestStatus.SIGNED,
        )
        .order_by(SignatureRequest.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def signed_completely(act: Deliberation) -> bool:
    """The circuit for acts ran to its end on the act's PDF."""
    run = signing_run(act)
    return run is not None and run.state == RunState.COMPLETED and signed_request(act) is not None


# --- Corrections -------------------------------------------------------------------------------------------


def is_current(act: Deliberation) -> bool:
    """Whether ``act`` is the latest act of its item (no correction after it)."""
    return act.corrected_at is None


def correct_deliberation(
    act: Deliberation, reason: str, *, actor: Person, outcome: ItemOutcome | None = None
) -> Deliberation:
    """A correcting act (rectificative): a new number, referring to ``act``, which is marked corrected and
    otherwise never changed. ``outcome`` replaces the recorded one when the error was in the vote."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ActError("Indiquez le motif de la correction.", field="reason")
    if len(reason) > MAX_REASON:
        raise ActError(f"Le motif ne peut dépasser {MAX_REASON} caractères.", field="reason")
    item = _lock_item(act.agenda_item)
    act = db.session.execute(
        sa.select(Deliberation).where(Deliberation.id == act.id).execution_options(populate_existing=True)
    ).scalar_one()
    if not is_current(act):
        raise ActError("Cette délibération a déjà été corrigée : corrigez l'acte rectificatif.")
    run = signing_run(act)
    if run is not None and run.state == RunState.RUNNING:
        raise ActError("La délibération est en cours de signature : attendez la fin du circuit pour la corriger.")
    outcome = outcome or outcome_from_json(act.outcome_snapshot)
    if outcome.item_id != item.id or outcome.outcome not in formulas.ACT_OUTCOMES:
        raise ActError("Ce résultat n'est pas celui de ce point.")
    correction = _make(item, outcome, actor, corrects=act)
    correction.correction_reason = reason
    act.corrected_at = utcnow()
    db.session.flush()
    _audit("act.corrected", act, actor, correction=correction.number, reason=reason)
    _audit("act.created", correction, actor, outcome=outcome.outcome.value, corrects=act.number)
    return correction


def chain(act: Deliberation) -> list[Deliberation]:
    """The act, the acts it corrects and those correcting it, oldest first."""
    acts = db.session.execute(
        sa.select(Deliberation)
        .where(Deliberation.agenda_item_id == act.agenda_item_id)
        .order_by(Deliberation.year, Deliberation.sequence)
    ).scalars()
    return list(acts)
