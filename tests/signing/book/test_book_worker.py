"""Batch signing through the real job machinery, on an installation of its own that commits for real:
in the production column a separate ``quorum worker`` process signs the documents and applies them to
their requests; in the embedded column the job runs inline after the commit."""

import io
from datetime import date

import sqlalchemy as sa

from saas.core.database import TenantContext, commit, context
from saas.identity import operations as identity
from saas.identity.models import GrantKind, MandateRole, Person
from saas.signing.book import batches as book_batches
from saas.signing.book import operations as book
from saas.signing.book.models import RequestStatus, SignatureRequest
from saas.signing.models import BatchStatus, SigningBatch
from saas.tenancy.models import Assembly, AssemblyKind, Tenant, TenantKind
from tests.fixtures.instances import fresh_app, production, run_worker, system_session
from tests.fixtures.pdfs import deliberation_pdf
from tests.fixtures.signing import enrol, fresh_code


def _person(session, email: str, first: str, last: str) -> Person:
    person = Person(email=email, first_name=first, last_name=last)
    session.add(person)
    session.flush()
    return person


def test_a_batch_is_signed_by_the_worker(tmp_path, smtp_server):
    with fresh_app(tmp_path, "book", smtp_server.port) as app, system_session(app) as session:
        tenant = Tenant(
            slug="ville", name="Ville d'Ornans", kind=TenantKind.COMMUNE, siren="000000777", population=4500
        )
        session.add(tenant)
        session.flush()
        council = Assembly(tenant_id=tenant.id, key="cm", name="Conseil municipal", kind=AssemblyKind.COUNCIL)
        session.add(council)
        session.flush()
        mayor = _person(session, "maire@example.org", "Anne", "Maire")
        secretariat = _person(session, "secretariat@example.org", "Paul", "Secrétariat")
        request = identity.MandateRequest(
            email=mayor.email, first_name="Anne", last_name="Maire", assembly=council,
            role=MandateRole.PRESIDENT, start_date=date(2026, 1, 1),
        )  # fmt: skip
        identity.give_mandate(tenant, request, actor=None)
        identity.give_grant(secretariat, tenant, GrantKind.TENANT_ADMIN, assembly=None, actor=None)
        enrol(mayor)
        commit(session)
        with context(session, TenantContext(tenant_id=tenant.id, person_id=secretariat.id)):
            requests = [
                book.request_signatures(
                    tenant,
                    title=f"Délibération n° {n}",
                    signers=[book.Signer(mayor, "Maire")],
                    actor=secretariat,
                    upload=(io.BytesIO(deliberation_pdf(tenant.name, n, "Objet", ["Adopté."])), f"d{n}.pdf"),
                )  # fmt: skip
                for n in (1, 2)
            ]
            commit(session)
        with context(session, TenantContext(tenant_id=tenant.id, person_id=mayor.id)):
            batch = book_batches.sign_batch(tenant, mayor, requests, fresh_code(mayor))
            batch_id, request_ids = batch.id, [r.id for r in requests]
            commit(session)
        if production():
            run_worker(app)
        session.expire_all()
        with context(session, TenantContext(tenant_id=tenant.id)):
            assert session.get(SigningBatch, batch_id).status == BatchStatus.DONE
            statuses = session.execute(
                sa.select(SignatureRequest.status).where(SignatureRequest.id.in_(request_ids))
            ).scalars()
            assert list(statuses) == [RequestStatus.SIGNED, RequestStatus.SIGNED]
