"""Isolation: a person with mandates in two collectivities gets each one's tasks there only; a task, its
circuit and its report in collectivity A are invisible from collectivity B (ORM filter, and on PostgreSQL
row-level security even for raw SQL)."""

import sqlalchemy as sa

from saas.core.database import TenantContext, context
from saas.reports.models import Report
from saas.workflow import operations as engine
from saas.workflow.models import Task, TaskAction, WorkflowRun
from tests import services
from tests.fixtures.workflow import persons, step


def test_a_person_in_two_collectivities_sees_each_ones_tasks_there(
    session, make_collectivity, make_circuit, make_report, acting, give_mandate
):
    town, agglo = make_collectivity(), make_collectivity()
    both = town.validator_a
    give_mandate(both, agglo.tenant, agglo.council)
    for place in (town, agglo):
        make_circuit(place, step("visa", persons(both)))
        with acting(place.drafter, place.tenant):
            engine.submit(make_report(place, title=f"Rapport de {place.tenant.name}"), place.drafter)
    for place in (town, agglo):
        with acting(both, place.tenant):
            tasks = engine.open_tasks(both, place.tenant.id)
            assert [task.tenant_id for task in tasks] == [place.tenant.id]
            session.expunge_all()
            assert [r.tenant_id for r in session.execute(sa.select(Report)).scalars()] == [place.tenant.id]
    # the inbox crossing: from either collectivity, the person's own tasks are readable, and nobody else's
    with context(session, TenantContext(tenant_id=town.tenant.id, person_id=both.id)):
        session.expunge_all()
        assert {t.tenant_id for t in session.execute(sa.select(Task)).scalars()} == {town.tenant.id, agglo.tenant.id}


def test_a_task_of_a_is_invisible_in_b(session, make_collectivity, make_circuit, make_report, acting):
    town, region = make_collectivity(), make_collectivity()
    make_circuit(town, step("visa", persons(town.validator_a)))
    with acting(town.drafter, town.tenant):
        run = engine.submit(make_report(town), town.drafter)
    with acting(town.validator_a, town.tenant):
        engine.approve(engine.open_tasks(town.validator_a, town.tenant.id)[0], town.validator_a)
    task_id, run_id = engine.tasks_of(run)[0].id, run.id
    with acting(region.validator_a, region.tenant):
        session.expunge_all()
        assert session.get(Task, task_id) is None
        assert session.get(WorkflowRun, run_id) is None
        assert session.execute(sa.select(TaskAction)).scalars().all() == []
        assert session.execute(sa.select(Report)).scalars().all() == []
        raw = {
            table: session.execute(sa.text(f"SELECT tenant_id FROM {table}")).scalars().all()
            for table in (
                "workflow_task",
                "workflow_run",
                "workflow_task_action",
                "report",
                "service",
                "workflow_version",
            )
        }
    if services.profile() == "production":
        assert all(town.tenant.id not in rows for rows in raw.values()), raw
    else:
        assert town.tenant.id in raw["workflow_task"]  # SQLite has no row-level security: the ORM filter guards
