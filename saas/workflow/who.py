"""Who a step asks: the people its ``who`` names for a report, and who may be asked at all. Used by the
engine when a step is entered and by the planning when it shows who would be asked."""

from datetime import date

import sqlalchemy as sa

from saas.core.extensions import db
from saas.documents.operations import latest_sitting
from saas.identity.models import MEMBER_ROLES, GrantKind, Mandate, MandateRole, Person, TenantGrant
from saas.reports.models import Report
from saas.tenancy.models import Assembly
from saas.workflow.definitions import TARGET_ASSEMBLY, WorkflowError


def belongs(person: Person, tenant_id: int) -> bool:
    """Whether ``person`` holds a mandate or a right in the collectivity (only such people get its tasks)."""
    mandate = db.session.execute(
        sa.select(Mandate.id).where(Mandate.tenant_id == tenant_id, Mandate.person_id == person.id)
    ).first()
    grant = db.session.execute(
        sa.select(TenantGrant.id).where(TenantGrant.tenant_id == tenant_id, TenantGrant.person_id == person.id)
    ).first()
    return mandate is not None or grant is not None


def _assembly(step: dict, report: Report, key: str) -> Assembly:
    if key == TARGET_ASSEMBLY:
        return report.assembly
    assembly = db.session.execute(
        sa.select(Assembly).where(Assembly.tenant_id == report.tenant_id, Assembly.key == key)
    ).scalar_one_or_none()
    if assembly is None:
        raise WorkflowError(f"L'étape « {step['name']} » désigne l'assemblée « {key} », inconnue ici.")
    return assembly


def _secretary_of_sitting(who: dict, report: Report) -> Person | None:
    """The secretary the assembly appointed at the opening of the sitting that examined ``report`` (L2121-15),
    when the step asks the target assembly's secretary of the sitting: they sign its acts (L2121-23). Before
    anyone is appointed, the members holding that role in the assembly are asked."""
    if who["kind"] != "role" or who["role"] != MandateRole.SECRETARY_OF_SITTING or who["assembly"] != TARGET_ASSEMBLY:
        return None
    sitting = latest_sitting(report)
    return sitting.secretary if sitting is not None else None


def resolve(step: dict, report: Report, on: date) -> list[Person]:
    """The people a step asks for ``report``, in a stable order, without duplicates; nobody is an error."""
    who, tenant_id = step["who"], report.tenant_id
    people: list[Person] = []
    if who["kind"] == "persons":
        for email in who["emails"]:
            person = db.session.execute(sa.select(Person).where(Person.email == email.lower())).scalar_one_or_none()
            if person is None or not belongs(person, tenant_id):
                raise WorkflowError(
                    f"L'étape « {step['name']} » désigne {email}, qui n'a ni mandat ni droit dans la collectivité."
                )
            people.append(person)
    elif who["kind"] == "grant":
        query = sa.select(TenantGrant).where(
            TenantGrant.tenant_id == tenant_id, TenantGrant.kind == GrantKind(who["grant"])
        )
        if who.get("assembly"):
            query = query.where(TenantGrant.assembly_id == _assembly(step, report, who["assembly"]).id)
        people = [grant.person for grant in db.session.execute(query.order_by(TenantGrant.id)).scalars()]
    elif (secretary := _secretary_of_sitting(who, report)) is not None:
        people = [secretary]
    elif who["kind"] in ("role", "members"):
        assembly = _assembly(step, report, who["assembly"])
        roles = (MandateRole(who["role"]),) if who["kind"] == "role" else MEMBER_ROLES
        mandates = db.session.execute(
            sa.select(Mandate)
            .where(
                Mandate.tenant_id == tenant_id,
                Mandate.assembly_id == assembly.id,
                Mandate.role.in_(roles),
                Mandate.in_office_on(on),
            )
            .order_by(Mandate.id)
        ).scalars()
        people = [mandate.person for mandate in mandates]
    elif who["kind"] == "drafter":
        people = [report.drafter]
    elif who["kind"] == "drafter_service_head":
        if report.service.head_person is None:
            raise WorkflowError(
                f"L'étape « {step['name']} » demande le chef du service « {report.service.name} », qui n'en a pas."
            )
        people = [report.service.head_person]
    unique = list({person.id: person for person in people}.values())
    if not unique:
        raise WorkflowError(f"L'étape « {step['name']} » ne désigne personne dans la collectivité.")
    return unique
