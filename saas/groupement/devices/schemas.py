"""Tables of saas.groupement.devices.schemas."""

from saas.groupement.devices import operations as devices
from saas.groupement.schemas import (
    SavingsSchema,
)


def savings_view(group) -> dict:
    """The saving as the API shows it, with the devices avoided (also in the group's summary)."""
    saving = devices.savings(group)
    return {**SavingsSchema().dump(saving), "devices_avoided": saving.devices_avoided}
