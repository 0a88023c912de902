"""The French formulas of a deliberation, as data, and the sentences made from them.

The decision sentence of the founding text is: « Après en avoir délibéré et sur avis favorable unanime de la
Commission n° 1, le Conseil Municipal, à l'unanimité des suffrages exprimés, décide d'adopter les propositions du
Rapporteur. » Each part below is one case of it (tests/acts/test_formulas.py has one test per case). Pure
functions of an ``ItemOutcome``: nothing here reads the database.
"""

from saas.sittings.outcomes import BallotType, ItemOutcome, Outcome
from saas.tenancy.models import AssemblyKind, TenantKind

#: the council of each kind of collectivity, as the act names it
COUNCIL_NAMES = {
    TenantKind.COMMUNE: "le Conseil Municipal",
    TenantKind.EPCI: "le Conseil communautaire",
    TenantKind.DEPARTEMENT: "le Conseil départemental",
    TenantKind.REGION: "le Conseil régional",
    TenantKind.SYNDICAT: "le Comité syndical",
}
#: the article of the other assemblies' own name ("la Commission permanente", "le Bureau")
ARTICLES = {AssemblyKind.BUREAU: "le", AssemblyKind.STANDING_COMMITTEE: "la", AssemblyKind.COMMITTEE: "la"}

FORMULAS = {
    "deliberated": "Après en avoir délibéré",
    "debated": "Après en avoir débattu",
    "unanimity": "à l'unanimité des suffrages exprimés",
    "casting_vote": "la voix du président étant prépondérante (article L2121-20 du CGCT)",
    "tie_secret": (
        "les voix étant partagées au scrutin secret, la proposition n'est pas adoptée (article L2121-20 du CGCT)"
    ),
    Outcome.ADOPTED: "décide d'adopter les propositions du Rapporteur",
    Outcome.REJECTED: "décide de ne pas adopter les propositions du Rapporteur",
    Outcome.NOTED: "prend acte de la communication du Rapporteur",
    "named_against": ("A voté contre : {names}.", "Ont voté contre : {names}."),
    "named_abstaining": ("Abstention : {names}.", "Abstentions : {names}."),
    "not_taking_part": ("{names} ne prend pas part au vote.", "{names} ne prennent pas part au vote."),
    "seen": "Vu le rapport présenté par {rapporteur}",
    "seen_without_rapporteur": "Vu le rapport présenté à l'assemblée",
}
#: the ballot types the sentence names (a show of hands goes without saying)
BALLOT_WORDS = {BallotType.NAMED: "au scrutin public", BallotType.SECRET: "au scrutin secret"}

#: the outcomes that make an act: a rejected proposal is a deliberation too (of rejection), and a "prend acte"
#: is recorded by one; a postponed or withdrawn item makes none
ACT_OUTCOMES = (Outcome.ADOPTED, Outcome.REJECTED, Outcome.NOTED)


def assembly_name(tenant_kind: TenantKind, assembly_kind: AssemblyKind, name: str) -> str:
    """ "le Conseil Municipal", "le Conseil communautaire"… for a council; "la Commission permanente" else."""
    if assembly_kind == AssemblyKind.COUNCIL:
        return COUNCIL_NAMES[TenantKind(tenant_kind)]
    return f"{ARTICLES[AssemblyKind(assembly_kind)]} {name}"


def sitting_assembly(sitting) -> str:
    """The name of the assembly that held ``sitting``, as its acts write it."""
    return assembly_name(sitting.tenant.kind, sitting.assembly.kind, sitting.assembly.name)


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def names_list(names: tuple[str, ...] | list[str]) -> str:
    """ "A", "A et B", "A, B et C" """
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} et {names[-1]}"


def plural(count: int, singular: str, many: str) -> str:
    return f"{count} {singular if count <= 1 else many}"


def counts(outcome: ItemOutcome) -> str:
    """ "par 30 voix pour, 5 voix contre et 2 abstentions" (blank ballots when there were)."""
    parts = [f"{outcome.votes_for} voix pour", f"{outcome.votes_against} voix contre"]
    if outcome.abstentions:
        parts.append(plural(outcome.abstentions, "abstention", "abstentions"))
    if outcome.blank:
        parts.append(plural(outcome.blank, "bulletin blanc ou nul", "bulletins blancs ou nuls"))
    return "par " + names_list(parts)


def vote(outcome: ItemOutcome) -> str:
    """How the assembly voted, between its name and its verb: "à l'unanimité des suffrages exprimés", "au
    scrutin public, par 20 voix pour et 12 voix contre", "par 15 voix pour et 15 voix contre, la voix du…"."""
    parts = []
    if outcome.ballot_type in BALLOT_WORDS:
        parts.append(BALLOT_WORDS[outcome.ballot_type])
    one_sided = outcome.votes_against if outcome.outcome == Outcome.ADOPTED else outcome.votes_for
    if outcome.votes_cast > 0 and one_sided == 0:
        unanimity = FORMULAS["unanimity"]
        others = []
        if outcome.abstentions:
            others.append(plural(outcome.abstentions, "abstention", "abstentions"))
        if outcome.blank:
            others.append(plural(outcome.blank, "bulletin blanc ou nul", "bulletins blancs ou nuls"))
        parts.append(f"{unanimity} ({names_list(others)})" if others else unanimity)
    else:
        parts.append(counts(outcome))
        if outcome.casting_vote:
            parts.append(FORMULAS["casting_vote"])
        elif outcome.votes_for == outcome.votes_against and outcome.ballot_type == BallotType.SECRET:
            parts.append(FORMULAS["tie_secret"])
    return ", ".join(parts)


def opinion_clause(opinion: str | None) -> str | None:
    """ "sur avis favorable unanime de la Commission n° 1", from the circuit's quote or the agenda's phrase
    ("Avis favorable unanime de la Commission n° 1")."""
    opinion = " ".join((opinion or "").split()).rstrip(".")
    if not opinion:
        return None
    if opinion.lower().startswith("sur "):
        return "sur " + opinion[4:]
    if opinion.lower().startswith("avis "):
        return "sur avis " + opinion[5:]
    return f"sur avis : {opinion}"


def decision(outcome: ItemOutcome, assembly: str, opinion: str | None) -> str:
    """The decision sentence of the act."""
    opening = FORMULAS["debated" if outcome.outcome == Outcome.NOTED else "deliberated"]
    clause = opinion_clause(opinion)
    if clause:
        opening = f"{opening} et {clause}"
    if outcome.outcome == Outcome.NOTED:
        return f"{opening}, {assembly} {FORMULAS[Outcome.NOTED]}."
    return f"{opening}, {assembly}, {vote(outcome)}, {FORMULAS[Outcome(outcome.outcome)]}."


def _named(key: str, names) -> str:
    singular, many = FORMULAS[key]
    return (singular if len(names) == 1 else many).format(names=names_list(names))


def notes(outcome: ItemOutcome) -> list[str]:
    """The sentences after the decision: who did not take part, and in a named ballot who voted against and
    who abstained (never in a secret ballot)."""
    lines = []
    if outcome.not_taking_part:
        lines.append(_named("not_taking_part", outcome.not_taking_part))
    if outcome.ballot_type == BallotType.NAMED:
        if outcome.names_against:
            lines.append(_named("named_against", outcome.names_against))
        if outcome.names_abstaining:
            lines.append(_named("named_abstaining", outcome.names_abstaining))
    return lines


def seen(rapporteur: str | None) -> str:
    """The visa of the report when it carries no text of its own."""
    if rapporteur:
        return FORMULAS["seen"].format(rapporteur=rapporteur) + ","
    return FORMULAS["seen_without_rapporteur"] + ","


def presence_line(present: int, represented: int, in_office: int) -> str:
    """ "Membres en exercice : 55 — présents : 40 — représentés : 8" """
    return f"Membres en exercice : {in_office} — présents : {present} — représentés : {represented}"


def quorum_line(required: int, present: int, reached: bool, article: str, waived: bool) -> str:
    if waived:
        return (
            "Séance réunie de nouveau après un défaut de quorum : l'assemblée délibère valablement sans condition "
            f"de quorum (article {article} du CGCT)."
        )
    state = "atteint" if reached else "non atteint"
    return f"Quorum : {required} — membres comptés : {present} — quorum {state} (article {article} du CGCT)."
