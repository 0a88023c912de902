"""The embedded database under concurrent writers: they queue, none is refused with "database is locked"."""

import threading
import time

import sqlalchemy as sa

from saas.core.extensions import db
from tests.fixtures.instances import fresh_app


def test_two_writers_that_read_first_both_commit(tmp_path):
    """Each transaction reads, then writes while the other one also wants to: with a deferred BEGIN the
    second is refused at once (SQLite's deadlock rule); with BEGIN IMMEDIATE it waits its turn."""
    with fresh_app(tmp_path, "writers", sqlite=True) as app:
        with app.app_context(), db.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE scratch (writer TEXT)")
        start, errors = threading.Barrier(2), []

        def writer(name: str) -> None:
            try:
                start.wait(timeout=10)
                with app.app_context(), db.engine.begin() as connection:
                    connection.execute(sa.text("SELECT count(*) FROM scratch")).scalar_one()
                    time.sleep(0.3)  # holds the transaction open so the two overlap (a hold, not a wait for an event)
                    connection.execute(sa.text("INSERT INTO scratch VALUES (:name)"), {"name": name})
            except Exception as error:  # noqa: BLE001 — the test reports whatever a writer ran into
                errors.append(error)

        threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        with app.app_context(), db.engine.connect() as connection:
            assert sorted(connection.execute(sa.text("SELECT writer FROM scratch")).scalars()) == ["a", "b"]
