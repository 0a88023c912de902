"""The committee's opinion on a report, as the deliberation quotes it: "sur avis favorable unanime de la
Commission n° 1", "sur avis défavorable de la Commission n° 1 (3 pour, 5 contre, 1 abstention)".

Read from the ``give_opinion`` actions of the report's circuits (``TaskAction.data``: ``opinion`` favourable,
unfavourable or reserved; ``unanimous``; the counts ``for``, ``against``, ``abstain``; see
``saas.workflow.operations.give_opinion``); nothing is stored besides. For each committee step, the latest
round in which it was given counts. A step recording it (mode "one": the committee's secretary or president
giving the committee's vote) is quoted as given; a step collecting it from the members online (mode "all",
``members_vote``) counts their answers as votes — favourable for, unfavourable against, reserved
abstaining — and the majority is the committee's opinion (unanimous when all agree; a tie is reserved).
"""

import dataclasses

import sqlalchemy as sa

from saas.core.extensions import db
from saas.reports.models import Report
from saas.tenancy.models import Assembly
from saas.workflow.definitions import TARGET_ASSEMBLY, members_vote
from saas.workflow.models import Task, TaskAction, WorkflowRun
from saas.workflow.operations import OPINIONS

#: how a committee is named after "avis": the article its name's first word takes
FEMININE = {"commission", "conférence", "délégation", "assemblée"}


@dataclasses.dataclass(frozen=True)
class Opinion:
    #: favourable, unfavourable or reserved
    opinion: str
    unanimous: bool
    #: the counts given ("for", "against", "abstain"), those not given left out
    counts: dict
    #: "de la Commission n° 1"
    committee: str
    comment: str | None = None

    @property
    def phrase(self) -> str:
        """ "avis favorable unanime de la Commission n° 1 (7 pour, 2 contre)" """
        text = f"avis {OPINIONS[self.opinion]}{' unanime' if self.unanimous else ''} {self.committee}"
        if self.counts and not self.unanimous:
            text += f" ({counts_text(self.counts)})"
        return text


def counts_text(counts: dict) -> str:
    parts = []
    if counts.get("for") is not None:
        parts.append(f"{counts['for']} pour")
    if counts.get("against") is not None:
        parts.append(f"{counts['against']} contre")
    if counts.get("abstain"):
        parts.append(f"{counts['abstain']} abstention{'s' if counts['abstain'] > 1 else ''}")
    return ", ".join(parts)


def committee_name(name: str) -> str:
    """ "de la Commission n° 1", "du Bureau", "de l'Assemblée…" — the name as the collectivity writes it."""
    first = name.split(" ", 1)[0].lower()
    if first[:1] in "aeiouyhéèêàâîôû":
        return f"de l'{name}"
    return f"de la {name}" if first in FEMININE else f"du {name}"


def _committee(step: dict, report: Report) -> str:
    """The committee a step asks: the assembly its ``who`` names, else the step's name ("Avis du bureau")."""
    key = (step.get("who") or {}).get("assembly")
    if key:
        query = sa.select(Assembly).where(Assembly.tenant_id == report.tenant_id)
        assembly = db.session.execute(
            query.where(Assembly.id == report.assembly_id)
            if key == TARGET_ASSEMBLY
            else query.where(Assembly.key == key)
        ).scalar_one_or_none()
        if assembly is not None:
            return committee_name(assembly.name)
    name = step["name"]
    if name.lower().startswith("avis "):
        return name[5:]
    return f"de « {name} »"


def _counted(answers: list[dict]) -> tuple[str, bool, dict]:
    """Several members' answers of one round, counted as votes."""
    counts = {"for": 0, "against": 0, "abstain": 0}
    for data in answers:
        counts[{"favourable": "for", "unfavourable": "against"}.get(data["opinion"], "abstain")] += 1
    if counts["for"] > counts["against"]:
        opinion = "favourable"
    elif counts["against"] > counts["for"]:
        opinion = "unfavourable"
    else:
        opinion = "reserved"
    unanimous = len({data["opinion"] for data in answers}) == 1 and opinion != "reserved"
    return opinion, unanimous, counts


def opinions_of(report: Report) -> list[Opinion]:
    """The committees' opinions on ``report``, one per committee step, in the order of the circuit."""
    rows = db.session.execute(
        sa.select(TaskAction, Task, WorkflowRun)
        .join(Task, Task.id == TaskAction.task_id)
        .join(WorkflowRun, WorkflowRun.id == TaskAction.run_id)
        .where(
            WorkflowRun.report_id == report.id,
            WorkflowRun.tenant_id == report.tenant_id,
            TaskAction.kind == "give_opinion",
        )
        .order_by(TaskAction.id)
    ).all()
    latest: dict[str, tuple] = {}
    for action, task, run in rows:
        step = run.version.steps[task.position]
        at = (run.id, task.round)
        kept = latest.get(step["key"])
        if kept is None or kept[0] != at:
            latest[step["key"]] = (at, task.position, step, [action])
        else:
            kept[3].append(action)
    opinions = []
    for _at, _position, step, actions in sorted(latest.values(), key=lambda kept: kept[1]):
        committee = _committee(step, report)
        if not members_vote(step):
            data = actions[-1].data
            counts = {name: data[name] for name in ("for", "against", "abstain") if data.get(name) is not None}
            opinions.append(
                Opinion(data["opinion"], bool(data.get("unanimous")), counts, committee, actions[-1].comment)
            )
        else:
            opinion, unanimous, counts = _counted([action.data for action in actions])
            opinions.append(Opinion(opinion, unanimous, counts, committee))
    return opinions


def quote(report: Report) -> str | None:
    """What the deliberation says: "sur avis favorable unanime de la Commission n° 1" (None without any)."""
    opinions = opinions_of(report)
    if not opinions:
        return None
    return "sur " + " et ".join(opinion.phrase for opinion in opinions)


def agenda_phrase(report: Report) -> str | None:
    """The same for an agenda item's committee opinion: "Avis favorable unanime de la Commission n° 1"."""
    opinions = opinions_of(report)
    if not opinions:
        return None
    text = " et ".join(opinion.phrase for opinion in opinions)
    return text[0].upper() + text[1:]
