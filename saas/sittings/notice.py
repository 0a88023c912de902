"""Notice periods (délais de convocation) of the CGCT, counted in the tenant's time zone.

The number of days, how they count ("clear": jours francs, neither the day of sending nor the day of
the sitting counts; "plain": calendar days before the sitting) and the article come from
saas.tenancy.legal_rules, never from here. A deadline is the last instant of the last day on which the
convocation may leave, in the tenant's own time zone, so daylight-saving changes never move it.

Which period applies: urgency with a reason (≥ 1 jour franc); else, for the first sitting after a renewal
where the collectivity's rules have one (L2121-7: 3 jours francs), that one; else the ordinary notice.
"""

import dataclasses
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from saas.core import display
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


def renewal_applies(rules: LegalRules, sitting: Sitting) -> bool:
    return bool(sitting.first_after_renewal and rules.renewal_notice_days is not None)


def _notice(rules: LegalRules, sitting: Sitting) -> tuple[int, str, str]:
    """(days, counting, article). Urgency is "≥ 1 jour franc" for every kind of collectivity (rules.md),
    also where the ordinary notice counts plain days: legal_rules has no separate counting for it yet."""
    if urgency_applies(sitting):
        return rules.urgency_notice_days, "clear", rules.notice_article
    if renewal_applies(rules, sitting):
        return rules.renewal_notice_days, "clear", rules.renewal_notice_article
    return rules.notice_days, rules.notice_counting, rules.notice_article


def last_sending_day(sitting_day: date, days: int, counting: str) -> date:
    if counting == "clear":
        return sitting_day - timedelta(days=days + 1)
    return sitting_day - timedelta(days=days)


def latest_sending_time(tenant: Tenant, sitting: Sitting) -> datetime:
    """The last instant (aware, in the tenant's time zone) at which the convocation may be sent."""
    rules = tenant_rules(tenant)
    zone = ZoneInfo(tenant.timezone)
    sitting_day = sitting.starts_at.astimezone(zone).date()
    days, counting, _ = _notice(rules, sitting)
    day = last_sending_day(sitting_day, days, counting)
    return datetime.combine(day, _END_OF_DAY, tzinfo=zone)


def _french(moment: datetime, tenant: Tenant) -> str:
    return display.format_datetime(moment, "full", tenant, locale=display.DOCUMENT_LOCALE)


def check_notice(tenant: Tenant, sitting: Sitting, send_at: datetime) -> NoticeTooLate | None:
    """None when a convocation sent at ``send_at`` respects the notice period, else why not."""
    if send_at.tzinfo is None:
        raise ValueError("send_at must be an aware datetime")
    deadline = latest_sending_time(tenant, sitting)
    if send_at <= deadline:
        return None
    rules = tenant_rules(tenant)
    days, counting, article = _notice(rules, sitting)
    plural = "s" if days > 1 else ""
    count = f"{days} jour{plural} franc{plural}" if counting == "clear" else f"{days} jour{plural}"
    kind = "en urgence " if urgency_applies(sitting) else ""
    if not kind and renewal_applies(rules, sitting):
        kind = "de la première séance après le renouvellement "
    message = (
        f"Convocation trop tardive : pour la séance du {_french(sitting.starts_at, tenant)}, la convocation "
        f"{kind}devait être envoyée au plus tard le {_french(deadline, tenant)} ({count} avant la séance, "
        f"article {article} du CGCT)."
    )
    if sitting.urgency and not urgency_applies(sitting):
        message += " L'urgence ne peut être retenue sans motif : le délai ordinaire s'applique."
    return NoticeTooLate(message=message, article=article, deadline=deadline)
