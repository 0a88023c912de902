"""The secretariat's convocation API: convene (notice checked, idempotent), follow the sending per person,
download the evidence package; 404 for members and for anyone of another collectivity."""

import io
import zipfile
from datetime import timedelta

import pytest

from saas.core.database import commit, utcnow
from saas.identity.models import GrantKind, MandateRole
from saas.sittings.models import SittingStatus
from saas.sittings.proof import operations as proof
from saas.trust.evidence import verify_evidence_zip
from tests.fixtures.convocations import convocations, drain, mails
from tests.fixtures.web import bearer


@pytest.fixture
def council(create_tenant, create_person, give_mandate, give_grant, create_sitting):
    """A commune of 10 000 (5 jours francs, L2121-12): 4 members, 1 staff member, its secretary; another
    collectivity's secretary."""
    tenant = create_tenant(population=10000)
    members = [create_person(last_name=f"Membre{n}") for n in range(4)]
    for person in members:
        give_mandate(person, tenant)
    staff = create_person(last_name="Agent")
    give_mandate(staff, tenant, role=MandateRole.STAFF)
    secretary = create_person(last_name="Secrétaire")
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    other = create_tenant()
    other_secretary = create_person()
    give_grant(other_secretary, other, GrantKind.SECRETARY, assembly=other.assemblies[0])
    return {
        "tenant": tenant,
        "members": members,
        "staff": staff,
        "secretary": secretary,
        "other": other,
        "other_secretary": other_secretary,
        "create": lambda **values: create_sitting(tenant, convene=False, **values),
    }


def url(council, sitting, path="convocations", slug=None) -> str:
    return f"/api/v1/tenants/{slug or council['tenant'].slug}/sittings/{sitting.id}/{path}"


def test_too_late_is_422_citing_the_article_and_writes_nothing(client, session, council):
    sitting = council["create"](starts_at=utcnow() + timedelta(days=2))
    response = client.post(url(council, sitting), headers=bearer(council["secretary"]))
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == 422 and "trop tardive" in body["message"] and "L2121-12" in body["message"]
    assert sitting.status == SittingStatus.DRAFT and convocations(session, sitting) == []


def test_urgent_with_a_reason_at_one_clear_day_is_accepted(client, session, council):
    sitting = council["create"](
        starts_at=utcnow() + timedelta(days=2), urgency=True, urgency_reason="Inondation : travaux à voter"
    )
    response = client.post(url(council, sitting), headers=bearer(council["secretary"]))
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "convened" and response.get_json()["total"] == 5
    assert len(convocations(session, sitting)) == 5


def test_convening_is_idempotent_and_progress_follows_each_person(client, session, council, in_tenant):
    sitting = council["create"]()  # Monday 15 March 2027: on time
    headers = bearer(council["secretary"])
    first = client.post(url(council, sitting), headers=headers)
    assert first.status_code == 202
    drain(session, sitting)
    again = client.post(url(council, sitting), headers=headers)
    assert again.status_code == 200 and len(mails(session, sitting)) == 5
    member = council["members"][0]
    with in_tenant(council["tenant"], member):
        proof.keep_opening(proof.unrecorded_opening(sitting, member))
        commit(session)

    progress = client.get(url(council, sitting), headers=headers)
    assert progress.status_code == 200
    body = progress.get_json()
    assert (body["sent"], body["total"], body["done"], body["status"]) == (5, 5, True, "convened")
    by_person = {r["person_id"]: r for r in body["recipients"]}
    assert by_person[council["staff"].id]["kind"] == "invitation"
    assert by_person[member.id]["kind"] == "convocation" and by_person[member.id]["name"] == member.full_name
    assert all(r["mail_status"] == "sent" and r["delivered_at"] for r in body["recipients"])
    opened = [r["person_id"] for r in body["recipients"] if r["opened_at"]]
    assert opened == [member.id]


def test_progress_before_and_while_sending(client, session, council):
    sitting = council["create"]()
    headers = bearer(council["secretary"])
    before = client.get(url(council, sitting), headers=headers).get_json()
    assert (before["sent"], before["total"], before["recipients"]) == (0, 0, [])
    client.post(url(council, sitting), headers=headers)
    drain(session, sitting)
    mail = mails(session, sitting)[0]
    mail.sent_at = None  # one mail still waiting for the mail server
    commit(session)
    body = client.get(url(council, sitting), headers=headers).get_json()
    assert (body["sent"], body["done"]) == (4, False)
    assert [r["mail_status"] for r in body["recipients"]].count("queued") == 1


def test_evidence_zip_verifies(app, client, session, council, tmp_path):
    sitting = council["create"]()
    headers = bearer(council["secretary"])
    none_yet = client.get(url(council, sitting, "evidence"), headers=headers)
    assert none_yet.status_code == 409 and "Aucune preuve" in none_yet.get_json()["message"]
    client.post(url(council, sitting), headers=headers)
    drain(session, sitting)
    response = client.get(url(council, sitting, "evidence"), headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == f'attachment; filename="preuve-seance-{sitting.id}.zip"'
    results = verify_evidence_zip(response.data)
    assert len(results) == 6 and all(r.ok for r in results)  # the manifest and 5 deliveries
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert f"pieces/convocation-{council['members'][0].id}.pdf" in names
    package = tmp_path / "preuve.zip"
    package.write_bytes(response.data)
    result = app.test_cli_runner().invoke(args=["evidence", "verify", str(package)])
    assert result.exit_code == 0 and result.output.count("OK ") == 6, result.output


@pytest.mark.parametrize("who", ["member", "other_secretary"])
def test_members_and_other_tenants_get_404(client, session, council, who):
    sitting = council["create"]()
    client.post(url(council, sitting), headers=bearer(council["secretary"]))  # convened: members see the sitting
    caller = council["members"][0] if who == "member" else council["other_secretary"]
    headers = bearer(caller)
    for slug in (council["tenant"].slug, council["other"].slug):
        for method, path in (("POST", "convocations"), ("GET", "convocations"), ("GET", "evidence")):
            response = client.open(url(council, sitting, path, slug), method=method, headers=headers)
            assert response.status_code == 404, f"{who}: {method} {path} in {slug}"


def test_the_calls_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    base = "/api/v1/tenants/{tenant_slug}/sittings/{sitting_id}"
    assert {"post", "get"} <= set(paths[f"{base}/convocations"])
    assert "application/zip" in paths[f"{base}/evidence"]["get"]["responses"]["200"]["content"]
