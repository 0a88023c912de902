"""The acts' world: the signing fixtures' City (``acts``: the circuit for acts to sign adopted), its sitting's
item n° 1 examining report « Équipement numérique » quoted with Commission n° 1's favourable unanimous opinion,
Julien Garnier appointed secretary of the sitting; ``outcome_of`` builds the ItemOutcome the votes would send."""

import dataclasses
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.sittings.models import AgendaItem
from saas.sittings.outcomes import BallotType, ItemOutcome, Outcome, Presence

TITLE = "Equipement numérique - Dématérialisation des documents et procédures"


@dataclasses.dataclass
class Council:
    city: object
    tenant: object
    sitting: object
    item: object
    report: object


def presence(**values) -> Presence:
    defaults = dict(
        in_office=55,
        present=tuple(f"Élu {n}" for n in range(40)),
        remote=(),
        represented=(("Élu absent 1", "Élu 1"), ("Élu absent 2", "Élu 2")),
        replaced=(),
        absent=("Élu absent 3",),
        quorum_required=28,
        quorum_present=40,
        quorum_reached=True,
        quorum_article="L2121-17",
    )
    return Presence(**(defaults | values))


def outcome_for(item_id: int, **values) -> ItemOutcome:
    defaults = dict(
        item_id=item_id,
        outcome=Outcome.ADOPTED,
        ballot_type=BallotType.SHOW_OF_HANDS,
        votes_for=42,
        votes_against=0,
        abstentions=0,
        blank=0,
        not_taking_part=(),
        names_against=(),
        names_abstaining=(),
        casting_vote=False,
        presence=presence(),
        decided_at=datetime(2027, 3, 15, 18, 30, tzinfo=UTC),
    )
    return ItemOutcome(**(defaults | values))


@pytest.fixture
def council(session, acts, in_tenant) -> Council:
    city = acts
    with context(session, SYSTEM):
        item = session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == city.sitting.id)).scalar_one()
        item.title = TITLE
        item.committee_opinion = "Avis favorable unanime de la Commission n° 1"
        item.rapporteur_id = city.mayor.id
        item.subject_code = "8.5"
        city.sitting.secretary_id = city.secretary.id
        session.flush()
        report = item.report
    return Council(city, city.tenant, city.sitting, item, report)


@pytest.fixture
def outcome_of():
    return outcome_for
