"""The search of a portal: by number, by date of decision (a range), by @ctes subject code (a code and the codes
under it: "8" finds "8.5") and by words of the title (every word, without accents nor case), newest put online
first, a page at a time. Only the collectivity's publications are searched: nothing else is read."""

import dataclasses
import math
from datetime import date

import sqlalchemy as sa

from saas.core.extensions import db
from saas.portal.models import Publication, PublicationKind
from saas.portal.operations import searchable
from saas.tenancy.models import Tenant

PAGE_SIZE = 20
#: a page number beyond this is refused (400), not looked for
MAX_PAGE = 10_000
MAX_WORDS = 10


@dataclasses.dataclass(frozen=True)
class Criteria:
    number: str = ""
    from_day: date | None = None
    to_day: date | None = None
    subject_code: str = ""
    words: str = ""
    kind: PublicationKind | None = None
    page: int = 1

    @property
    def any(self) -> bool:
        return bool(self.number or self.from_day or self.to_day or self.subject_code or self.words or self.kind)


@dataclasses.dataclass(frozen=True)
class Results:
    items: list[Publication]
    total: int
    page: int
    pages: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def query(tenant: Tenant, criteria: Criteria) -> sa.Select:
    statement = sa.select(Publication).where(Publication.tenant_id == tenant.id)
    if criteria.number:
        statement = statement.where(Publication.number.like(_like(criteria.number), escape="\\"))
    if criteria.from_day:
        statement = statement.where(Publication.decided_on >= criteria.from_day)
    if criteria.to_day:
        statement = statement.where(Publication.decided_on <= criteria.to_day)
    if criteria.subject_code:
        code = criteria.subject_code
        statement = statement.where(
            sa.or_(Publication.subject_code == code, Publication.subject_code.like(_like(code + ".")[1:], escape="\\"))
        )
    if criteria.kind:
        statement = statement.where(Publication.kind == criteria.kind)
    for word in searchable(criteria.words).split()[:MAX_WORDS]:
        statement = statement.where(Publication.search_text.like(_like(word), escape="\\"))
    return statement


def search(tenant: Tenant, criteria: Criteria) -> Results:
    statement = query(tenant, criteria)
    total = db.session.execute(sa.select(sa.func.count()).select_from(statement.subquery())).scalar_one()
    items = list(
        db.session.execute(
            statement.order_by(Publication.published_at.desc(), Publication.id.desc())
            .limit(PAGE_SIZE)
            .offset((criteria.page - 1) * PAGE_SIZE)
        ).scalars()
    )
    return Results(items, total, criteria.page, max(1, math.ceil(total / PAGE_SIZE)))


def latest(tenant: Tenant, count: int = 50) -> list[Publication]:
    """The last publications put online, for the feed."""
    return list(
        db.session.execute(
            sa.select(Publication)
            .where(Publication.tenant_id == tenant.id)
            .order_by(Publication.published_at.desc(), Publication.id.desc())
            .limit(count)
        ).scalars()
    )
