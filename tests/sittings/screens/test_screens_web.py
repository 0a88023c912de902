"""The sitting held from the screens (test client, CSRF on): the secretariat opens the sitting, calls the roll,
opens the electronic vote; members vote from the tablet, once for themselves and once for the proxy they hold;
the live routes show the progress to each only what they may see; refusals come back on the page, in French,
with 409 or 422, never a 500."""

import re

import sqlalchemy as sa

from saas.sittings.votes.models import Ballot, ItemResult
from tests.fixtures.web import csrf_token, login, sign_in, text


def _urls(c):
    base = f"/t/{c.tenant.slug}/s/{c.sitting.id}"
    return base, f"{base}/held", f"{base}/vote"


def _post(client, page: str, url: str, data: dict | None = None):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})})


def test_the_secretariat_runs_a_vote_and_members_vote_from_their_tablets(client, council, session, in_tenant):
    c = council(members=4, proxies=((4, 3),), opened=False)
    base, held, tablet = _urls(c)
    item = c.item(1)
    login(client, c.secretariat)
    page = client.get(held)
    assert page.status_code == 200 and "Ouvrir la séance" in text(page)
    assert "article L2121-15" in text(page)

    refused = _post(client, held, f"{held}/open", {"secretary": 999999})
    assert refused.status_code == 422 and "Not a valid choice" not in text(refused)
    opened = _post(client, held, f"{held}/open", {"secretary": c.members[0].id})
    assert opened.status_code == 302
    screen = text(client.get(held))
    assert "Appel" in screen and "Procuration donnée" in screen  # the giver's own answer, where the line starts
    seats = {f"seat_{p.id}": "present" for p in c.people}
    seats[f"seat_{c.members[3].id}"] = "represented"
    seats[f"holder_{c.members[3].id}"] = str(c.members[2].id)
    assert _post(client, held, f"{held}/roll-call", seats).status_code == 302
    screen = text(client.get(held))
    assert "quorum atteint" in screen and "4 présents pour 3 requis, 5 membres en exercice" in screen

    assert _post(client, held, f"{held}/items/{item.id}/open-vote").status_code == 302
    live = client.get(f"{held}/live").get_json()
    assert live["vote"]["cast"] == 0 and live["vote"]["entitled"] == 5 and len(live["vote"]["waiting"]) == 5

    sign_in(client, c.members[2])  # holds the proxy of members[3]
    page = client.get(tablet)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.count('name="choice" value="for"') == 2 and "Au nom de Membre M04 (procuration)" in body
    assert f'data-live-url="{base}/vote/live"' in body  # the tablet polls its own live route
    assert _post(client, tablet, f"{base}/vote/items/{item.id}/ballot", {"choice": "for"}).status_code == 302
    confirmed = client.get(tablet)
    assert "Votre vote est enregistré : pour." in text(confirmed)
    again = _post(client, tablet, f"{base}/vote/items/{item.id}/ballot", {"choice": "against"})
    assert again.status_code == 409 and "déjà enregistré : un seul bulletin par votant" in text(again)
    giver = {"choice": "against", "voter": str(c.members[3].id)}
    assert _post(client, tablet, f"{base}/vote/items/{item.id}/ballot", giver).status_code == 302
    assert "Le vote de Membre M04 est enregistré." in text(client.get(tablet))
    member_live = client.get(f"{base}/vote/live").get_json()
    room_live = client.get(f"{base}/projection/live").get_json()
    assert (
        member_live["vote"]["cast"] == 2 and "waiting" not in member_live["vote"] and "waiting" not in room_live["vote"]
    )
    assert client.get(f"{held}/live").status_code == 404  # the secretariat's route, names of who has not voted
    assert client.get(held).status_code == 404

    sign_in(client, c.members[3])  # gave a proxy: their holder votes for them
    page = client.get(tablet)
    assert page.status_code == 200 and "Vous n'êtes pas appelé à voter sur ce point" in text(page)
    refused = _post(client, tablet, f"{base}/vote/items/{item.id}/ballot", {"choice": "for"})
    assert refused.status_code == 409 and "Vous avez donné pouvoir à" in text(refused)

    sign_in(client, c.secretariat)
    live = client.get(f"{held}/live").get_json()
    assert live["vote"]["cast"] == 2 and live["vote"]["for"] == 1 and live["vote"]["against"] == 1
    assert "Membre M04" not in live["vote"]["waiting"] and "Membre M01" in live["vote"]["waiting"]
    assert _post(client, held, f"{held}/items/{item.id}/close-vote").status_code == 302
    screen = text(client.get(held))
    assert "rejeté" in screen and "2 suffrages exprimés" in screen

    sign_in(client, c.members[0])
    late = _post(client, tablet, f"{base}/vote/items/{item.id}/ballot", {"choice": "for"})
    assert late.status_code == 409 and "Le vote est clos : ce bulletin n'est pas enregistré." in text(late)
    assert "Rejeté — à main levée" in text(client.get(tablet))
    with in_tenant(c.tenant):
        assert session.execute(sa.select(sa.func.count(Ballot.id))).scalar_one() == 2


def test_quorum_not_reached_refuses_the_vote_and_the_item_is_postponed(client, council, session, in_tenant):
    c = council(members=6, absent=(0, 1, 2, 3, 4))
    _base, held, _tablet = _urls(c)
    item = c.item(1)
    login(client, c.secretariat)
    screen = text(client.get(held))
    assert "quorum non atteint" in screen and "(article L2121-17 du CGCT)" in screen
    assert "Reporter faute de quorum" in screen
    refused = _post(client, held, f"{held}/items/{item.id}/open-vote")
    assert refused.status_code == 409
    assert "Le quorum n'est pas atteint pour ce point (article L2121-17 du CGCT)" in text(refused)
    totals = _post(
        client, held, f"{held}/items/{item.id}/totals", {"votes_for": 2, "votes_against": 0, "abstentions": 0}
    )
    assert totals.status_code == 409 and "quorum" in text(totals)
    assert _post(client, held, f"{held}/items/{item.id}/postpone").status_code == 302
    assert "reporté" in text(client.get(held))
    with in_tenant(c.tenant):
        row = session.execute(sa.select(ItemResult).where(ItemResult.item_id == item.id)).scalar_one()
        assert row.reason == "quorum non atteint (article L2121-17 du CGCT)"
    projection = client.get(f"/t/{c.tenant.slug}/s/{c.sitting.id}/projection")
    assert projection.status_code == 200 and "reporté" in text(projection).lower()


def test_totals_named_entry_take_note_and_closing(client, council, session, in_tenant):
    c = council(members=4, items=4)
    _base, held, _tablet = _urls(c)
    login(client, c.secretariat)
    first, second, third, fourth = (c.item(n) for n in range(1, 5))
    too_many = _post(
        client,
        held,
        f"{held}/items/{first.id}/totals",
        {"votes_for": 9, "votes_against": 0, "abstentions": 0, "blank": 0},
    )
    assert too_many.status_code == 422 and "dépasse le nombre de votants possibles (5" in text(too_many)
    unreadable = _post(
        client, held, f"{held}/items/{first.id}/totals", {"votes_for": "beaucoup", "votes_against": "-1"}
    )
    assert unreadable.status_code == 422 and "Un nombre entre 0 et 1000." in text(unreadable)
    tie = _post(client, held, f"{held}/items/{first.id}/totals", {"votes_for": 2, "votes_against": 2, "abstentions": 1})
    assert tie.status_code == 422 and "voix du président est prépondérante" in text(tie)
    decided = {"votes_for": 2, "votes_against": 2, "abstentions": 1, "president_choice": "for"}
    assert _post(client, held, f"{held}/items/{first.id}/totals", decided).status_code == 302
    assert "Voix prépondérante du président." in text(client.get(held))

    not_current = _post(client, held, f"{held}/items/{third.id}/open-vote")
    assert not_current.status_code == 409 and "n'est pas celui en discussion" in text(not_current)
    assert _post(client, held, f"{held}/items/{second.id}/current").status_code == 302
    choices = {f"choice_{p.id}": "for" for p in c.people}
    choices[f"choice_{c.members[0].id}"] = "against"
    choices[f"choice_{c.members[1].id}"] = "abstention"
    choices[f"choice_{c.members[2].id}"] = "not_taking_part"
    for asking in c.members[:2]:  # a quarter of the 5 present ask for a named public ballot (L2121-21)
        request = {"person": asking.id, "kind": "named"}
        assert _post(client, held, f"{held}/items/{second.id}/ballot-request", request).status_code == 302
    assert "Mode dû : scrutin public (nominatif)" in text(client.get(held))
    assert _post(client, held, f"{held}/items/{second.id}/named", choices).status_code == 302
    screen = text(client.get(held))
    assert "Contre : Membre M01." in screen and "Abstentions : Membre M02." in screen
    assert "Ne prennent pas part au vote : Membre M03." in screen

    assert _post(client, held, f"{held}/items/{third.id}/current").status_code == 302
    assert _post(client, held, f"{held}/items/{third.id}/noted").status_code == 302
    assert _post(client, held, f"{held}/items/{fourth.id}/current").status_code == 302
    long = _post(client, held, f"{held}/items/{fourth.id}/withdraw", {"reason": "x" * 501})
    assert long.status_code == 422
    assert _post(client, held, f"{held}/items/{fourth.id}/withdraw", {"reason": "dossier incomplet"}).status_code == 302
    assert _post(client, held, f"{held}/close").status_code == 302
    screen = text(client.get(held))
    assert "La séance est levée" in screen
    assert re.search(r"adopté.*adopté.*l'assemblée en prend acte.*retiré", screen)
    again = _post(client, held, f"{held}/close")
    assert again.status_code == 409 and "n'est pas en cours" in text(again)


def test_roll_call_refusals_and_movements(client, council):
    c = council(members=4, confirmed=False)
    _base, held, _tablet = _urls(c)
    login(client, c.secretariat)
    seats = {f"seat_{p.id}": "present" for p in c.people}
    seats[f"seat_{c.members[0].id}"] = "represented"
    refused = _post(client, held, f"{held}/roll-call", seats)
    assert refused.status_code == 422 and "Indiquez le collègue présent qui porte le pouvoir" in text(refused)
    seats[f"seat_{c.members[0].id}"] = "remote"
    remote = _post(client, held, f"{held}/roll-call", seats)
    assert remote.status_code == 422  # not a choice of a sitting without remote attendance
    seats[f"seat_{c.members[0].id}"] = "absent"
    assert _post(client, held, f"{held}/roll-call", seats).status_code == 302
    arrival = {"person": c.members[0].id, "kind": "arrival"}
    assert _post(client, held, f"{held}/movements", arrival).status_code == 302
    screen = text(client.get(held))
    assert "Arrivée : Membre M01 · point 1" in screen and "18h" not in screen.split("Arrivée")[0][-3:]
    twice = _post(client, held, f"{held}/movements", arrival)
    assert twice.status_code == 409 and "Membre M01 est déjà présent." in text(twice)
    holder = {"person": c.members[1].id, "kind": "departure", "proxy_holder": c.members[0].id}
    assert _post(client, held, f"{held}/movements", holder).status_code == 302
    assert "procuration à Membre M01" in text(client.get(held))


def test_not_taking_part_from_the_tablet(client, council, session, in_tenant):
    c = council(members=4)
    base, held, tablet = _urls(c)
    item = c.item(1)
    login(client, c.members[0])
    page = client.get(tablet)
    assert "Je ne prends pas part au vote" in text(page)
    assert _post(client, tablet, f"{base}/vote/items/{item.id}/not-taking-part").status_code == 302
    assert "ne prend pas part au vote" in text(client.get(tablet))
    sign_in(client, c.secretariat)
    assert _post(client, held, f"{held}/items/{item.id}/open-vote").status_code == 302
    sign_in(client, c.members[0])
    page = text(client.get(tablet))
    assert "Vous avez déclaré ne pas prendre part au vote sur ce point" in page
    refused = _post(client, tablet, f"{base}/vote/items/{item.id}/ballot", {"choice": "for"})
    assert refused.status_code == 409 and "L2131-11" in text(refused)
    late = _post(client, tablet, f"{base}/vote/items/{item.id}/not-taking-part", {"withdraw": "y"})
    assert late.status_code == 409 and "la déclaration ne peut plus changer" in text(late)


def test_attacks_answer_404_400_or_422_never_500(client, council):
    c = council(members=3)
    base, held, tablet = _urls(c)
    item = c.item(1)
    login(client, c.secretariat)
    assert _post(client, held, f"{held}/items/{item.id}/open-vote").status_code == 302
    for url in (f"/t/{c.tenant.slug}/s/99999999999999999999/held", f"{held[:-5]}0/held", f"{base}/vote/live/x"):
        assert client.get(url).status_code == 404
    assert client.post(f"{held}/items/{item.id}/close-vote").status_code == 400  # no CSRF token
    assert (
        client.post(f"{held}/items/99999999/close-vote", data={"csrf_token": csrf_token(client, held)}).status_code
        == 404
    )
    sign_in(client, c.members[0])
    for data in (
        {"choice": "peut-être"},
        {"choice": "for", "voter": "2147483648"},
        {"choice": "for", "voter": "-3"},
        {"choice": "for", "voter": "abc"},
        {"choice": "blank"},
        {"choice": "for", "voter": str(c.secretariat.id)},
    ):
        response = _post(client, tablet, f"{base}/vote/items/{item.id}/ballot", data)
        assert response.status_code in (409, 422), (data, response.status_code)
        assert "data-refusal" in response.get_data(as_text=True)
    token = csrf_token(client, tablet)
    broken = client.post(
        f"{base}/vote/items/{item.id}/ballot",
        data=f"csrf_token={token}&choice=%ED%B3%BF%FF&voter=%C0".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert broken.status_code == 422 and "data-refusal" in broken.get_data(as_text=True)
    for url in (f"{held}/items/{item.id}/close-vote", f"{held}/roll-call", f"{held}/open"):
        assert _post(client, tablet, url).status_code == 404  # a member never reaches the secretariat's routes
