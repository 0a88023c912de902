"""Collectivities with data for the input tests: one of most things, and a caller who is member,
secretary and admin there (and coordinator of the purchasing group, in the first)."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, commit, context
from saas.core.extensions import db
from saas.documents.annotations.models import Annotation
from saas.documents.operations import add_item_document
from saas.groupement import operations as groupement
from saas.identity.models import GrantKind
from saas.signing.book import operations as book
from saas.sittings import operations as sittings
from saas.sittings.models import SittingStatus
from saas.tenancy.models import TenantKind
from tests.fixtures.pdfs import clean_pdf
from tests.fixtures.web import bearer, login

STARTS_AT = datetime(2027, 3, 15, 17, tzinfo=UTC)


@pytest.fixture
def create_collectivity(session, tmp_path, create_tenant, create_person, give_mandate, give_grant):
    def create(slug: str, coordinator: bool = False) -> dict:
        tenant = create_tenant(slug=slug, kind=TenantKind.REGION, is_coordinator=coordinator)
        caller = create_person(is_coordinator=coordinator)
        colleague = create_person()
        council = tenant.assemblies[0]
        give_mandate(caller, tenant)
        give_mandate(colleague, tenant)
        give_grant(caller, tenant, GrantKind.TENANT_ADMIN)
        give_grant(caller, tenant, GrantKind.SECRETARY, assembly=council)
        with context(session, SYSTEM):
            sitting = sittings.create_sitting(tenant, council, starts_at=STARTS_AT, place="Salle", actor=None)
            item = sittings.add_item(sitting, title="Budget", actor=None)
            sittings.set_status(sitting, SittingStatus.CONVENED, actor=None, at=STARTS_AT - timedelta(days=30))
            pdf = io.BytesIO(clean_pdf(tmp_path / f"{slug}.pdf").read_bytes())
            document = add_item_document(item, "report", "Rapport", pdf, "rapport.pdf", None)
            version = document.current_version
            annotation = Annotation(
                tenant_id=tenant.id,
                person_id=caller.id,
                document_id=document.id,
                document_version_id=version.id,
                assembly_id=council.id,
                page=1,
                kind="note",
                color="#ffd400",
                rects=[[10, 10, 30, 30]],
                body="Note",
            )
            session.add(annotation)
            session.flush()  # before the signature request, which works inside the tenant
            signature_request = book.request_signatures(
                tenant, title="Délibération", signers=[book.Signer(caller, "Président")], actor=caller, version=version
            )
            ids = {
                "sitting_id": sitting.id,
                "item_id": item.id,
                "document_id": document.id,
                "number": 1,
                "annotation_id": annotation.id,
                "request_id": signature_request.id,
                "assembly_id": council.id,
                "person_id": colleague.id,
            }
            if coordinator:
                group = groupement.create_group("Groupement", tenant, "Délibération 1", date(2013, 6, 28), actor=None)
                values = {"reference": "M-1", "title": "Tablettes", "supplier": "T", "start_date": date(2026, 1, 1)}
                contract = groupement.save_contract(group, values, None)
                session.flush()
                ids |= {"contract_id": contract.id, "membership_id": group.memberships[0].id}
            session.flush()
            ids = {name: getattr(value, "id", value) for name, value in ids.items()}
        commit(session)  # the setup's own side effects (files copied, jobs) happen now, not in the first request
        return {"tenant": tenant, "caller": caller, "colleague": colleague, "ids": ids}

    return create


@pytest.fixture
def besancon(create_collectivity):
    return create_collectivity("besancon", coordinator=True)


@pytest.fixture
def signed_in(client, besancon):
    """The caller's browser session, and their bearer token (returned) for the API."""
    login(client, besancon["caller"])
    return bearer(besancon["caller"])


@pytest.fixture
def row_counts(session):
    """Rows of every table: what a request wrote shows here."""

    def count() -> dict[str, int]:
        with context(session, SYSTEM):
            return {
                table.name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in db.metadata.sorted_tables
            }

    return count
