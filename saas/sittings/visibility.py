"""Who reads closed-session (huis clos) items: "members and staff" (issue 3) — the assembly's elected
members, the secretary of the sitting and its agents — and the secretariat that prepares the sitting; not
guests. The one rule behind the sitting page, the API and the inbox's unread documents.
"""

from collections.abc import Iterable

from saas.identity.models import MandateRole

CONFIDENTIAL_ROLES = (MandateRole.MEMBER, MandateRole.PRESIDENT, MandateRole.SECRETARY_OF_SITTING, MandateRole.STAFF)


def reads_closed_session(manager: bool, roles_on_sitting_day: Iterable[MandateRole]) -> bool:
    """``manager``: the caller manages the sitting; ``roles_on_sitting_day``: the roles of their mandates in
    the sitting's assembly on the sitting's day."""
    return manager or any(role in CONFIDENTIAL_ROLES for role in roles_on_sitting_day)
