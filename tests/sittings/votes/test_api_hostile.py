"""Attacking the votes API: ids out of range, another tenant's ids, invalid, deep or broken JSON, wrong types,
a member on the chair's routes; never a 500, and nothing recorded."""

import pytest

from tests.fixtures.web import bearer


@pytest.fixture
def held(council, client):
    c = council(members=3)
    base = f"/api/v1/tenants/{c.tenant.slug}/sittings/{c.sitting.id}"
    return c, base, f"{base}/items/{c.item(1).id}"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[" * 100 + b"]" * 100,
        b'{"choice": "\\ud800"}',
        b'{"choice": "for", "voter_id": 99999999999}',
        b'{"choice": "for", "voter_id": -1}',
        b'{"choice": ["for"]}',
        b'{"choice": "peut-\xc3\xaatre"}',
        b'"for"',
        b"\xff\xfe",
    ],
)
def test_hostile_ballots_are_refused_cleanly(client, held, body):
    c, base, item = held
    chair = bearer(c.secretariat)
    assert client.post(f"{item}/electronic-vote", headers=chair).status_code == 201
    answer = client.post(
        f"{item}/ballots", data=body, headers={**bearer(c.members[0]), "Content-Type": "application/json"}
    )
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)
    assert client.get(f"{item}/tally", headers=chair).get_json()["voted"] == 0


@pytest.mark.parametrize(
    "path, body",
    [
        ("/totals", {"votes_for": "beaucoup"}),
        ("/totals", {"votes_for": 2**40}),
        ("/totals", {"votes_for": -3}),
        ("/named-votes", {"votes": [{"voter_id": 1, "choice": "maybe"}]}),
        ("/named-votes", {"votes": "all"}),
        ("/postponement", {"reason": "x" * 3000}),
    ],
)
def test_wrong_values_answer_422(client, held, path, body):
    c, base, item = held
    answer = client.post(f"{item}{path}", json=body, headers=bearer(c.secretariat))
    assert answer.status_code == 422, answer.get_json()
    assert client.get(f"{item}/outcome", headers=bearer(c.secretariat)).get_json()["decided"] is False


def test_ids_out_of_range_or_of_another_tenant_answer_404(client, held, council):
    c, base, item = held
    other = council(members=2, slug="ailleurs")
    headers = bearer(c.secretariat)
    for url in (
        f"{base}/items/2147483648/tally",
        f"{base}/items/0/tally",
        f"{base}/items/{other.item(1).id}/tally",
        f"/api/v1/tenants/{c.tenant.slug}/sittings/{other.sitting.id}/live",
        f"/api/v1/tenants/{other.tenant.slug}/sittings/{other.sitting.id}/live",
    ):
        assert client.get(url, headers=headers).status_code == 404, url


def test_a_member_cannot_act_as_the_chair(client, held):
    c, base, item = held
    member = bearer(c.members[0])
    for path, body in [
        (f"{item}/totals", {"votes_for": 3}),
        (f"{item}/named-votes", {"votes": []}),
        (f"{item}/electronic-vote", {}),
        (f"{item}/noting", {}),
        (f"{base}/closing", {}),
        (f"{base}/arrivals", {"person_id": c.members[1].id}),
        (f"{base}/roll-call", {"confirm_all": True}),
    ]:
        method = client.put if path.endswith("roll-call") else client.post
        assert method(path, json=body, headers=member).status_code == 404, path
    other = client.post(f"{item}/not-taking-part", json={"person_id": c.members[1].id}, headers=member)
    assert other.status_code == 404
    mine = client.post(f"{item}/not-taking-part", json={"reason": "intéressé"}, headers=member)
    assert mine.status_code == 201 and mine.get_json()[0]["person_id"] == c.members[0].id


def test_the_vote_without_quorum_answers_409_citing_the_article(client, council):
    c = council(members=4, absent=(2, 3, 4))
    item = f"/api/v1/tenants/{c.tenant.slug}/sittings/{c.sitting.id}/items/{c.item(1).id}"
    answer = client.post(f"{item}/electronic-vote", headers=bearer(c.president))
    assert answer.status_code == 409 and "article L2121-17 du CGCT" in answer.get_json()["message"]
    postponed = client.post(f"{item}/postponement", json={"lack_of_quorum": True}, headers=bearer(c.secretariat))
    assert postponed.status_code == 201
    assert postponed.get_json()["result"]["reason"] == "quorum non atteint (article L2121-17 du CGCT)"
