"""Tables of saas.groupement.contracts.schemas."""

from datetime import date

from saas.groupement.models import Milestone
from saas.groupement.schemas import (
    MilestoneSchema,
)


def milestone_view(milestone: Milestone) -> dict:
    """A milestone as the API shows it, with its overdue alert (also in the group's summary)."""
    return {**MilestoneSchema().dump(milestone), "overdue": milestone.is_overdue(date.today())}
