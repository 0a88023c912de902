"""The prefecture's world: the signing fixtures' City (``acts``: the circuit for acts to sign adopted) with its
@ctes identity (Doubs, arrondissement 1, a commune), its item n° 1 « Équipement numérique » (subject 8.5) with
one annex, decided; ``act`` is its deliberation as generated, ``signed_act`` the same signed by the Mayor then
the secretary of the sitting."""

import dataclasses
import io

import pytest
import sqlalchemy as sa

from saas.acts import operations as deliberations
from saas.core.database import SYSTEM, TenantContext, context
from saas.documents.operations import add_item_document
from saas.signing.book.models import SignatureRequest
from saas.sittings.models import AgendaItem
from tests.fixtures.outcomes import outcome_for
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.signing import sign_as

TITLE = "Equipement numérique - Dématérialisation des documents et procédures"


@dataclasses.dataclass
class Prefecture:
    city: object
    tenant: object
    item: object
    act: object


@pytest.fixture
def act(session, acts, tmp_path) -> Prefecture:
    city = acts
    with context(session, SYSTEM):
        city.tenant.actes_departement, city.tenant.actes_arrondissement = "025", "1"
        city.tenant.actes_nature, city.tenant.actes_email = "31", "actes@besancon.example.org"
        item = session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == city.sitting.id)).scalar_one()
        item.title, item.subject_code = TITLE, "8.5"
        city.sitting.secretary_id = city.secretary.id
        session.flush()
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        annex = io.BytesIO(clean_pdf(tmp_path / "annexe.pdf", pages=2).read_bytes())
        add_item_document(item, "annex", "Plan de financement", annex, "plan.pdf", None)
        made = deliberations.generate_pdf(deliberations.create_deliberation(item, outcome_for(item.id)))
    return Prefecture(city, city.tenant, item, made)


@pytest.fixture
def signed_act(session, act) -> Prefecture:
    city = act.city
    with context(session, TenantContext(tenant_id=city.tenant.id, person_id=city.secretariat.id)):
        deliberations.start_signing(act.act, city.secretariat)
    for signer in (city.mayor, city.secretary):
        with context(session, TenantContext(tenant_id=city.tenant.id)):
            request = session.execute(
                sa.select(SignatureRequest).order_by(SignatureRequest.id.desc()).limit(1)
            ).scalar_one()
        sign_as(session, city, request, signer)
    with context(session, TenantContext(tenant_id=city.tenant.id)):
        assert deliberations.signed_completely(act.act)
    return act
