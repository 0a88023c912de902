"""Fixtures of the signature book tests: a City with its Mayor, the secretary of the sitting and the
secretariat, and a sitting whose report is a demo deliberation."""

import io

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context
from saas.demo.signing import deliberation_pdf
from saas.documents.models import Document
from saas.documents.operations import add_document
from saas.identity.models import GrantKind, MandateRole
from saas.sittings.models import AgendaItem
from tests.signing.book.world import City, enrol
from tests.sittings.conftest import audit_events, create_sitting, in_tenant  # noqa: F401 (fixtures)
from tests.storage.conftest import seaweedfs, storage  # noqa: F401 (fixtures)


@pytest.fixture
def city(session, storage, create_tenant, create_person, give_mandate, give_grant, create_sitting):  # noqa: F811
    tenant = create_tenant(name="Ville de Besançon", slug="besancon-test")
    council = tenant.assemblies[0]
    mayor = create_person(first_name="Hélène", last_name="Marchand")
    secretary = create_person(first_name="Julien", last_name="Garnier")
    secretariat = create_person(first_name="Karine", last_name="Prost")
    member = create_person(first_name="Sophie", last_name="Lambert")
    give_mandate(mayor, tenant, role=MandateRole.PRESIDENT)
    give_mandate(secretary, tenant)
    give_mandate(member, tenant)
    give_grant(secretariat, tenant, GrantKind.SECRETARY, assembly=council)
    with context(session, SYSTEM):
        enrol(mayor)
        enrol(secretary)
    sitting = create_sitting(tenant)
    with context(session, TenantContext(tenant_id=tenant.id)):
        item = session.execute(sa.select(AgendaItem).where(AgendaItem.sitting_id == sitting.id)).scalar_one()
        pdf = deliberation_pdf(tenant.name, 44, "Équipement numérique", ["Adopté à l'unanimité."])
        document = add_document(item, "report", "Délibération n° 44", io.BytesIO(pdf), "deliberation-44.pdf", None)
        version = session.get(Document, document.id).current_version
    return City(tenant, sitting, version, mayor, secretary, secretariat, member)
