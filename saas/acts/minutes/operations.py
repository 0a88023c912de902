"""The minutes (L2121-15) and the list of deliberations (L2121-25, L5211-40-2).

Minutes: drafted from the sitting's record (saas.acts.register.record) plus the substance of the debates typed per
item by the secretary of the sitting or the secretariat; declared ready, their approval is proposed as an agenda
item on the assembly's next sitting in preparation; once that item is adopted (``item_decided``), they are
frozen (the PDF/A kept) and go to the signature book, signed by the president then the secretary of the sitting,
the same signers and stamps as the circuit for acts (``workflow.signatures.STAMP_ROLES``); the "online within a
week of the approval" deadline is kept with them. A refused or withdrawn signature can be asked again.

List: generated once the sitting is closed, as a new version each time (never replaced), with its one-week
deadline; for an EPCI with its own taxation, sent within a month to the councillors of its member communes who do
not sit in it: one mail per person, keyed by list version and person, so a job run twice sends nothing more.

Operations flush and audit, never commit; the heavy work (rendering, the book) is in jobs, by name.
"""

import calendar
import csv
import io
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from saas.acts.minutes.documents import deliberation_list_pdf, minutes_pdf
from saas.acts.minutes.models import (
    MINUTES_STATUS_LABELS,
    DeliberationList,
    Minutes,
    MinutesDebate,
    MinutesStatus,
    OutsideCouncillor,
)
from saas.acts.register import operations as register
from saas.audit.operations import record
from saas.core import display
from saas.core.database import utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.access import can_manage
from saas.identity.models import Person
from saas.jobs.queues import enqueue
from saas.mail.operations import queue_mail
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.sittings import operations as sittings
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.outcomes import ItemOutcome, Outcome
from saas.storage.models import Blob
from saas.storage.operations import read_all, store
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Tenant

MAX_DEBATE = 50_000
MAX_IMPORT_LINES = 2_000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: the sittings whose minutes may be written (during the sitting, then after it)
WRITABLE = (SittingStatus.IN_PROGRESS, SittingStatus.CLOSED, SittingStatus.ARCHIVED)
FROZEN = (MinutesStatus.APPROVED, MinutesStatus.SIGNED)
APPROVAL_TITLE = "Approbation du procès-verbal de la séance du {day}"


class MinutesError(DomainError):
    """A refusal shown as is (French, citing the article when the law refuses)."""


def _actor_id(actor: Person | None) -> int | None:
    return actor.id if actor is not None else None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def late(due: date | None, done: date | None, today: date) -> bool:
    """Whether a deadline is missed: done after it, or not done and the day is past."""
    if due is None:
        return False
    return (done or today) > due


# --- Who writes the minutes -------------------------------------------------------------------------------


def may_write(person: Person, sitting: Sitting) -> bool:
    """The secretary of the sitting (L2121-15) and the assembly's secretariat (or an admin)."""
    return sitting.secretary_id == person.id or can_manage(person, "secretary", sitting.tenant, sitting.assembly)


# --- The minutes ------------------------------------------------------------------------------------------


def minutes_of(sitting: Sitting) -> Minutes | None:
    return db.session.execute(sa.select(Minutes).where(Minutes.sitting_id == sitting.id)).scalar_one_or_none()


def _lock_sitting(sitting: Sitting) -> Sitting:
    return db.session.execute(
        sa.select(Sitting).where(Sitting.id == sitting.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _minutes_for_change(sitting: Sitting) -> Minutes:
    """The sitting's minutes, made on first write; under the sitting's lock, so two writers make one."""
    _lock_sitting(sitting)
    minutes = minutes_of(sitting)
    if minutes is None:
        if sitting.status not in WRITABLE:
            raise MinutesError("Le procès-verbal se rédige à partir de l'ouverture de la séance.")
        minutes = Minutes(tenant_id=sitting.tenant_id, sitting_id=sitting.id, status=MinutesStatus.DRAFT)
        db.session.add(minutes)
        db.session.flush()
    else:
        db.session.refresh(minutes, with_for_update=True)
    return minutes


def _require_editable(minutes: Minutes) -> None:
    if minutes.status in FROZEN:
        raise MinutesError(
            "Le procès-verbal a été approuvé par l'assemblée : il ne peut plus être modifié (article L2121-15 du CGCT)."
        )


def debates_of(minutes: Minutes | None) -> dict[int, str]:
    if minutes is None:
        return {}
    rows = db.session.execute(sa.select(MinutesDebate).where(MinutesDebate.minutes_id == minutes.id)).scalars()
    return {row.agenda_item_id: row.text for row in rows}


def save_debate(sitting: Sitting, item: AgendaItem, text: str | None, *, actor: Person) -> MinutesDebate:
    """Write the substance of the debates on ``item``; the whole text is kept in the audit trail each time."""
    if item.sitting_id != sitting.id or item.withdrawn_at is not None:
        raise MinutesError("Ce point n'est pas à l'ordre du jour de cette séance.")
    if not may_write(actor, sitting):
        raise MinutesError("Seuls le secrétaire de séance et le secrétariat rédigent le procès-verbal.")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_DEBATE:
        raise MinutesError(
            f"La teneur des débats d'un point ne peut dépasser {MAX_DEBATE:,} caractères.".replace(",", " ")
        )
    if any(ord(char) < 32 and char not in "\n\t" for char in text):
        raise MinutesError("Le texte contient des caractères de contrôle : retirez-les.")
    minutes = _minutes_for_change(sitting)
    _require_editable(minutes)
    debate = db.session.execute(
        sa.select(MinutesDebate).where(MinutesDebate.minutes_id == minutes.id, MinutesDebate.agenda_item_id == item.id)
    ).scalar_one_or_none()
    if debate is None:
        debate = MinutesDebate(tenant_id=sitting.tenant_id, minutes_id=minutes.id, agenda_item_id=item.id)
        db.session.add(debate)
    debate.text, debate.updated_by_id, debate.updated_at = text, actor.id, utcnow()
    db.session.flush()
    record(
        "minutes.debate_saved",
        tenant_id=sitting.tenant_id,
        actor_id=actor.id,
        obj=debate,
        data={"sitting_id": sitting.id, "item_id": item.id, "text": text},
    )
    return debate


def record_for(sitting: Sitting, outcomes: dict[int, ItemOutcome] | None = None):
    return register.record_of(sitting, debates_of(minutes_of(sitting)), outcomes)


def render(sitting: Sitting, minutes: Minutes | None, outcomes: dict[int, ItemOutcome] | None = None) -> bytes:
    """The minutes as they stand: a draft says so; approved ones say when."""
    article = tenant_rules(sitting.tenant).minutes_article or "L2121-15"
    status = minutes.status if minutes is not None else MinutesStatus.DRAFT
    label = None if status in FROZEN else f"Projet — {MINUTES_STATUS_LABELS[status]}"
    approval = None
    if minutes is not None and minutes.approved_at is not None:
        day = display.format_date(minutes.approved_at, "long", tenant=sitting.tenant, locale="fr")
        approval = f"Approuvé par l'assemblée le {day}."
    return minutes_pdf(record_for(sitting, outcomes), article=article, status_label=label, approval=approval)


def _next_draft_sitting(sitting: Sitting) -> Sitting | None:
    return db.session.execute(
        sa.select(Sitting)
        .where(
            Sitting.assembly_id == sitting.assembly_id,
            Sitting.id != sitting.id,
            Sitting.starts_at > sitting.starts_at,
            Sitting.status == SittingStatus.DRAFT,
        )
        .order_by(Sitting.starts_at, Sitting.id)
        .limit(1)
    ).scalar_one_or_none()


def approval_item(minutes: Minutes) -> AgendaItem | None:
    """The approval item proposed on a later agenda, if it still stands (not withdrawn)."""
    item = db.session.get(AgendaItem, minutes.approval_item_id) if minutes.approval_item_id else None
    return item if item is not None and item.withdrawn_at is None else None


def approval_pending(minutes: Minutes) -> bool:
    return approval_item(minutes) is not None


def propose_approval(minutes: Minutes, *, actor: Person | None) -> AgendaItem | None:
    """Put « Approbation du procès-verbal de la séance du … » on the assembly's next sitting in preparation;
    None when there is none yet (the secretariat proposes it again once that sitting is created)."""
    if minutes.status != MinutesStatus.READY or approval_pending(minutes):
        return approval_item(minutes)
    sitting = minutes.sitting
    target = _next_draft_sitting(sitting)
    if target is None:
        return None
    day = sittings.sitting_day(sitting).strftime("%d/%m/%Y")
    item = sittings.add_item(target, title=APPROVAL_TITLE.format(day=day), actor=actor)
    minutes.approval_item = item
    db.session.flush()
    record(
        "minutes.approval_proposed",
        tenant_id=minutes.tenant_id,
        actor_id=_actor_id(actor),
        obj=minutes,
        data={"sitting_id": sitting.id, "proposed_on_sitting_id": target.id, "item_id": item.id},
    )
    return item


def on_sitting_created(sender: Sitting, **_) -> None:
    """Receiver of ``saas.sittings.operations.sitting_created``: the minutes of the assembly's earlier sittings
    that wait for a sitting to be approved at are proposed on the new one's agenda."""
    waiting = db.session.execute(
        sa.select(Minutes)
        .join(Sitting, Sitting.id == Minutes.sitting_id)
        .where(
            Sitting.assembly_id == sender.assembly_id,
            Sitting.starts_at < sender.starts_at,
            Minutes.status == MinutesStatus.READY,
            Minutes.approval_item_id.is_(None),
        )
        .order_by(Sitting.starts_at)
    ).scalars()
    for minutes in waiting:
        propose_approval(minutes, actor=None)


def on_sitting_closed(sender: Sitting, **_) -> None:
    """Receiver of ``saas.sittings.outcomes.sitting_closed``: the list of deliberations is drawn at once (its
    one-week deadline runs from the sitting)."""
    if not lists_of(sender):
        generate_list(sender, actor=None)


def mark_ready(sitting: Sitting, *, actor: Person) -> Minutes:
    """The draft is ready to be approved: its approval is proposed on the next sitting in preparation."""
    if sitting.status not in (SittingStatus.CLOSED, SittingStatus.ARCHIVED):
        raise MinutesError("Le procès-verbal est soumis à l'approbation une fois la séance close.")
    if not may_write(actor, sitting):
        raise MinutesError("Seuls le secrétaire de séance et le secrétariat rédigent le procès-verbal.")
    minutes = _minutes_for_change(sitting)
    _require_editable(minutes)
    if minutes.status == MinutesStatus.READY:
        raise MinutesError("Le procès-verbal est déjà prêt pour son approbation.")
    minutes.status, minutes.ready_at = MinutesStatus.READY, utcnow()
    db.session.flush()
    record(
        "minutes.ready", tenant_id=sitting.tenant_id, actor_id=actor.id, obj=minutes, data={"sitting_id": sitting.id}
    )
    propose_approval(minutes, actor=actor)
    return minutes


def back_to_draft(sitting: Sitting, *, actor: Person) -> Minutes:
    """Take back a ready draft (its approval item, if proposed, is withdrawn from the later agenda if it can be)."""
    minutes = _minutes_for_change(sitting)
    _require_editable(minutes)
    if minutes.status != MinutesStatus.READY:
        raise MinutesError("Le procès-verbal n'est pas soumis à l'approbation.")
    pending = approval_item(minutes)
    if pending is not None:
        if pending.sitting.status != SittingStatus.DRAFT:
            raise MinutesError(
                "Son approbation est à l'ordre du jour d'une séance déjà convoquée : "
                "elle ne peut plus être retirée ici."
            )
        sittings.withdraw_item(pending, actor=actor, reason="procès-verbal repris en rédaction")
    minutes.status, minutes.approval_item = MinutesStatus.DRAFT, None
    db.session.flush()
    record("minutes.back_to_draft", tenant_id=sitting.tenant_id, actor_id=actor.id, obj=minutes)
    return minutes


def on_item_decided(sender: AgendaItem, outcome: ItemOutcome, **_) -> None:
    """Receiver of ``item_decided`` (connected in ``saas.create_app``), in the votes' transaction. The approval
    item of some minutes adopted: they are approved and frozen, and a job puts them into the signature book.
    Not adopted (postponed, withdrawn, rejected): the minutes stay ready, their approval may be proposed again."""
    minutes = db.session.execute(
        sa.select(Minutes).where(Minutes.approval_item_id == sender.id).with_for_update()
    ).scalar_one_or_none()
    if minutes is None or minutes.status != MinutesStatus.READY:
        return
    if outcome.outcome != Outcome.ADOPTED:
        minutes.approval_item = None
        db.session.flush()
        record(
            "minutes.not_approved",
            tenant_id=minutes.tenant_id,
            obj=minutes,
            data={"item_id": sender.id, "outcome": outcome.outcome.value},
        )
        return
    tenant = db.session.get(Tenant, minutes.tenant_id)
    rules = tenant_rules(tenant)
    approved_on = sittings.sitting_day(sender.sitting)
    minutes.status, minutes.approved_at = MinutesStatus.APPROVED, outcome.decided_at
    if rules.minutes_online_days is not None:
        minutes.online_due_on = approved_on + timedelta(days=rules.minutes_online_days)
    db.session.flush()
    record(
        "minutes.approved",
        tenant_id=minutes.tenant_id,
        obj=minutes,
        data={
            "item_id": sender.id,
            "approved_on": approved_on.isoformat(),
            "online_due_on": str(minutes.online_due_on),
        },
    )
    enqueue(
        "saas.acts.minutes.jobs.sign_minutes", minutes.id, tenant_id=minutes.tenant_id, job_id=f"minutes-{minutes.id}"
    )


def signers_of(sitting: Sitting) -> list[book.Signer]:
    """The president, then the secretary of the sitting (L2121-15), with the stamps of the circuit for acts."""
    president = register.president_of(sitting)
    if president is None:
        raise MinutesError("L'assemblée n'avait pas de président en fonction : le procès-verbal ne peut être signé.")
    if sitting.secretary is None:
        raise MinutesError("Le secrétaire de la séance n'a pas été désigné : le procès-verbal ne peut être signé.")
    signers = [book.Signer(president, register.PRESIDENT_ROLE)]
    if sitting.secretary_id != president.id:
        signers.append(book.Signer(sitting.secretary, register.SECRETARY_ROLE))
    return signers


def request_signatures(minutes: Minutes, *, actor: Person | None) -> SignatureRequest | None:
    """Freeze the approved minutes as PDF/A (once) and put them into the book; nothing if already there."""
    if minutes.status != MinutesStatus.APPROVED:
        raise MinutesError("Seul un procès-verbal approuvé, pas encore signé, part à la signature.")
    current = db.session.get(SignatureRequest, minutes.request_id) if minutes.request_id else None
    if current is not None and current.status in (RequestStatus.PENDING, RequestStatus.SIGNED):
        return current
    sitting = minutes.sitting
    signers = signers_of(sitting)
    if minutes.blob_id is None:
        minutes.blob = store(minutes.tenant_id, io.BytesIO(render(sitting, minutes)))
        db.session.flush()
    day = sittings.sitting_day(sitting)
    request = book.request_signatures(
        sitting.tenant,
        title=f"Procès-verbal de la séance du {day.strftime('%d/%m/%Y')} — {sitting.assembly.name}"[:300],
        signers=signers,
        actor=actor or signers[0].person,
        upload=(io.BytesIO(read_all(minutes.blob)), f"proces-verbal-{day.isoformat()}.pdf"),
        sitting=sitting,
    )
    minutes.request = request
    db.session.flush()
    record(
        "minutes.signature_requested",
        tenant_id=minutes.tenant_id,
        actor_id=_actor_id(actor),
        obj=minutes,
        data={"request_id": request.id, "sha256": minutes.blob.sha256},
    )
    return request


def signature_closed(request: SignatureRequest, **_) -> None:
    """Receiver of the book's ``request_closed``: the minutes' request signed by all makes them signed; refused
    or withdrawn, the secretariat may ask again."""
    minutes = db.session.execute(
        sa.select(Minutes).where(Minutes.request_id == request.id).with_for_update()
    ).scalar_one_or_none()
    if minutes is None or minutes.status != MinutesStatus.APPROVED:
        return
    if request.status == RequestStatus.SIGNED:
        minutes.status, minutes.signed_at = MinutesStatus.SIGNED, request.closed_at
        event, data = "minutes.signed", {"sha256": request.current_blob.sha256}
    else:
        minutes.request = None
        event, data = "minutes.signature_stopped", {"status": request.status.value}
    db.session.flush()
    record(event, tenant_id=minutes.tenant_id, obj=minutes, data={"request_id": request.id, **data})


def minutes_file(minutes: Minutes):
    """(blob, signed) of approved minutes: the signed file once signed by all, else the frozen one."""
    request = db.session.get(SignatureRequest, minutes.request_id) if minutes.request_id else None
    if request is not None and request.status == RequestStatus.SIGNED:
        return request.current_blob, True
    return (db.session.get(Blob, minutes.blob_id) if minutes.blob_id else None), False


def record_online(item, day: date | None, *, actor: Person, what: str) -> None:
    """The day the secretariat says a document was put online (``item``: minutes or list)."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise MinutesError("Indiquez la date de mise en ligne.", field="online_on")
    tenant = db.session.get(Tenant, item.tenant_id)
    if day > tenant.today():
        raise MinutesError("La date de mise en ligne ne peut pas être dans le futur.", field="online_on")
    item.online_on = day
    db.session.flush()
    record(f"{what}.online", tenant_id=item.tenant_id, actor_id=actor.id, obj=item, data={"online_on": day.isoformat()})


def record_minutes_online(minutes: Minutes, day: date | None, *, actor: Person) -> None:
    if minutes.status not in FROZEN:
        raise MinutesError("Le procès-verbal est mis en ligne une fois approuvé (article L2121-15 du CGCT).")
    if (
        day is not None
        and minutes.approved_at is not None
        and day < display.local(minutes.approved_at, minutes.sitting.tenant).date()
    ):
        raise MinutesError("Le procès-verbal ne peut avoir été mis en ligne avant son approbation.", field="online_on")
    record_online(minutes, day, actor=actor, what="minutes")


# --- The list of deliberations --------------------------------------------------------------------------------


def lists_of(sitting: Sitting) -> list[DeliberationList]:
    return list(
        db.session.execute(
            sa.select(DeliberationList)
            .where(DeliberationList.sitting_id == sitting.id)
            .order_by(DeliberationList.version.desc())
        ).scalars()
    )


def councillors_rule(tenant: Tenant) -> tuple[int, str] | None:
    """(months, article) when the tenant sends its lists to the councillors of its member communes."""
    rules = tenant_rules(tenant)
    if rules.outside_councillors_months is None or tenant.kind.value not in rules.outside_councillors_kinds:
        return None
    return rules.outside_councillors_months, rules.outside_councillors_article


def generate_list(sitting: Sitting, *, actor: Person | None) -> DeliberationList:
    """A new version of the sitting's list of deliberations, once the sitting is closed."""
    if sitting.status not in (SittingStatus.CLOSED, SittingStatus.ARCHIVED):
        raise MinutesError("La liste des délibérations est établie après la séance, une fois celle-ci close.")
    _lock_sitting(sitting)
    version = (
        db.session.execute(
            sa.select(sa.func.max(DeliberationList.version)).where(DeliberationList.sitting_id == sitting.id)
        ).scalar()
        or 0
    ) + 1
    tenant, rules = sitting.tenant, tenant_rules(sitting.tenant)
    day = sittings.sitting_day(sitting)
    due = day + timedelta(days=rules.deliberation_list_days) if rules.deliberation_list_days is not None else None
    councillors = councillors_rule(tenant)
    pdf = deliberation_list_pdf(
        register.record_of(sitting),
        version=version,
        generated=display.format_date(tenant.today(), "long", locale="fr"),
        article=rules.deliberation_list_article,
        due=display.format_date(due, "long", locale="fr") if due else None,
        councillors_article=councillors[1] if councillors else None,
    )
    listing = DeliberationList(
        tenant_id=tenant.id,
        sitting_id=sitting.id,
        version=version,
        blob_id=store(tenant.id, io.BytesIO(pdf)).id,
        online_due_on=due,
        councillors_due_on=add_months(day, councillors[0]) if councillors else None,
        created_by_id=_actor_id(actor),
    )
    db.session.add(listing)
    db.session.flush()
    record(
        "deliberation_list.generated",
        tenant_id=tenant.id,
        actor_id=_actor_id(actor),
        obj=listing,
        data={"sitting_id": sitting.id, "version": version, "sha256": listing.blob.sha256},
    )
    return listing


def record_list_online(listing: DeliberationList, day: date | None, *, actor: Person) -> None:
    if day is not None and day < sittings.sitting_day(listing.sitting):
        raise MinutesError("La liste ne peut avoir été mise en ligne avant la séance.", field="online_on")
    record_online(listing, day, actor=actor, what="deliberation_list")


def send_to_councillors(listing: DeliberationList, *, actor: Person) -> int:
    """Send the list to the councillors of the member communes not sitting (L5211-40-2), in a job; returns how
    many will receive it. Sending again (a job run twice, a second click) sends nothing more to anyone."""
    tenant = db.session.get(Tenant, listing.tenant_id)
    rule = councillors_rule(tenant)
    if rule is None:
        raise MinutesError(
            "Seul un établissement public de coopération intercommunale à fiscalité propre adresse la liste de ses "
            "délibérations aux conseillers municipaux de ses communes membres (article L5211-40-2 du CGCT)."
        )
    count = len(active_councillors(tenant))
    if count == 0:
        raise MinutesError("Aucun conseiller municipal à qui l'adresser : importez ou saisissez leur liste d'abord.")
    if listing.councillors_sent_at is None:
        listing.councillors_sent_at = utcnow()
        db.session.flush()
    record(
        "deliberation_list.sent_to_councillors",
        tenant_id=tenant.id,
        actor_id=actor.id,
        obj=listing,
        data={"version": listing.version, "councillors": count},
    )
    enqueue(
        "saas.acts.minutes.jobs.mail_list", listing.id, tenant_id=tenant.id, job_id=f"deliberation-list-{listing.id}"
    )
    return count


def mail_key(listing: DeliberationList, councillor: OutsideCouncillor) -> str:
    return f"deliberation-list:{listing.id}:councillor:{councillor.id}"


def mail_list(listing: DeliberationList) -> int:
    """One mail per active councillor with the list attached, each under its own key; returns those queued."""
    tenant, sitting = db.session.get(Tenant, listing.tenant_id), listing.sitting
    day = sittings.sitting_day(sitting).strftime("%d/%m/%Y")
    filename = f"liste-deliberations-{sittings.sitting_day(sitting).isoformat()}-v{listing.version}.pdf"
    for councillor in active_councillors(tenant):
        queue_mail(
            mail_key(listing, councillor),
            to=councillor.email,
            subject=f"Liste des délibérations — {sitting.assembly.name} du {day} ({tenant.name})",
            body=(
                f"Bonjour {councillor.full_name},\n\n"
                f"Conseillère ou conseiller municipal de {councillor.commune}, vous recevez, en application de "
                f"l'article L5211-40-2 du code général des collectivités territoriales, la liste des délibérations "
                f"examinées par l'assemblée « {sitting.assembly.name} » de {tenant.name} lors de sa séance du {day}. "
                "Elle est jointe à ce message.\n"
            ),
            tenant_id=tenant.id,
            attachments=[(filename, "application/pdf", listing.blob)],
        )
    return len(active_councillors(tenant))


# --- Councillors of the member communes who do not sit (L5211-40-2) --------------------------------------------


def active_councillors(tenant: Tenant) -> list[OutsideCouncillor]:
    return list(
        db.session.execute(
            sa.select(OutsideCouncillor)
            .where(OutsideCouncillor.tenant_id == tenant.id, OutsideCouncillor.archived_at.is_(None))
            .order_by(OutsideCouncillor.commune, OutsideCouncillor.full_name, OutsideCouncillor.id)
        ).scalars()
    )


def _clean(value: str | None, label: str, limit: int, field: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise MinutesError(f"{label} est obligatoire.", field=field)
    if len(value) > limit:
        raise MinutesError(f"{label} ne peut dépasser {limit} caractères.", field=field)
    return value


def add_councillor(tenant: Tenant, *, full_name: str, email: str, commune: str, actor: Person) -> OutsideCouncillor:
    full_name = _clean(full_name, "Le nom", 200, "full_name")
    commune = _clean(commune, "La commune", 200, "commune")
    email = _clean(email, "L'adresse électronique", 254, "email").lower()
    if not EMAIL.match(email):
        raise MinutesError(f"Adresse électronique invalide : « {email} ».", field="email")
    if any(councillor.email == email for councillor in active_councillors(tenant)):
        raise MinutesError(f"{email} est déjà dans la liste.", field="email")
    councillor = OutsideCouncillor(tenant_id=tenant.id, full_name=full_name, email=email, commune=commune)
    db.session.add(councillor)
    db.session.flush()
    record(
        "outside_councillor.added",
        tenant_id=tenant.id,
        actor_id=actor.id,
        obj=councillor,
        data={"full_name": full_name, "email": email, "commune": commune},
    )
    return councillor


def import_councillors(tenant: Tenant, text: str | None, *, actor: Person) -> tuple[int, int]:
    """Lines « Nom;adresse;commune » (or commas; a header line is skipped). All or nothing: a wrong line refuses
    the whole import, naming it. Addresses already listed are skipped, so importing twice adds nothing.
    Returns (added, skipped)."""
    lines = [line for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]
    if not lines:
        raise MinutesError("Collez au moins une ligne « Nom;adresse électronique;commune ».", field="text")
    if len(lines) > MAX_IMPORT_LINES:
        raise MinutesError(f"Au plus {MAX_IMPORT_LINES} lignes par import.", field="text")
    delimiter = ";" if ";" in lines[0] else ","
    rows = list(csv.reader(lines, delimiter=delimiter))
    if len(rows) > 1 and not any("@" in cell for cell in rows[0]):
        rows = rows[1:]  # a header line
    known = {councillor.email for councillor in active_councillors(tenant)}
    added = skipped = 0
    for number, row in enumerate(rows, start=1):
        if len(row) != 3:
            raise MinutesError(f"Ligne {number} : attendu 3 colonnes (nom, adresse, commune).", field="text")
        email = row[1].strip().lower()
        if email in known:
            skipped += 1
            continue
        try:
            add_councillor(tenant, full_name=row[0], email=email, commune=row[2], actor=actor)
        except MinutesError as error:
            raise MinutesError(f"Ligne {number} : {error.message}", field="text") from error
        known.add(email)
        added += 1
    return added, skipped


def archive_councillor(councillor: OutsideCouncillor, *, actor: Person) -> OutsideCouncillor:
    if councillor.archived_at is not None:
        raise MinutesError("Ce conseiller est déjà retiré de la liste.")
    councillor.archived_at = utcnow()
    db.session.flush()
    record("outside_councillor.archived", tenant_id=councillor.tenant_id, actor_id=actor.id, obj=councillor)
    return councillor
