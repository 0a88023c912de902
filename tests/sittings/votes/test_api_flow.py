"""A sitting held through the API: opening, roll call, an electronic vote with a proxy, the tally, the frozen
outcome; a member cannot act as the secretariat (404); the vote is refused without quorum (409, article)."""

import sqlalchemy as sa

from saas.sittings.votes.models import Ballot
from tests.fixtures.web import bearer


def _base(c):
    return f"/api/v1/tenants/{c.tenant.slug}/sittings/{c.sitting.id}"


def test_a_sitting_held_through_the_api(client, council, session, in_tenant):
    c = council(members=4, proxies=((4, 3),), opened=False)
    base = _base(c)
    chair, member, holder = bearer(c.secretariat), bearer(c.members[0]), bearer(c.members[2])

    assert client.post(f"{base}/opening", json={"secretary_id": c.members[0].id}, headers=member).status_code == 404
    opened = client.post(f"{base}/opening", json={"secretary_id": c.members[0].id}, headers=chair)
    assert opened.status_code == 200, opened.get_json()
    assert opened.get_json()["complete"] is False
    confirmed = client.put(f"{base}/roll-call", json={"confirm_all": True}, headers=chair)
    assert confirmed.status_code == 200 and confirmed.get_json()["complete"] is True

    item = f"{base}/items/{c.item(1).id}"
    assert client.post(f"{item}/electronic-vote", headers=member).status_code == 404
    assert client.post(f"{item}/electronic-vote", headers=chair).status_code == 201
    assert client.post(f"{item}/ballots", json={"choice": "for"}, headers=member).status_code == 201
    again = client.post(f"{item}/ballots", json={"choice": "against"}, headers=member)
    assert again.status_code == 409 and "déjà enregistré" in again.get_json()["message"]
    giver = client.post(f"{item}/ballots", json={"choice": "for"}, headers=bearer(c.members[3]))
    assert giver.status_code == 409 and "pouvoir" in giver.get_json()["message"]
    for_giver = client.post(f"{item}/ballots", json={"choice": "against", "voter_id": c.members[3].id}, headers=holder)
    assert for_giver.status_code == 201
    tally = client.get(f"{item}/tally", headers=member).get_json()
    assert (tally["voted"], tally["entitled"], tally["counts"]["for"]) == (2, 5, 1)
    not_voted = client.get(f"{item}/not-voted", headers=member).get_json()
    assert [row["voter_id"] for row in not_voted] == [c.members[1].id, c.members[2].id, c.president.id]
    live = client.get(f"{base}/live", headers=member).get_json()
    assert live["vote"]["voted"] == 2 and live["quorum"]["reached"] is True

    closed = client.post(f"{item}/electronic-vote/closing", headers=chair)
    assert closed.status_code == 200, closed.get_json()
    result = closed.get_json()["result"]
    assert (result["outcome"], result["votes_for"], result["votes_against"]) == ("rejected", 1, 1)
    late = client.post(f"{item}/ballots", json={"choice": "for"}, headers=bearer(c.members[1]))
    assert late.status_code == 409 and "clos" in late.get_json()["message"]
    with in_tenant(c.tenant):
        assert session.execute(sa.select(sa.func.count(Ballot.id))).scalar_one() == 2
    assert client.get(f"{item}/outcome", headers=member).get_json()["decided"] is True
    assert client.post(f"{base}/closing", headers=chair).status_code == 200
