"""The French words of a circuit: what a step is, who it asks, how, by when, and what a refusal does. Shared
by the editor's diagram and forms, the dry run and the board of a sitting's reports."""

from flask_babel import lazy_gettext as _l

from saas.identity.mandates.labels import ASSEMBLY_KIND_LABELS, GRANT_LABELS
from saas.identity.models import GrantKind, MandateRole
from saas.tenancy.models import AssemblyKind
from saas.workflow.definitions import TARGET_ASSEMBLY
from saas.workflow.models import AppliesTo, DefinitionStatus, TaskState

STEP_KIND_LABELS = {
    "approval": _l("Visa"),
    "committee_opinion": _l("Avis de commission"),
    "signature": _l("Signature"),
    "information": _l("Information"),
}
MODE_LABELS = {"one": _l("l'un d'eux"), "all": _l("tous, en parallèle")}
WHO_KIND_LABELS = {
    "drafter_service_head": _l("Le chef du service du rédacteur"),
    "drafter": _l("Le rédacteur du rapport"),
    "grant": _l("Les titulaires d'un droit"),
    "role": _l("Les titulaires d'un rôle dans une assemblée"),
    "members": _l("Les membres d'une assemblée, chacun pour soi (présidence comprise)"),
    "persons": _l("Des personnes nommées"),
}
#: who holds a role, in words ("la présidence de « Commission n° 1 »")
ROLE_HOLDERS = {
    MandateRole.PRESIDENT: _l("la présidence"),
    MandateRole.SECRETARY_OF_SITTING: _l("le ou la secrétaire de séance"),
    MandateRole.MEMBER: _l("les membres"),
    MandateRole.STAFF: _l("les agents"),
    MandateRole.GUEST: _l("les invités"),
}
APPLIES_TO_LABELS = {
    AppliesTo.REPORTS: _l("Rapports"),
    AppliesTo.ACTS: _l("Actes à signer"),
    AppliesTo.GROUP_AGREEMENT: _l("Convention de groupement"),
}
TASK_STATE_LABELS = {
    TaskState.OPEN: _l("à traiter"),
    TaskState.WAITING: _l("attend l'avis demandé"),
    TaskState.APPROVED: _l("fait"),
    TaskState.REFUSED: _l("refusé"),
    TaskState.SENT_BACK: _l("renvoyé à une étape précédente"),
    TaskState.INFORMED: _l("informé"),
    TaskState.CANCELLED: _l("sans suite"),
}
#: what each recorded action says in a report's or a task's history
ACTION_LABELS = {
    "submit": _l("Soumis au circuit"),
    "approve": _l("Validé"),
    "refuse": _l("Refusé"),
    "send_back": _l("Renvoyé à une étape précédente"),
    "insert": _l("Avis demandé à une autre personne"),
    "give_opinion": _l("Avis rendu"),
    "validate_urgently": _l("Validé en urgence"),
    "request_signature": _l("Mis dans le parapheur"),
    "sign": _l("Signé"),
    "signature_withdrawn": _l("Demande de signature retirée du parapheur"),
}
DEFINITION_STATUS_LABELS = {DefinitionStatus.ACTIVE: _l("En service"), DefinitionStatus.RETIRED: _l("Retiré")}
TARGET_LABEL = _l("l'assemblée visée par le rapport")
#: the grants a step may name, in the words of the admin screens
STEP_GRANTS = {kind: GRANT_LABELS[kind] for kind in GrantKind}


def applies_to(value: str, assembly_kind: str | None = None) -> str:
    """« Rapports — Conseil », « Actes à signer »…"""
    label = str(APPLIES_TO_LABELS[AppliesTo(value)])
    if assembly_kind:
        return f"{label} — {ASSEMBLY_KIND_LABELS[AssemblyKind(assembly_kind)]}"
    return label


def _assembly(key: str | None, assemblies: dict[str, str]) -> str:
    if key == TARGET_ASSEMBLY:
        return str(TARGET_LABEL)
    return f"« {assemblies.get(key, key)} »"


def describe_who(who: dict, assemblies: dict[str, str], people: dict[str, str] | None = None) -> str:
    """Who a step asks, in words; ``assemblies`` names assemblies by key, ``people`` persons by e-mail."""
    kind = who["kind"]
    if kind == "drafter":
        return "le rédacteur du rapport"
    if kind == "drafter_service_head":
        return "le chef du service du rédacteur"
    if kind == "persons":
        names = [(people or {}).get(email.lower(), email) for email in who["emails"]]
        return ", ".join(names)
    if kind == "grant":
        text = f"les titulaires du droit « {STEP_GRANTS[GrantKind(who['grant'])]} »"
        if who.get("assembly"):
            text += f" pour {_assembly(who['assembly'], assemblies)}"
        return text
    if kind == "members":
        return f"chacun des membres de {_assembly(who['assembly'], assemblies)}"
    return f"{ROLE_HOLDERS[MandateRole(who['role'])]} de {_assembly(who['assembly'], assemblies)}"


def describe_deadline(deadline: dict | None) -> str:
    deadline = deadline or {}
    if "days_after_arrival" in deadline:
        days = deadline["days_after_arrival"]
        if days == 0:
            return "le jour même de son arrivée"
        return f"sous {days} jour{'s' if days > 1 else ''} après son arrivée"
    if "days_before_sitting" in deadline:
        days = deadline["days_before_sitting"]
        return f"au plus tard {days} jour{'s' if days > 1 else ''} avant la séance"
    return "sans délai fixé"


def refuses(step: dict) -> bool:
    """Whether a step's people may refuse (a committee's opinion is advisory, an information asks nothing)."""
    return step["kind"] in ("approval", "signature")


def describe_refusal(step: dict, names: dict[str, str]) -> str:
    """What a refusal at ``step`` does; ``names`` gives the steps' names by key."""
    if step["on_refusal"] == "drafter":
        return "retour au rédacteur, pour une nouvelle version"
    return f"retour à l'étape « {names.get(step['on_refusal'], step['on_refusal'])} »"
