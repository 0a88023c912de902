"""A task's page: the report, its documents, the circuit's history, and only the actions allowed_actions
gives, each a form that hands the action to the engine; a refusal is shown in French, nothing written."""

import re

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.core.extensions import db
from saas.documents.operations import add_document
from saas.reports.models import Report, ReportStatus
from saas.workflow import operations as engine
from saas.workflow.models import RunState, Task, TaskAction, TaskState, WorkflowRun
from tests.fixtures.web import login, post, text
from tests.fixtures.workflow import persons, step


def _actions(html: str) -> list[str]:
    return re.findall(r'data-action="(\w+)"', html)


def _task(run, person) -> Task:
    db.session.expire_all()
    return next(task for task in engine.tasks_of(run) if task.person_id == person.id and task.state == TaskState.OPEN)


def _written(run) -> int:
    return db.session.execute(sa.select(sa.func.count(TaskAction.id)).where(TaskAction.run_id == run.id)).scalar_one()


def test_only_the_allowed_actions_are_shown(client, town, make_circuit, submitted, pdf, acting):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique"),
        step("avis", {"kind": "role", "role": "president", "assembly": "commission-1"}, name="Avis de la commission",
             kind="committee_opinion"),
    )  # fmt: skip
    run = submitted(town, title="Rapport du marché couvert")
    with context(db.session, SYSTEM):
        add_document(db.session.get(Report, run.report_id), "report", "Projet de délibération", pdf(), "p.pdf", None)
    task = _task(run, town.validator_a)
    url = f"/t/{town.tenant.slug}/taches/{task.id}"
    login(client, town.validator_a)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert _actions(html) == ["approve", "refuse", "insert"]  # first step: nothing earlier to send back to
    assert "Projet de délibération" in html and "/versions/1/file" in html
    assert "Rapport du marché couvert" in text(page)
    login(client, town.urgent)  # the urgent-validation right, on someone else's task: that only
    assert _actions(client.get(url).get_data(as_text=True)) == ["validate_urgently"]
    for nobody in (town.validator_b, town.other_member, town.drafter):
        login(client, nobody)
        assert client.get(url).status_code == 404
    with acting(town.validator_a, town.tenant):
        engine.approve(task, town.validator_a)
    login(client, town.validator_a)  # their task, done: shown, nothing to do
    done = client.get(url).get_data(as_text=True)
    assert _actions(done) == [] and "data-no-action" in done and "Validé" in done
    login(client, town.committee_president)
    opinion = _task(run, town.committee_president)
    assert _actions(client.get(f"/t/{town.tenant.slug}/taches/{opinion.id}").get_data(as_text=True)) == [
        "give_opinion", "send_back", "insert",
    ]  # fmt: skip


def test_approve_asks_the_steps_metadata_and_moves_the_circuit(client, town, make_circuit, submitted):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), required_metadata={"approve": ["motif_urgence"]}),
        step("fin", persons(town.validator_b), name="Visa final"),
    )
    run = submitted(town)
    task = _task(run, town.validator_a)
    url = f"/t/{town.tenant.slug}/taches/{task.id}"
    login(client, town.validator_a)
    assert 'name="motif_urgence"' in client.get(url).get_data(as_text=True)
    refused = post(client, url + "/valider", {"comment": "Vu"})
    assert refused.status_code == 422 and "Ce champ est obligatoire." in text(refused)
    assert _written(run) == 0
    done = post(client, url + "/valider", {"comment": "Vu", "motif_urgence": "Subvention à saisir"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/a-traiter")
    assert "Le rapport passe à l'étape « Visa final »." in text(client.get("/a-traiter"))
    db.session.expire_all()
    assert db.session.get(Task, task.id).state == TaskState.APPROVED
    action = db.session.execute(sa.select(TaskAction).where(TaskAction.run_id == run.id)).scalar_one()
    assert action.data == {"motif_urgence": "Subvention à saisir"} and action.comment == "Vu"
    again = post(client, url + "/valider", {"motif_urgence": "x"})  # the task is closed now
    assert again.status_code == 422 and "Cette tâche n'est plus ouverte" in text(again)
    assert _written(run) == 1


def test_refuse_needs_a_reason(client, town, make_circuit, submitted):
    make_circuit(town, step("visa", persons(town.validator_a)))
    run = submitted(town)
    url = f"/t/{town.tenant.slug}/taches/{_task(run, town.validator_a).id}"
    login(client, town.validator_a)
    refused = post(client, url + "/refuser", {"reason": "  "})
    assert refused.status_code == 422 and "Indiquez le motif du refus." in text(refused)
    assert _written(run) == 0
    assert post(client, url + "/refuser", {"reason": "Joindre le plan."}).status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkflowRun, run.id).state == RunState.REFUSED
    assert db.session.get(Report, run.report_id).status == ReportStatus.REFUSED


def test_send_back_insert_and_opinion_from_the_page(client, town, make_circuit, submitted, make_collectivity):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique"),
        step("avis", persons(town.committee_president), name="Avis de la commission", kind="committee_opinion"),
    )
    run = submitted(town)
    login(client, town.validator_a)
    post(client, f"/t/{town.tenant.slug}/taches/{_task(run, town.validator_a).id}/valider")
    opinion_task = _task(run, town.committee_president)
    url = f"/t/{town.tenant.slug}/taches/{opinion_task.id}"
    login(client, town.committee_president)
    # insert: only a person of the collectivity; anyone else is refused without being named
    outsider = make_collectivity().validator_a
    refused = post(client, url + "/demander-avis", {"person": str(outsider.id)})
    assert refused.status_code == 422
    assert "Choisissez la personne de la collectivité" in text(refused) and outsider.full_name not in text(refused)
    assert post(client, url + "/demander-avis", {"person": "99999999999"}).status_code == 422
    assert _written(run) == 1
    assert post(client, url + "/demander-avis", {"person": str(town.other_member.id)}).status_code == 302
    inserted = _task(run, town.other_member)
    login(client, town.other_member)
    assert _actions(client.get(f"/t/{town.tenant.slug}/taches/{inserted.id}").get_data(as_text=True)) == [
        "approve", "refuse",
    ]  # fmt: skip
    assert (
        post(client, f"/t/{town.tenant.slug}/taches/{inserted.id}/valider", {"comment": "Pas d'objection"}).status_code
        == 302
    )
    # the opinion: bad counts refused, then given with counts
    login(client, town.committee_president)
    bad = post(client, url + "/avis", {"opinion": "favourable", "votes_for": "-3"})
    assert bad.status_code == 422 and "Un nombre de voix de 0 à 10 000." in text(bad)
    missing = post(client, url + "/avis", {})
    assert missing.status_code == 422 and "Choisissez l'avis" in text(missing)
    given = post(client, url + "/avis", {"opinion": "reserved", "votes_for": "5", "votes_against": "2",
                                         "abstentions": "1", "comment": "Sous réserve du budget."})  # fmt: skip
    assert given.status_code == 302
    action = db.session.execute(
        sa.select(TaskAction).where(TaskAction.run_id == run.id, TaskAction.kind == "give_opinion")
    ).scalar_one()
    assert action.data == {"opinion": "reserved", "unanimous": None, "for": 5, "against": 2, "abstain": 1}
    db.session.expire_all()
    assert db.session.get(WorkflowRun, run.id).state == RunState.COMPLETED


def test_send_back_and_urgent_validation(client, town, make_circuit, submitted):
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique"),
        step("fin", persons(town.validator_b), name="Visa final"),
    )
    run = submitted(town)
    login(client, town.validator_a)
    post(client, f"/t/{town.tenant.slug}/taches/{_task(run, town.validator_a).id}/valider")
    url = f"/t/{town.tenant.slug}/taches/{_task(run, town.validator_b).id}"
    login(client, town.validator_b)
    refused = post(client, url + "/renvoyer", {"to_step": "fin"})
    assert refused.status_code == 422 and "n'est pas une étape précédente" in text(refused)
    assert post(client, url + "/renvoyer", {"to_step": "visa", "comment": "À revoir"}).status_code == 302
    again = _task(run, town.validator_a)
    login(client, town.urgent)
    url = f"/t/{town.tenant.slug}/taches/{again.id}"
    refused = post(client, url + "/urgence", {"reason": ""})
    assert refused.status_code == 422 and "Indiquez le motif de l'urgence." in text(refused)
    not_allowed = post(client, url + "/valider")  # not theirs: only urgency is offered, the engine refuses
    assert not_allowed.status_code == 422 and "Vous ne pouvez pas faire « Valider »" in text(not_allowed)
    assert 'data-action="approve"' not in not_allowed.get_data(as_text=True)
    assert post(client, url + "/urgence", {"reason": "Délai de la subvention"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkflowRun, run.id).state == RunState.COMPLETED


def test_a_committee_member_gives_their_own_opinion_online(client, town, make_circuit, submitted, give_mandate):
    """A step collecting the committee's opinion from its members: each member's page asks for their own
    opinion, without the committee's unanimity or counts; counts posted anyway are not taken; the page of the
    committee's recorded opinion (mode "one") keeps them."""
    give_mandate(town.other_member, town.tenant, town.committee)
    make_circuit(
        town,
        step("visa", persons(town.validator_a), name="Visa juridique"),
        step("avis", {"kind": "members", "assembly": "commission-1"}, name="Avis de la Commission n° 1",
             kind="committee_opinion", mode="all"),
    )  # fmt: skip
    run = submitted(town)
    with context(db.session, SYSTEM):
        engine.approve(_task(run, town.validator_a), town.validator_a)
    url = f"/t/{town.tenant.slug}/taches/{_task(run, town.other_member).id}"
    login(client, town.other_member)
    html = client.get(url).get_data(as_text=True)
    assert _actions(html) == ["give_opinion"]  # one voice among the committee's: no detour, no sending back
    assert "data-members-vote" in html and "Votre avis" in html
    assert 'name="votes_for"' not in html and 'name="unanimous"' not in html
    assert (
        post(client, url + "/avis", {"opinion": "favourable", "votes_for": "12", "unanimous": "y"}).status_code == 302
    )
    action = db.session.execute(
        sa.select(TaskAction).where(TaskAction.run_id == run.id, TaskAction.kind == "give_opinion")
    ).scalar_one()
    assert action.data == {"opinion": "favourable", "unanimous": None}
    db.session.expire_all()
    assert db.session.get(WorkflowRun, run.id).state == RunState.RUNNING  # the president has not answered yet
