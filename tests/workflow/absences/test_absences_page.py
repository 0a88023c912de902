"""« Mes absences »: a person declares an absence and the colleague who replaces them, sees and ends it; the
delegate sees the absent person's tasks and may do them; refusals are French, on the form, and write nothing."""

from datetime import timedelta

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.reports.models import Report
from saas.workflow import operations as engine
from saas.workflow.access import allowed_actions, holds_task_on
from saas.workflow.models import Delegation
from tests.fixtures.web import login, post, text
from tests.fixtures.workflow import persons, step


def delegations(session, town) -> list[Delegation]:
    with context(session, SYSTEM):
        return list(session.execute(sa.select(Delegation).where(Delegation.tenant_id == town.tenant.id)).scalars())


def test_declare_an_absence_the_delegate_sees_and_does_the_tasks_then_it_ends(
    client, session, town, make_circuit, make_report, acting
):
    make_circuit(town, step("visa", persons(town.validator_a), name="Visa juridique"))
    with acting(town.drafter, town.tenant):
        run = engine.submit(make_report(town, title="Rapport sur la voirie"), town.drafter)
    (task,) = engine.tasks_of(run)
    url = f"/t/{town.tenant.slug}/absences"
    today = town.tenant.today()
    login(client, town.validator_a)
    page = client.get(url)
    assert page.status_code == 200
    body = text(page)
    assert "Mes absences" in body and "Aucune absence déclarée." in body
    assert town.validator_b.full_name in body and town.other_member.full_name in body  # offered as delegates
    answer = post(
        client,
        url,
        {
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=6)).isoformat(),
            "delegate": town.validator_b.id,
        },
    )
    assert answer.status_code == 302
    (delegation,) = delegations(session, town)
    assert (delegation.person_id, delegation.delegate_id) == (town.validator_a.id, town.validator_b.id)
    page = text(client.get(url))
    assert f"Absence enregistrée : {town.validator_b.full_name} pourra faire vos tâches" in page
    assert "en cours" in page

    login(client, town.validator_b)  # the delegate sees the absent person's task, and may do it
    page = text(client.get(url))
    assert f"{town.validator_a.full_name}, absent ou absente jusqu'au" in page
    assert "Rapport sur la voirie" in page and "Visa juridique" in page
    with acting(town.validator_b, town.tenant):
        assert "approve" in allowed_actions(town.validator_b, task)
        assert holds_task_on(town.validator_b, session.get(Report, run.report_id))  # they read its documents too

    login(client, town.validator_a)  # back: ended today, it began today, so it is withdrawn
    assert post(client, f"{url}/{delegation.id}/fin").status_code == 302
    assert delegations(session, town) == []
    login(client, town.validator_b)
    assert "Vous ne remplacez personne aujourd'hui." in text(client.get(url))
    with acting(town.validator_b, town.tenant):
        assert "approve" not in allowed_actions(town.validator_b, task)
        assert not holds_task_on(town.validator_b, session.get(Report, run.report_id))


def test_a_delegation_that_ran_ends_yesterday_and_stays_on_record(client, session, town, clock):
    with context(session, SYSTEM):
        delegation = engine.delegate(
            town.validator_a,
            town.validator_b,
            town.tenant,
            town.tenant.today() - timedelta(days=3),
            town.tenant.today() + timedelta(days=3),
            actor=town.validator_a,
        )
    login(client, town.validator_a)
    assert post(client, f"/t/{town.tenant.slug}/absences/{delegation.id}/fin").status_code == 302
    (kept,) = delegations(session, town)
    assert kept.ends_on == town.tenant.today() - timedelta(days=1)
    assert "Aucune absence déclarée." in text(client.get(f"/t/{town.tenant.slug}/absences"))


def test_refusals_are_french_on_the_form_and_write_nothing(client, session, town, make_collectivity):
    elsewhere = make_collectivity()
    url = f"/t/{town.tenant.slug}/absences"
    today = town.tenant.today()

    def later(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    login(client, town.validator_a)
    cases = [
        (
            {"starts_on": later(9), "ends_on": later(1), "delegate": town.validator_b.id},
            "La fin de la délégation précède son début.",
        ),
        (
            {"starts_on": today.isoformat(), "ends_on": today.isoformat(), "delegate": town.validator_a.id},
            "On ne se délègue pas à soi-même.",
        ),
        (
            {"starts_on": today.isoformat(), "ends_on": today.isoformat(), "delegate": elsewhere.validator_a.id},
            "Choisissez la personne qui vous remplace parmi celles de la collectivité.",
        ),
        (
            {"starts_on": today.isoformat(), "ends_on": today.isoformat(), "delegate": "pas-un-nombre"},
            "Choisissez la personne qui vous remplace parmi celles de la collectivité.",
        ),
        (
            {"starts_on": today.isoformat(), "ends_on": today.isoformat(), "delegate": 2**40},
            "Choisissez la personne qui vous remplace parmi celles de la collectivité.",
        ),
        (
            {"starts_on": "2020-01-01", "ends_on": "2020-01-02", "delegate": town.validator_b.id},
            "Cette absence est déjà passée",
        ),
        ({"ends_on": today.isoformat(), "delegate": town.validator_b.id}, "Indiquez le premier jour d'absence."),
    ]
    for data, message in cases:
        answer = post(client, url, data)
        assert answer.status_code == 422, (data, answer.status_code)
        assert message in text(answer), data
    assert elsewhere.validator_a.full_name not in text(post(client, url, cases[2][0]))
    assert delegations(session, town) == []


def test_another_persons_or_collectivitys_delegation_is_404(client, session, town, make_collectivity):
    other = make_collectivity()
    with context(session, SYSTEM):
        mine = engine.delegate(
            town.validator_a,
            town.validator_b,
            town.tenant,
            town.tenant.today(),
            town.tenant.today(),
            actor=town.validator_a,
        )
    login(client, town.validator_b)  # the delegate may not end it: only the absent person, from their page
    assert post(client, f"/t/{town.tenant.slug}/absences/{mine.id}/fin").status_code == 404
    assert post(client, f"/t/{town.tenant.slug}/absences/99999999/fin").status_code == 404
    login(client, other.validator_a)
    assert client.get(f"/t/{town.tenant.slug}/absences").status_code == 404
    assert len(delegations(session, town)) == 1
