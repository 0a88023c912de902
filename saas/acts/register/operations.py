"""The register (R2121-9): the acts of an assembly in date order with their order number in the sitting, a
closing page per sitting, and its exports (one PDF/A per sitting or per year) signed PAdES in the signature book.

Nothing here is stored but the exports: the register is read from the deliberations each time. An export is
signed by people, through the book (``signing.book``): the platform has no seal of its own (the trust area holds
signers' keys, not a collectivity's seal), so the honest way is the president's signature, with the secretary of
the sitting's for a sitting's export. Operations flush and audit, never commit.
"""

import io
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from saas.acts.models import Deliberation
from saas.acts.register.documents import register_pdf
from saas.acts.register.models import ExportScope, RegisterExport
from saas.acts.register.record import ActLine, ItemLine, SittingRecord
from saas.acts.snapshots import outcome_from_json
from saas.audit.operations import record
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.models import Mandate, MandateRole, Person
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.operations import active_items, sitting_day
from saas.sittings.outcomes import ItemOutcome
from saas.sittings.votes import operations as votes
from saas.storage.operations import store
from saas.tenancy.models import Assembly, Tenant
from saas.workflow.signatures import STAMP_ROLES

#: the sittings whose acts are in the register: held (and possibly archived)
HELD = (SittingStatus.CLOSED, SittingStatus.ARCHIVED)
PRESIDENT_ROLE = STAMP_ROLES[MandateRole.PRESIDENT]
SECRETARY_ROLE = STAMP_ROLES[MandateRole.SECRETARY_OF_SITTING]
FIRST_YEAR, LAST_YEAR = 1990, 2200


class RegisterError(DomainError):
    """A refusal shown as is (French)."""


# --- Reading the register ---------------------------------------------------------------------------------


def president_of(sitting: Sitting) -> Person | None:
    """The president of the sitting's assembly on the sitting's day (their mandate of president)."""
    mandate = db.session.execute(
        sa.select(Mandate)
        .where(
            Mandate.tenant_id == sitting.tenant_id,
            Mandate.assembly_id == sitting.assembly_id,
            Mandate.role == MandateRole.PRESIDENT,
            Mandate.in_office_on(sitting_day(sitting)),
        )
        .order_by(Mandate.id)
        .limit(1)
    ).scalar_one_or_none()
    return mandate.person if mandate is not None else None


def acts_of(sitting: Sitting) -> list[Deliberation]:
    """The sitting's acts (corrections included: nothing is left out of a register), in their order."""
    return list(
        db.session.execute(
            sa.select(Deliberation)
            .where(Deliberation.sitting_id == sitting.id)
            .order_by(Deliberation.item_position.nulls_last(), Deliberation.year, Deliberation.sequence)
        ).scalars()
    )


def signed_sha256(act: Deliberation) -> str | None:
    """The SHA-256 of the act's PDF signed by all in the book, if it is."""
    if act.document_version_id is None:
        return None
    request = db.session.execute(
        sa.select(SignatureRequest)
        .where(
            SignatureRequest.document_version_id == act.document_version_id,
            SignatureRequest.status == RequestStatus.SIGNED,
        )
        .order_by(SignatureRequest.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return request.current_blob.sha256 if request is not None else None


def act_line(act: Deliberation) -> ActLine:
    return ActLine(
        number=act.number,
        position=act.item_position,
        title=act.title,
        outcome=act.outcome,
        decided_on=act.decided_on,
        subject_code=act.subject_code,
        text=act.text,
        signed_sha256=signed_sha256(act),
        corrects=act.corrects.number if act.corrects is not None else None,
    )


def item_outcome(item: AgendaItem, act: Deliberation | None) -> ItemOutcome | None:
    """What the sitting decided on the item: the outcome frozen in its act, else the votes' (an item postponed or
    withdrawn makes no act); None while undecided."""
    if act is not None:
        return outcome_from_json(act.outcome_snapshot)
    return votes.outcome_of(item)


def record_of(
    sitting: Sitting, debates: dict[int, str] | None = None, outcomes: dict[int, ItemOutcome] | None = None
) -> SittingRecord:
    """The sitting as the documents state it; ``outcomes`` overrides what the acts say (tests, previews)."""
    acts = acts_of(sitting)
    originals = {act.agenda_item_id: act for act in acts if act.corrects_id is None}
    lines = []
    for item in active_items(sitting):
        act = originals.get(item.id)
        outcome = (outcomes or {}).get(item.id) or item_outcome(item, act)
        lines.append(
            ItemLine(
                item_id=item.id,
                position=item.position,
                title=item.title,
                confidential=item.confidential,
                rapporteur=item.rapporteur.full_name if item.rapporteur else None,
                committee_opinion=item.committee_opinion,
                outcome=outcome,
                act=act_line(act) if act is not None else None,
                debate=(debates or {}).get(item.id, ""),
            )
        )
    corrections = [act_line(act) for act in acts if act.corrects_id is not None]
    if corrections:  # a correction made later is registered with the sitting of the act it corrects
        lines += [ItemLine(0, None, line.title, False, None, None, None, line) for line in corrections]
    president = president_of(sitting)
    return SittingRecord(
        tenant_name=sitting.tenant.name,
        time_zone=sitting.tenant.timezone,
        assembly_name=sitting.assembly.name,
        sitting_id=sitting.id,
        starts_at=sitting.starts_at,
        place=sitting.place,
        opened_at=sitting.opened_at,
        closed_at=sitting.closed_at,
        president=president.full_name if president else None,
        secretary=sitting.secretary.full_name if sitting.secretary else None,
        items=tuple(lines),
        reconvened=sitting.reconvened_from_id is not None,
    )


def held_sittings(assembly: Assembly, year: int) -> list[Sitting]:
    """The assembly's sittings held in ``year`` (the collectivity's calendar), oldest first."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RegisterError(f"Année hors du registre : choisissez une année entre {FIRST_YEAR} et {LAST_YEAR}.")
    sittings = db.session.execute(
        sa.select(Sitting)
        .where(Sitting.assembly_id == assembly.id, Sitting.status.in_(HELD))
        .order_by(Sitting.starts_at, Sitting.id)
    ).scalars()
    return [sitting for sitting in sittings if sitting_day(sitting).year == year]


def years_of(assembly: Assembly, today: date) -> list[int]:
    """The years the register can show: those with a held sitting, and this one; newest first."""
    starts = db.session.execute(
        sa.select(Sitting.starts_at).where(Sitting.assembly_id == assembly.id, Sitting.status.in_(HELD))
    ).scalars()
    zone = ZoneInfo(assembly.tenant.timezone)
    years = {moment.astimezone(zone).year for moment in starts} | {today.year}
    return sorted(years, reverse=True)


# --- Exports ------------------------------------------------------------------------------------------------


def _signers(sitting: Sitting | None, assembly: Assembly) -> list[book.Signer]:
    president = president_of(sitting) if sitting is not None else _president_now(assembly)
    if president is None:
        raise RegisterError(
            "L'assemblée n'a pas de président en fonction : le registre ne peut pas être signé (article R2121-9 du "
            "CGCT). Indiquez son mandat de président dans les membres de l'assemblée."
        )
    signers = [book.Signer(president, PRESIDENT_ROLE)]
    if sitting is not None:
        if sitting.secretary is None:
            raise RegisterError(
                "Le secrétaire de la séance n'a pas été désigné : l'export de la séance ne peut pas être signé."
            )
        if sitting.secretary_id != president.id:
            signers.append(book.Signer(sitting.secretary, SECRETARY_ROLE))
    return signers


def _president_now(assembly: Assembly) -> Person | None:
    today = assembly.tenant.today()
    mandate = db.session.execute(
        sa.select(Mandate)
        .where(Mandate.assembly_id == assembly.id, Mandate.role == MandateRole.PRESIDENT, Mandate.in_office_on(today))
        .order_by(Mandate.id)
        .limit(1)
    ).scalar_one_or_none()
    return mandate.person if mandate is not None else None


def _export(
    tenant: Tenant,
    assembly: Assembly,
    records: list[SittingRecord],
    *,
    title: str,
    filename: str,
    signers: list[book.Signer],
    actor: Person,
    sitting: Sitting | None = None,
    year: int | None = None,
) -> RegisterExport:
    pdf = register_pdf(
        records,
        title=title,
        tenant_name=tenant.name,
        assembly_name=assembly.name,
        time_zone=tenant.timezone,
        signers=[f"{signer.person.full_name} ({signer.role.lower()})" for signer in signers],
    )
    blob = store(tenant.id, io.BytesIO(pdf))
    request = book.request_signatures(
        tenant, title=title, signers=signers, actor=actor, upload=(io.BytesIO(pdf), filename), sitting=sitting
    )
    export = RegisterExport(
        tenant_id=tenant.id,
        assembly_id=assembly.id,
        scope=ExportScope.SITTING if sitting is not None else ExportScope.YEAR,
        sitting_id=sitting.id if sitting is not None else None,
        year=year,
        acts=sum(len(record.acts) for record in records),
        blob_id=blob.id,
        request_id=request.id,
        created_by_id=actor.id,
    )
    db.session.add(export)
    db.session.flush()
    record(
        "register.exported",
        tenant_id=tenant.id,
        actor_id=actor.id,
        obj=export,
        data={
            "scope": export.scope.value,
            "sitting_id": export.sitting_id,
            "year": year,
            "acts": export.acts,
            "sha256": blob.sha256,
            "request_id": request.id,
        },
    )
    return export


def export_sitting(sitting: Sitting, actor: Person) -> RegisterExport:
    """The register of one held sitting, put to the signature of its president and secretary."""
    if sitting.status not in HELD:
        raise RegisterError("Le registre d'une séance s'exporte une fois la séance close.")
    day = sitting_day(sitting)
    return _export(
        sitting.tenant,
        sitting.assembly,
        [record_of(sitting)],
        title=f"Registre des délibérations — séance du {day.strftime('%d/%m/%Y')}",
        filename=f"registre-seance-{day.isoformat()}.pdf",
        signers=_signers(sitting, sitting.assembly),
        actor=actor,
        sitting=sitting,
    )


def export_year(assembly: Assembly, year: int, actor: Person) -> RegisterExport:
    """The register of one year of the assembly, every held sitting with its closing page, to the president."""
    sittings = held_sittings(assembly, year)
    if not sittings:
        raise RegisterError(f"Aucune séance close en {year} : le registre de l'année est vide.")
    return _export(
        assembly.tenant,
        assembly,
        [record_of(sitting) for sitting in sittings],
        title=f"Registre des délibérations — année {year}",
        filename=f"registre-{year}.pdf",
        signers=_signers(None, assembly),
        actor=actor,
        year=year,
    )


def exports_of(assembly: Assembly, sitting: Sitting | None = None, year: int | None = None) -> list[RegisterExport]:
    query = sa.select(RegisterExport).where(RegisterExport.assembly_id == assembly.id)
    if sitting is not None:
        query = query.where(RegisterExport.sitting_id == sitting.id)
    if year is not None:
        query = query.where(RegisterExport.year == year)
    return list(db.session.execute(query.order_by(RegisterExport.id.desc())).scalars())


def export_file(export: RegisterExport):
    """(blob, signed): the file signed by all once it is, else the export as rendered."""
    request = export.request
    if request is not None and request.status == RequestStatus.SIGNED:
        return request.current_blob, True
    return export.blob, False
