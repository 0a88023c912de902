"""The acts' world: the signing fixtures' City (``acts``: the circuit for acts to sign adopted), its sitting's
item n° 1 examining report « Équipement numérique » quoted with Commission n° 1's favourable unanimous opinion,
Julien Garnier appointed secretary of the sitting; ``outcome_of`` builds the ItemOutcome the votes would send."""

import dataclasses

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.sittings.models import AgendaItem
from tests.fixtures.outcomes import outcome_for

TITLE = "Equipement numérique - Dématérialisation des documents et procédures"


@dataclasses.dataclass
class Council:
    city: object
    tenant: object
    sitting: object
    item: object
    report: object


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
