"""Notice periods (délais de convocation) of the CGCT, counted in the tenant's time zone.

The number of days, how they count ("clear": jours francs, neither the day of sending nor the day of
the sitting counts; "plain": calendar days before the sitting) and the article come from
saas.tenancy.legal_rules, never from here. A deadline is the last instant of the last day on which the
convocation may leave, in the tenant's own time zone, so daylight-saving changes never move it.

Not handled: the first sitting after a renewal (L2121-7, 3 jours francs) — legal_rules.toml has no
value for it yet, so it is not encoded here (see docs/sittings.md).
"""

import dataclasses
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from saas.sittings.models import Sitting
from saas.tenancy.legal_rules import LegalRules, tenant_rules
from saas.tenancy.models import Tenant

_END_OF_DAY = time.max  # 23:59:59.999999: any moment of the last allowed day is on time


@dataclasses.dataclass(frozen=True)
class NoticeTooLate:
    """Why a convocation sent at ``send_at`` would be too late; ``message`` is shown to the secretary."""

    message: str
    article: str
    deadline: datetime


def local_time(tenant: Tenant, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(tenant.timezone))


def urgency_applies(sitting: Sitting) -> bool:
    """Urgency shortens the notice only with a stated reason: an unreasoned urgency is no urgency."""
    return bool(sitting.urgency and (sitting.urgency_reason or "").strip())


def _notice(rules: LegalRules, sitting: Sitting) -> tuple[int, str]:
    """(days, counting). Urgency is "≥ 1 jour franc" for every kind of collectivity (rules.md), also
    where the ordinary notice counts plain days: legal_rules has no separate counting for it yet."""
    if urgency_applies(sitting):
        return rules.urgency_notice_days, "clear"
    return rules.notice_days, rules.notice_counting


def last_sending_day(sitting_day: date, days: int, counting: str) -> date:
    if counting == "clear":
        return sitting_day - timedelta(days=days + 1)
    return sitting_day - timedelta(days=days)


def latest_sending_time(tenant: Tenant, sitting: Sitting) -> datetime:
    """The last instant (aware, in the tenant's time zone) at which the convocation may be sent."""
    rules = tenant_rules(tenant)
    zone = ZoneInfo(tenant.timezone)
    sitting_day = sitting.starts_at.astimezone(zone).date()
    day = last_sending_day(sitting_day, *_notice(rules, sitting))
    return datetime.combine(day, _END_OF_DAY, tzinfo=zone)


def _french(moment: datetime, tenant: Tenant) -> str:
    zone = ZoneInfo(tenant.timezone)
    return format_datetime(moment, "EEEE d MMMM y 'à' HH'h'mm", locale="fr", tzinfo=zone)


def check_notice(tenant: Tenant, sitting: Sitting, send_at: datetime) -> NoticeTooLate | None:
    """None when a convocation sent at ``send_at`` respects the notice period, else why not."""
    if send_at.tzinfo is None:
        raise ValueError("send_at must be an aware datetime")
    deadline = latest_sending_time(tenant, sitting)
    if send_at <= deadline:
        return None
    rules = tenant_rules(tenant)
    days, counting = _notice(rules, sitting)
    unit = "jour franc" if counting == "clear" else "jour"
    count = f"{days} {unit}{'s' if days > 1 else ''}"
    kind = "en urgence " if urgency_applies(sitting) else ""
    message = (
        f"Convocation trop tardive : pour la séance du {_french(sitting.starts_at, tenant)}, la convocation "
        f"{kind}devait être envoyée au plus tard le {_french(deadline, tenant)} ({count} avant la séance, "
        f"article {rules.notice_article} du CGCT)."
    )
    if sitting.urgency and not urgency_applies(sitting):
        message += " L'urgence ne peut être retenue sans motif : le délai ordinaire s'applique."
    return NoticeTooLate(message=message, article=rules.notice_article, deadline=deadline)
