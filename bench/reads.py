"""Issue 11: a council reading together on the embedded default. 200 logged-in members load, at the same
moment, their account, their sittings, the sitting page, the reader's poll of annotations and the document
(each first load writes: the session's last use, the first opening, the first reading). Errors and latency,
against /healthz of the same server loaded the same way in the same run (this host is noisy)."""

import http.client
import os
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench.common import application, machine, server, temporary_folder, upload
from bench.pdfgen import write_pdf

MEMBERS = int(os.environ.get("BENCH_READERS", "200"))


def prepare(env: dict, seeded: dict) -> list[str]:
    """Convene the sitting and log every member in (a session last seen two minutes ago): their cookies."""
    import sqlalchemy as sa

    from saas.core.database import commit, utcnow
    from saas.identity import authentication
    from saas.identity.models import LoginSession, Mandate
    from saas.sittings import operations as sittings
    from saas.sittings.models import Sitting, SittingStatus

    with application(env) as session:
        sitting = session.get(Sitting, seeded["sitting_id"])
        sittings.set_status(sitting, SittingStatus.CONVENED, actor=None, at=utcnow() - timedelta(days=1))
        mandates = session.execute(sa.select(Mandate).order_by(Mandate.id)).scalars().all()
        keys = [authentication.open_session(m.person, mfa_verified=True, ip="127.0.0.1", user_agent="bench")
                for m in mandates]  # fmt: skip
        session.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=float(os.environ.get("BENCH_LAST_SEEN_MINUTES", "2")))))
        commit(session)
        from flask import current_app

        serializer = current_app.session_interface.get_signing_serializer(current_app)
        name = current_app.config["SESSION_COOKIE_NAME"]
        return [f"{name}={serializer.dumps({'_user_id': key, '_fresh': True})}" for key in keys]


def at_once(port: int, cookies: list[str], paths: list[str]) -> tuple[list[float], list[str], float]:
    """Every member sends ``paths`` in turn on one connection, all released together."""
    start, latencies, failures = threading.Barrier(len(cookies)), [], []

    def member(cookie: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        start.wait()
        for path in paths:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
            except OSError as error:
                failures.append(f"{path}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                continue
            if response.status == 200:
                latencies.append(time.perf_counter() - began)
            else:
                failures.append(f"{path}: {response.status}")
        connection.close()

    threads = [threading.Thread(target=member, args=(cookie,)) for cookie in cookies]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures, time.perf_counter() - began


def line(label: str, latencies: list[float], failures: list[str], wall: float) -> str:
    ms = sorted(value * 1000 for value in latencies) or [0.0]
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return (f"| {label} | {len(latencies) + len(failures)} | **{len(failures)}** | {statistics.median(ms):.0f} ms "
            f"| {p95:.0f} ms | {ms[-1]:.0f} ms | {wall:.1f} s |")  # fmt: skip


def main() -> int:
    print(f"Machine: {machine()}\n\n{MEMBERS} members at once; load average at the start: {os.getloadavg()[0]:.1f}\n")
    with temporary_folder("quorum-bench-reads-") as folder:
        tmp = Path(folder)
        with server(tmp, members=MEMBERS) as (_, port, seeded, env):
            write_pdf(tmp / "rapport.pdf", 200_000)
            document = upload(port, seeded, tmp / "rapport.pdf", "Rapport", kind="report")
            cookies = prepare(env, seeded)
            slug, sitting, doc = seeded["slug"], seeded["sitting_id"], document["id"]
            pages = ["/account", "/seances", f"/t/{slug}/s/{sitting}", f"/t/{slug}/documents/{doc}/annotations",
                     f"/t/{slug}/documents/{doc}/versions/1/file"]  # fmt: skip
            print("| requests | sent | **errors** | median | p95 | max | wall |")
            print("|---|---|---|---|---|---|---|")
            figures = at_once(port, cookies, pages)
            print(line("5 pages per member, first loads (they write)", *figures))
            print(line("the same again (nothing to write)", *at_once(port, cookies, pages)))
            print(line("peer: /healthz × 5 per member", *at_once(port, cookies, ["/healthz"] * 5)))
            if figures[1]:
                kept = Path("/tmp/quorum-bench-reads-server.log")
                kept.write_text((tmp / "server.log").read_text(errors="replace"))
                log = kept.read_text().splitlines()
                causes = sorted({line[:200] for line in log if "Error" in line and "Traceback" not in line})
                print(f"\nfirst failures: {figures[1][:5]}\nserver errors: {causes[:8]} (log: {kept})")
    return 1 if figures[1] else 0


if __name__ == "__main__":
    sys.exit(main())
