"""Deadlines worked back from the law: the notice of each kind of collectivity (communes 3 or 5 jours francs,
EPCIs 5, départements and régions 12 days), caps of days before the sitting, who would be asked, the plan
kept at submission and its French warning, and the board of a sitting's reports."""

from datetime import UTC, date, datetime, timedelta

import pytest

from saas.core.database import SYSTEM, context
from saas.tenancy.models import TenantKind
from saas.workflow import definitions, planning
from saas.workflow import operations as engine
from saas.workflow.models import TaskState
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.workflow import SHIPPED, persons, step

#: the shipped circuit with the commission's opinion: 3 days after arrival, 12 then 8 days before the sitting
COMMITTEE_STEPS = definitions.read_file(SHIPPED / "avis-commission.toml")["steps"]


def two_plain_steps() -> list[dict]:
    """No deadline (one day), then three days after arrival."""
    who = {"kind": "drafter"}
    return [
        definitions.validate_document("t", {"key": "t", "name": "t", "applies_to": "acts", "steps": [s]})["steps"][0]
        for s in (step("first", who), step("second", who, deadline={"days_after_arrival": 3}))
    ]


@pytest.mark.parametrize(
    ("kind", "population", "sending_day"),
    [
        (TenantKind.COMMUNE, 2_000, date(2027, 3, 11)),  # 3 jours francs: 12, 13, 14 March are clear
        (TenantKind.COMMUNE, 12_000, date(2027, 3, 9)),  # 5 jours francs
        (TenantKind.EPCI, 2_000, date(2027, 3, 9)),  # 5 jours francs whatever the population
        (TenantKind.DEPARTEMENT, 600_000, date(2027, 3, 3)),  # 12 days
        (TenantKind.REGION, 3_000_000, date(2027, 3, 3)),
    ],
)
def test_the_sending_day_is_the_legal_notice_day(create_tenant, kind, population, sending_day):
    tenant = create_tenant(kind=kind, population=population)
    sitting = planning.imagined_sitting(tenant, date(2027, 3, 15))
    assert planning.sending_day(tenant, sitting) == sending_day
    plan = planning.plan(two_plain_steps(), None, tenant, sitting, today=date(2027, 1, 4), people=False)
    # the last step finishes by the sending day; it lasts 3 days; the first finishes when it must start
    assert [(s.latest_start, s.latest_finish) for s in plan.steps] == [
        (sending_day - timedelta(days=4), sending_day - timedelta(days=3)),
        (sending_day - timedelta(days=3), sending_day),
    ]
    assert plan.feasible and plan.late_steps == []


def test_days_before_the_sitting_cap_a_steps_finish_in_a_commune(create_tenant):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=12_000)
    sitting = planning.imagined_sitting(tenant, date(2027, 3, 15))
    plan = planning.plan(COMMITTEE_STEPS, None, tenant, sitting, today=date(2027, 2, 1), people=False)
    assert [(s.key, s.latest_start, s.latest_finish, s.capped) for s in plan.steps] == [
        ("visa-chef-service", date(2027, 2, 27), date(2027, 3, 2), False),  # 3 days after arrival
        ("avis-commission", date(2027, 3, 2), date(2027, 3, 3), True),  # 12 days before the sitting
        ("visa-secretariat", date(2027, 3, 6), date(2027, 3, 7), True),  # 8 days before, earlier than the 9th
    ]


def test_the_notice_of_twelve_days_comes_before_the_caps_of_a_departement(create_tenant):
    tenant = create_tenant(kind=TenantKind.DEPARTEMENT, population=600_000)
    sitting = planning.imagined_sitting(tenant, date(2027, 3, 15))
    plan = planning.plan(COMMITTEE_STEPS, None, tenant, sitting, today=date(2027, 2, 1), people=False)
    assert [(s.latest_finish, s.capped) for s in plan.steps] == [
        (date(2027, 3, 1), False),
        (date(2027, 3, 2), False),  # its own cap, 3 March, is later than what the next step needs
        (date(2027, 3, 3), False),  # the sending day
    ]


def test_a_plan_that_cannot_be_met_names_the_steps_already_late(create_tenant):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=12_000)
    sitting = planning.imagined_sitting(tenant, date(2027, 3, 15))
    plan = planning.plan(COMMITTEE_STEPS, None, tenant, sitting, today=date(2027, 3, 1), people=False)
    # from the 1st: the service head until the 4th (due the 2nd), the opinion the 5th (due the 3rd),
    # the secretariat the 6th (due the 7th: still in time)
    assert not plan.feasible
    assert [s.key for s in plan.late_steps] == ["visa-chef-service", "avis-commission"]
    on_time = planning.plan(COMMITTEE_STEPS, None, tenant, sitting, today=date(2027, 2, 27), people=False)
    assert on_time.feasible
    assert not planning.plan(COMMITTEE_STEPS, None, tenant, sitting, today=date(2027, 2, 28), people=False).feasible


def test_an_information_step_takes_no_time(create_tenant):
    tenant = create_tenant(kind=TenantKind.COMMUNE, population=2_000)
    steps = definitions.read_file(SHIPPED / "urgent.toml")["steps"]
    plan = planning.plan(steps, None, tenant, planning.imagined_sitting(tenant, date(2027, 3, 15)), people=False)
    assert [(s.duration, s.latest_finish) for s in plan.steps] == [(1, date(2027, 3, 11)), (0, date(2027, 3, 11))]


def test_who_would_be_asked_and_a_step_naming_nobody_is_shown_not_raised(town, session):
    with context(session, SYSTEM):
        steps = COMMITTEE_STEPS + [
            step("presidence", {"kind": "role", "role": "president", "assembly": "target"}, mode="one")
        ]
        subject = planning.Subject(tenant_id=town.tenant.id, assembly=town.council, service=town.service)
        sitting = planning.imagined_sitting(town.tenant, date(2027, 3, 15))
        plan = planning.plan(steps, subject, town.tenant, sitting, today=date(2027, 1, 4))
    assert [[p.id for p in s.people] for s in plan.steps] == [
        [town.head.id],
        [town.committee_president.id],
        [town.secretary.id],
        [],
    ]
    assert plan.steps[3].nobody == "L'étape « Étape presidence » ne désigne personne dans la collectivité."
    without_service = planning.plan(
        steps, planning.Subject(town.tenant.id, town.council), town.tenant, sitting, today=date(2027, 1, 4)
    )
    assert without_service.steps[0].depends == "le chef du service du rédacteur, selon le service"
    assert without_service.steps[0].nobody is None


@pytest.fixture
def close_sitting(town, create_sitting):
    """A sitting of the town's council in four days: too close for a circuit of three days and more."""
    starts_at = datetime.combine(date.today() + timedelta(days=4), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=17
    )
    return create_sitting(town.tenant, starts_at=starts_at, convene=False, assembly=town.council)


def test_submission_keeps_the_plan_and_warns_when_it_cannot_be_met(
    town, make_circuit, make_report, acting, close_sitting
):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique", deadline={"days_after_arrival": 3}),
        step("secretariat", {"kind": "grant", "grant": "secretary", "assembly": "target"}, name="Secrétariat"),
    )
    report = make_report(town, sitting=close_sitting)
    with acting(town.drafter, town.tenant):
        run = engine.submit(report, town.drafter)
        lines = planning.submission_warning(run)
    sending = planning.sending_day(town.tenant, close_sitting)
    assert sending < date.today()  # 5 jours francs: the convocation should have left already
    assert run.plan["feasible"] is False
    assert [s["late"] for s in run.plan["steps"]] == [True, True]
    assert run.plan["steps"][1]["latest_finish"] == sending.isoformat()
    assert lines[0].startswith("Ce calendrier ne peut pas être tenu : l'étape « Visa juridique » aurait dû finir le ")
    assert "l'étape « Secrétariat » le " in lines[0]
    assert lines[1].startswith("Étape « Visa juridique » : à finir au plus tard le ")
    assert lines[2].endswith("— en retard.")
    # the circuit still starts: the warning is for the drafter, the tasks are made
    assert [t.state for t in engine.tasks_of(run)] == [TaskState.OPEN]


def test_a_plan_that_can_be_met_and_a_report_without_sitting_warn_of_nothing(
    town, make_circuit, make_report, acting, create_sitting
):
    make_circuit(town, step("visa", persons(town.validator_a)))
    far = create_sitting(town.tenant, starts_at=MONDAY_15_MARCH_2027, convene=False, assembly=town.council)
    aimed, unaimed = make_report(town, sitting=far), make_report(town, title="Sans séance")
    with acting(town.drafter, town.tenant):
        runs = [engine.submit(aimed, town.drafter), engine.submit(unaimed, town.drafter)]
    assert runs[0].plan["feasible"] is True
    assert runs[0].plan["sending_day"] == "2027-03-09"
    assert runs[1].plan is None
    assert [planning.submission_warning(run) for run in runs] == [[], []]


def test_the_board_sorts_the_sittings_reports_worst_first(
    town, make_circuit, make_report, acting, create_sitting, session
):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), deadline={"days_after_arrival": 1}),
        step("secretariat", {"kind": "grant", "grant": "secretary", "assembly": "target"}),
    )
    sitting = create_sitting(town.tenant, starts_at=MONDAY_15_MARCH_2027, convene=False, assembly=town.council)
    running, ready, draft = (make_report(town, title=t, sitting=sitting) for t in ("En cours", "Validé", "Brouillon"))
    with acting(town.drafter, town.tenant):
        engine.submit(running, town.drafter)
        done = engine.submit(ready, town.drafter)
    for _ in range(2):
        task = next(t for t in engine.tasks_of(done) if t.state == TaskState.OPEN)
        with acting(task.person, town.tenant):
            engine.approve(task, task.person)
    with context(session, SYSTEM):
        # the sending day is 9 March 2027: the secretariat (one day) starts by the 8th, the visa finishes then
        rows = {
            today: planning.board(town.tenant, sitting, today=today)
            for today in (date(2027, 2, 1), date(2027, 3, 6), date(2027, 3, 9))
        }
    early = rows[date(2027, 2, 1)]
    assert [(r.report.title, r.state, r.due) for r in early] == [
        ("Brouillon", "on_time", date(2027, 3, 7)),
        ("En cours", "on_time", date(2027, 3, 8)),
        ("Validé", "ready", None),
    ]
    assert early[1].step_name == "Étape visa" and [p.id for p in early[1].waiting_for] == [town.validator_a.id]
    assert early[0].note == "pas encore soumis ; première étape"
    assert [(r.report.title, r.state) for r in rows[date(2027, 3, 6)]] == [
        ("Brouillon", "at_risk"),  # must start by the 7th
        ("En cours", "at_risk"),  # must finish by the 8th
        ("Validé", "ready"),
    ]
    assert [(r.report.title, r.state) for r in rows[date(2027, 3, 9)]] == [
        ("Brouillon", "late"),
        ("En cours", "late"),
        ("Validé", "ready"),
    ]
