"""Issue 13: 80 members voting electronically within the same second, on the real server (``quorum serve``).

Setup (not timed): a council of 80 members in office and a sitting held today with two items; the secretariat
opens it, confirms the roll call (all present), makes item 1 current and opens the electronic vote, through its
own screen's forms (the routes of ``saas/sittings/roll_call/views.py`` and ``saas/sittings/votes/views.py``,
with their CSRF tokens), as the browser does. Each member has a session cookie and has loaded their tablet page
once (its CSRF token), on a keep-alive connection of their own; throughout (a) and (b) every tablet also polls
its live route once a second on a second connection, as the page does.

(a) The burst: the 80 members, released together by a barrier, each POST their ballot from the tablet form
(50 pour, 20 contre, 10 abstentions), while the secretariat's screen polls its live route (``GET …/held/live``)
as fast as it answers. Reported: ballots recorded (the answers, then the tally of the live route, then the
database), latency of the ballots, the time from the first ballot sent to the tally of 80 on the live route,
and from the last ballot answered to the frozen result (the president closes the vote as soon as the screen
shows nobody waiting: ``POST …/close-vote``, then the live route shows the result).

(b) A ballot alone: on item 2, 20 members vote one after another while the screen polls; for each, the time
from sending the ballot to the first live answer that counts it. The browser polls every second
(static/held/live.js), so the screen shows a ballot at most that plus one second later.

(c) The live route against ``/healthz`` of the same server in the same run, N sequential requests each (this
host is noisy).
"""

import http.client
import os
import re
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from bench.common import ROOT, application, machine, server, temporary_folder

MEMBERS = int(os.environ.get("BENCH_VOTERS", "80"))
ALONE = int(os.environ.get("BENCH_VOTES_ALONE", "20"))
RUNS = int(os.environ.get("BENCH_VOTES_RUNS", "50"))
CHOICES = ["for"] * 50 + ["against"] * 20 + ["abstention"] * 10


def prepare(env: dict, seeded: dict) -> dict:
    """The sitting convened for today in an hour's time, the secretariat's and every member's session cookie."""
    import sqlalchemy as sa

    from saas.core.database import commit, utcnow
    from saas.identity import authentication
    from saas.identity.models import Mandate, Person
    from saas.sittings.models import Sitting, SittingStatus

    with application(env) as session:
        sitting = session.get(Sitting, seeded["sitting_id"])
        sitting.starts_at = utcnow() + timedelta(minutes=1)  # the sitting's day is today (opening is on that day)
        sitting.status = SittingStatus.CONVENED  # as if convened in time: the notice is not what is measured
        session.flush()
        mandates = session.execute(sa.select(Mandate).order_by(Mandate.id)).scalars().all()
        secretary = session.execute(sa.select(Person).where(Person.email == "secretariat@banc.example")).scalar_one()
        keys = [authentication.open_session(p, mfa_verified=True, ip="127.0.0.1", user_agent="bench")
                for p in [secretary, *(m.person for m in mandates)]]  # fmt: skip
        members = [m.person_id for m in mandates]
        commit(session)
        from flask import current_app

        serializer = current_app.session_interface.get_signing_serializer(current_app)
        name = current_app.config["SESSION_COOKIE_NAME"]
        cookies = [f"{name}={serializer.dumps({'_user_id': key, '_fresh': True})}" for key in keys]
    return {"secretary": cookies[0], "members": list(zip(members, cookies[1:], strict=True))}


class Browser:
    """One keep-alive connection with its cookie jar (the Flask session cookie changes once: the CSRF token)."""

    def __init__(self, port: int, cookie: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.cookies = dict([cookie.split("=", 1)])

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes, dict]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload, dict(response.getheaders())

    def token(self, path: str) -> str:
        status, page, _ = self.request("GET", path)
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"GET {path}: {status}, no CSRF token: {page[:400]!r}")
        return match.group(1).decode()

    def post(self, path: str, token: str, form: dict | None = None, expect=(302, 303)) -> bytes:
        status, payload, _ = self.request("POST", path, {"csrf_token": token, **(form or {})})
        if status not in expect:
            raise RuntimeError(f"POST {path}: {status} {payload[:600]!r}")
        return payload

    def json(self, path: str) -> dict:
        import json

        status, payload, _ = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {payload[:300]!r}")
        return json.loads(payload)


def hold(port: int, seeded: dict, cookies: dict) -> tuple[Browser, str]:
    """The secretariat opens the sitting, confirms everyone present, makes item 1 current, opens its vote."""
    secretariat = Browser(port, cookies["secretary"])
    base = f"/t/{seeded['slug']}/s/{seeded['sitting_id']}"
    token = secretariat.token(f"{base}/held")
    first_member = cookies["members"][0][0]
    secretariat.post(f"{base}/held/open", token, {"secretary": first_member})
    secretariat.post(f"{base}/held/roll-call", token,
                     {f"seat_{person}": "present" for person, _ in cookies["members"]})  # fmt: skip
    open_vote(secretariat, base, token, seeded["item_ids"][0])
    return secretariat, token


def open_vote(secretariat: Browser, base: str, token: str, item_id: int) -> None:
    secretariat.post(f"{base}/held/items/{item_id}/current", token)
    secretariat.post(f"{base}/held/items/{item_id}/open-vote", token)


def tablets(port: int, seeded: dict, cookies: dict) -> list[tuple[Browser, str]]:
    """Every member's tablet, its page loaded once (its CSRF token)."""
    path = f"/t/{seeded['slug']}/s/{seeded['sitting_id']}/vote"
    found = []
    for _, cookie in cookies["members"]:
        browser = Browser(port, cookie)
        found.append((browser, browser.token(path)))
    return found


class Screen(threading.Thread):
    """The secretariat's screen polling its live route back to back: (time answered, state) of every poll."""

    def __init__(self, port: int, cookie_jar: dict, path: str):
        super().__init__(daemon=True)
        self.browser = Browser(port, "x=y")
        self.browser.cookies = dict(cookie_jar)
        self.path, self.polls, self.stop = path, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            sent = time.perf_counter()
            state = self.browser.json(self.path)
            self.polls.append((sent, time.perf_counter(), state))

    def first(self, condition, after: float) -> float | None:
        """When the first poll *sent* after ``after`` answered with ``condition`` true."""
        for sent, answered, state in list(self.polls):
            if sent >= after and condition(state):
                return answered
        return None


class Tablets:
    """Every member's tablet polling its live route once a second, as static/held/live.js does, each on a
    connection of its own, started at a random moment of the second; the time of each poll."""

    def __init__(self, port: int, seeded: dict, cookies: dict):
        self.path = f"/t/{seeded['slug']}/s/{seeded['sitting_id']}/vote/live"
        self.browsers = [Browser(port, cookie) for _, cookie in cookies["members"]]
        self.stop, self.times, self.errors = threading.Event(), [], 0
        self.threads = [
            threading.Thread(target=self.run, args=(b, n), daemon=True) for n, b in enumerate(self.browsers)
        ]

    def run(self, browser: Browser, n: int) -> None:
        self.stop.wait((n * 0.618) % 1)
        while not self.stop.is_set():
            began = time.perf_counter()
            try:
                status, _, _ = browser.request("GET", self.path)
            except OSError:
                status = 0
            self.times.append(time.perf_counter() - began)
            self.errors += status != 200
            self.stop.wait(max(0.0, 1 - (time.perf_counter() - began)))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def burst(port: int, seeded: dict, secretariat: Browser, token: str, members: list) -> dict:
    base = f"/t/{seeded['slug']}/s/{seeded['sitting_id']}"
    item = seeded["item_ids"][0]
    screen = Screen(port, secretariat.cookies, f"{base}/held/live")
    screen.start()
    barrier = threading.Barrier(len(members))
    sent, answered, statuses = {}, {}, {}

    def vote(n: int, browser: Browser, csrf: str) -> None:
        barrier.wait()
        sent[n] = time.perf_counter()
        status, _, _ = browser.request("POST", f"{base}/vote/items/{item}/ballot",
                                       {"csrf_token": csrf, "choice": CHOICES[n % len(CHOICES)]})  # fmt: skip
        answered[n], statuses[n] = time.perf_counter(), status

    threads = [threading.Thread(target=vote, args=(n, b, c)) for n, (b, c) in enumerate(members)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first_sent, last_answered = min(sent.values()), max(answered.values())
    everyone = lambda state: state["vote"]["cast"] == len(members)  # noqa: E731
    deadline = time.monotonic() + 60
    while screen.first(everyone, first_sent) is None and time.monotonic() < deadline:
        time.sleep(0.005)
    all_shown = screen.first(everyone, first_sent)
    closing = time.perf_counter()
    secretariat.post(f"{base}/held/items/{item}/close-vote", token)
    closed = time.perf_counter()
    frozen = lambda state: bool(state["vote"].get("result"))  # noqa: E731
    while screen.first(frozen, closing) is None and time.monotonic() < deadline:
        time.sleep(0.005)
    shown_frozen = screen.first(frozen, closing)
    screen.stop.set()
    screen.join()
    final = screen.polls[-1][2]
    return {
        "statuses": statuses,
        "latencies": [answered[n] - sent[n] for n in sent],
        "spread": max(sent.values()) - first_sent,
        "to_all_shown": (all_shown - first_sent) if all_shown else None,
        "last_to_all_shown": (all_shown - last_answered) if all_shown else None,
        "close": closed - closing,
        "last_to_frozen": (shown_frozen - last_answered) if shown_frozen else None,
        "final": final,
        "polls": len(screen.polls),
    }


def alone(port: int, seeded: dict, secretariat: Browser, token: str, members: list) -> list[float]:
    """Item 2: one member after another; time from sending each ballot to the first live answer counting it."""
    base = f"/t/{seeded['slug']}/s/{seeded['sitting_id']}"
    item = seeded["item_ids"][1]
    open_vote(secretariat, base, token, item)
    screen = Screen(port, secretariat.cookies, f"{base}/held/live")
    screen.start()
    delays = []
    for n, (browser, csrf) in enumerate(members[:ALONE]):
        began = time.perf_counter()
        status, payload, _ = browser.request("POST", f"{base}/vote/items/{item}/ballot",
                                             {"csrf_token": csrf, "choice": "for"})  # fmt: skip
        if status not in (302, 303):
            raise RuntimeError(f"ballot {n}: {status} {payload[:300]!r}")
        counted = lambda state, n=n: state["vote"]["cast"] >= n + 1  # noqa: E731
        while (shown := screen.first(counted, began)) is None:
            time.sleep(0.001)
        delays.append(shown - began)
    screen.stop.set()
    screen.join()
    return delays


def recorded(env: dict, seeded: dict) -> dict:
    """What the database holds for item 1: ballots by choice."""
    import sqlalchemy as sa

    from saas.sittings.votes.models import Ballot, ItemVote

    with application(env) as session:
        rows = session.execute(
            sa.select(Ballot.choice, sa.func.count(Ballot.id))
            .join(ItemVote, ItemVote.id == Ballot.vote_id)
            .where(ItemVote.item_id == seeded["item_ids"][0])
            .group_by(Ballot.choice)
        ).all()
    return {str(choice): count for choice, count in rows}


def timed(browser: Browser, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        status, _, _ = browser.request("GET", path)
        times.append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
    return times


def ms(values: list[float]) -> str:
    ordered = sorted(v * 1000 for v in values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return f"{statistics.median(ordered):.0f} ms | {p95:.0f} ms | {ordered[-1]:.0f} ms"


def main() -> int:
    print(f"Machine: {machine()}\n\nLoad average at the start: {os.getloadavg()[0]:.1f}\n")
    with temporary_folder("quorum-bench-votes-") as folder:
        tmp = Path(folder)
        with server(tmp, {"PYTHONPATH": str(ROOT)}, items=2, members=MEMBERS) as (_, port, seeded, env):
            cookies = prepare(env, seeded)
            secretariat, token = hold(port, seeded, cookies)
            members = tablets(port, seeded, cookies)
            base = f"/t/{seeded['slug']}/s/{seeded['sitting_id']}"
            quiet = Browser(port, "x=y")
            quiet.cookies = dict(secretariat.cookies)
            health = timed(quiet, "/healthz", RUNS)
            live = timed(quiet, f"{base}/held/live", RUNS)
            size = len(quiet.request("GET", f"{base}/held/live")[1])
            with Tablets(port, seeded, cookies) as polling:
                time.sleep(2)  # the tablets' polls under way, as in the room
                result = burst(port, seeded, secretariat, token, members)
                single = alone(port, seeded, secretariat, token, members)
            health_after = timed(quiet, "/healthz", RUNS)
            database = recorded(env, seeded)
    accepted = sum(1 for status in result["statuses"].values() if status in (302, 303))
    vote = result["final"]["vote"]
    print(f"Ballots sent within {result['spread'] * 1000:.0f} ms: {len(result['statuses'])}; "
          f"answered with the confirmation (303): {accepted}; other answers: "
          f"{sorted(s for s in result['statuses'].values() if s not in (302, 303)) or 'none'}.")  # fmt: skip
    print(
        f"Tally on the secretariat's live route: {vote['cast']} cast of {vote['entitled']} entitled; "
        f"result {vote.get('result')!r}. In the database: {database}.\n"
    )
    print("| measure | N | median | p95 | max |")
    print("|---|---|---|---|---|")
    print(f"| `GET /healthz` (peer, quiet) | {RUNS} | {ms(health)} |")
    print(f"| `GET …/held/live` (quiet, {size} bytes) | {RUNS} | {ms(live)} |")
    print(f"| ballot `POST …/vote/items/<id>/ballot`, {MEMBERS} at once | {len(result['latencies'])} | "
          f"{ms(result['latencies'])} |")  # fmt: skip
    print(f"| a ballot alone → counted on the live route | {len(single)} | {ms(single)} |")
    print(f"| the tablets' polls `GET …/vote/live` meanwhile ({polling.errors} not 200) | {len(polling.times)} | "
          f"{ms(polling.times)} |")  # fmt: skip
    print(f"| `GET /healthz` (peer, after) | {RUNS} | {ms(health_after)} |")

    def seconds(value):
        return "never" if value is None else f"{value * 1000:.0f} ms"

    print(f"\nFirst ballot sent → live route shows {MEMBERS} cast: {seconds(result['to_all_shown'])} "
          f"(last ballot answered → shown: {seconds(result['last_to_all_shown'])}); "
          f"the secretariat's screen polled {result['polls']} times meanwhile.")  # fmt: skip
    print(
        f"Closing the vote (`POST …/close-vote`, result frozen): {seconds(result['close'])}; "
        f"last ballot answered → frozen result on the live route: {seconds(result['last_to_frozen'])}."
    )
    ok = accepted == MEMBERS and vote["cast"] == MEMBERS and sum(database.values()) == MEMBERS
    if not ok:
        print("\nNot every ballot was recorded.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
