"""The portal's world: the signing fixtures' City (``acts``: the circuit for acts to sign adopted), its sitting's
item n° 1 examining « Équipement numérique » (subject 8.5), Julien Garnier secretary of the sitting; ``held``: the
sitting held and closed, its act made; ``signed_act``: that act generated and signed by the Mayor then the
secretary of the sitting."""

import dataclasses

import pytest
import sqlalchemy as sa

from saas.acts import operations as acts
from saas.core.database import SYSTEM, TenantContext, context
from saas.signing.book.models import SignatureRequest
from saas.sittings.models import AgendaItem
from tests.acts.register.records import hold
from tests.fixtures.signing import sign_as

TITLE = "Équipement numérique – Dématérialisation des documents et procédures"


@dataclasses.dataclass
class Council:
    city: object
    tenant: object
    sitting: object
    item: object
    report: object


@pytest.fixture
def council(session, acts) -> Council:
    city = acts
    with context(session, SYSTEM):
        item = session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == city.sitting.id)).scalar_one()
        item.title = TITLE
        item.rapporteur_id = city.mayor.id
        item.subject_code = "8.5"
        city.sitting.secretary_id = city.secretary.id
        session.flush()
    return Council(city, city.tenant, city.sitting, item, item.report)


@pytest.fixture
def held(session, council):
    """The act of the held sitting, generated (not signed)."""
    act = hold(session, council)
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        return acts.generate_pdf(act)


@pytest.fixture
def signed_act(session, council, held):
    city = council.city
    with context(session, TenantContext(tenant_id=council.tenant.id, person_id=city.secretariat.id)):
        acts.start_signing(held, city.secretariat)
    for signer in (city.mayor, city.secretary):
        with context(session, TenantContext(tenant_id=council.tenant.id)):
            request = session.execute(
                sa.select(SignatureRequest).order_by(SignatureRequest.id.desc()).limit(1)
            ).scalar_one()
        sign_as(session, city, request, signer)
    with context(session, TenantContext(tenant_id=council.tenant.id)):
        assert acts.signed_completely(held)
    return held
