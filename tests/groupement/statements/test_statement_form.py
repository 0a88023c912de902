"""The statement form's percentages: French decimals ("19,5") accepted, anything else refused under its
field in French with status 422 and no statement issued; read only with the fixed key."""

import re
from datetime import date

import pytest
from flask import g

from saas.core.database import SYSTEM, context
from saas.groupement import operations
from saas.groupement.models import SharingKey
from saas.groupement.statements import operations as statements
from tests.fixtures.web import csrf_token, login


@pytest.fixture
def one_lot_contract(session, world):
    with context(session, SYSTEM):
        contract = operations.save_contract(
            world.group,
            {"reference": "2014-RFC-02", "title": "Logiciel", "supplier": "Éditeur SAS",
             "awarded_on": date(2014, 1, 10), "start_date": date(2014, 2, 1), "end_date": date(2017, 12, 31)},
            actor=None,
        )  # fmt: skip
        operations.save_lot(
            contract,
            {"number": 1, "title": "Licences", "units": 40, "equipment_cents": 0,
             "licences_cents_per_year": 1_000_000, "support_cents_per_year": 0},
            actor=None,
        )  # fmt: skip
        session.refresh(contract)
    return contract


def _post(client, world, form: dict):
    g.pop("_login_user", None)  # the test's application context outlives requests
    login(client, world.coordinator)
    g.pop("_login_user", None)
    token = csrf_token(client, "/group/statements/new")
    return client.post("/group/statements/new", data={**form, "csrf_token": token})


def _form(world, contract, key: str, **percent) -> dict:
    members = {"region": world.region, "city": world.city, "agglo": world.agglo, "doubs": world.doubs}
    return {"contract": contract.id, "period": "2016", "key": key} | {
        f"percent-{members[name].id}": value for name, value in percent.items()
    }


def _errors_under(page: str, field_id: str) -> str:
    match = re.search(rf'<ul class="field__errors" id="{re.escape(field_id)}-errors">(.*?)</ul>', page, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def test_a_percentage_that_is_not_a_number_is_refused_under_its_field(client, session, world, one_lot_contract):
    form = _form(world, one_lot_contract, "fixed", region="40", city="trente", agglo="20", doubs="10")
    response = _post(client, world, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Un nombre, par exemple 25 ou 12,5." in _errors_under(page, f"percent-{world.city.id}")
    assert 'value="trente"' in page  # shown as typed
    assert statements.statements(world.group) == []


def test_a_percentage_above_100_is_refused_under_its_field(client, session, world, one_lot_contract):
    form = _form(world, one_lot_contract, "fixed", region="150", city="0", agglo="0", doubs="0")
    response = _post(client, world, form)
    assert response.status_code == 422
    assert "Un pourcentage entre 0 et 100." in _errors_under(
        response.get_data(as_text=True), f"percent-{world.region.id}"
    )
    assert statements.statements(world.group) == []


def test_french_decimals_are_read_and_the_total_is_checked(client, session, world, one_lot_contract):
    short = _form(world, one_lot_contract, "fixed", region="40", city="30", agglo="19,5", doubs="10")
    refused = _post(client, world, short)
    assert refused.status_code == 422 and "99.5 %" in _errors_under(refused.get_data(as_text=True), "key")
    assert statements.statements(world.group) == []
    done = _post(client, world, {**short, f"percent-{world.doubs.id}": "10,5"})
    assert done.status_code == 302
    (statement,) = statements.statements(world.group)
    assert statement.key == SharingKey.FIXED and sum(statements.totals(statement).values()) == 1_000_000


def test_with_another_key_the_percentages_are_not_read(client, session, world, one_lot_contract):
    form = _form(world, one_lot_contract, "population", region="n'importe quoi", city="", agglo="", doubs="")
    assert _post(client, world, form).status_code == 302
    (statement,) = statements.statements(world.group)
    assert statement.key == SharingKey.POPULATION
