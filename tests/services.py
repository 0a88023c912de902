"""The real services of the production column: PostgreSQL, Redis, an SMTP server on loopback.

``QUORUM_TEST_PROFILE=production`` runs the suite against them; under ``CI=true`` a service that cannot
be reached fails the run, it is never skipped.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

PG_ADMIN_URL = os.environ.get("QUORUM_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = os.environ.get("QUORUM_TEST_PG_DATABASE", "quorum_test")
OWNER_ROLE = "quorum_owner"
APP_ROLE = "quorum_app"
REDIS_URL = os.environ.get("QUORUM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def profile() -> str:
    value = os.environ.get("QUORUM_TEST_PROFILE", "embedded")
    if value not in {"embedded", "production"}:
        raise pytest.UsageError("QUORUM_TEST_PROFILE must be embedded or production")
    return value


def unavailable(what: str, error: Exception):
    message = f"{what} is not reachable: {error}"
    if os.environ.get("CI") == "true" or profile() == "production":
        pytest.exit(message, returncode=3)
    pytest.skip(message)


def pg_url(role: str) -> str:
    return f"postgresql+psycopg://{role}@127.0.0.1:5432/{PG_DATABASE}"


def create_postgres_database() -> None:
    """A fresh database owned by a table-owner role, used by the app through a non-owner role."""
    try:
        connection = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        unavailable("PostgreSQL", error)
    with connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        for role in (OWNER_ROLE, APP_ROLE):
            exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                connection.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        connection.execute(f"CREATE DATABASE {PG_DATABASE} OWNER {OWNER_ROLE}")


def check_redis() -> None:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=5).flushdb()
    except RedisConnectionError as error:
        unavailable("Redis", error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """A real SMTP server (aiosmtpd) on loopback that keeps the messages it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        server = self

        class Keep(Message):
            def handle_message(self, message):
                server.messages.append(message)

        self.messages = []
        self.port = free_port()
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def worker_process(env: dict) -> subprocess.Popen:
    """``quorum worker --burst``: a real RQ worker in its own process."""
    quorum = Path(sys.executable).parent / "quorum"
    return subprocess.Popen([str(quorum), "worker", "--burst"], env={**os.environ, **env})
