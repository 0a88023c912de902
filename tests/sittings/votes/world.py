"""A council on the day of its sitting, for the roll call and the votes tests (a plain module, not a conftest):
a president, members, a secretariat, a convened sitting with items, the members' answers and proxies, and,
unless told otherwise, the sitting opened and its roll call confirmed as the answers suggested.

People are numbered: 0 is the president, 1..n the members (last names "M01"…, so they sort in that order).
"""

import dataclasses
from datetime import UTC, datetime

from saas.core.database import utcnow
from saas.identity.models import GrantKind, MandateRole, Person
from saas.sittings.attendance import operations as attendance
from saas.sittings.models import AgendaItem, AttendanceAnswer, Sitting
from saas.sittings.roll_call import operations as roll_call
from saas.tenancy.models import Tenant, TenantKind

#: the sitting of the fixtures (Monday 15 March 2027, 18:00 in Paris) and a moment of that day before it
SITTING_AT = datetime(2027, 3, 15, 17, 0, tzinfo=UTC)
OPENING_DAY = datetime(2027, 3, 15, 16, 45, tzinfo=UTC)


@dataclasses.dataclass
class Council:
    tenant: Tenant
    sitting: Sitting
    items: list[AgendaItem]
    people: list[Person]
    secretariat: Person

    @property
    def president(self) -> Person:
        return self.people[0]

    @property
    def members(self) -> list[Person]:
        return self.people[1:]

    def item(self, number: int = 1) -> AgendaItem:
        return self.items[number - 1]


def build(
    fixtures,
    *,
    kind: TenantKind = TenantKind.COMMUNE,
    population: int = 10000,
    members: int = 6,
    items: int = 2,
    remote_allowed: bool = False,
    absent: tuple[int, ...] = (),
    remote: tuple[int, ...] = (),
    proxies: tuple[tuple[int, int], ...] = (),
    opened: bool = True,
    confirmed: bool = True,
    slug: str | None = None,
    reconvened_from: Sitting | None = None,
) -> Council:
    """``fixtures``: an object with the suite's factories (create_tenant, create_person, give_mandate, give_grant,
    create_sitting, in_tenant). ``absent``/``remote``: the numbers of people who answered so (the others answered
    present); ``proxies``: (giver, holder) numbers."""
    tenant = fixtures.create_tenant(slug=slug, kind=kind, population=population)
    people = [fixtures.create_person(first_name="Paul", last_name="Président")]
    people += [fixtures.create_person(first_name="Membre", last_name=f"M{n:02d}") for n in range(1, members + 1)]
    fixtures.give_mandate(people[0], tenant, role=MandateRole.PRESIDENT)
    for person in people[1:]:
        fixtures.give_mandate(person, tenant)
    secretariat = fixtures.create_person(first_name="Sonia", last_name="Secrétariat")
    fixtures.give_grant(secretariat, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    sitting = fixtures.create_sitting(tenant, starts_at=SITTING_AT, items=items, remote_allowed=remote_allowed)
    with fixtures.in_tenant(tenant):
        if reconvened_from is not None:
            sitting.reconvened_from_id = reconvened_from.id
        givers = {giver for giver, _ in proxies}
        for number, person in enumerate(people):
            if number in givers:
                continue
            answer = AttendanceAnswer.PRESENT
            if number in absent:
                answer = AttendanceAnswer.ABSENT
            elif number in remote:
                answer = AttendanceAnswer.REMOTE
            attendance.answer_attendance(person, sitting, answer)
        for giver, holder in proxies:
            attendance.give_proxy(people[giver], people[holder], sitting)
        agenda = sorted(
            fixtures.session.query(AgendaItem).filter_by(sitting_id=sitting.id).all(), key=lambda item: item.position
        )
        if opened:
            roll_call.open_sitting(sitting, secretary=people[1], actor=secretariat, now=utcnow())
            if confirmed:
                roll_call.confirm_roll_call(sitting, [], actor=secretariat, confirm_all=True)
    return Council(tenant=tenant, sitting=sitting, items=agenda, people=people, secretariat=secretariat)
