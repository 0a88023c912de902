"""The lifecycle through the API: PATCH a sitting (a new convocation once convened), the status route that
only convenes (409 for opening and closing), cancel, supplement, the notices, reconvene after a failed quorum;
French 422s for bad input, 404 for wrong ids and for members; in the OpenAPI document. And two secretaries at
the same moment, on connections of their own against the real database: one cancellation, one reconvening."""

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, commit, context, set_context
from saas.identity import operations as identity
from saas.identity.authentication import create_token
from saas.identity.models import GrantKind, Person
from saas.mail.models import OutboundMail
from saas.sittings import operations
from saas.sittings.convocations.models import Convocation, SittingNotice
from saas.sittings.convocations.operations import send_convocations
from saas.sittings.models import Sitting, SittingStatus
from saas.tenancy.models import Tenant
from tests.fixtures.convocations import STARTS_AT, convene
from tests.fixtures.instances import fresh_app, system_session
from tests.fixtures.sittings import MONDAY_15_MARCH_2027, postpone_for_lack_of_quorum
from tests.fixtures.web import bearer


@pytest.fixture
def city(create_tenant, create_person, give_mandate, give_grant):
    tenant = create_tenant(slug="ville", population=50000)
    secretary = create_person(email="secretariat@ville.example")
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    member = create_person(email="elu@ville.example")
    give_mandate(member, tenant)
    return {"tenant": tenant, "secretary": secretary, "member": member, "headers": bearer(secretary)}


def url(sitting, tail: str = "") -> str:
    return f"/api/v1/tenants/ville/sittings/{sitting.id}{tail}"


def convened(session, in_tenant, city, create_sitting, **values) -> Sitting:
    sitting = create_sitting(city["tenant"], convene=False, **values)
    with in_tenant(city["tenant"]):
        send_convocations(sitting, None, at=sitting.starts_at - timedelta(days=20))
        commit(session)
    return sitting


def test_patch_a_draft_refuses_the_past_and_bad_input_in_french(client, city, create_sitting):
    sitting = create_sitting(city["tenant"], convene=False)
    headers = city["headers"]
    moved = client.patch(url(sitting), json={"place": "Salle des fêtes", "remote_allowed": True}, headers=headers)
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["place"] == "Salle des fêtes" and moved.get_json()["remote_allowed"] is True
    past = client.patch(url(sitting), json={"starts_at": "2026-01-05T18:00:00+01:00"}, headers=headers)
    assert past.status_code == 422 and "est passée : choisissez une date à venir" in past.get_json()["message"]
    for body in (
        {"starts_at": "2027-02-30T18:00:00+01:00"},
        {"starts_at": "2027-03-15T18:00:00"},  # no time zone
        {"place": ""},
        {"place": 12},
        {"reason": "x" * 5001},
    ):
        answer = client.patch(url(sitting), json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.get_json())
    not_json = client.patch(url(sitting), data=b"\xff\xfe{", content_type="application/json", headers=headers)
    assert not_json.status_code == 422
    deep = client.patch(url(sitting), data="[" * 5000 + "]" * 5000, content_type="application/json", headers=headers)
    assert deep.status_code in (400, 422)  # refused before the schema reads it, never a 500
    surrogate = client.patch(
        url(sitting), data='{"place": "Salle \\udcff"}', content_type="application/json", headers=headers
    )
    assert surrogate.status_code in (400, 422) and surrogate.get_json()["message"]  # a lone surrogate: refused


def test_patch_a_convened_sitting_sends_a_new_convocation(client, session, in_tenant, city, create_sitting):
    sitting = convened(session, in_tenant, city, create_sitting)
    headers = city["headers"]
    body = {"starts_at": "2027-03-22T18:00:00+01:00"}
    no_reason = client.patch(url(sitting), json=body, headers=headers)
    assert no_reason.status_code == 422 and "Indiquez le motif du changement" in no_reason.get_json()["message"]
    moved = client.patch(url(sitting), json={**body, "reason": "Salle occupée", "postponed": True}, headers=headers)
    assert moved.status_code == 200 and moved.get_json()["starts_at"] == "2027-03-22T17:00:00+00:00"
    [notice] = client.get(url(sitting, "/notices"), headers=headers).get_json()
    assert notice["kind"] == "new_convocation" and notice["postponed"] is True and notice["reason"] == "Salle occupée"
    assert notice["previous_starts_at"] == "2027-03-15T17:00:00+00:00"
    earlier_body = {"starts_at": "2027-03-20T18:00:00+01:00", "reason": "x", "postponed": True}
    earlier = client.patch(url(sitting), json=earlier_body, headers=headers)
    assert earlier.status_code == 422 and "date ultérieure" in earlier.get_json()["message"]


def test_the_status_route_only_convenes(client, session, city, create_sitting):
    draft = create_sitting(city["tenant"], convene=False)
    headers = city["headers"]
    for status in ("in_progress", "closed"):
        refused = client.post(url(draft, "/status"), json={"status": status}, headers=headers)
        assert refused.status_code == 409 and "article L2121-15 du CGCT" in refused.get_json()["message"]
    for status, message in (("cancelled", "s'annule avec son motif"), ("ouverte", "État de séance inconnu")):
        refused = client.post(url(draft, "/status"), json={"status": status}, headers=headers)
        assert refused.status_code == 422 and message in refused.get_json()["message"]
    assert client.post(url(draft, "/status"), json={}, headers=headers).status_code == 422
    done = client.post(url(draft, "/status"), json={"status": "convened"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["status"] == "convened"
    with context(session, SYSTEM):
        rows = session.execute(sa.select(Convocation).where(Convocation.sitting_id == draft.id))
        assert len(rows.all()) == 1  # the one member is convened (the mail follows, by its job)


def test_cancel_and_supplement_through_the_api(client, session, in_tenant, city, create_sitting):
    sitting = convened(session, in_tenant, city, create_sitting)
    headers = city["headers"]
    item = client.post(url(sitting, "/supplement"), json={"title": "Motion", "subject_code": "9.1"}, headers=headers)
    assert item.status_code == 201 and item.get_json()["position"] == 2
    bad = client.post(url(sitting, "/supplement"), json={"title": "X", "subject_code": "99"}, headers=headers)
    assert bad.status_code == 422 and "Code matière @ctes invalide" in bad.get_json()["message"]
    assert client.post(url(sitting, "/cancel"), json={}, headers=headers).status_code == 422
    done = client.post(url(sitting, "/cancel"), json={"reason": "Conseil dissous"}, headers=headers)
    assert done.status_code == 200
    assert done.get_json()["status"] == "cancelled" and done.get_json()["cancel_reason"] == "Conseil dissous"
    kinds = [n["kind"] for n in client.get(url(sitting, "/notices"), headers=headers).get_json()]
    assert kinds == ["supplement", "cancellation"]
    again = client.post(url(sitting, "/cancel"), json={"reason": "Encore"}, headers=headers)
    assert again.status_code == 422 and "elle est annulée" in again.get_json()["message"]


def test_reconvene_through_the_api_checks_the_items_belong_to_the_sitting(
    client, session, in_tenant, city, create_sitting
):
    failed = create_sitting(city["tenant"], items=2)
    other = create_sitting(city["tenant"], starts_at=MONDAY_15_MARCH_2027 + timedelta(days=40))
    with in_tenant(city["tenant"]):
        operations.set_status(failed, SittingStatus.IN_PROGRESS, actor=None)
        postpone_for_lack_of_quorum(operations.active_items(failed))
        ids = [i.id for i in operations.active_items(failed)]
        foreign = operations.active_items(other)[0].id
    headers = city["headers"]
    body = {"starts_at": "2027-03-18T18:00:00+01:00", "item_ids": ids}

    def post(**changes):
        return client.post(url(failed, "/reconvene"), json={**body, **changes}, headers=headers)

    assert post(item_ids=[ids[0], foreign]).status_code == 404
    assert post(item_ids=[999_999_999]).status_code == 404
    for wrong in ([], ["x"], [0], [-1], [2**40], None):
        assert post(item_ids=wrong).status_code == 422, wrong
    soon = post(starts_at="2027-03-17T18:00:00+01:00")
    assert soon.status_code == 422 and "(article L2121-17 du CGCT)" in soon.get_json()["message"]
    done = client.post(url(failed, "/reconvene"), json=body, headers=headers)
    assert done.status_code == 201, done.get_json()
    new = done.get_json()
    assert new["reconvened_from_id"] == failed.id and new["status"] == "convened" and len(new["items"]) == 2
    assert new["place"] == "Salle du conseil"


def test_members_get_404_and_the_routes_are_documented(client, city, create_sitting):
    sitting = create_sitting(city["tenant"])
    headers = bearer(city["member"])
    for method, tail in (
        ("PATCH", ""),
        ("POST", "/status"),
        ("POST", "/cancel"),
        ("POST", "/supplement"),
        ("GET", "/notices"),
        ("POST", "/reconvene"),
    ):
        assert client.open(url(sitting, tail), method=method, json={}, headers=headers).status_code == 404
        missing = f"/api/v1/tenants/ville/sittings/999999{tail}"
        assert client.open(missing, method=method, json={}, headers=city["headers"]).status_code == 404
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    base = "/api/v1/tenants/{tenant_slug}/sittings/{sitting_id}"
    assert "patch" in paths[base]
    for tail in ("/status", "/cancel", "/supplement", "/reconvene"):
        assert "post" in paths[base + tail]
    assert "get" in paths[base + "/notices"]


# --- Two secretaries at the same moment (both columns) --------------------------------------------


def _at_once(calls) -> list:
    start, answers = threading.Barrier(len(calls)), [None] * len(calls)

    def run(n):
        start.wait(timeout=30)
        answers[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _secretary_token(app, tenant_id: int) -> tuple[str, str]:
    with system_session(app) as session:
        tenant = session.get(Tenant, tenant_id)
        person = Person(email=f"secretariat-{tenant_id}@example.org", first_name="Anne", last_name="Secrétaire")
        session.add(person)
        session.flush()
        identity.give_grant(person, tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
        token = create_token(person, "race")[1]
        slug = tenant.slug
        commit(session)
    return slug, token


def test_two_cancellations_at_the_same_moment_make_one_and_tell_each_person_once(tmp_path):
    with fresh_app(tmp_path, "lifecancel") as app:
        tenant_id, sitting_id, addresses = convene(app, 901)
        slug, token = _secretary_token(app, tenant_id)

        def cancel():
            answer = app.test_client().post(
                f"/api/v1/tenants/{slug}/sittings/{sitting_id}/cancel",
                json={"reason": "Conseil dissous"},
                headers={"Authorization": f"Bearer {token}"},
            )
            return answer.status_code, answer.get_json()

        answers = _at_once([cancel, cancel])
        assert sorted(status for status, _ in answers) == [200, 422], answers
        with system_session(app) as session:
            notices = session.execute(sa.select(SittingNotice).where(SittingNotice.sitting_id == sitting_id)).scalars()
            [notice] = notices.all()
            prepared = [
                (notice.id, person_id)
                for person_id in session.execute(sa.select(Person.id).where(Person.email.in_(addresses))).scalars()
            ]
        for args in prepared:  # every mail job once more (a retry): nothing more is queued
            with app.app_context():
                from saas.jobs.queues import run

                run("saas.sittings.convocations.jobs.prepare_notice", tenant_id, list(args))
        with system_session(app) as session:
            keys = session.execute(
                sa.select(OutboundMail.key).where(OutboundMail.key.like(f"notice:{notice.id}:%"))
            ).scalars()
            assert len(keys.all()) == len(addresses)


def test_two_reconvenings_at_the_same_moment_make_one_sitting(tmp_path):
    with fresh_app(tmp_path, "lifereconvene") as app:
        tenant_id, sitting_id, _ = convene(app, 902)
        slug, token = _secretary_token(app, tenant_id)
        with system_session(app) as session:
            set_context(session, TenantContext(tenant_id=tenant_id))
            sitting = session.get(Sitting, sitting_id)
            operations.set_status(sitting, SittingStatus.IN_PROGRESS, actor=None)
            postpone_for_lack_of_quorum(operations.active_items(sitting))
            item_ids = [i.id for i in operations.active_items(sitting)]
            commit(session)
        day = (STARTS_AT + timedelta(days=4)).date()
        assert day > date(2027, 3, 15)

        def reconvene():
            answer = app.test_client().post(
                f"/api/v1/tenants/{slug}/sittings/{sitting_id}/reconvene",
                json={"starts_at": f"{day.isoformat()}T18:00:00+01:00", "item_ids": item_ids},
                headers={"Authorization": f"Bearer {token}"},
            )
            return answer.status_code, answer.get_json()

        answers = _at_once([reconvene, reconvene])
        assert sorted(status for status, _ in answers) == [201, 422], answers
        refused = next(body for status, body in answers if status == 422)
        assert "déjà été convoquée à nouveau" in refused["message"]
        with system_session(app) as session:
            again = session.execute(sa.select(Sitting.id).where(Sitting.reconvened_from_id == sitting_id)).scalars()
            assert len(again.all()) == 1
