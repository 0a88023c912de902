"""The town of the circuits' fixtures with the shipped templates loaded and "avis-commission" adopted, and a
second collectivity with its own admin and circuit, for the editor's pages."""

import dataclasses

import pytest

from saas.core.database import SYSTEM, context
from saas.identity.models import GrantKind, Person
from saas.tenancy.models import Tenant
from saas.workflow import definitions
from saas.workflow.models import WorkflowDefinition
from tests.fixtures.workflow import SHIPPED


@dataclasses.dataclass
class Editing:
    town: object
    circuit: WorkflowDefinition
    other_tenant: Tenant
    other_admin: Person
    other_circuit: WorkflowDefinition

    def url(self, path: str = "", circuit: WorkflowDefinition | None = None) -> str:
        base = f"/t/{self.town.tenant.slug}/admin/circuits"
        if circuit is not None:
            base += f"/{circuit.id}"
        return f"{base}/{path}" if path else base


@pytest.fixture
def editing(session, town, make_collectivity, create_person, give_mandate, give_grant) -> Editing:
    other = make_collectivity(name="Collectivité voisine")
    other_admin = create_person(first_name="Bruno", last_name="Badmin")
    give_mandate(other_admin, other.tenant)
    give_grant(other_admin, other.tenant, GrantKind.TENANT_ADMIN)
    with context(session, SYSTEM):
        definitions.load_folder(SHIPPED)
        circuit = definitions.adopt_template(town.tenant, "avis-commission", actor=None)
        other_circuit = definitions.adopt_template(other.tenant, "avis-commission", actor=None)
    return Editing(town, circuit, other.tenant, other_admin, other_circuit)
