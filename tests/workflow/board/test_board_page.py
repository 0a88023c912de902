"""The board of a sitting's reports: its secretariat and the collectivity's admins see every report aimed at
the sitting with its current step and state, worst first; members and other collectivities get 404."""

import re
from datetime import UTC, date, datetime, time, timedelta

from saas.workflow import operations as engine
from tests.fixtures.sittings import MONDAY_15_MARCH_2027
from tests.fixtures.web import login, text
from tests.fixtures.workflow import persons, step


def test_the_secretariat_sees_the_sittings_reports_worst_first(
    client, town, make_circuit, make_report, acting, create_sitting, make_collectivity, give_mandate
):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique", deadline={"days_after_arrival": 3}),
        step("secretariat", {"kind": "grant", "grant": "secretary", "assembly": "target"}),
    )
    far = create_sitting(town.tenant, starts_at=MONDAY_15_MARCH_2027, convene=True, assembly=town.council)
    on_time = make_report(town, title="Rapport dans les temps", sitting=far)
    with acting(town.drafter, town.tenant):
        engine.submit(on_time, town.drafter)
    make_report(town, title="Rapport non soumis", sitting=far)
    make_report(town, title="Rapport d'une autre séance")
    url = f"/t/{town.tenant.slug}/s/{far.id}/rapports"
    login(client, town.secretary)
    page = client.get(url)
    assert page.status_code == 200
    body = text(page)
    assert "Rapport dans les temps" in body and "Rapport non soumis" in body
    assert "Rapport d'une autre séance" not in body
    assert "Visa juridique" in body and town.validator_a.full_name in body
    assert "La convocation doit partir au plus tard le mardi 9 mars 2027." in body
    sitting_page = client.get(f"/t/{town.tenant.slug}/s/{far.id}").get_data(as_text=True)
    assert f'href="{url}"' in sitting_page  # the sitting page links to its board
    login(client, town.head)  # an admin of the collectivity
    assert client.get(url).status_code == 200
    login(client, town.validator_a)  # a member of the council
    assert client.get(url).status_code == 404
    other = make_collectivity()
    give_mandate(other.secretary, other.tenant)
    login(client, other.secretary)
    assert client.get(url).status_code == 404
    assert client.get(f"/t/{other.tenant.slug}/s/{far.id}/rapports").status_code == 404


def test_the_worst_comes_first(client, town, make_circuit, make_report, acting, create_sitting):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique", deadline={"days_after_arrival": 3}),
        step("secretariat", {"kind": "grant", "grant": "secretary", "assembly": "target"}),
    )
    # in eight days: the convocation leaves in two (5 jours francs); the secretariat starts by tomorrow, the
    # visa must finish then and should have started two days ago
    starts_at = datetime.combine(date.today() + timedelta(days=8), time(17), tzinfo=UTC)
    sitting = create_sitting(town.tenant, starts_at=starts_at, convene=False, assembly=town.council)
    running = make_report(town, title="Rapport en cours", sitting=sitting)
    make_report(town, title="Rapport non soumis", sitting=sitting)
    with acting(town.drafter, town.tenant):
        engine.submit(running, town.drafter)
    login(client, town.secretary)
    html = client.get(f"/t/{town.tenant.slug}/s/{sitting.id}/rapports").get_data(as_text=True)
    states = re.findall(r'data-report="\d+" data-state="(\w+)"', html)
    assert states == ["late", "at_risk"]
    assert html.index("Rapport non soumis") < html.index("Rapport en cours")
    assert "<strong>1</strong> en retard" in html and "<strong>1</strong> à risque" in html
