"""Who prepares and reads an act's transmission: the secretariat of its assembly and the collectivity's admins,
those who manage the act (``saas.acts.access.load_managed_act``); anyone else, and another collectivity's act,
answers 404 exactly like a missing act."""

from flask import abort

from saas.acts.access import load_managed_act
from saas.acts.models import Deliberation
from saas.identity.models import Person
from saas.prefecture.models import Transmission
from saas.prefecture.operations import latest_transmission
from saas.tenancy.models import Tenant


def load_transmission(tenant: Tenant, act_id: int, person: Person) -> tuple[Deliberation, Transmission]:
    """The act the caller manages and its latest transmission; 404 if either is missing."""
    act = load_managed_act(tenant, act_id, person)
    transmission = latest_transmission(act)
    if transmission is None:
        abort(404)
    return act, transmission
