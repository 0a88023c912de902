"""Demo validation circuits: each collectivity's own circuit, its services and drafters, and reports at every
stage — through their circuit and on the agenda, mid-circuit, refused then resubmitted, late.

The City's report n° 44 "Équipement numérique — dématérialisation des documents et procédures" goes
service → directeur général des services → adjoint Dumont (rapporteur) → opinion of Commission n° 1, given
favourable and unanimous, → ready for the conseil municipal. The Region's circuit passes the commission
permanente, the Department's has a finance visa in parallel with the service head (all of them), the
Agglomeration's an opinion of the bureau, given online by each of its members. Everything goes through the
engine (saas.workflow.operations), acting as the people each step asks. Idempotent: an adopted circuit, or a
report of the same title, is left alone.
"""

import dataclasses
from datetime import date, timedelta

import sqlalchemy as sa

from saas.core.extensions import db
from saas.demo.people import demo_email, demo_person, ensure_password
from saas.demo.signing import ensure_totp
from saas.identity.models import Person
from saas.reports import operations as reports
from saas.reports.models import Report, Service
from saas.sittings.models import Sitting
from saas.tenancy.models import Assembly, Tenant
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.models import RunState, Task, TaskState, WorkflowRun


@dataclasses.dataclass(frozen=True)
class Staff:
    #: the service that drafts the demo reports, its head and its drafter
    service: str
    head: tuple[str, str]
    drafter: tuple[str, str]
    #: further people a circuit names: (first name, last name, what they do)
    others: tuple[tuple[str, str, str], ...] = ()


STAFF = {
    "besancon": Staff("Direction des systèmes d'information", ("Luc", "Perrot"), ("Amandine", "Roy")),
    "region-franche-comte": Staff("Direction des affaires juridiques", ("Hervé", "Jacquin"), ("Lise", "Mathez")),
    "doubs": Staff(
        "Direction de l'habitat",
        ("Gilles", "Monnier"),
        ("Inès", "Vauthier"),
        (("Sabine", "Girardot", "Direction des finances"),),
    ),
    "grand-besancon": Staff("Direction de la mobilité", ("Yves", "Bernard"), ("Noémie", "Chopard")),
}

#: the tenant admins (directeurs généraux des services) of seed's STAFF
DGS = {
    "besancon": ("Claire", "Dubois"),
    "grand-besancon": ("Marc", "Vernier"),
    "region-franche-comte": ("Odile", "Sauvageot"),
    "doubs": ("Alain", "Bôle"),
}
RAPPORTEUR_44 = ("Sébastien", "Dumont")


def _visa(key: str, name: str, who: dict, days: int, **values) -> dict:
    return {"key": key, "name": name, "kind": "approval", "who": who, "deadline": {"days_after_arrival": days}} | values


def _persons(*names: tuple[str, str]) -> dict:
    return {"kind": "persons", "emails": [demo_email(*name) for name in names]}


def _opinion(key: str, name: str, assembly: str, days_before_sitting: int, *, online: bool = False) -> dict:
    """A committee's opinion recorded by its president, or (``online``) given by each of its members."""
    return {
        "key": key,
        "name": name,
        "kind": "committee_opinion",
        "who": {"kind": "members", "assembly": assembly}
        if online
        else {"kind": "role", "role": "president", "assembly": assembly},
        "mode": "all" if online else "one",
        "deadline": {"days_before_sitting": days_before_sitting},
    }


HEAD = {"kind": "drafter_service_head"}
#: the shipped circuit for acts to sign (workflows/actes-a-signer.toml), adopted as it is
ACTS_CIRCUIT = "actes-a-signer"
SECRETARIAT = {"kind": "grant", "grant": "secretary", "assembly": "target"}


def circuits() -> dict[str, dict]:
    """Each collectivity's circuit for its council's reports, in the format of ``workflows/``."""
    return {
        "besancon": {
            "key": "circuit-ville",
            "name": "Circuit des rapports au conseil municipal",
            "description": "Service, directeur général des services, adjoint rapporteur, avis de la Commission n° 1.",
            "applies_to": "reports",
            "assembly_kind": "council",
            "steps": [
                _visa("visa-service", "Visa du chef de service", HEAD, 3),
                _visa(
                    "visa-dgs",
                    "Visa du directeur général des services",
                    _persons(DGS["besancon"]),
                    2,
                    on_refusal="drafter",
                ),
                _visa("visa-rapporteur", "Visa de l'adjoint rapporteur (M. Dumont)", _persons(RAPPORTEUR_44), 2),
                _opinion("avis-commission-1", "Avis de la Commission n° 1", "commission-1", 8),
            ],
        },
        "region-franche-comte": {
            "key": "circuit-region",
            "name": "Circuit des rapports au conseil régional",
            "description": "Service, avis de la commission permanente, secrétariat des assemblées.",
            "applies_to": "reports",
            "assembly_kind": "council",
            "steps": [
                _visa("visa-service", "Visa du chef de service", HEAD, 5),
                _opinion("avis-commission-permanente", "Avis de la commission permanente", "commission-permanente", 14),
                _visa("visa-secretariat", "Visa du secrétariat des assemblées", SECRETARIAT, 2),
            ],
        },
        "doubs": {
            "key": "circuit-departement",
            "name": "Circuit des rapports au conseil départemental",
            "description": "Visa des finances et du chef de service en parallèle, puis directeur général.",
            "applies_to": "reports",
            "assembly_kind": "council",
            "steps": [
                _visa(
                    "visas-finances-service",
                    "Visas des finances et du chef de service (tous deux)",
                    _persons(("Sabine", "Girardot"), STAFF["doubs"].head),
                    4,
                    mode="all",
                ),
                _visa("visa-dgs", "Visa du directeur général des services", _persons(DGS["doubs"]), 2),
            ],
        },
        "grand-besancon": {
            "key": "circuit-agglomeration",
            "name": "Circuit des rapports au conseil communautaire",
            "description": "Service, avis du bureau (chacun de ses membres en ligne), secrétariat des assemblées.",
            "applies_to": "reports",
            "assembly_kind": "council",
            "steps": [
                _visa("visa-service", "Visa du chef de service", HEAD, 3),
                _opinion("avis-bureau", "Avis du bureau (chaque membre en ligne)", "bureau", 8, online=True),
                _visa("visa-secretariat", "Visa du secrétariat des assemblées", SECRETARIAT, 2),
            ],
        },
    }


def _service(tenant: Tenant) -> tuple[Service, Person]:
    """The demo drafting service of ``tenant``, its head and drafter (who both hold a drafter grant: people a
    circuit names must belong to the collectivity), and the people its circuit names besides."""
    staff = STAFF[tenant.slug]
    head, drafter = demo_person(*staff.head), demo_person(*staff.drafter)
    service = db.session.execute(
        sa.select(Service).where(Service.tenant_id == tenant.id, Service.name == staff.service)
    ).scalar_one_or_none() or reports.create_service(tenant, staff.service, head=head, actor=None)
    for person in (head, drafter):
        reports.give_drafter_grant(person, service, actor=None)
        ensure_password(person)
        ensure_totp(person)
    for first_name, last_name, other_service in staff.others:
        other = demo_person(first_name, last_name)
        ensure_password(other)
        ensure_totp(other)
        found = db.session.execute(
            sa.select(Service).where(Service.tenant_id == tenant.id, Service.name == other_service)
        ).scalar_one_or_none() or reports.create_service(tenant, other_service, head=other, actor=None)
        reports.give_drafter_grant(other, found, actor=None)
    return service, drafter


def seed_circuit(tenant: Tenant) -> tuple[Service, Person]:
    """Create the collectivity's own circuit for its reports and adopt the shipped one for acts to sign (the
    president, then the secretary of the sitting), once; its service and drafter."""
    service, drafter = _service(tenant)
    raw = circuits()[tenant.slug]
    if definitions.definition_by_key(tenant, raw["key"]) is None:
        definitions.create_definition(tenant, raw, actor=None)
    if definitions.definition_by_key(tenant, ACTS_CIRCUIT) is None:
        definitions.adopt_template(tenant, ACTS_CIRCUIT, actor=None)
    return service, drafter


def _open_tasks(run: WorkflowRun) -> list[Task]:
    return [task for task in engine.tasks_of(run) if task.state == TaskState.OPEN]


def advance(run: WorkflowRun, *, until: str | None = None) -> None:
    """Act as each asked person, step after step, until the step ``until`` is reached (or the end): visas
    approved, opinions favourable and unanimous."""
    while run.state == RunState.RUNNING:
        tasks = _open_tasks(run)
        if until is not None and tasks and tasks[0].step_key == until:
            return
        for task in tasks:
            if task.state != TaskState.OPEN or run.state != RunState.RUNNING:
                continue
            step = run.version.steps[task.position]
            if definitions.members_vote(step):
                engine.give_opinion(task, task.person, "favourable")
            elif step["kind"] == "committee_opinion":
                engine.give_opinion(task, task.person, "favourable", unanimous=True, comment="Avis favorable unanime.")
            else:
                engine.approve(task, task.person, comment="Vu, bon pour la suite.")
            db.session.refresh(run)


def submit_and_complete(report: Report, drafter: Person) -> WorkflowRun:
    """Submit ``report`` and take it through every step of its circuit: it is ready."""
    run = engine.submit(report, drafter)
    advance(run)
    return run


#: (title, @ctes code, where it stands): reports mid-circuit, refused and resubmitted, late
RUNNING = {
    "besancon": [
        ("Tarifs du conservatoire à rayonnement régional 2027", "7.2", "visa-dgs"),
        ("Convention d'occupation du domaine public — marché de Noël", "3.5", "refused"),
        ("Subvention aux associations sportives 2027", "7.5", "late"),
    ],
    "region-franche-comte": [("Aide régionale aux lycées numériques", "8.1", "avis-commission-permanente")],
    "doubs": [("Fonds de solidarité pour le logement 2027", "8.2", "visas-finances-service")],
    "grand-besancon": [("Plan de mobilité 2027-2032", "8.7", "avis-bureau")],
}


def seed_running(
    tenant: Tenant, service: Service, drafter: Person, assembly: Assembly, sitting: Sitting, documents_for
) -> None:
    """The reports still in their circuit, aimed at ``sitting``; ``documents_for(title, index)(report, n)``
    gives the report its documents (n = 1, then 2 for the annex a resubmission adds)."""
    for index, (title, code, stage) in enumerate(RUNNING[tenant.slug]):
        exists = db.session.execute(
            sa.select(Report.id).where(Report.tenant_id == tenant.id, Report.title == title)
        ).first()
        if exists:
            continue
        fields = reports.ReportFields(title=title, subject_code=code, assembly=assembly, sitting=sitting)
        report = reports.create_report(drafter, service, fields)
        documents = documents_for(title, index)
        documents(report, 1)
        run = engine.submit(report, drafter)
        if stage == "refused":
            advance(run, until="visa-dgs")
            [task] = _open_tasks(run)
            engine.refuse(task, task.person, "Préciser la redevance et joindre le plan d'implantation.")
            documents(report, 2)  # the drafter adds the plan, then submits again: version 2
            run = engine.submit(report, drafter)
        elif stage == "late":
            advance(run, until="visa-rapporteur")
            for task in _open_tasks(run):
                task.due_on = date.today() - timedelta(days=2)
        else:
            advance(run, until=stage)
    db.session.flush()
