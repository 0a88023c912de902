"""Licences and usage, and the paper saved: counts across the member collectivities, never contents.

Sittings, convocations and documents are tenant-owned. The functions here read them as the system and
return numbers only (how many logins, documents, pages), which is all the coordinator may see of them.
"""

import dataclasses
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.core.extensions import db
from saas.documents.models import Document, DocumentVersion
from saas.groupement.devices.operations import ELECTED_ROLES
from saas.groupement.models import Membership, PurchasingGroup
from saas.groupement.operations import memberships
from saas.identity.models import LoginSession, Mandate
from saas.sittings.convocations.models import Convocation
from saas.sittings.models import AgendaItem, Sitting, SittingStatus


@dataclasses.dataclass(frozen=True)
class Usage:
    membership: Membership
    #: licences bought
    seats: int
    #: persons with a current elected mandate there who logged in during the period
    active_members: int
    #: login sessions opened during the period by those persons
    logins: int
    #: document versions × recipients of the sittings convened during the period
    documents_distributed: int

    @property
    def seats_exceeded(self) -> bool:
        return self.active_members > self.seats


def _moments(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as UTC instants: from the first day's midnight to the midnight after the last day."""
    return datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)


def _elected_on(tenant_id: int, on: date):
    return sa.select(Mandate.person_id).where(
        Mandate.tenant_id == tenant_id,
        Mandate.role.in_(ELECTED_ROLES),
        Mandate.in_office_on(on),
    )


def usage(group: PurchasingGroup, start: date, end: date) -> list[Usage]:
    """Seats and use of every member collectivity over [start, end] (membership current at ``end``)."""
    since, until = _moments(start, end)
    distributed = {tenant_id: documents for tenant_id, (_, documents) in _distribution(since, until).items()}
    rows = []
    with context(db.session, SYSTEM):
        for membership in memberships(group):
            elected = _elected_on(membership.tenant_id, end)
            count, active = db.session.execute(
                sa.select(sa.func.count(LoginSession.id), sa.func.count(sa.distinct(LoginSession.person_id))).where(
                    LoginSession.person_id.in_(elected),
                    LoginSession.created_at >= since,
                    LoginSession.created_at < until,
                )
            ).one()
            rows.append(
                Usage(
                    membership=membership,
                    seats=membership.seats,
                    active_members=active,
                    logins=count,
                    documents_distributed=distributed.get(membership.tenant_id, 0),
                )
            )
    return rows


def _distributed_rows(since: datetime | None = None, until: datetime | None = None):
    """Per convocation sent in a convened sitting: (tenant, sent at, pages of its documents, versions).

    Every version of every document of the sitting's items counts (a replacement is sent again);
    withdrawn documents and items do not.
    """
    query = (
        sa.select(
            Convocation.tenant_id,
            Convocation.created_at,
            sa.func.coalesce(sa.func.sum(DocumentVersion.page_count), 0),
            sa.func.count(DocumentVersion.id),
        )
        .join(Sitting, Sitting.id == Convocation.sitting_id)
        .join(AgendaItem, sa.and_(AgendaItem.sitting_id == Sitting.id, AgendaItem.withdrawn_at.is_(None)))
        .join(Document, sa.and_(Document.report_id == AgendaItem.report_id, sa.not_(Document.withdrawn)))
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(Sitting.status != SittingStatus.DRAFT)
        .group_by(Convocation.id, Convocation.tenant_id, Convocation.created_at)
    )
    if since is not None:
        query = query.where(Convocation.created_at >= since, Convocation.created_at < until)
    with context(db.session, SYSTEM):
        return db.session.execute(query).all()


def _distribution(since: datetime, until: datetime) -> dict[int, tuple[int, int]]:
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for tenant_id, _, pages, versions in _distributed_rows(since, until):
        totals[tenant_id][0] += pages
        totals[tenant_id][1] += versions
    return {tenant_id: (pages, versions) for tenant_id, (pages, versions) in totals.items()}


@dataclasses.dataclass(frozen=True)
class PaperSaved:
    """Pages sent digitally (page count × recipients) per member collectivity and month."""

    #: "YYYY-MM", oldest first
    months: list[str]
    #: tenant id -> name, in the members' order
    tenants: dict[int, str]
    #: (tenant id, month) -> pages
    pages: dict[tuple[int, str], int]

    def total(self, tenant_id: int | None = None) -> int:
        return sum(n for (t, _), n in self.pages.items() if tenant_id is None or t == tenant_id)


def paper_saved(group: PurchasingGroup) -> PaperSaved:
    members = {m.tenant_id: m.tenant.name for m in memberships(group)}
    pages: dict[tuple[int, str], int] = defaultdict(int)
    for tenant_id, sent_at, page_count, _ in _distributed_rows():
        if tenant_id in members:
            pages[(tenant_id, f"{sent_at:%Y-%m}")] += page_count
    months = sorted({month for _, month in pages})
    return PaperSaved(months=months, tenants=members, pages=dict(pages))
