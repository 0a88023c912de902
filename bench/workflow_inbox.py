"""Issue 12: "À traiter" for a member with 6 mandates in 4 collectivities and 2 000 running reports, each
waiting for the member's visa (500 per collectivity), on the embedded default.

(a) SQL queries per request of ``GET /a-traiter`` and ``GET /api/v1/me/tasks``, counted in this process
(an application on the same instance, a SQLAlchemy ``before_cursor_execute`` listener, the Flask test
client with the member's cookie or token) with 1 report per collectivity, then with 500: they must be
equal. (b) Time per request against ``quorum serve`` in its own process, N sequential requests on one
keep-alive connection, with ``/healthz`` of the same server in the same run as the peer (this host is
noisy). (c) The cost of one transition: ``POST /api/v1/tenants/<slug>/tasks/<id>/actions``
``{"action": "approve"}`` on the same server, one after the other, against that same peer.
"""

import http.client
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from bench.common import ROOT, application, machine, server, temporary_folder

REPORTS = int(os.environ.get("BENCH_INBOX_REPORTS", "2000"))
RUNS = int(os.environ.get("BENCH_INBOX_RUNS", "20"))
APPROVALS = int(os.environ.get("BENCH_INBOX_APPROVALS", "20"))
#: the member's seats: (collectivity, assembly kind) — 6 mandates in 4 collectivities
SEATS = [(0, "council"), (0, "committee"), (1, "council"), (1, "committee"), (2, "council"), (3, "council")]
MEMBER = "elu.multi@banc.example"


def build(env: dict) -> dict:
    """Three more collectivities beside the seeded one, the member's six mandates, a drafter and a two-step
    circuit in each (the member's visa, then the secretariat's); a session cookie and a token for the member."""
    import sqlalchemy as sa

    from saas.core.database import commit
    from saas.identity import authentication
    from saas.identity.models import GrantKind, Mandate, Person
    from saas.identity.operations import give_grant
    from saas.reports import operations as reports
    from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
    from saas.workflow.definitions import create_definition

    with application(env) as session:
        tenants = [session.execute(sa.select(Tenant)).scalar_one()]
        for n in range(1, 4):
            tenant = Tenant(slug=f"banc-{n}", name=f"Collectivité n° {n + 1}", kind=TenantKind.COMMUNE,
                            siren=f"99999999{n}", population=20000)  # fmt: skip
            session.add(tenant)
            session.flush()
            council = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil", kind=AssemblyKind.COUNCIL, seats=33)
            session.add(council)
            tenants.append(tenant)
        session.flush()
        member = Person(email=MEMBER, first_name="Élue", last_name="Multi")
        session.add(member)
        places = []
        for index, tenant in enumerate(tenants):
            council = session.execute(
                sa.select(Assembly).where(Assembly.tenant_id == tenant.id, Assembly.kind == AssemblyKind.COUNCIL)
            ).scalar_one()
            committee = Assembly(tenant_id=tenant.id, key="commission-1", name="Commission n° 1",
                                 kind=AssemblyKind.COMMITTEE, seats=9)  # fmt: skip
            session.add(committee)
            session.flush()
            for place, kind in SEATS:
                if place == index:
                    assembly = council if kind == "council" else committee
                    start = date(2026, 1, 1)
                    session.add(Mandate(tenant_id=tenant.id, person=member, assembly=assembly, start_date=start))
            drafter = Person(email=f"redacteur{index}@banc.example", first_name="Rédacteur", last_name=str(index))
            secretary = Person(email=f"secretariat{index}@banc.example", first_name="Secrétariat", last_name=str(index))
            session.add_all([drafter, secretary])
            session.flush()
            give_grant(secretary, tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
            service = reports.create_service(tenant, "Finances", head=secretary, actor=None)
            reports.give_drafter_grant(drafter, service, actor=None)
            create_definition(
                tenant,
                {"key": "visa", "name": "Visa", "applies_to": "reports", "assembly_kind": "council", "steps": [
                    {"key": "visa-elu", "name": "Visa de l'élue", "kind": "approval",
                     "who": {"kind": "persons", "emails": [MEMBER]}, "deadline": {"days_after_arrival": 10}},
                    {"key": "secretariat", "name": "Secrétariat", "kind": "approval",
                     "who": {"kind": "grant", "grant": "tenant_admin"}},
                ]},
                actor=None,
            )  # fmt: skip
            places.append({"tenant": tenant.id, "slug": tenant.slug, "drafter": drafter.id, "service": service.id,
                           "council": council.id})  # fmt: skip
        key = authentication.open_session(member, mfa_verified=True, ip="127.0.0.1", user_agent="bench")
        _, token = authentication.create_token(member, "bench")
        commit(session)
        from flask import current_app

        serializer = current_app.session_interface.get_signing_serializer(current_app)
        cookie = f"{current_app.config['SESSION_COOKIE_NAME']}={serializer.dumps({'_user_id': key, '_fresh': True})}"
        return {"places": places, "member": member.id, "cookie": cookie, "token": token}


def submit(env: dict, built: dict, per_place: int) -> float:
    """``per_place`` more reports in each collectivity, submitted by its drafter (each opens the member's
    task); returns the seconds it took."""
    from saas.core.database import TenantContext, commit, set_context
    from saas.identity.models import Person
    from saas.reports import operations as reports
    from saas.reports.models import Service
    from saas.tenancy.models import Assembly
    from saas.workflow import operations as engine

    began = time.perf_counter()
    with application(env) as session:
        for place in built["places"]:
            set_context(session, TenantContext(tenant_id=place["tenant"], person_id=place["drafter"]))
            drafter, service = session.get(Person, place["drafter"]), session.get(Service, place["service"])
            council = session.get(Assembly, place["council"])
            for n in range(per_place):
                report = reports.create_report(drafter, service, reports.ReportFields(
                    title=f"Rapport n° {n + 1} — {place['slug']}", subject_code="7.1", assembly=council))  # fmt: skip
                engine.submit(report, drafter)
                if n % 100 == 99:
                    commit(session)
            commit(session)
    return time.perf_counter() - began


def counted(env: dict, built: dict) -> dict[str, int]:
    """SQL statements of one request of each page, in this process, on the same instance (second call: the
    first warms what a process loads once)."""
    import sqlalchemy as sa

    from saas import create_app
    from saas.core.extensions import db

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        app = create_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    name, value = built["cookie"].split("=", 1)
    figures = {}
    with app.app_context():
        client = app.test_client()
        client.set_cookie(name, value)
        for path, headers in (("/a-traiter", {}), ("/api/v1/me/tasks", {"Authorization": f"Bearer {built['token']}"})):
            statements = []

            def count(conn, cursor, statement, *args, statements=statements):
                statements.append(statement)

            for _ in range(2):
                statements.clear()
                sa.event.listen(db.engine, "before_cursor_execute", count)
                try:
                    response = client.get(path, headers=headers)
                finally:
                    sa.event.remove(db.engine, "before_cursor_execute", count)
                assert response.status_code == 200, (path, response.status_code)
            figures[path] = len(statements)
        db.session.remove()
        db.engine.dispose()
    return figures


def timed(port: int, method: str, paths: list[str], headers: dict, body: bytes | None = None) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    times = []
    for path in paths:
        began = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        times.append(time.perf_counter() - began)
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
    connection.close()
    return times


def line(label: str, times: list[float], peer: float | None = None) -> str:
    ms = sorted(value * 1000 for value in times)
    median = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    ratio = f"{median / peer:.0f} ×" if peer else "—"
    return f"| {label} | {len(ms)} | {median:.1f} ms | {p95:.1f} ms | {ms[-1]:.1f} ms | {ratio} |"


def open_tasks(env: dict, built: dict, count: int) -> list[tuple[str, int]]:
    """``count`` of the member's open tasks, spread over the collectivities: (slug, task id)."""
    import sqlalchemy as sa

    from saas.workflow.models import Task, TaskState

    slugs = {place["tenant"]: place["slug"] for place in built["places"]}
    with application(env) as session:
        rows = session.execute(
            sa.select(Task.tenant_id, Task.id)
            .where(Task.person_id == built["member"], Task.state == TaskState.OPEN)
            .order_by(Task.id.desc())
        ).all()
    by_tenant = {}
    for tenant_id, task_id in rows:
        by_tenant.setdefault(tenant_id, []).append(task_id)
    chosen = []
    while len(chosen) < count and any(by_tenant.values()):
        for tenant_id, ids in by_tenant.items():
            if ids and len(chosen) < count:
                chosen.append((slugs[tenant_id], ids.pop()))
    return chosen


def main() -> int:
    per_place = REPORTS // 4
    print(f"Machine: {machine()}\n\nLoad average at the start: {os.getloadavg()[0]:.1f}\n")
    with temporary_folder("quorum-bench-inbox-") as folder:
        tmp = Path(folder)
        # the checkout's code, also when the virtualenv's editable install points at another worktree
        with server(tmp, {"PYTHONPATH": str(ROOT)}) as (_, port, _seeded, env):
            built = build(env)
            submit(env, built, 1)
            small = counted(env, built)
            seconds = submit(env, built, per_place - 1)
            print(f"Setup: {per_place * 4} running reports submitted through the engine in {seconds:.0f} s "
                  f"({seconds * 1000 / (per_place * 4 - 4):.0f} ms each).\n")  # fmt: skip
            large = counted(env, built)
            print(f"| request | SQL statements, 4 tasks | SQL statements, {per_place * 4} tasks |")
            print("|---|---|---|")
            for path in small:
                print(f"| `GET {path}` | {small[path]} | {large[path]} |")
            cookie = {"Cookie": built["cookie"]}
            token = {"Authorization": f"Bearer {built['token']}"}
            timed(port, "GET", ["/a-traiter", "/api/v1/me/tasks", "/healthz"], {**cookie, **token})  # warm
            health = timed(port, "GET", ["/healthz"] * RUNS, {})
            peer = statistics.median(health) * 1000
            page = timed(port, "GET", ["/a-traiter"] * RUNS, cookie)
            api = timed(port, "GET", ["/api/v1/me/tasks"] * RUNS, token)
            size = len(http_get(port, "/a-traiter", cookie)), len(http_get(port, "/api/v1/me/tasks", token))
            tasks = open_tasks(env, built, APPROVALS)
            body = json.dumps({"action": "approve", "comment": "Vu"}).encode()
            approvals = [
                timed(port, "POST", [f"/api/v1/tenants/{slug}/tasks/{task_id}/actions"],
                      {**token, "Content-Type": "application/json"}, body)[0]
                for slug, task_id in tasks
            ]  # fmt: skip
            health_after = timed(port, "GET", ["/healthz"] * RUNS, {})
            print(f"\n| request ({per_place * 4} tasks) | N | median | p95 | max | median / `/healthz` |")
            print("|---|---|---|---|---|---|")
            print(line("`GET /healthz` (peer)", health))
            print(line(f"`GET /a-traiter` ({size[0] // 1024} KiB)", page, peer))
            print(line(f"`GET /api/v1/me/tasks` ({size[1] // 1024} KiB)", api, peer))
            print(line('`POST …/tasks/<id>/actions` `{"action": "approve"}`', approvals, peer))
            print(line("`GET /healthz` (peer, after)", health_after))
            if any(small[path] != large[path] for path in small):
                print("\nThe number of SQL statements grew with the number of tasks.")
                return 1
    return 0


def http_get(port: int, path: str, headers: dict) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("GET", path, headers=headers)
    body = connection.getresponse().read()
    connection.close()
    return body


if __name__ == "__main__":
    sys.exit(main())
