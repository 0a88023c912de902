"""A council reading together on the embedded default (SQLite): page loads at the same moment never fail.

Each member's page load also writes (the session's last use, once a minute; the first opening of the sitting
and the first reading of its document, legal proofs): through ``write_apart`` those writes queue for SQLite's
lock instead of being refused with "database is locked". Real threads, a real server, the real SQLite file.
"""

import http.client
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from saas.core.database import commit, utcnow
from saas.documents import operations as documents
from saas.documents.models import DocumentKind, DocumentReading
from saas.identity import authentication
from saas.identity.models import AccessToken, LoginSession, Mandate, Person
from saas.sittings import operations as sittings
from saas.sittings.models import SittingStatus
from saas.sittings.proof.models import ProofKind, ProofRecord
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from tests.fixtures.instances import fresh_app, system_session
from tests.fixtures.pdfs import clean_pdf

MEMBERS = 50


def seed(app, pdf: Path) -> dict:
    """One town, ``MEMBERS`` members in office, each with a login session last seen two minutes ago (so that
    each page load writes it), and a convened sitting with one document nobody has opened yet."""
    with system_session(app) as session:
        tenant = Tenant(slug="lecture", name="Ville de Lecture", kind=TenantKind.COMMUNE, siren="999999998",
                        population=20000)  # fmt: skip
        session.add(tenant)
        session.flush()
        assembly = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil municipal", kind=AssemblyKind.COUNCIL,
                            seats=MEMBERS)  # fmt: skip
        session.add(assembly)
        people = [Person(email=f"elu{n:02d}@lecture.example", first_name="Élu", last_name=f"N{n:02d}")
                  for n in range(MEMBERS)]  # fmt: skip
        session.add_all(people)
        session.flush()
        for person in people:
            session.add(Mandate(tenant_id=tenant.id, person=person, assembly=assembly, start_date=date(2026, 1, 1)))
        sitting = sittings.create_sitting(
            tenant, assembly, starts_at=utcnow() + timedelta(days=20), place="Salle du conseil", actor=None
        )
        item = sittings.add_item(sitting, title="Budget primitif", actor=None)
        with pdf.open("rb") as stream:
            document = documents.add_item_document(item, DocumentKind.REPORT, "Rapport", stream, "rapport.pdf", None)
        sittings.set_status(sitting, SittingStatus.CONVENED, actor=None, at=utcnow() - timedelta(days=1))
        keys = [
            authentication.open_session(person, mfa_verified=True, ip="127.0.0.1", user_agent="test")
            for person in people
        ]
        session.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=2)))
        _, token = authentication.create_token(people[0], "tablette")
        seeded = {"slug": tenant.slug, "sitting_id": sitting.id, "document_id": document.id, "keys": keys,
                  "token": token}  # fmt: skip
        commit(session)
    return seeded


def session_cookie(app, key: str) -> str:
    """The cookie a browser holds after logging in: Flask-Login's ``_user_id`` is the login session's key."""
    value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": key, "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("council")
    with fresh_app(tmp, "readers", sqlite=True) as app:
        seeded = seed(app, clean_pdf(tmp / "rapport.pdf"))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, server.server_port, seeded
        finally:
            server.shutdown()
            thread.join(timeout=10)


def at_once(count: int, work) -> list:
    """Run ``work(n)`` in ``count`` threads released together; what they raised, as a list."""
    start, failures = threading.Barrier(count, timeout=60), []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except Exception as error:  # noqa: BLE001 — the test reports whatever a thread ran into
            failures.append(repr(error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return failures


def test_fifty_members_loading_pages_at_the_same_moment_all_get_them(council):
    app, port, seeded = council
    slug, sitting_id, document_id = seeded["slug"], seeded["sitting_id"], seeded["document_id"]
    pages = [
        "/account",
        "/seances",
        f"/t/{slug}/s/{sitting_id}",
        f"/t/{slug}/documents/{document_id}/annotations",  # the reader's poll
        f"/t/{slug}/documents/{document_id}/versions/1/file",  # the first reading (proof)
    ]
    answers = []

    def member(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Cookie": session_cookie(app, seeded["keys"][n])}
        try:
            for path in pages:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                answers.append((path, response.status))
        finally:
            connection.close()

    failures = at_once(MEMBERS, member)

    assert failures == []
    assert sorted({status for _, status in answers}) == [200], [a for a in answers if a[1] != 200][:5]
    assert len(answers) == MEMBERS * len(pages)
    with system_session(app) as session:
        seen = session.execute(sa.select(LoginSession.last_seen_at)).scalars().all()
        assert all(utcnow() - moment < timedelta(minutes=1) for moment in seen), "a session's last use was lost"
        readings = session.execute(sa.select(sa.func.count()).select_from(DocumentReading)).scalar_one()
        openings = session.execute(
            sa.select(sa.func.count()).select_from(ProofRecord).where(ProofRecord.kind == ProofKind.OPENING)
        ).scalar_one()
    assert (readings, openings) == (MEMBERS, MEMBERS), "each member's first reading and first opening, once"


def test_one_tablet_token_on_sixteen_connections_at_once(council):
    """The token's last use is noted (every 5 minutes) by the first calls, while the others read."""
    app, port, seeded = council
    with system_session(app) as session:
        session.execute(sa.update(AccessToken).values(last_used_at=None))
        commit(session)
    statuses = []

    def tablet(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for _ in range(10):
                connection.request("GET", "/api/v1/me/inbox", headers={"Authorization": f"Bearer {seeded['token']}"})
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
        finally:
            connection.close()

    assert at_once(16, tablet) == []
    assert statuses == [200] * 160
    with system_session(app) as session:
        assert session.execute(sa.select(AccessToken.last_used_at)).scalar_one() is not None
