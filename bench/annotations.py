"""Benchmark 4: annotations (issue 5) — first page of a big dossier in the viewer, and saving under load.

(a) Time to first page rendered in headless Chromium (Playwright, /usr/bin/chromium) through the viewer
page (``/t/<slug>/documents/<id>/lire``) for a 300-page, 100 MB dossier against a 1-page one, both made
here the same way (each page: a heading, a line of text and an incompressible 330 KB image). "Rendered"
is the moment the viewer marks page 1 rendered (``data-rendered`` on ``.vpage[data-page="1"]``, set by
static/viewer/pages.js once its canvas and text layer are drawn), taken by a MutationObserver installed
before the page loads, in ``performance.now()`` milliseconds from the navigation start. A fresh browser
context per run (empty cache); N runs each, median and max; the bytes of the PDF the viewer fetched
(range requests) are counted from the responses. Goal: big ≤ 1.5 × small.

(b) Annotation save latency: 50 members in office, each with their own API token, start together (a
barrier) and each POSTs ``SAVES`` highlights one after the other to
``/api/v1/tenants/<slug>/documents/<id>/annotations`` (H7's route, the operation the viewer's JSON route
calls too) over a keep-alive connection; every request's time from send to full answer is kept; p50, p95,
p99, max and throughput. Columns: embedded (SQLite) and production (PostgreSQL through the non-owner
role with row-level security, Redis), both against ``quorum serve`` in its own process.
"""

import hashlib
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("BENCH_PG_DATABASE", "quorum_bench_annotations")  # not the publish benchmark's

from bench.common import MIB, application, machine, server, temporary_folder, upload  # noqa: E402
from bench.publish import postgres, redis  # noqa: E402

BIG_PAGES = int(os.environ.get("BENCH_ANNOTATIONS_PAGES", "300"))
IMAGE_SIDE = 334  # 334 x 334 RGB = 335 KB per page: 300 pages ≈ 100 MB
RUNS = int(os.environ.get("BENCH_ANNOTATIONS_RUNS", "7"))
MEMBERS = 50
SAVES = int(os.environ.get("BENCH_ANNOTATIONS_SAVES", "20"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
FIRST_PAGE_WATCH = """
new MutationObserver((_, observer) => {
  if (document.querySelector('.vpage[data-page="1"][data-rendered]')) {
    window.__quorumFirstPage = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-rendered"]});
"""


def dossier_pdf(path: Path, pages: int) -> int:
    """A report of ``pages`` A4 pages, each with text and an incompressible image; returns its size."""
    import pikepdf
    from pikepdf import Dictionary, Name

    pdf = pikepdf.Pdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for number in range(1, pages + 1):
        noise = hashlib.shake_128(f"quorum-bench-annotations:{number}".encode()).digest(IMAGE_SIDE * IMAGE_SIDE * 3)
        image = pdf.make_stream(noise)
        image.Type, image.Subtype, image.Width, image.Height = Name.XObject, Name.Image, IMAGE_SIDE, IMAGE_SIDE
        image.ColorSpace, image.BitsPerComponent = Name.DeviceRGB, 8
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = Dictionary(Font=Dictionary(F1=font), XObject=Dictionary(Im1=image))
        page.Contents = pdf.make_stream(
            b"BT /F1 16 Tf 72 780 Td (Rapport n 44 - page %d) Tj ET "
            b"BT /F1 11 Tf 72 750 Td (La subvention est de 12 000 euros pour l'exercice 2027.) Tj ET "
            b"q 451 0 0 451 72 250 cm /Im1 Do Q" % number
        )
    pdf.save(path, compress_streams=False)
    return path.stat().st_size


def prepare(env: dict, seeded: dict) -> dict:
    """Convene the sitting (members read convened sittings only); a login session for the first member
    as a signed session cookie, and an API token for each of the members."""
    import sqlalchemy as sa
    from flask import current_app

    from saas.core.database import commit
    from saas.identity import authentication
    from saas.identity.models import Person
    from saas.sittings.models import Sitting, SittingStatus

    with application(env) as session:
        session.get(Sitting, seeded["sitting_id"]).status = SittingStatus.CONVENED
        members = list(
            session.execute(sa.select(Person).where(Person.email.like("elu%")).order_by(Person.email)).scalars()
        )
        key = authentication.open_session(members[0], mfa_verified=True, ip="127.0.0.1", user_agent="bench")
        tokens = [authentication.create_token(member, "bench")[1] for member in members]
        app = current_app._get_current_object()
        cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": key, "_fresh": True})
        commit(session)
        return {"cookie": (app.config["SESSION_COOKIE_NAME"], cookie), "tokens": tokens}


def first_page(port: int, cookie: tuple[str, str], document_id: int, slug: str) -> list[tuple[float, int, int]]:
    """(ms to page 1 rendered, bytes of the PDF's range answers until the network is idle, PDF requests)
    for RUNS fresh browser contexts."""
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{port}/t/{slug}/documents/{document_id}/lire"
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(RUNS + 1):  # the first run only warms the browser up (not counted)
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": f"http://127.0.0.1:{port}"}])
                context.add_init_script(FIRST_PAGE_WATCH)
                page = context.new_page()
                fetched = []
                page.on("response", lambda response, fetched=fetched: fetched.append(response))
                page.goto(url)
                page.wait_for_selector('.vpage[data-page="1"][data-rendered]', state="attached", timeout=120_000)
                elapsed = page.evaluate("window.__quorumFirstPage")
                page.wait_for_load_state("networkidle")
                pdf = [r for r in fetched if "/versions/" in r.url and r.url.endswith("/file")]
                if run:
                    results.append((elapsed, sum(_range_bytes(r) for r in pdf), len(pdf)))
                context.close()
        finally:
            browser.close()
    return results


def _range_bytes(response) -> int:
    """The bytes of a 206 range answer; PDF.js's first full GET (200) is cancelled once it sees the server
    accepts ranges, so its Content-Length says nothing of what was transferred."""
    return int(response.headers.get("content-length") or 0) if response.status == 206 else 0


def save_latencies(port: int, slug: str, document_id: int, tokens: list[str]) -> tuple[list[float], float, list[str]]:
    """Every accepted save's latency (s) with all members writing at once, the wall time of the whole burst
    and the refusals (status and start of the answer)."""
    barrier = threading.Barrier(len(tokens) + 1)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    target = f"/api/v1/tenants/{slug}/documents/{document_id}/annotations"

    def member(index: int, token: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine = []
        barrier.wait()
        for n in range(SAVES):
            y = 700 - (n % 30) * 18
            body = json.dumps({
                "kind": "highlight", "page": 1, "color": "#ffd400", "rects": [[72, y, 300, y + 12]],
                "quote": {"exact": "La subvention est de 12 000 euros", "prefix": "", "suffix": ""},
                "body": f"Note {n} du membre {index}",
            })  # fmt: skip
            started = time.perf_counter()
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status == 201:
                mine.append(time.perf_counter() - started)
            else:
                failures.append(f"{response.status} {answer[:200]!r}")
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=member, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return latencies, wall, failures


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def column(name: str, tmp: Path, files: dict[str, Path], extra_env: dict, viewer: bool) -> None:
    print(f"\n### {name}\n\nload average at the start: {os.getloadavg()[0]:.1f}\n", flush=True)
    with server(tmp, {"QUORUM_MAX_REQUEST_MB": "600", **extra_env}, members=MEMBERS) as (_, port, seeded, env):
        documents = {label: upload(port, seeded, path, label, kind="report" if label == "small" else "annex")
                     for label, path in files.items()}  # fmt: skip
        prepared = prepare(env, seeded)
        if viewer:
            figures = {
                label: first_page(port, prepared["cookie"], documents[label]["id"], seeded["slug"])
                for label in ("small", "big")
            }
            medians = {label: statistics.median(ms for ms, _, _ in runs) for label, runs in figures.items()}
            print(
                "| dossier | size | first page rendered: median (max), ms | range answers until idle (PDF requests) |"
            )
            print("|---|---|---|---|")
            for label in ("small", "big"):
                runs = figures[label]
                size = files[label].stat().st_size
                pages = 1 if label == "small" else BIG_PAGES
                fetched, requests = runs[-1][1], runs[-1][2]
                slowest = max(ms for ms, _, _ in runs)
                print(f"| {pages} page(s) | {size / MIB:.1f} MiB | {medians[label]:.0f} ({slowest:.0f}) "
                      f"| {fetched / 1024:.0f} KiB ({requests}) |")  # fmt: skip
            print(f"\n**Ratio big / small (medians, {RUNS} runs each): {medians['big'] / medians['small']:.2f}** "
                  "(goal ≤ 1.5)\n")  # fmt: skip
        latencies, wall, failures = save_latencies(port, seeded["slug"], documents["small"]["id"], prepared["tokens"])
        log = (tmp / "server.log").read_text(errors="replace")
        ms = [value * 1000 for value in latencies] or [0.0]
        print(f"| saves ({MEMBERS} members × {SAVES}, at once) | p50 | **p95** | p99 | max | throughput |")
        print("|---|---|---|---|---|---|")
        print(f"| {len(ms)} | {percentile(ms, 0.5):.0f} ms | **{percentile(ms, 0.95):.0f} ms** | "
              f"{percentile(ms, 0.99):.0f} ms | {max(ms):.0f} ms | {len(latencies) / wall:.0f} saves/s |")  # fmt: skip
        if failures:
            causes = sorted({line.split(": ", 1)[-1][:120] for line in log.splitlines() if "OperationalError" in line})
            print(f"\n**{len(failures)} of {len(failures) + len(latencies)} saves refused** "
                  f"(first: {failures[0][:60]}…); server errors: {causes[:3]}")  # fmt: skip


def main() -> int:
    print(f"Machine: {machine()}")
    which = sys.argv[1] if len(sys.argv) > 1 else "both"
    with temporary_folder("quorum-bench-annotations-") as folder:
        tmp = Path(folder)
        (tmp / "files").mkdir()
        files = {"small": tmp / "files" / "small.pdf", "big": tmp / "files" / "big.pdf"}
        dossier_pdf(files["small"], 1)
        dossier_pdf(files["big"], BIG_PAGES)
        if which in ("both", "embedded"):
            column("embedded: SQLite, quorum serve", tmp / "embedded", files, {}, viewer=True)
        if which in ("both", "production"):
            with postgres() as pg_env, redis(tmp / "redis") as redis_url:
                env = pg_env | {"QUORUM_REDIS_URL": redis_url}
                column("production: PostgreSQL (RLS), Redis, quorum serve", tmp / "prod", files, env, viewer=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
