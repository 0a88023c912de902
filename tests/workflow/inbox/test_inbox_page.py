""" "À traiter": every open task of a person, in every collectivity, under that collectivity only; those of
an absent colleague they stand in for; late ones marked; the documents to sign of the book in the same
inbox, a signature step's task not repeated; the count in the navigation; and a constant number of
queries whatever the number of tasks."""

import re
from datetime import timedelta

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.core.extensions import db
from saas.documents.operations import add_document
from saas.signing.book import operations as book
from saas.workflow import operations as engine
from tests.fixtures.web import bearer, login, text
from tests.fixtures.workflow import persons, step


def _sections(html: str) -> dict[str, str]:
    """The inbox's sections by collectivity slug."""
    parts = re.split(r'<section class="card" aria-labelledby="inbox-\d+" data-tenant="([^"]+)">', html)
    return {parts[i]: parts[i + 1].split("</section>")[0] for i in range(1, len(parts), 2)}


def test_a_person_in_two_collectivities_sees_each_ones_tasks_under_it(
    client, make_collectivity, make_circuit, submitted, give_mandate
):
    town, agglo = make_collectivity(name="Ville d'Ici"), make_collectivity(name="Agglomération d'Ailleurs")
    both = town.validator_a
    give_mandate(both, agglo.tenant, agglo.council)
    runs = {}
    for place in (town, agglo):
        make_circuit(place, step("visa", persons(both), name=f"Visa de {place.tenant.name}"))
        runs[place.tenant.slug] = submitted(place, title=f"Rapport de {place.tenant.name}")
    login(client, both)
    page = client.get("/a-traiter")
    assert page.status_code == 200
    sections = _sections(page.get_data(as_text=True))
    assert set(sections) == {town.tenant.slug, agglo.tenant.slug}
    for place, other in ((town, agglo), (agglo, town)):
        section = sections[place.tenant.slug]
        assert f"Rapport de {place.tenant.name}" in section.replace("&#39;", "'")
        assert f"Rapport de {other.tenant.name}" not in section.replace("&#39;", "'")
    assert '<span class="badge badge--error">2' in page.get_data(as_text=True)  # the count in the navigation
    town_task = engine.tasks_of(runs[town.tenant.slug])[0]
    assert f'href="/t/{town.tenant.slug}/taches/{town_task.id}"' in sections[town.tenant.slug]
    assert client.get(f"/t/{town.tenant.slug}/taches/{town_task.id}").status_code == 200
    assert client.get(f"/t/{agglo.tenant.slug}/taches/{town_task.id}").status_code == 404
    # someone of the other collectivity only sees nothing of it
    login(client, agglo.validator_b)
    assert client.get(f"/t/{town.tenant.slug}/taches/{town_task.id}").status_code == 404
    assert client.get(f"/t/{agglo.tenant.slug}/taches/{town_task.id}").status_code == 404
    assert "data-empty-inbox" in client.get("/a-traiter").get_data(as_text=True)


def test_a_delegate_sees_the_absent_persons_tasks_late_ones_marked(
    client, town, make_circuit, submitted, acting, clock
):
    make_circuit(
        town, step("visa", persons(town.validator_b), name="Visa juridique", deadline={"days_after_arrival": 2})
    )
    run = submitted(town, title="Rapport du stade")
    today = town.tenant.today()
    with acting(town.validator_b, town.tenant):
        engine.delegate(
            town.validator_b, town.other_member, town.tenant, today, today + timedelta(days=30),
            actor=town.validator_b,
        )  # fmt: skip
    login(client, town.other_member)
    body = text(client.get("/a-traiter"))
    assert "Rapport du stade" in body and f"pour {town.validator_b.full_name} (délégation)" in body
    assert "en retard" not in body
    clock.shift(timedelta(days=3))
    login(client, town.other_member)
    page = client.get("/a-traiter").get_data(as_text=True)
    assert "data-late" in page and "en retard" in page
    task = engine.tasks_of(run)[0]
    task_page = text(client.get(f"/t/{town.tenant.slug}/taches/{task.id}"))
    assert "vous le remplacez" in task_page and "en retard" in task_page
    login(client, town.validator_a)  # neither the person nor their delegate
    assert client.get(f"/t/{town.tenant.slug}/taches/{task.id}").status_code == 404
    assert "Rapport du stade" not in text(client.get("/a-traiter"))


def test_documents_to_sign_share_the_inbox_and_a_signature_step_is_shown_once(
    client, town, make_circuit, make_report, acting, pdf
):
    make_circuit(town, step("signature", persons(town.validator_a), name="Signature du maire", kind="signature"))
    report = make_report(town, title="Convention signée par le parapheur")
    with context(db.session, SYSTEM):
        add_document(report, "report", "Convention", pdf(), "c.pdf", town.drafter)
    with acting(town.drafter, town.tenant):
        run = engine.submit(report, town.drafter)  # the signature step puts the report into the book
    with context(db.session, SYSTEM):
        uploaded = book.request_signatures(
            town.tenant, title="Arrêté déposé", signers=[book.Signer(town.validator_a, "Maire")],
            actor=town.secretary, upload=(pdf("a.pdf"), "a.pdf"),
        )  # fmt: skip
    (task,) = engine.tasks_of(run)
    login(client, town.validator_a)
    html = client.get("/a-traiter").get_data(as_text=True)
    section = _sections(html)[town.tenant.slug]
    assert section.count('data-request="') == 2 and f'data-request="{uploaded.id}"' in section
    assert f'data-task="{task.id}"' not in section  # the book's request is that task's one row
    assert 'data-inbox-count="2"' in html  # the navigation counts the rows the page shows
    api = client.get("/api/v1/me/tasks", headers=bearer(town.validator_a)).get_json()
    assert [group["tenant_slug"] for group in api] == [town.tenant.slug]
    assert api[0]["tasks"] == [] and len(api[0]["signatures"]) == 2


def _statements(app, call) -> int:
    counted = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            counted.append(statement)

    engine_ = db.engine
    sa.event.listen(engine_, "before_cursor_execute", count)
    try:
        response = call()
    finally:
        sa.event.remove(engine_, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(counted)


def test_the_number_of_queries_does_not_grow_with_the_tasks(
    app, client, make_collectivity, make_circuit, submitted, give_mandate, acting
):
    town, agglo = make_collectivity(), make_collectivity()
    member = town.validator_a
    give_mandate(member, agglo.tenant, agglo.council)
    for place in (town, agglo):
        make_circuit(place, step("visa", persons(member), deadline={"days_after_arrival": 5}))
    submitted(town, title="Premier rapport")
    login(client, member)
    headers = bearer(member)
    page = lambda: client.get("/a-traiter")  # noqa: E731
    api = lambda: client.get("/api/v1/me/tasks", headers=headers)  # noqa: E731
    _statements(app, page), _statements(app, api)  # warm
    one_page, one_api = _statements(app, page), _statements(app, api)
    for n in range(15):
        submitted(town, title=f"Rapport n° {n}")
        submitted(agglo, title=f"Rapport d'agglomération n° {n}")
    login(client, member)
    _statements(app, page)
    assert client.get("/a-traiter").get_data(as_text=True).count("data-task=") == 31
    assert _statements(app, page) == one_page
    assert _statements(app, api) == one_api
    assert sum(len(group["tasks"]) for group in api().get_json()) == 31


def test_a_collectivitys_tasks_come_in_pages(client, town, make_circuit, submitted, monkeypatch):
    from saas.workflow.inbox import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    make_circuit(town, step("visa", persons(town.validator_a)))
    for n in range(5):
        submitted(town, title=f"Rapport n° {n}")
    login(client, town.validator_a)
    answer = client.get("/a-traiter")
    first = answer.get_data(as_text=True)
    assert first.count("data-task=") == 2 and 'data-pages="3"' in first
    assert "Tâches 1 à 2 sur 5" in text(answer) and 'rel="next"' in first and 'rel="prev"' not in first
    answer = client.get(f"/a-traiter?collectivite={town.tenant.slug}&page=3")
    last = answer.get_data(as_text=True)
    assert last.count("data-task=") == 1 and "Tâches 5 à 5 sur 5" in text(answer) and 'rel="next"' not in last
    seen = set()
    for number in (1, 2, 3):
        html = client.get(f"/a-traiter?collectivite={town.tenant.slug}&page={number}").get_data(as_text=True)
        seen |= set(re.findall(r'data-task="(\d+)"', html))
    assert len(seen) == 5  # every task on exactly one page
    for number in ("0", "4", "-1", "99999999999999999999"):
        assert client.get(f"/a-traiter?collectivite={town.tenant.slug}&page={number}").status_code == 404
    # a page asked of another collectivity, or nonsense, leaves this one on its first page
    assert client.get("/a-traiter?collectivite=ailleurs&page=3").get_data(as_text=True).count("data-task=") == 2
    assert client.get("/a-traiter?page=abc").status_code == 200
