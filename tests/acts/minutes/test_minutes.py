"""The minutes of a held sitting: debates per item, ready, the approval item proposed on the next sitting in
preparation, approved when that item is adopted, frozen, signed by the president and the secretary of the
sitting in the book (pdfsig), the online deadline; and what is refused."""

import re
from datetime import UTC, date, datetime

import pytest

from saas.acts.minutes import jobs
from saas.acts.minutes import operations as minutes_ops
from saas.acts.minutes.models import MinutesStatus
from saas.core.database import TenantContext, context
from saas.sittings.outcomes import BallotType, Outcome, item_decided
from saas.storage.operations import read_all
from tests.acts.register.records import council_outcome as outcome_for
from tests.acts.register.records import council_presence as presence
from tests.acts.register.records import hold, pdf_text
from tests.fixtures.signing import sign_as
from tests.fixtures.sittings import sitting_items
from tests.fixtures.verifiers import pdfsig

NAMED = dict(
    ballot_type=BallotType.NAMED,
    votes_for=38,
    votes_against=2,
    abstentions=1,
    names_against=("Élu 3", "Élu 4"),
    names_abstaining=("Élu 5",),
)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def held(session, council):
    hold(session, council, outcome_for(council.item.id, **NAMED))
    return council


def test_minutes_drafted_approved_at_the_next_sitting_and_signed(session, held, create_sitting, tmp_path):
    council, city = held, held.city
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretary.id)):
        minutes_ops.save_debate(
            council.sitting, council.item, "Mme X demande le coût.\n\nLe maire répond.", actor=city.secretary
        )
        minutes = minutes_ops.mark_ready(council.sitting, actor=city.secretary)
    assert minutes.status == MinutesStatus.READY and minutes.approval_item_id is None  # no next sitting yet

    later = create_sitting(council.tenant, starts_at=datetime(2027, 4, 12, 16, tzinfo=UTC), convene=False)
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        item = minutes_ops.propose_approval(minutes, actor=city.secretariat)
        assert item.sitting_id == later.id and item.title == "Approbation du procès-verbal de la séance du 15/03/2027"
        assert minutes_ops.propose_approval(minutes, actor=city.secretariat).id == item.id  # proposed once
        draft_text = flat(pdf_text(minutes_ops.render(council.sitting, minutes), tmp_path))
        assert "Projet — prêt pour approbation" in draft_text

        item_decided.send(item, outcome=outcome_for(item.id, decided_at=datetime(2027, 4, 12, 17, tzinfo=UTC)))
        assert minutes.status == MinutesStatus.APPROVED
        assert minutes.online_due_on == date(2027, 4, 19)  # within a week of the approval (L2121-15)
        with pytest.raises(minutes_ops.MinutesError, match="L2121-15"):
            minutes_ops.save_debate(council.sitting, council.item, "changé", actor=city.secretariat)
        jobs.sign_minutes(minutes.id)
        jobs.sign_minutes(minutes.id)  # run twice: one request
        request = minutes.request
        assert [step.person_id for step in request.steps] == [city.mayor.id, city.secretary.id]
        assert [step.role for step in request.steps] == ["Président de séance", "Secrétaire de séance"]
    sign_as(session, city, request, city.mayor)
    sign_as(session, city, request, city.secretary)
    assert minutes.status == MinutesStatus.SIGNED and minutes.signed_at is not None

    with context(session, TenantContext(tenant_id=council.tenant.id)):
        blob, signed = minutes_ops.minutes_file(minutes)
        data = read_all(blob)
    assert signed
    path = tmp_path / "pv.pdf"
    path.write_bytes(data)
    assert pdfsig(path).count("Signature is Valid") == 2
    text = flat(pdf_text(data, tmp_path))
    assert "Procès-verbal de la séance du lundi 15 mars 2027" in text
    assert "Présents (40)" in text and "Élu absent 1 par Élu 1" in text and "Absents (1) : Élu absent 3" in text
    assert "Mme X demande le coût." in text and "Le maire répond." in text
    assert (
        "Adopté à la majorité des suffrages exprimés (38 voix pour, 2 contre, 1 abstention), au scrutin public" in text
    )
    assert "Contre : Élu 3, Élu 4" in text and "Abstention : Élu 5" in text
    assert "Délibération n° 2027-001" in text and "Approuvé par l'assemblée le 12 avril 2027." in text
    assert "Projet" not in text
    assert "Ouverture 18h02" in text and "Clôture 20h40" in text


def test_an_approval_not_adopted_leaves_the_minutes_ready_to_propose_again(session, held, create_sitting):
    council, city = held, held.city
    create_sitting(council.tenant, starts_at=datetime(2027, 4, 12, 16, tzinfo=UTC), convene=False)
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        minutes = minutes_ops.mark_ready(council.sitting, actor=city.secretariat)
        item = minutes.approval_item
        assert item is not None  # proposed at once: a sitting in preparation exists
        postponed = outcome_for(item.id, outcome=Outcome.POSTPONED, ballot_type=None, votes_for=0, reason="reporté")
        item_decided.send(item, outcome=postponed)
        assert minutes.status == MinutesStatus.READY and minutes.approval_item_id is None
        with pytest.raises(minutes_ops.MinutesError, match="déjà prêt"):
            minutes_ops.mark_ready(council.sitting, actor=city.secretariat)


def test_a_sitting_created_after_the_minutes_are_ready_gets_their_approval_on_its_agenda(session, held, create_sitting):
    council, city = held, held.city
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        minutes = minutes_ops.mark_ready(council.sitting, actor=city.secretariat)
    assert minutes.approval_item_id is None
    later = create_sitting(council.tenant, starts_at=datetime(2027, 4, 12, 16, tzinfo=UTC), convene=False, items=0)
    assert minutes.approval_item.sitting_id == later.id and minutes.approval_item.position == 1
    again = create_sitting(council.tenant, starts_at=datetime(2027, 5, 10, 16, tzinfo=UTC), convene=False, items=0)
    assert minutes.approval_item.sitting_id == later.id  # proposed once, on the first sitting that follows
    assert sitting_items(session, again) == []


def test_the_minutes_are_written_by_the_secretary_of_the_sitting_or_the_secretariat_only(session, held):
    council, city = held, held.city
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.member.id)):
        with pytest.raises(minutes_ops.MinutesError, match="secrétaire de séance"):
            minutes_ops.save_debate(council.sitting, council.item, "texte", actor=city.member)
        with pytest.raises(minutes_ops.MinutesError, match="contrôle"):
            minutes_ops.save_debate(council.sitting, council.item, "a\x00b", actor=city.secretariat)
        with pytest.raises(minutes_ops.MinutesError, match="50 000"):
            minutes_ops.save_debate(council.sitting, council.item, "x" * 50_001, actor=city.secretariat)


def test_minutes_wait_for_the_sitting(session, council):
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        with pytest.raises(minutes_ops.MinutesError, match="ouverture de la séance"):
            minutes_ops.save_debate(council.sitting, council.item, "texte", actor=council.city.secretariat)
        with pytest.raises(minutes_ops.MinutesError, match="une fois la séance close"):
            minutes_ops.mark_ready(council.sitting, actor=council.city.secretariat)


def test_online_date_checked(session, held, create_sitting):
    council, city = held, held.city
    create_sitting(council.tenant, starts_at=datetime(2027, 4, 12, 16, tzinfo=UTC), convene=False)
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        minutes = minutes_ops.mark_ready(council.sitting, actor=city.secretariat)
        with pytest.raises(minutes_ops.MinutesError, match="une fois approuvé"):
            minutes_ops.record_minutes_online(minutes, date(2027, 4, 13), actor=city.secretariat)
        item_decided.send(minutes.approval_item, outcome=outcome_for(minutes.approval_item_id))
        with pytest.raises(minutes_ops.MinutesError, match="avant son approbation"):
            minutes_ops.record_minutes_online(minutes, date(2027, 3, 1), actor=city.secretariat)
        with pytest.raises(minutes_ops.MinutesError, match="futur"):  # approved in 2027: still ahead
            minutes_ops.record_minutes_online(minutes, date(2027, 3, 20), actor=city.secretariat)


def test_deadlines():
    assert minutes_ops.late(date(2027, 3, 22), None, date(2027, 3, 22)) is False
    assert minutes_ops.late(date(2027, 3, 22), None, date(2027, 3, 23)) is True
    assert minutes_ops.late(date(2027, 3, 22), date(2027, 3, 21), date(2027, 4, 30)) is False
    assert minutes_ops.late(None, None, date(2027, 4, 30)) is False
    assert minutes_ops.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert minutes_ops.add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)
    assert presence().quorum_reached
