"""Tables of saas.sittings.presentation."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from saas.core import display
from saas.core.urls import external_url
from saas.sittings import forms
from saas.sittings.models import STATUS_LABELS, AttendanceAnswer, Sitting
from saas.tenancy.models import Tenant

MEMBER_ANSWERS = (AttendanceAnswer.PRESENT, AttendanceAnswer.REMOTE, AttendanceAnswer.ABSENT)


def local_datetime(tenant: Tenant, moment: datetime) -> str:
    return display.format_datetime(moment, "full", tenant)


def to_utc(tenant: Tenant, day: date, time) -> datetime:
    """A wall-clock time in the collectivity's time zone, as an aware UTC datetime."""
    return datetime.combine(day, time, tzinfo=ZoneInfo(tenant.timezone)).astimezone(UTC)


def local_day_and_time(tenant: Tenant, moment: datetime):
    """The day and the wall-clock time of ``moment`` in the collectivity's time zone (the forms' fields)."""
    local = moment.astimezone(ZoneInfo(tenant.timezone))
    return local.date(), local.time().replace(tzinfo=None, second=0, microsecond=0)


#: tenant badges in the inbox: one of these colours per collectivity (its id modulo their number), always
#: with the collectivity's name in it, so the colour is never the only cue
BADGE_COLOURS = 8


def labels():
    """What the sittings' templates use to show statuses, answers and local times."""
    return {"status_labels": STATUS_LABELS, "answer_labels": forms.ANSWER_LABELS}


def french_datetime(tenant, moment: datetime) -> str:
    """e.g. "lundi 15 mars 2027 à 18h00", in the tenant's time zone (mails and documents are French)."""
    return display.format_datetime(moment, "full", tenant, locale=display.DOCUMENT_LOCALE)


def sitting_link(sitting: Sitting) -> str:
    """The sitting page, absolute (mails and PDFs are read outside the application); a literal path
    because jobs build it with no request to route from."""
    return external_url(f"/t/{sitting.tenant.slug}/s/{sitting.id}")
