"""Fresh installations for tests that must commit for real (CLI commands, workers, tampering).

The shared ``app`` fixture's database is rolled back after each test; these tests instead commit, and
some deliberately break things (an audit chain), so each gets its own installation: its own instance
folder and its own database (a SQLite file, or in the production column a PostgreSQL database created
for it, migrated by the owner role and used through the non-owner application role).
"""

import contextlib
from pathlib import Path

import psycopg
from flask import Flask
from flask_migrate import upgrade
from psycopg.conninfo import make_conninfo

from saas import create_app
from saas.core.database import SYSTEM, set_context
from saas.core.extensions import db
from tests import services

SECRET_KEY = "test-secret"


def production() -> bool:
    return services.profile() == "production"


def admin_connection(dbname: str = "postgres") -> psycopg.Connection:
    """A superuser connection (services.PG_ADMIN_URL's server) to ``dbname``."""
    return psycopg.connect(make_conninfo(services.PG_ADMIN_URL, dbname=dbname), autocommit=True, connect_timeout=5)


def role_connection(dbname: str, role: str) -> psycopg.Connection:
    return psycopg.connect(
        make_conninfo(services.PG_ADMIN_URL, dbname=dbname, user=role), autocommit=False, connect_timeout=5
    )


def _pg_url(dbname: str, role: str) -> str:
    return f"postgresql+psycopg://{role}@127.0.0.1:5432/{dbname}"


@contextlib.contextmanager
def fresh_app(instance: Path, label: str, smtp_port: int | None = None, *, sqlite: bool = False):
    """Yield a migrated application on an empty database of its own; drop that database afterwards.

    ``sqlite`` forces the embedded database whatever the column (``quorum demo`` always uses it).
    """
    overrides: dict = {"SECRET_KEY": SECRET_KEY, "TESTING": True, "LOGIN_FAILURES_PER_HOUR": 100}
    dbname = f"{services.PG_DATABASE}_{label}"
    use_postgres = production() and not sqlite
    if use_postgres:
        services.check_redis()
        with admin_connection() as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {dbname} OWNER {services.OWNER_ROLE}")
        overrides |= {
            "DATABASE_URL": _pg_url(dbname, services.APP_ROLE),
            "DATABASE_OWNER_URL": _pg_url(dbname, services.OWNER_ROLE),
            "DATABASE_APP_ROLE": services.APP_ROLE,
            "REDIS_URL": services.REDIS_URL,
            "MAIL_BACKEND": "smtp",
            "SMTP_PORT": smtp_port or 25,
        }
    else:
        overrides |= {
            "DATABASE_URL": f"sqlite:///{instance / 'quorum.db'}",
            "REDIS_URL": "",
            "MAIL_BACKEND": "outbox",
        }
    app = create_app(overrides, instance_path=str(instance))
    app.config["TEST_DATABASE_NAME"] = dbname if use_postgres else None
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if use_postgres:
            with admin_connection() as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


@contextlib.contextmanager
def system_session(app: Flask):
    """An application context whose session sees everything, as CLI commands and platform jobs do."""
    with app.app_context():
        set_context(db.session, SYSTEM)
        yield db.session


def worker_env(app: Flask) -> dict:
    """The configuration of ``app``, as the QUORUM_* variables a separate worker process reads."""
    config = app.config
    return {
        "QUORUM_DATABASE_URL": config["DATABASE_URL"],
        "QUORUM_REDIS_URL": config["REDIS_URL"],
        "QUORUM_MAIL_BACKEND": config["MAIL_BACKEND"],
        "QUORUM_SMTP_PORT": str(config["SMTP_PORT"]),
        "QUORUM_SECRET_KEY": config["SECRET_KEY"],
        "QUORUM_MASTER_KEY": config["MASTER_KEY"],
        "QUORUM_INSTANCE_PATH": app.instance_path,
    }


def run_worker(app: Flask) -> None:
    """Run ``quorum worker --burst`` against ``app``'s database and Redis until the queues are empty."""
    process = services.worker_process(worker_env(app))
    assert process.wait(timeout=120) == 0, "the worker process failed"
