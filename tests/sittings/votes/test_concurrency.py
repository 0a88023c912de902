"""Ballots racing over HTTP, each request on a connection of its own against the real database (SQLite, or
PostgreSQL through the non-owner role with row-level security): 50 ballots of one member sent at the same
moment record exactly one (the others: 409 in French); ballots of many members at once are all recorded and
the result counts them; a ballot racing the closing is either counted or refused, never lost."""

import threading
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask

from saas.audit.models import AuditEvent
from saas.core.database import TenantContext, commit, set_context, utcnow
from saas.identity import operations as identity
from saas.identity.authentication import create_token
from saas.identity.models import GrantKind, MandateRole, Person
from saas.sittings import operations as sittings
from saas.sittings.attendance import operations as attendance
from saas.sittings.models import AttendanceAnswer, SittingStatus
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.votes import operations as votes
from saas.sittings.votes.models import Ballot, ItemResult
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from tests.fixtures.instances import fresh_app, system_session
from tests.sittings.votes.world import OPENING_DAY, SITTING_AT


def _build(app: Flask, members: int) -> dict:
    """A commune, its council of ``members`` (the first is the president), a secretariat, a sitting opened with
    its roll call confirmed and its electronic vote open on item 1; a token for each person."""
    with system_session(app) as session:
        tenant = Tenant(
            slug="ville-vote", name="Ville du vote", kind=TenantKind.COMMUNE, siren="987654321", population=9000
        )
        session.add(tenant)
        session.flush()
        council = Assembly(tenant_id=tenant.id, key="conseil", name="Conseil", kind=AssemblyKind.COUNCIL, seats=99)
        session.add(council)
        session.flush()
        people = []
        for n in range(members):
            request = identity.MandateRequest(
                email=f"m{n}@vote.example.org", first_name="Membre", last_name=f"V{n:03d}", assembly=council,
                role=MandateRole.PRESIDENT if n == 0 else MandateRole.MEMBER, start_date=date(2026, 1, 1),
            )  # fmt: skip
            people.append(identity.give_mandate(tenant, request, actor=None).person)
        secretariat = Person(email="secretariat@vote.example.org", first_name="Sonia", last_name="Secrétariat")
        session.add(secretariat)
        session.flush()
        identity.give_grant(secretariat, tenant, GrantKind.SECRETARY, assembly=council, actor=None)
        set_context(session, TenantContext(tenant_id=tenant.id))
        sitting = sittings.create_sitting(tenant, council, starts_at=SITTING_AT, place="Salle", actor=None)
        item = sittings.add_item(sitting, title="Budget", actor=None)
        sittings.set_status(sitting, SittingStatus.CONVENED, actor=None, at=SITTING_AT - timedelta(days=30))
        for person in people:
            attendance.answer_attendance(person, sitting, AttendanceAnswer.PRESENT)
        roll_call.open_sitting(sitting, secretary=people[1], actor=secretariat, now=utcnow())
        roll_call.confirm_roll_call(sitting, [], actor=secretariat, confirm_all=True)
        votes.open_electronic_vote(item, actor=secretariat)
        tokens = {person.id: create_token(person, "course")[1] for person in [*people, secretariat]}
        commit(session)
        return {
            "tenant": tenant.id,
            "url": f"/api/v1/tenants/{tenant.slug}/sittings/{sitting.id}/items/{item.id}",
            "people": [person.id for person in people],
            "secretariat": secretariat.id,
            "tokens": tokens,
            "item": item.id,
        }


def _race(app: Flask, calls) -> list[tuple[int, dict]]:
    """Each (path, body, token) POSTed from its own thread and test client, released together."""
    start, answers, failed = threading.Barrier(len(calls)), [], []

    def post(path, body, token):
        try:
            client = app.test_client()
            start.wait(timeout=60)
            answer = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
            answers.append((answer.status_code, answer.get_json()))
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            failed.append(error)

    threads = [threading.Thread(target=post, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert failed == []
    return answers


def _count(app: Flask, model) -> int:
    with system_session(app) as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_fifty_ballots_of_one_member_at_the_same_moment_record_one(tmp_path, time_machine):
    time_machine.move_to(OPENING_DAY, tick=True)
    with fresh_app(tmp_path, "ballots50") as app:
        ids = _build(app, members=5)
        member = ids["people"][2]
        answers = _race(app, [(f"{ids['url']}/ballots", {"choice": "for"}, ids["tokens"][member])] * 50)
        statuses = sorted(status for status, _ in answers)
        assert statuses == [201] + [409] * 49, statuses
        refused = {body["message"] for status, body in answers if status == 409}
        assert refused == {"Le vote de Membre V002 est déjà enregistré : un seul bulletin par votant."}
        assert _count(app, Ballot) == 1
        with system_session(app) as session:
            cast = session.execute(sa.select(AuditEvent).where(AuditEvent.action == "vote.ballot_cast")).scalars()
            assert len(cast.all()) == 1


def test_every_member_voting_in_the_same_second_is_counted(tmp_path, time_machine):
    time_machine.move_to(OPENING_DAY, tick=True)
    with fresh_app(tmp_path, "ballotsall") as app:
        ids = _build(app, members=21)
        calls = [
            (f"{ids['url']}/ballots", {"choice": "against" if n % 3 == 0 else "for"}, ids["tokens"][person])
            for n, person in enumerate(ids["people"])
        ]
        answers = _race(app, calls)
        assert sorted(status for status, _ in answers) == [201] * 21
        closing = app.test_client().post(
            f"{ids['url']}/electronic-vote/closing",
            headers={"Authorization": f"Bearer {ids['tokens'][ids['secretariat']]}"},
        )
        assert closing.status_code == 200, closing.get_json()
        result = closing.get_json()["result"]
        assert (result["outcome"], result["votes_for"], result["votes_against"]) == ("adopted", 14, 7)
        assert len(result["entitled"]) == 21 and all(row["voted"] for row in result["entitled"])


def test_a_ballot_racing_the_closing_is_counted_or_refused(tmp_path, time_machine):
    time_machine.move_to(OPENING_DAY, tick=True)
    with fresh_app(tmp_path, "ballotclose") as app:
        ids = _build(app, members=9)
        chair = ids["tokens"][ids["secretariat"]]
        calls = [(f"{ids['url']}/electronic-vote/closing", {}, chair)] + [
            (f"{ids['url']}/ballots", {"choice": "for"}, ids["tokens"][person]) for person in ids["people"][1:5]
        ]
        answers = _race(app, calls)
        closing = next(body for status, body in answers if "decided" in (body or {}))
        ballots_ok = sum(1 for status, body in answers if status == 201)
        refused = [body["message"] for status, body in answers if status == 409]
        assert all("clos" in message for message in refused) and ballots_ok + len(refused) == 4
        assert closing["result"]["votes_for"] == ballots_ok == _count(app, Ballot)
        assert _count(app, ItemResult) == 1
