"""One action on a task, from its page or the API, handed to the engine (saas.workflow.operations), which
checks ``allowed_actions`` again under the run's lock and refuses in French. What the engine does not check
itself (a step to send back to, a person to ask, the person belongs to the collectivity) is refused here,
before anything is written, without naming anyone of another collectivity."""

from saas.identity.models import Person
from saas.tenancy.models import Tenant
from saas.workflow import operations as engine
from saas.workflow.access import allowed_actions
from saas.workflow.definitions import WorkflowError
from saas.workflow.inbox.access import person_to_ask
from saas.workflow.models import Task

#: what each outcome of the engine means, for the message after an action
OUTCOMES = {
    "completed": "Le circuit est terminé : le rapport est validé.",
    "drafter": "Le rapport retourne à son rédacteur, pour une nouvelle version.",
    "waiting_for_others": "L'étape attend encore les autres personnes sollicitées.",
    "returned": "Votre réponse est transmise à la personne qui vous l'a demandée.",
    "inserted": "La tâche vous reviendra avec sa réponse.",
}


def act(
    tenant: Tenant,
    task: Task,
    person: Person,
    action: str,
    *,
    comment: str | None = None,
    reason: str | None = None,
    metadata: dict | None = None,
    to_step: str | None = None,
    person_id: int | None = None,
    opinion: str | None = None,
    unanimous: bool | None = None,
    counts: dict | None = None,
) -> str:
    """Do ``action`` (the engine's name: approve, refuse, send_back, insert, give_opinion, validate_urgently)
    on ``task`` as ``person``; returns the engine's outcome (the next step's key, "completed"…). An action
    the person may not take goes straight to the engine, which refuses it with its own message."""
    checked = action in allowed_actions(person, task)
    if action == "approve":
        return engine.approve(task, person, comment=comment, metadata=metadata)
    if action == "refuse":
        return engine.refuse(task, person, reason or "", metadata=metadata)
    if action == "send_back":
        if checked and not to_step:
            raise WorkflowError("Choisissez l'étape à laquelle renvoyer le rapport.", field="to_step")
        return engine.send_back(task, person, to_step, comment=comment)
    if action == "insert":
        other = person_to_ask(tenant, task, person, person_id)
        if checked and other is None:
            raise WorkflowError("Choisissez la personne de la collectivité dont vous voulez l'avis.", field="person")
        engine.insert(task, person, other, comment=comment)
        return "inserted"
    if action == "give_opinion":
        return engine.give_opinion(task, person, opinion, unanimous=unanimous, counts=counts, comment=comment)
    if action == "validate_urgently":
        engine.validate_urgently(task.run, person, reason or "")
        return "completed"
    raise WorkflowError(f"Action inconnue : « {action} ».", field="action")


def outcome_message(outcome: str, task: Task) -> str:
    """What followed, in French: the next step's name, or what the outcome means."""
    if outcome in OUTCOMES:
        return OUTCOMES[outcome]
    position = task.run.version.position_of(outcome)
    if position is None:
        return ""
    return f"Le rapport passe à l'étape « {task.run.version.steps[position]['name']} »."
