"""One inbox across every mandate of a person, in every collectivity.

The crossing is made only through what the person may read: their own mandates (person-owned, readable
from any tenant). Then, per collectivity where they hold a mandate, the inbox enters that tenant's
context with the person's id — exactly what a request under /t/<slug>/ does after checking the mandate —
to read the sittings of their assemblies, their own answers and readings. It never uses the system
context, so the ORM filter and row-level security keep applying.

Unread documents are counted for all of a tenant's sittings in one query (documents.readings), whatever
the number of sittings; closed-session items count only where the person may read them (visibility).
"""

import dataclasses
from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa

from saas.core.database import TenantContext, context
from saas.core.extensions import db
from saas.documents.readings import unread_by_sitting
from saas.identity.access import can_manage
from saas.identity.models import Mandate, Person
from saas.sittings.attendance.models import Attendance
from saas.sittings.models import Sitting, SittingStatus
from saas.sittings.operations import sitting_day
from saas.sittings.visibility import reads_closed_session
from saas.tenancy.models import Assembly, Tenant

#: what a member sees: convened sittings and those in progress; drafts are the secretary's own
VISIBLE = (SittingStatus.CONVENED, SittingStatus.IN_PROGRESS)


@dataclasses.dataclass(frozen=True)
class InboxEntry:
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    assembly_id: int
    assembly_name: str
    sitting_id: int
    starts_at: datetime
    place: str
    status: SittingStatus
    #: the person's attendance answer, None when not answered yet
    answer: str | None
    #: current versions of the documents the person may see in the sitting that they have not downloaded
    unread_documents: int


def inbox_for(person: Person, today: date | None = None) -> list[InboxEntry]:
    """Upcoming sittings (convened or in progress) of every assembly where the person sits."""
    today = today or date.today()
    person = db.session.get(Person, person.id)  # attached: its grants are read below (can_manage)
    with context(db.session, TenantContext(person_id=person.id)):
        mandates = db.session.execute(
            sa.select(Mandate.tenant_id, Mandate.assembly_id, Mandate.start_date, Mandate.end_date, Mandate.role).where(
                Mandate.person_id == person.id, sa.or_(Mandate.end_date.is_(None), Mandate.end_date >= today)
            )
        ).all()
    periods = defaultdict(list)
    for tenant_id, assembly_id, start, end, role in mandates:
        periods[(tenant_id, assembly_id)].append((start, end, role))
    entries = []
    for tenant_id in sorted({tenant_id for tenant_id, _ in periods}):
        assembly_ids = [assembly_id for t, assembly_id in periods if t == tenant_id]
        with context(db.session, TenantContext(tenant_id=tenant_id, person_id=person.id)):
            entries += _tenant_entries(person, tenant_id, assembly_ids, periods)
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.tenant_id, entry.sitting_id))


def _tenant_entries(person: Person, tenant_id: int, assembly_ids: list[int], periods) -> list[InboxEntry]:
    rows = db.session.execute(
        sa.select(Sitting, Assembly, Tenant)
        .join(Assembly, Assembly.id == Sitting.assembly_id)
        .join(Tenant, Tenant.id == Sitting.tenant_id)
        .where(Sitting.tenant_id == tenant_id, Sitting.assembly_id.in_(assembly_ids), Sitting.status.in_(VISIBLE))
    ).all()
    answers = dict(
        db.session.execute(
            sa.select(Attendance.sitting_id, Attendance.answer).where(
                Attendance.person_id == person.id, Attendance.tenant_id == tenant_id
            )
        ).all()
    )
    seated = []
    for sitting, assembly, tenant in rows:
        day = sitting_day(sitting)
        mandates = periods[(tenant_id, assembly.id)]
        roles = [role for start, end, role in mandates if start <= day and (end is None or day <= end)]
        if roles:
            seated.append((sitting, assembly, tenant, roles))
    unread = unread_by_sitting(person.id, [sitting.id for sitting, *_ in seated])
    assemblies = {assembly.id: (assembly, tenant) for _, assembly, tenant, _ in seated}
    managed = {key: can_manage(person, "secretary", tenant, assembly) for key, (assembly, tenant) in assemblies.items()}
    entries = []
    for sitting, assembly, tenant, roles in seated:
        closed_session = reads_closed_session(managed[assembly.id], roles)
        answer = answers.get(sitting.id)
        entries.append(
            InboxEntry(
                tenant_id=tenant.id,
                tenant_slug=tenant.slug,
                tenant_name=tenant.name,
                assembly_id=assembly.id,
                assembly_name=assembly.name,
                sitting_id=sitting.id,
                starts_at=sitting.starts_at,
                place=sitting.place,
                status=sitting.status,
                answer=answer.value if answer else None,
                unread_documents=unread.get((sitting.id, False), 0)
                + (unread.get((sitting.id, True), 0) if closed_session else 0),
            )
        )
    return entries
