"""Expected quorum of a sitting, from the attendance answers and the tenant's legal rule.

Members in office (membres en exercice) are the persons holding, on the sitting's day, a member or
president mandate in the assembly — not Assembly.seats: a vacant seat is not a member in office, and the
quorum is computed on members in office (see docs/sittings.md).
"""

import dataclasses

import sqlalchemy as sa

from saas.core.extensions import db
from saas.sittings.attendance.models import Attendance
from saas.sittings.models import AttendanceAnswer, Sitting
from saas.sittings.operations import members_in_office
from saas.tenancy.legal_rules import tenant_rules

#: rule name -> the answers that count as present; proxies never count, and remote attendance does not
#: count either: L2121-17 requires physical presence, and no rule value says otherwise for départements
#: and régions yet (docs/sittings.md)
COUNTED_ANSWERS = {
    "half_physically_present": {AttendanceAnswer.PRESENT},
    "absolute_majority_in_office": {AttendanceAnswer.PRESENT},
}


@dataclasses.dataclass(frozen=True)
class QuorumStatus:
    #: members who must be present: more than half of the members in office
    required: int
    #: members in office who answered that they will be present
    present: int
    reached: bool
    rule: str
    article: str
    #: members in office on the sitting's day
    in_office: int


def quorum_status(sitting: Sitting) -> QuorumStatus:
    rules = tenant_rules(sitting.tenant)
    if rules.quorum_rule not in COUNTED_ANSWERS:
        raise LookupError(f"unknown quorum rule {rules.quorum_rule!r}")
    in_office = members_in_office(sitting)
    present = set(
        db.session.execute(
            sa.select(Attendance.person_id).where(
                Attendance.sitting_id == sitting.id,
                Attendance.tenant_id == sitting.tenant_id,
                Attendance.answer.in_(COUNTED_ANSWERS[rules.quorum_rule]),
            )
        ).scalars()
    )
    count = len(present & in_office)
    required = len(in_office) // 2 + 1
    return QuorumStatus(
        required=required,
        present=count,
        reached=bool(in_office) and count >= required,
        rule=rules.quorum_rule,
        article=rules.quorum_article,
        in_office=len(in_office),
    )
