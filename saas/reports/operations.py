"""Services, drafter grants and reports: create and edit (never delete). No request, no commit."""

import dataclasses
import re
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from saas.audit.operations import record
from saas.core.database import utcnow
from saas.core.errors import DomainError
from saas.core.extensions import db
from saas.identity.models import GrantKind, Person, TenantGrant
from saas.reports import access
from saas.reports.models import SUBJECT_CODE_PATTERN, Report, ReportStatus, Service
from saas.sittings.convocations.operations import add_supplement_item
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.operations import add_item
from saas.tenancy.models import Assembly, Tenant


class ReportError(DomainError):
    """A report, service or drafter grant refused by the rules (message in French)."""


def create_service(tenant: Tenant, name: str, *, head: Person | None, actor: Person | None) -> Service:
    name = name.strip()
    if not name:
        raise ReportError("Le nom du service est obligatoire.", field="name")
    existing = db.session.execute(
        sa.select(Service).where(Service.tenant_id == tenant.id, Service.name == name)
    ).scalar_one_or_none()
    if existing is not None:
        raise ReportError(f"Un service « {name} » existe déjà.", field="name")
    service = Service(tenant_id=tenant.id, name=name, head_person=head)
    db.session.add(service)
    db.session.flush()
    record(
        "service.created",
        tenant_id=tenant.id,
        actor_id=actor.id if actor else None,
        obj=service,
        data={"name": name, "head_person_id": head.id if head else None},
    )
    return service


def set_service_head(service: Service, head: Person | None, *, actor: Person | None) -> None:
    service.head_person = head
    db.session.flush()
    record(
        "service.head_changed",
        tenant_id=service.tenant_id,
        actor_id=actor.id if actor else None,
        obj=service,
        data={"head_person_id": head.id if head else None},
    )


def give_drafter_grant(person: Person, service: Service, *, actor: Person | None) -> TenantGrant:
    """Let ``person`` draft reports in ``service`` (idempotent: a second call returns the same grant)."""
    if service.archived:
        raise ReportError(f"Le service « {service.name} » est archivé.")
    existing = db.session.execute(
        sa.select(TenantGrant).where(
            TenantGrant.tenant_id == service.tenant_id,
            TenantGrant.person_id == person.id,
            TenantGrant.kind == GrantKind.DRAFTER,
            TenantGrant.service_id == service.id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    grant = TenantGrant(tenant_id=service.tenant_id, person=person, kind=GrantKind.DRAFTER, service_id=service.id)
    db.session.add(grant)
    db.session.flush()
    record(
        "grant.created",
        tenant_id=service.tenant_id,
        actor_id=actor.id if actor else None,
        obj=grant,
        data={"person_id": person.id, "kind": GrantKind.DRAFTER.value, "service_id": service.id},
    )
    return grant


def drafts_in(person: Person, service: Service) -> bool:
    return access.drafts_in_service(person, service.tenant_id, service.id)


@dataclasses.dataclass
class ReportFields:
    """What a drafter writes; checked by ``_check`` against the report's collectivity."""

    title: str
    subject_code: str
    assembly: Assembly
    sitting: Sitting | None = None
    rapporteur: Person | None = None


def _check(tenant_id: int, fields: ReportFields) -> None:
    title = fields.title.strip()
    if not title:
        raise ReportError("L'objet du rapport est obligatoire.", field="title")
    if len(title) > 499:
        raise ReportError("L'objet du rapport dépasse 499 caractères (limite @ctes).", field="title")
    if not re.fullmatch(SUBJECT_CODE_PATTERN, fields.subject_code or ""):
        raise ReportError(
            f"« {fields.subject_code} » n'est pas un code matière @ctes : attendu un chiffre, un point et un ou"
            " deux chiffres, par exemple « 7.1 ».",
            field="subject_code",
        )
    if fields.assembly.tenant_id != tenant_id:
        raise ReportError("Cette assemblée n'appartient pas à la collectivité.", field="assembly")
    if fields.assembly.archived:
        raise ReportError(f"L'assemblée « {fields.assembly.name} » est archivée.", field="assembly")
    if fields.sitting is not None and (
        fields.sitting.tenant_id != tenant_id or fields.sitting.assembly_id != fields.assembly.id
    ):
        raise ReportError("La séance visée n'est pas une séance de l'assemblée choisie.", field="sitting")


def create_report(drafter: Person, service: Service, fields: ReportFields, *, actor: Person | None = None) -> Report:
    """A new draft report of ``drafter`` (who must draft in ``service``)."""
    if service.archived:
        raise ReportError(f"Le service « {service.name} » est archivé.", field="service")
    if not drafts_in(drafter, service):
        raise ReportError(f"{drafter.full_name} ne rédige pas pour le service « {service.name} ».", field="service")
    _check(service.tenant_id, fields)
    report = Report(
        tenant_id=service.tenant_id,
        drafter=drafter,
        service=service,
        title=fields.title.strip(),
        subject_code=fields.subject_code,
        assembly=fields.assembly,
        sitting_id=fields.sitting.id if fields.sitting else None,
        rapporteur=fields.rapporteur,
    )
    db.session.add(report)
    db.session.flush()
    record(
        "report.created",
        tenant_id=report.tenant_id,
        actor_id=(actor or drafter).id,
        obj=report,
        data={"title": report.title, "subject_code": report.subject_code, "service_id": service.id},
    )
    return report


def edit_report(report: Report, fields: ReportFields, *, actor: Person) -> Report:
    """Change a report while it is a draft or refused; frozen while its circuit runs and once ready."""
    if not report.editable:
        raise ReportError("Ce rapport est en cours de validation ou validé : il ne peut plus être modifié.")
    _check(report.tenant_id, fields)
    report.title = fields.title.strip()
    report.subject_code = fields.subject_code
    report.assembly = fields.assembly
    report.sitting_id = fields.sitting.id if fields.sitting else None
    report.rapporteur = fields.rapporteur
    report.updated_at = utcnow()
    db.session.flush()
    record(
        "report.edited",
        tenant_id=report.tenant_id,
        actor_id=actor.id,
        obj=report,
        data={"title": report.title, "subject_code": report.subject_code, "version": report.version},
    )
    return report


def reports_of(tenant: Tenant, status: ReportStatus | None = None) -> list[Report]:
    query = sa.select(Report).where(Report.tenant_id == tenant.id).order_by(Report.id)
    if status is not None:
        query = query.where(Report.status == status)
    return list(db.session.execute(query).scalars())


# --- Reports and agendas ----------------------------------------------------------------------------------

#: the service that holds the reports the secretariat makes by uploading onto an agenda item
SECRETARIAT_SERVICE = "Secrétariat des assemblées"


def secretariat_service(tenant_id: int) -> Service:
    """The collectivity's « Secrétariat des assemblées » service, made on first need; two requests making it at
    once (documents uploaded onto several items together) share the one the first committed."""
    query = sa.select(Service).where(Service.tenant_id == tenant_id, Service.name == SECRETARIAT_SERVICE)
    service = db.session.execute(query).scalar_one_or_none()
    if service is not None:
        return service
    try:
        with db.session.begin_nested():
            service = Service(tenant_id=tenant_id, name=SECRETARIAT_SERVICE)
            db.session.add(service)
    except IntegrityError:
        service = db.session.execute(query).scalar_one()
    return service


def report_for_item(item: AgendaItem, *, actor: Person | None) -> Report:
    """The item's report; an item without one (the secretariat uploads a first document onto it) gets one
    now, ready (it is on the agenda already, without a circuit), with the item's title and subject."""
    if item.report is not None:
        return item.report
    sitting = item.sitting
    report = Report(
        tenant_id=item.tenant_id,
        drafter=actor,
        service=secretariat_service(item.tenant_id),
        title=item.title[:499],
        subject_code=item.subject_code,
        rapporteur_id=item.rapporteur_id,
        assembly_id=sitting.assembly_id,
        sitting_id=sitting.id,
        status=ReportStatus.READY,
    )
    db.session.add(report)
    db.session.flush()
    item.report = report
    db.session.flush()
    record(
        "report.made_for_item",
        tenant_id=report.tenant_id,
        actor_id=actor.id if actor else None,
        obj=report,
        data={"agenda_item_id": item.id, "sitting_id": sitting.id, "title": report.title},
    )
    return report


#: from the areas above: the committee opinion an agenda item quotes for a report (the circuits' opinions)
_opinion_sources: list[Callable[[Report], str | None]] = []


def quote_opinions_from(source: Callable[[Report], str | None]) -> None:
    """Let ``source(report)`` give the committee opinion an agenda item of ``report`` quotes when placed without
    one (« Avis favorable unanime de la Commission n° 1 »); a source given twice counts once."""
    if source not in _opinion_sources:
        _opinion_sources.append(source)


def place_on_agenda(
    report: Report,
    sitting: Sitting,
    *,
    actor: Person | None,
    title: str | None = None,
    confidential: bool = False,
    committee_opinion: str | None = None,
) -> AgendaItem:
    """Put ``report`` on the agenda of ``sitting``: on its own assembly's once its circuit is complete; on
    another assembly's (the committee that gives its opinion) once it was submitted. A draft sitting takes it
    as an item; a convened one by a convocation complémentaire to everyone convened, refused (with the
    article) when the notice period no longer holds (saas.sittings.convocations.add_supplement_item)."""
    if sitting.tenant_id != report.tenant_id:
        raise ReportError("Cette séance n'appartient pas à la collectivité du rapport.", field="sitting")
    own_assembly = sitting.assembly_id == report.assembly_id
    if own_assembly and report.status != ReportStatus.READY:
        raise ReportError(
            f"Ce rapport n'a pas terminé son circuit de validation : il ne peut pas encore être inscrit à l'ordre"
            f" du jour de « {sitting.assembly.name} ».",
            field="sitting",
        )
    if not own_assembly and report.status not in (ReportStatus.IN_CIRCUIT, ReportStatus.READY):
        raise ReportError("Soumettez d'abord ce rapport à son circuit de validation.", field="sitting")
    already = db.session.execute(
        sa.select(AgendaItem.id).where(
            AgendaItem.sitting_id == sitting.id, AgendaItem.report_id == report.id, AgendaItem.withdrawn_at.is_(None)
        )
    ).first()
    if already is not None:
        raise ReportError("Ce rapport est déjà inscrit à l'ordre du jour de cette séance.", field="sitting")
    if committee_opinion is None:
        committee_opinion = next(filter(None, (source(report) for source in _opinion_sources)), None)
    values = dict(
        title=title or report.title[:500],
        actor=actor,
        rapporteur=report.rapporteur if own_assembly else None,
        subject_code=report.subject_code,
        committee_opinion=committee_opinion,
        confidential=confidential,
    )
    if sitting.status == SittingStatus.CONVENED:
        item, _notice = add_supplement_item(sitting, report_id=report.id, **values)
    else:
        item = add_item(sitting, **values)
    item.report = report
    db.session.flush()
    record(
        "report.placed_on_agenda",
        tenant_id=report.tenant_id,
        actor_id=actor.id if actor else None,
        obj=report,
        data={"agenda_item_id": item.id, "sitting_id": sitting.id, "position": item.position},
    )
    return item
