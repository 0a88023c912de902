"""A fresh installation with one collectivity, a two-step circuit and a report, committed for real: for the
tests whose transactions must be separate (concurrency, jobs run by a worker)."""

from flask import Flask

from saas.core.database import commit
from saas.identity import operations as identity
from saas.identity.models import GrantKind, Person
from saas.reports import operations as reports
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from saas.workflow import definitions
from tests.fixtures.instances import system_session


def build(app: Flask) -> dict:
    with system_session(app) as session:
        tenant = Tenant(
            slug="ville-course", name="Ville de la course", kind=TenantKind.COMMUNE, siren="123456789", population=12000
        )
        session.add(tenant)
        session.flush()
        people = {}
        for name in ("drafter", "head", "a", "b", "secretary"):
            people[name] = Person(email=f"{name}@course.example.org", first_name=name, last_name="Course")
            session.add(people[name])
        session.flush()
        for name in ("a", "b", "secretary"):
            identity.give_grant(people[name], tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
        council = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil", kind=AssemblyKind.COUNCIL, seats=33)
        session.add(council)
        session.flush()
        service = reports.create_service(tenant, "Finances", head=people["head"], actor=None)
        reports.give_drafter_grant(people["drafter"], service, actor=None)
        raw = {
            "key": "course",
            "name": "Course",
            "applies_to": "reports",
            "assembly_kind": "council",
            "steps": [
                {
                    "key": "premier",
                    "name": "Premier visa",
                    "kind": "approval",
                    "mode": "one",
                    "who": {"kind": "persons", "emails": ["a@course.example.org", "b@course.example.org"]},
                },
                {
                    "key": "second",
                    "name": "Second visa",
                    "kind": "approval",
                    "who": {"kind": "persons", "emails": ["secretary@course.example.org"]},
                },
            ],
        }
        definitions.create_definition(tenant, raw, actor=None)
        report = reports.create_report(
            people["drafter"], service, reports.ReportFields(title="Course", subject_code="7.1", assembly=council)
        )
        commit(session)
        return {"tenant": tenant.id, "report": report.id, **{name: person.id for name, person in people.items()}}
