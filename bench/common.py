"""What both benchmarks share: a throwaway instance, its seed data, the real server, /proc readings.

The server is the real one: ``quorum serve`` (Werkzeug, threaded) in its own process on 127.0.0.1, with
an embedded SQLite database in a temporary instance folder, and either local encrypted files or, for the
S3 column, a SeaweedFS server started as the production-column tests do (tests/services.py).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BIN = Path(sys.executable).parent
MIB = 1 << 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM (bytes) of a process, from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0, writing 5 to clear_refs); False if not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def children(pid: int) -> list[int]:
    """Children of every thread (a thread's children are listed under that thread's task only)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def machine() -> str:
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), "?")  # fmt: skip
    return f"{os.cpu_count()} CPU ({model}), {int(memory.split()[1]) // 1024} MiB RAM, Python {sys.version.split()[0]}"


@contextmanager
def application(env: dict):
    """An application context on the instance ``env`` describes, seeing everything (as CLI commands do)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from saas import create_app
        from saas.core.database import SYSTEM, set_context
        from saas.core.extensions import db

        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    with app.app_context():
        set_context(db.session, SYSTEM)
        try:
            yield db.session
        finally:
            db.session.remove()
            db.engine.dispose()


def seed(env: dict, items: int = 1, members: int = 0) -> dict:
    """Create the schema and one tenant, its assembly with ``members`` members in office, a draft sitting
    with ``items`` items, and a tenant admin with an API token. Returns what the client needs."""
    from datetime import date

    from flask_migrate import upgrade

    from saas.core.database import commit, utcnow
    from saas.identity import operations as identity
    from saas.identity.authentication import create_token
    from saas.identity.models import GrantKind, Mandate, Person
    from saas.sittings import operations as sittings
    from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind

    with application(env) as session:
        upgrade()
        tenant = Tenant(slug="bench", name="Ville de Banc", kind=TenantKind.COMMUNE, siren="999999999",
                        population=50000)  # fmt: skip
        session.add(tenant)
        session.flush()
        assembly = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil municipal",
                            kind=AssemblyKind.COUNCIL, seats=max(33, members))  # fmt: skip
        person = Person(email="secretariat@banc.example", first_name="Sam", last_name="Banc")
        session.add_all([assembly, person])
        session.flush()
        for n in range(members):  # in office already: seated earlier, no invitation mail now
            member = Person(email=f"elu{n:03d}@banc.example", first_name="Élu", last_name=f"N{n:03d}")
            session.add(Mandate(tenant_id=tenant.id, person=member, assembly=assembly, start_date=date(2026, 1, 1)))
        identity.give_grant(person, tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
        sitting = sittings.create_sitting(
            tenant, assembly, starts_at=utcnow() + timedelta(days=30), place="Salle du conseil", actor=None
        )
        item_ids = [sittings.add_item(sitting, title=f"Point {n + 1}", actor=None).id for n in range(items)]
        _, token = create_token(person, "bench")
        result = {"slug": tenant.slug, "sitting_id": sitting.id, "item_id": item_ids[0], "item_ids": item_ids,
                  "token": token}  # fmt: skip
        commit(session)
    return result


@contextmanager
def seaweedfs(tmp: Path):
    """S3 settings for a SeaweedFS started like the production-column tests, or None without weed."""
    sys.path.insert(0, str(ROOT))
    from tests.services import start_seaweedfs

    try:
        endpoint, access_key, secret_key, process = start_seaweedfs(tmp / "seaweedfs")
    except FileNotFoundError:
        yield None
        return
    try:
        yield {
            "QUORUM_STORAGE_URL": "s3://quorum-bench",
            "QUORUM_S3_ENDPOINT": endpoint,
            "QUORUM_S3_ACCESS_KEY": access_key,
            "QUORUM_S3_SECRET_KEY": secret_key,
            "QUORUM_S3_SECURE": "0",
        }
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def server(tmp: Path, extra_env: dict | None = None, **seeding):
    """Seed a throwaway instance under ``tmp`` (``seeding``: see ``seed``) and run ``quorum serve`` on it;
    yields (process, port, seeded, env)."""
    port = free_port()
    env = {
        **os.environ,
        "QUORUM_INSTANCE_PATH": str(tmp / "instance"),
        "QUORUM_DATABASE_URL": f"sqlite:///{tmp / 'instance' / 'quorum.db'}",
        "QUORUM_PORT": str(port),
        "QUORUM_REDIS_URL": "",
        "TMPDIR": str(tmp),  # Werkzeug spools uploads here, so cleanup removes them too
        **(extra_env or {}),
    }
    (tmp / "instance").mkdir(parents=True, exist_ok=True)
    seeded = seed(env, **seeding)
    log = (tmp / "server.log").open("wb")
    process = subprocess.Popen([str(PYTHON_BIN / "quorum"), "serve"], env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {(tmp / 'server.log').read_text()[-2000:]}") from None
                time.sleep(0.1)
        yield process, port, seeded, env
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def upload(port: int, seeded: dict, path: Path, title: str, kind: str = "annex", item_id: int | None = None) -> dict:
    """POST the file to the documents API as multipart, streamed from disk (the client stays flat too)."""
    boundary = "quorum-bench-boundary-7d3f"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("kind", kind), ("title", title))
    )
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
             "Content-Type: application/pdf\r\n\r\n")  # fmt: skip
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head.encode()) + path.stat().st_size + len(tail)
    target = f"/api/v1/tenants/{seeded['slug']}/items/{item_id or seeded['item_id']}/documents"
    with socket.create_connection(("127.0.0.1", port), timeout=600) as sock:
        sock.sendall(
            f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {seeded['token']}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n"
            "Connection: close\r\n\r\n".encode()
            + head.encode()
        )
        try:  # a server refusing the body early (413) may stop reading: then read its answer
            sock.settimeout(30)
            with path.open("rb") as fh:
                while piece := fh.read(MIB):
                    sock.sendall(piece)
            sock.sendall(tail)
        except OSError:
            pass
        sock.settimeout(600)
        response = _read_all(sock)
    status, body = _split(response)
    if status != 201:
        raise RuntimeError(f"upload refused: {status} {body[:500]!r}")
    return json.loads(body)


def _read_all(sock: socket.socket) -> bytes:
    parts = []
    while piece := sock.recv(1 << 16):
        parts.append(piece)
    return b"".join(parts)


def _split(response: bytes) -> tuple[int, bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def temporary_folder(prefix: str):
    return tempfile.TemporaryDirectory(prefix=prefix, dir="/tmp")
