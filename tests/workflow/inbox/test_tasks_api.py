"""The tasks API: my tasks in every collectivity, one task with exactly its allowed actions, and actions
handed to the engine; bad input is a 4xx in French and writes nothing; of two approvals of a "one of them"
step at the same moment, one transition."""

import sqlalchemy as sa

from saas.core.extensions import db
from saas.workflow import operations as engine
from saas.workflow.models import RunState, Task, TaskAction, TaskState, WorkflowRun
from tests.fixtures.web import bearer
from tests.fixtures.workflow import persons, step


def _open(run, person) -> Task:
    db.session.expire_all()
    return next(task for task in engine.tasks_of(run) if task.person_id == person.id and task.state == TaskState.OPEN)


def _written() -> int:
    return db.session.execute(sa.select(sa.func.count(TaskAction.id))).scalar_one()


def test_my_tasks_grouped_by_collectivity_and_one_task(
    client, make_collectivity, make_circuit, submitted, give_mandate
):
    town, agglo = make_collectivity(), make_collectivity()
    both = town.validator_a
    give_mandate(both, agglo.tenant, agglo.council)
    runs = {}
    for place in (town, agglo):
        make_circuit(place, step("visa", persons(both), name="Visa", required_metadata={"approve": ["motif"]}))
        runs[place.tenant.slug] = submitted(place, title=f"Rapport {place.tenant.slug}")
    headers = bearer(both)
    groups = client.get("/api/v1/me/tasks", headers=headers).get_json()
    assert {group["tenant_slug"]: [t["report_title"] for t in group["tasks"]] for group in groups} == {
        place.tenant.slug: [f"Rapport {place.tenant.slug}"] for place in (town, agglo)
    }
    task = _open(runs[town.tenant.slug], both)
    one = client.get(f"/api/v1/tenants/{town.tenant.slug}/tasks/{task.id}", headers=headers)
    assert one.status_code == 200
    body = one.get_json()
    assert body["allowed_actions"] == ["approve", "refuse", "insert"]
    assert body["step"]["required_metadata"] == {"approve": ["motif"]}
    assert body["report"]["title"] == f"Rapport {town.tenant.slug}"
    assert client.get(f"/api/v1/tenants/{agglo.tenant.slug}/tasks/{task.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/tenants/{town.tenant.slug}/tasks/2147483648", headers=headers).status_code == 404
    outsider = bearer(agglo.validator_b)
    assert client.get(f"/api/v1/tenants/{town.tenant.slug}/tasks/{task.id}", headers=outsider).status_code == 404
    post = client.post(f"/api/v1/tenants/{agglo.tenant.slug}/tasks/{task.id}/actions", headers=outsider,
                       json={"action": "approve"})  # fmt: skip
    assert post.status_code == 404


def test_bad_input_is_refused_in_french_and_writes_nothing(client, town, make_circuit, submitted):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), required_metadata={"approve": ["motif"]}),
        step("fin", persons(town.validator_b)),
    )
    run = submitted(town)
    url = f"/api/v1/tenants/{town.tenant.slug}/tasks/{_open(run, town.validator_a).id}/actions"
    headers = bearer(town.validator_a)
    cases = [
        ({"data": "{pas du json", "content_type": "application/json"}, "Les données envoyées ne sont pas valides."),
        ({"json": {"action": "signer"}}, "Action inconnue"),
        ({"json": {}}, "Indiquez l'action"),
        ({"json": {"action": "refuse"}}, "Indiquez le motif du refus."),
        ({"json": {"action": "refuse", "reason": "   "}}, "Indiquez le motif du refus."),
        ({"json": {"action": "approve"}}, "demande : motif"),
        ({"json": {"action": "approve", "metadata": {"motif": "ok"}, "extra": 1}}, "Les données envoyées"),
        ({"json": {"action": "insert", "person_id": 2**31}}, "Les données envoyées"),
        ({"json": {"action": "insert", "person_id": 999_999}}, "Choisissez la personne de la collectivité"),
        ({"json": {"action": "send_back", "to_step": "visa"}}, "Vous ne pouvez pas faire"),
        ({"json": {"action": "opinion", "opinion": "favourable"}}, "Vous ne pouvez pas faire « Rendre l'avis »"),
        ({"json": {"action": "opinion", "opinion": "bof"}}, "Les données envoyées"),
    ]
    for kwargs, message in cases:
        answer = client.post(url, headers=headers, **kwargs)
        assert 400 <= answer.status_code < 500, (kwargs, answer.status_code)
        assert message in str(answer.get_json()), (kwargs, answer.get_json())
    assert _written() == 0
    assert db.session.get(WorkflowRun, run.id).position == 0


def test_each_action_through_the_api(client, town, make_circuit, submitted):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique"),
        step("avis", persons(town.committee_president), name="Avis", kind="committee_opinion"),
        step("fin", persons(town.validator_b), name="Visa final"),
    )
    run = submitted(town)
    tasks = f"/api/v1/tenants/{town.tenant.slug}/tasks"
    a, president, b = bearer(town.validator_a), bearer(town.committee_president), bearer(town.validator_b)
    answer = client.post(f"{tasks}/{_open(run, town.validator_a).id}/actions", headers=a,
                         json={"action": "approve", "comment": "Vu"})  # fmt: skip
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "avis"
    assert answer.get_json()["task"]["state"] == "approved" and answer.get_json()["task"]["allowed_actions"] == []
    opinion = _open(run, town.committee_president)
    answer = client.post(f"{tasks}/{opinion.id}/actions", headers=president,
                         json={"action": "insert", "person_id": town.other_member.id, "comment": "Avis ?"})  # fmt: skip
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "inserted"
    inserted = _open(run, town.other_member)
    answer = client.post(f"{tasks}/{inserted.id}/actions", headers=bearer(town.other_member),
                         json={"action": "refuse", "reason": "Trop cher"})  # fmt: skip
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "returned"
    answer = client.post(f"{tasks}/{opinion.id}/actions", headers=president,
                         json={"action": "opinion", "opinion": "favourable", "unanimous": True})  # fmt: skip
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "fin"
    final = _open(run, town.validator_b)
    body = client.get(f"{tasks}/{final.id}", headers=b).get_json()
    assert body["allowed_actions"] == ["approve", "refuse", "send_back", "insert"]
    assert [s["key"] for s in body["earlier_steps"]] == ["visa", "avis"]
    answer = client.post(f"{tasks}/{final.id}/actions", headers=b,
                         json={"action": "send_back", "to_step": "visa"})  # fmt: skip
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "visa"
    again = _open(run, town.validator_a)
    answer = client.post(f"{tasks}/{again.id}/actions", headers=bearer(town.urgent),
                         json={"action": "validate_urgently", "reason": "Subvention"})  # fmt: skip
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "completed"
    db.session.expire_all()
    assert db.session.get(WorkflowRun, run.id).state == RunState.COMPLETED
    kinds = db.session.execute(sa.select(TaskAction.kind).order_by(TaskAction.id)).scalars().all()
    assert kinds == ["approve", "insert", "refuse", "give_opinion", "send_back", "validate_urgently"]


def test_the_second_approval_of_a_one_of_them_step_is_refused(client, town, make_circuit, submitted):
    make_circuit(town, step("visa", persons(town.validator_a, town.validator_b)), step("fin", persons(town.secretary)))
    run = submitted(town)
    first, second = _open(run, town.validator_a), _open(run, town.validator_b)
    tasks = f"/api/v1/tenants/{town.tenant.slug}/tasks"
    assert client.post(f"{tasks}/{first.id}/actions", headers=bearer(town.validator_a),
                       json={"action": "approve"}).status_code == 200  # fmt: skip
    late = client.post(f"{tasks}/{second.id}/actions", headers=bearer(town.validator_b), json={"action": "approve"})
    assert late.status_code == 422
    assert late.get_json()["message"].startswith("Cette tâche n'est plus ouverte")
    assert db.session.execute(sa.select(sa.func.count(TaskAction.id))).scalar_one() == 1


def test_a_member_gives_one_voice_through_the_api(client, town, make_circuit, submitted):
    make_circuit(
        town,
        step("avis", {"kind": "members", "assembly": "commission-1"}, name="Avis", kind="committee_opinion",
             mode="all"),
    )  # fmt: skip
    run = submitted(town)
    url = f"/api/v1/tenants/{town.tenant.slug}/tasks/{_open(run, town.committee_president).id}/actions"
    president = bearer(town.committee_president)
    refused = client.post(url, headers=president, json={"action": "opinion", "opinion": "favourable",
                                                         "counts": {"for": 7}})  # fmt: skip
    assert refused.status_code == 422 and "son propre avis" in refused.get_json()["message"]
    assert _written() == 0
    answer = client.post(url, headers=president, json={"action": "opinion", "opinion": "favourable"})
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "completed"
