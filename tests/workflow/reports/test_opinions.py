"""The committee's opinion quoted from the circuit: unanimous or with counts, favourable, unfavourable or
reserved; the latest round counts; members' answers of one round counted as votes; the committee named
with its article."""

import pytest

from saas.core.database import SYSTEM, context
from saas.identity.models import MandateRole
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import TaskState
from saas.workflow.reports.opinions import agenda_phrase, committee_name, opinions_of, quote
from tests.fixtures.workflow import persons, step

COMMITTEE = {"kind": "role", "role": "president", "assembly": "commission-1"}


def open_of(run, key):
    return [t for t in engine.tasks_of(run) if t.state == TaskState.OPEN and t.step_key == key]


@pytest.fixture
def submitted(session, town, make_circuit, make_report):
    make_circuit(
        town,
        step("avis", COMMITTEE, name="Avis de la Commission n° 1", kind="committee_opinion"),
        step("visa", persons(town.validator_a), on_refusal="avis"),
    )
    report = make_report(town)
    with context(session, SYSTEM):
        run = engine.submit(report, town.drafter)
    return report, run


@pytest.mark.parametrize(
    ("opinion", "unanimous", "counts", "expected"),
    [
        ("favourable", True, None, "sur avis favorable unanime de la Commission n° 1"),
        (
            "unfavourable",
            False,
            {"for": 3, "against": 5, "abstain": 1},
            "sur avis défavorable de la Commission n° 1 (3 pour, 5 contre, 1 abstention)",
        ),
        (
            "favourable",
            None,
            {"for": 7, "against": 2, "abstain": 2},
            "sur avis favorable de la Commission n° 1 (7 pour, 2 contre, 2 abstentions)",
        ),
        ("reserved", None, None, "sur avis réservé de la Commission n° 1"),
    ],
)
def test_the_quote_says_what_the_committee_gave(session, town, submitted, opinion, unanimous, counts, expected):
    report, run = submitted
    assert quote(report) is None and agenda_phrase(report) is None
    with context(session, SYSTEM):
        engine.give_opinion(
            open_of(run, "avis")[0], town.committee_president, opinion, unanimous=unanimous, counts=counts
        )
        assert quote(report) == expected
        assert agenda_phrase(report) == "A" + expected[5:]


def test_the_latest_round_counts(session, town, submitted):
    report, run = submitted
    with context(session, SYSTEM):
        engine.give_opinion(open_of(run, "avis")[0], town.committee_president, "unfavourable", unanimous=True)
        engine.refuse(open_of(run, "visa")[0], town.validator_a, "Revoir l'avis en commission")
        engine.give_opinion(open_of(run, "avis")[0], town.committee_president, "favourable", unanimous=True)
        assert quote(report) == "sur avis favorable unanime de la Commission n° 1"


def test_members_answers_are_counted_as_votes(session, town, make_circuit, make_report, create_person, give_mandate):
    members = [create_person(first_name=f"Membre{n}") for n in range(3)]
    for member in members:
        give_mandate(member, town.tenant, town.committee)
    make_circuit(town, step("avis", persons(*members), name="Avis du bureau", kind="committee_opinion", mode="all"))
    report = make_report(town)
    with context(session, SYSTEM):
        run = engine.submit(report, town.drafter)
        tasks = {task.person_id: task for task in open_of(run, "avis")}
        for member, opinion in zip(members, ["favourable", "favourable", "unfavourable"], strict=True):
            engine.give_opinion(tasks[member.id], member, opinion)
        [counted] = opinions_of(report)
        assert (counted.opinion, counted.unanimous, counted.counts) == (
            "favourable",
            False,
            {"for": 2, "against": 1, "abstain": 0},
        )
        assert quote(report) == "sur avis favorable du bureau (2 pour, 1 contre)"


MEMBERS = {"kind": "members", "assembly": "commission-1"}


@pytest.fixture
def members_vote(session, town, make_circuit, make_report, create_person, give_mandate):
    """Commission n° 1 collects its opinion online: its president and two members each give theirs; an agent
    and a guest of the committee are not asked."""
    members = [create_person(first_name=f"Membre{n}") for n in range(2)]
    for member in members:
        give_mandate(member, town.tenant, town.committee)
    for role in (MandateRole.STAFF, MandateRole.GUEST):
        give_mandate(create_person(first_name=role.value), town.tenant, town.committee, role=role)
    make_circuit(
        town,
        step("avis", MEMBERS, name="Avis de la Commission n° 1", kind="committee_opinion", mode="all"),
        step("visa", persons(town.validator_a)),
    )
    report = make_report(town)
    with context(session, SYSTEM):
        run = engine.submit(report, town.drafter)
    return report, run, [town.committee_president, *members]


def test_the_members_of_a_committee_each_give_theirs(session, town, members_vote):
    report, run, voters = members_vote
    with context(session, SYSTEM):
        tasks = {task.person_id: task for task in open_of(run, "avis")}
        assert set(tasks) == {voter.id for voter in voters}
        for voter, opinion in zip(voters, ["favourable", "reserved", "favourable"], strict=True):
            engine.give_opinion(tasks[voter.id], voter, opinion)
        assert quote(report) == "sur avis favorable de la Commission n° 1 (2 pour, 0 contre, 1 abstention)"
        assert [task.step_key for task in open_of(run, "visa")] == ["visa"]


def test_a_member_gives_one_voice_not_the_committees_counts(session, town, members_vote):
    report, run, voters = members_vote
    with context(session, SYSTEM):
        task = next(task for task in open_of(run, "avis") if task.person_id == voters[0].id)
        for given in ({"unanimous": True}, {"counts": {"for": 9}}):
            with pytest.raises(WorkflowError, match="son propre avis"):
                engine.give_opinion(task, voters[0], "favourable", **given)
        assert opinions_of(report) == []
        assert task.state == TaskState.OPEN


def test_one_members_answer_is_counted_too(session, town, make_circuit, make_report):
    """In a members' vote even a single answer is counted, never taken for the committee's own counts."""
    make_circuit(town, step("avis", MEMBERS, name="Avis", kind="committee_opinion", mode="all"))
    report = make_report(town)
    with context(session, SYSTEM):
        run = engine.submit(report, town.drafter)
        [task] = open_of(run, "avis")
        engine.give_opinion(task, town.committee_president, "unfavourable")
        [counted] = opinions_of(report)
        assert (counted.opinion, counted.unanimous, counted.counts) == (
            "unfavourable",
            True,
            {"for": 0, "against": 1, "abstain": 0},
        )


def test_members_name_the_committee_they_sit_in():
    """The schema asks for the assembly whose members give their opinion."""
    raw = {
        "key": "k",
        "name": "K",
        "applies_to": "reports",
        "assembly_kind": "council",
        "steps": [{"key": "avis", "name": "Avis", "kind": "committee_opinion", "who": {"kind": "members"}}],
    }
    with pytest.raises(WorkflowError, match="k.toml.*avis.*assembly"):
        definitions.validate_document("k.toml", raw)


def test_committees_are_named_with_their_article():
    assert committee_name("Commission n° 1") == "de la Commission n° 1"
    assert committee_name("Commission permanente") == "de la Commission permanente"
    assert committee_name("Bureau") == "du Bureau"
    assert committee_name("Assemblée des maires") == "de l'Assemblée des maires"
