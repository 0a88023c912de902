"""Cost statements for the four members, under each key, add up exactly to the contract's amounts."""

import csv
import io
from datetime import date

import pytest

from saas.core.database import SYSTEM, context
from saas.groupement import operations
from saas.groupement.devices import operations as devices
from saas.groupement.models import SharingKey
from saas.groupement.statements import operations as statements
from tests.fixtures.web import bearer

LOTS = (
    {"number": 1, "title": "Tablettes", "units": 80, "equipment_cents": 5_432_101,
     "licences_cents_per_year": 0, "support_cents_per_year": 480_001},
    {"number": 2, "title": "Logiciel", "units": 80, "equipment_cents": 0,
     "licences_cents_per_year": 1_250_003, "support_cents_per_year": 300_007},
)  # fmt: skip


@pytest.fixture
def contract(session, world):
    with context(session, SYSTEM):
        contract = operations.save_contract(
            world.group,
            {"reference": "2013-RFC-01", "title": "Équipement numérique", "supplier": "Titulaire SAS",
             "awarded_on": date(2013, 11, 28), "start_date": date(2014, 1, 1), "end_date": date(2017, 12, 31)},
            actor=None,
        )  # fmt: skip
        for lot in LOTS:
            operations.save_lot(contract, lot, actor=None)
        # equipped members: one each, the member of the City and the Region included
        for n, person in enumerate((world.both, world.city_member, world.region_member, world.agglo_member), 1):
            devices.assign(devices.add_device(world.group, f"SN-{n}", "Tablette", None, actor=None), person, actor=None)
        session.refresh(contract)
    return contract


def contract_total(includes_equipment: bool) -> int:
    return sum(
        lot["licences_cents_per_year"]
        + lot["support_cents_per_year"]
        + (lot["equipment_cents"] if includes_equipment else 0)
        for lot in LOTS
    )


@pytest.mark.parametrize("key", list(SharingKey))
@pytest.mark.parametrize("includes_equipment", [True, False])
def test_statements_of_the_four_members_add_up_to_the_contract_totals(
    session, world, contract, key, includes_equipment
):
    percentages = {world.region.id: 40, world.city.id: 30, world.agglo.id: 20, world.doubs.id: 10}
    with context(session, SYSTEM):
        statement = statements.issue(
            world.group, contract, "2014", key, includes_equipment, actor=None,
            percentages={t: n for t, n in percentages.items()} if key == SharingKey.FIXED else None,
        )  # fmt: skip
    totals = statements.totals(statement)
    assert set(totals) == {t.id for t in world.members}
    assert sum(totals.values()) == contract_total(includes_equipment)
    for item, cents in statements.invoiced_items(contract, includes_equipment):
        assert sum(line.share_cents for line in statement.lines if line.item == item) == cents
    if key == SharingKey.EQUIPPED_MEMBERS:
        # Region: 1 + 1/2, City: 1 + 1/2, Agglomeration: 1, Département: none equipped
        assert statement.weights == {
            str(world.region.id): "3/8",
            str(world.city.id): "3/8",
            str(world.agglo.id): "1/4",
            str(world.doubs.id): "0/1",
        }
        assert totals[world.doubs.id] == 0
    if key == SharingKey.FIXED:
        assert statement.weights[str(world.region.id)] == "2/5"


def test_a_primary_collectivity_takes_the_whole_person(session, world, contract):
    with context(session, SYSTEM):
        world.both.primary_tenant_id = world.city.id
        statement = statements.issue(world.group, contract, "2015", SharingKey.EQUIPPED_MEMBERS, False, actor=None)
    assert statement.weights[str(world.city.id)] == "1/2" and statement.weights[str(world.region.id)] == "1/4"


def test_fixed_percentages_not_totalling_100_are_refused_and_nothing_is_kept(client, session, world, contract):
    headers = bearer(world.coordinator)
    body = {"contract_id": contract.id, "period": "2014", "key": "fixed",
            "percentages": {str(world.region.id): "50", str(world.city.id): "30"}}  # fmt: skip
    refused = client.post("/api/v1/group/statements", json=body, headers=headers)
    assert refused.status_code == 422 and "pour chaque membre" in refused.json["message"]
    body["percentages"] |= {str(world.agglo.id): "10", str(world.doubs.id): "9,5"}
    assert client.post("/api/v1/group/statements", json=body, headers=headers).status_code == 422
    body["percentages"][str(world.doubs.id)] = "9.5"
    refused = client.post("/api/v1/group/statements", json=body, headers=headers)
    assert refused.status_code == 422 and "99.5 %" in refused.json["message"]
    assert client.get("/api/v1/group/statements", headers=headers).json == []
    body["percentages"][str(world.doubs.id)] = "10"
    assert client.post("/api/v1/group/statements", json=body, headers=headers).status_code == 201


def test_a_members_statement_as_pdf_and_csv_says_which_key(client, session, world, contract):
    headers = bearer(world.coordinator)
    issued = client.post(
        "/api/v1/group/statements",
        json={"contract_id": contract.id, "period": "2014", "key": "population", "includes_equipment": True},
        headers=headers,
    )
    assert issued.status_code == 201, issued.json
    membership = next(m for m in operations.memberships(world.group) if m.tenant_id == world.city.id)
    base = f"/api/v1/group/statements/{issued.json['id']}/members/{membership.id}"
    pdf = client.get(base + ".pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-") and pdf.mimetype == "application/pdf"
    response = client.get(base + ".csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)), delimiter=";"))
    assert rows[0][:4] == ["Collectivité", "Marché", "Période", "Clé de répartition"]
    assert {row[3] for row in rows[1:]} == {"au prorata de la population"}
    assert rows[-1][5] == "Total"
    city_share = sum(
        line.share_cents for line in statements.member_lines(statements.statements(world.group)[0], world.city.id)
    )
    assert rows[-1][7] == f"{city_share // 100},{city_share % 100:02d}"
    # the web console serves the same files
    from tests.fixtures.web import sign_in

    sign_in(client, world.coordinator)
    page = client.get(f"/group/statements/{issued.json['id']}")
    assert page.status_code == 200 and "au prorata de la population" in page.get_data(as_text=True)
    assert client.get(f"/group/statements/{issued.json['id']}/members/{membership.id}.csv").data == response.data
    # a member without a line in the statement (none here) or of another statement answers 404
    assert client.get(f"/group/statements/{issued.json['id']}/members/999999.csv").status_code == 404


def test_issuing_from_the_screen_with_fixed_percentages(client, session, world, contract):
    from tests.fixtures.web import post, sign_in

    sign_in(client, world.coordinator)
    form = {"contract": contract.id, "period": "2016", "key": "fixed",
            f"percent-{world.region.id}": "40", f"percent-{world.city.id}": "30",
            f"percent-{world.agglo.id}": "20", f"percent-{world.doubs.id}": "9,99"}  # fmt: skip
    refused = post(client, "/group/statements/new", form)
    assert refused.status_code == 422 and "99.99 %" in refused.get_data(as_text=True)
    form[f"percent-{world.doubs.id}"] = "10"
    done = post(client, "/group/statements/new", form)
    assert done.status_code == 302
    statement = statements.statements(world.group)[0]
    assert statement.key == SharingKey.FIXED and sum(statements.totals(statement).values()) == contract_total(False)
