"""The act counter under concurrency, each act in a transaction of its own on the real database (SQLite, or
PostgreSQL through the non-owner role with row-level security): 20 acts adopted at the same moment get 20
consecutive numbers, no gap, no repeat; one item's outcome delivered twice at once makes one act; and the
number's format, set per collectivity and year."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from saas.acts import operations as acts
from saas.acts.models import ActCounter, Deliberation
from saas.core.database import TenantContext, commit, context, set_context
from saas.core.extensions import db
from saas.reports.operations import report_for_item
from saas.sittings import operations as sittings
from saas.sittings.models import AgendaItem
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from tests.acts.conftest import outcome_for
from tests.fixtures.instances import fresh_app, system_session

SITTING_DAY = datetime(2027, 3, 15, 17, 0, tzinfo=UTC)


def _build(app: Flask, items: int) -> dict:
    with system_session(app) as session:
        tenant = Tenant(
            slug="ville-actes", name="Ville des actes", kind=TenantKind.COMMUNE, siren="123456780", population=12000
        )
        session.add(tenant)
        session.flush()
        council = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil", kind=AssemblyKind.COUNCIL, seats=33)
        session.add(council)
        session.flush()
        sitting = sittings.create_sitting(tenant, council, starts_at=SITTING_DAY, place="Salle", actor=None)
        for n in range(items):
            report_for_item(sittings.add_item(sitting, title=f"Point {n + 1}", actor=None), actor=None)
        commit(session)
        ids = [item.id for item in session.execute(sa.select(AgendaItem).order_by(AgendaItem.position)).scalars()]
        return {"tenant": tenant.id, "items": ids}


def _race(app: Flask, actions) -> list:
    start, done, failed = threading.Barrier(len(actions)), [], []

    def worker(action):
        try:
            start.wait(timeout=30)
            with app.app_context():
                done.append(action(db.session))
                commit(db.session)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            failed.append(error)

    threads = [threading.Thread(target=worker, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert failed == []
    return done


def _decide(ids: dict, item_id: int):
    def act(session):
        set_context(session, TenantContext(tenant_id=ids["tenant"]))
        return acts.create_deliberation(session.get(AgendaItem, item_id), outcome_for(item_id)).number

    return act


def test_twenty_acts_adopted_at_the_same_moment_get_twenty_consecutive_numbers(tmp_path):
    with fresh_app(tmp_path, "actsrace") as app:
        ids = _build(app, 20)
        done = _race(app, [_decide(ids, item_id) for item_id in ids["items"]])
        assert sorted(done) == [f"2027-{n:03d}" for n in range(1, 21)]
        with system_session(app) as session:
            rows = session.execute(sa.select(Deliberation.sequence, Deliberation.number)).all()
            assert sorted(sequence for sequence, _ in rows) == list(range(1, 21))
            counter = session.execute(sa.select(ActCounter)).scalar_one()
            assert (counter.year, counter.last_sequence) == (2027, 20)


def test_one_outcome_delivered_twice_at_once_makes_one_act(tmp_path):
    with fresh_app(tmp_path, "actstwice") as app:
        ids = _build(app, 2)
        first, second = ids["items"]
        done = _race(app, [_decide(ids, first), _decide(ids, first), _decide(ids, second)])
        assert sorted(done) == ["2027-001", "2027-001", "2027-002"] or sorted(done) == [
            "2027-001",
            "2027-002",
            "2027-002",
        ]
        with system_session(app) as session:
            acts_made = session.execute(sa.select(Deliberation.agenda_item_id, Deliberation.number)).all()
            assert sorted(item for item, _ in acts_made) == [first, second]
            assert session.execute(sa.select(ActCounter.last_sequence)).scalar_one() == 2


def test_a_rolled_back_act_gives_its_number_back(session, council, outcome_of):
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        with session.begin_nested() as savepoint:
            acts.take_number(council.tenant.id, 2027)
            savepoint.rollback()
        act = acts.create_deliberation(council.item, outcome_of(council.item.id))
    assert (act.number, act.sequence) == ("2027-001", 1)


@pytest.mark.parametrize(
    ("number_format", "number"),
    [("{year}-{seq:03d}", "2027-001"), ("D{year}/{seq:04d}", "D2027/0001"), ("{seq}", "1"), ("{seq}-{year}", "1-2027")],
)
def test_each_collectivity_sets_its_numbers_format(session, council, outcome_of, number_format, number):
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        acts.set_number_format(council.tenant, 2027, number_format, actor=council.city.secretariat)
        act = acts.create_deliberation(council.item, outcome_of(council.item.id))
    assert act.number == number


def test_a_new_year_keeps_the_last_years_format(session, council):
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        acts.set_number_format(council.tenant, 2026, "DEL-{year}-{seq:02d}", actor=None)
        assert acts.take_number(council.tenant.id, 2027) == (1, "DEL-2027-01")
        assert acts.take_number(council.tenant.id, 2027) == (2, "DEL-2027-02")


@pytest.mark.parametrize(
    "number_format",
    ["", "{year}", "{seq}{name}", "{seq.__class__}", "{seq[0]}", "{0}", "{seq", "x" * 61, "{seq:>99}", "{seq!r:x}"],
)
def test_a_format_that_makes_no_number_is_refused(session, council, number_format):
    with context(session, TenantContext(tenant_id=council.tenant.id)), pytest.raises(acts.ActError):
        acts.set_number_format(council.tenant, 2027, number_format, actor=None)
