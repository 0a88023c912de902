"""The dry run: for a sitting date and a target assembly, who each step would ask and by when it must finish
so that the convocation leaves on the legal notice day; a date out of bounds is refused, never a 500."""

from datetime import date, timedelta

import pytest

from tests.fixtures.web import login, text


def test_the_dry_run_shows_who_would_be_asked_and_by_when(client, editing):
    login(client, editing.town.head)
    url = editing.url("essai", circuit=editing.circuit)
    first = client.get(url)
    assert first.status_code == 200
    assert "5 jours francs avant la séance (article L2121-12 du CGCT)" in text(first)
    assert f'<option selected value="{editing.town.council.id}">' in first.get_data(as_text=True)
    answer = client.get(
        url,
        query_string={
            "sitting_day": "2027-03-15",
            "assembly": editing.town.council.id,
            "service": editing.town.service.id,
        },
    )
    assert answer.status_code == 200
    body = text(answer)
    assert "La convocation doit partir au plus tard le mardi 9 mars 2027." in body
    html = answer.get_data(as_text=True)
    assert 'data-feasible="yes"' in html
    head, president, secretary = (
        p.full_name for p in (editing.town.head, editing.town.committee_president, editing.town.secretary)
    )
    assert head in body and president in body and secretary in body
    for latest in ("02/03/2027", "03/03/2027", "07/03/2027"):
        assert latest in body


def test_without_a_service_the_service_head_is_said_in_words(client, editing):
    login(client, editing.town.head)
    answer = client.get(
        editing.url("essai", circuit=editing.circuit),
        query_string={"sitting_day": "2027-03-15", "assembly": editing.town.council.id, "service": 0},
    )
    assert answer.status_code == 200
    assert "le chef du service du rédacteur, selon le service" in text(answer)


def test_a_sitting_too_close_cannot_be_met(client, editing):
    login(client, editing.town.head)
    answer = client.get(
        editing.url("essai", circuit=editing.circuit),
        query_string={
            "sitting_day": (date.today() + timedelta(days=10)).isoformat(),
            "assembly": editing.town.council.id,
            "service": 0,
        },
    )
    assert answer.status_code == 200
    assert 'data-feasible="no"' in answer.get_data(as_text=True)
    assert "ce calendrier ne peut pas être tenu" in text(answer)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"sitting_day": "0001-01-01"}, "et les cinq années à venir"),
        ({"sitting_day": "9999-12-31"}, "et les cinq années à venir"),
        ({"sitting_day": "15/03/2027"}, "date"),
        ({"sitting_day": ""}, "obligatoire"),
        ({"sitting_day": "2027-03-15", "assembly": "99999999999999999999"}, "choix valide"),
        ({"sitting_day": "2027-03-15", "assembly": "abc"}, "Choix"),
    ],
)
def test_a_wrong_input_is_refused_next_to_its_field(client, editing, values, message):
    login(client, editing.town.head)
    query = {"assembly": editing.town.council.id, "service": 0} | values
    answer = client.get(editing.url("essai", circuit=editing.circuit), query_string=query)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
