"""Tables of saas.sittings.presentation."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from saas.core import display
from saas.sittings import forms
from saas.sittings.models import STATUS_LABELS, AttendanceAnswer
from saas.tenancy.models import Tenant

MEMBER_ANSWERS = (AttendanceAnswer.PRESENT, AttendanceAnswer.REMOTE, AttendanceAnswer.ABSENT)


def local_datetime(tenant: Tenant, moment: datetime) -> str:
    return display.format_datetime(moment, "full", tenant)


def to_utc(tenant: Tenant, day: date, time) -> datetime:
    """A wall-clock time in the collectivity's time zone, as an aware UTC datetime."""
    return datetime.combine(day, time, tzinfo=ZoneInfo(tenant.timezone)).astimezone(UTC)


#: tenant badges in the inbox: one of these colours per collectivity (its id modulo their number), always
#: with the collectivity's name in it, so the colour is never the only cue
BADGE_COLOURS = 8


def labels():
    """What the sittings' templates use to show statuses, answers and local times."""
    return {"status_labels": STATUS_LABELS, "answer_labels": forms.ANSWER_LABELS}
