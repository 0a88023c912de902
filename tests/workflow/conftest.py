"""A collectivity ready for circuits: a council and a committee, a service with its head, a drafter, two
validators, a secretary, a holder of the urgent-validation right; factories for circuits and reports.

Built with the shared factories (create_tenant, create_person, give_mandate, give_grant) by name only.
"""

import dataclasses
from datetime import date

import pytest

from saas.core.database import SYSTEM, TenantContext, context
from saas.identity.models import GrantKind, MandateRole, Person
from saas.reports import operations as reports
from saas.reports.models import Report, Service
from saas.tenancy.models import Assembly, AssemblyKind, Tenant
from saas.workflow import definitions
from saas.workflow.models import WorkflowDefinition


@dataclasses.dataclass
class Collectivity:
    tenant: Tenant
    council: Assembly
    committee: Assembly
    service: Service
    drafter: Person
    head: Person
    validator_a: Person
    validator_b: Person
    other_member: Person
    secretary: Person
    urgent: Person
    committee_president: Person


def step(key: str, who: dict, **values) -> dict:
    return {
        "key": key,
        "name": values.pop("name", f"Étape {key}"),
        "kind": values.pop("kind", "approval"),
        "who": who,
    } | values


def persons(*people: Person) -> dict:
    return {"kind": "persons", "emails": [person.email for person in people]}


@pytest.fixture
def acting(session):
    """Run a block as ``person`` inside ``tenant``, as a request of theirs would (ORM filter and RLS on)."""

    def enter(person: Person, tenant: Tenant):
        return context(session, TenantContext(tenant_id=tenant.id, person_id=person.id))

    return enter


@pytest.fixture
def make_collectivity(session, create_tenant, create_person, give_mandate, give_grant):
    def make(**tenant_values) -> Collectivity:
        tenant = create_tenant(**tenant_values)
        with context(session, SYSTEM):
            council = tenant.assemblies[0]
            committee = Assembly(
                tenant_id=tenant.id, key="commission-1", name="Commission n° 1", kind=AssemblyKind.COMMITTEE
            )
            session.add(committee)
            session.flush()
            people = {
                name: create_person(first_name=name.capitalize())
                for name in (
                    "drafter",
                    "head",
                    "validator_a",
                    "validator_b",
                    "other_member",
                    "secretary",
                    "urgent",
                    "committee_president",
                )
            }
            for name in ("validator_a", "validator_b", "other_member"):
                give_mandate(people[name], tenant, council)
            give_mandate(people["committee_president"], tenant, committee, role=MandateRole.PRESIDENT)
            give_grant(people["secretary"], tenant, GrantKind.SECRETARY, assembly=council)
            give_grant(people["urgent"], tenant, GrantKind.URGENT_VALIDATOR)
            give_grant(people["head"], tenant, GrantKind.TENANT_ADMIN)
            service = reports.create_service(tenant, "Direction du numérique", head=people["head"], actor=None)
            reports.give_drafter_grant(people["drafter"], service, actor=None)
        return Collectivity(tenant=tenant, council=council, committee=committee, service=service, **people)

    return make


@pytest.fixture
def city(make_collectivity) -> Collectivity:
    return make_collectivity()


@pytest.fixture
def make_circuit(session):
    def make(
        place: Collectivity, *steps: dict, key: str = "circuit-test", assembly_kind: str = "council"
    ) -> WorkflowDefinition:
        raw = {
            "key": key,
            "name": f"Circuit {key}",
            "applies_to": "reports",
            "assembly_kind": assembly_kind,
            "steps": list(steps),
        }
        with context(session, SYSTEM):
            return definitions.create_definition(place.tenant, raw, actor=None)

    return make


@pytest.fixture
def make_report(session):
    def make(place: Collectivity, title: str = "Équipement numérique — dématérialisation", **values) -> Report:
        fields = reports.ReportFields(
            title=title,
            subject_code=values.pop("subject_code", "8.5"),
            assembly=values.pop("assembly", place.council),
            **values,
        )
        with context(session, SYSTEM):
            return reports.create_report(place.drafter, place.service, fields)

    return make


@pytest.fixture
def today() -> date:
    return date.today()
