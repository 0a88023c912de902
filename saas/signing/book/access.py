"""Tables of saas.signing.book.access."""

from datetime import date

import sqlalchemy as sa
from flask import abort

from saas.core.extensions import db
from saas.identity.models import Mandate, Person, TenantGrant
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest
from saas.signing.models import SigningBatch
from saas.tenancy.models import Tenant


def load_request(tenant: Tenant, request_id: int, person: Person) -> SignatureRequest:
    """A request of ``tenant`` that ``person`` may see: 404 otherwise, exactly like a missing one (a later
    signer does not learn of it before the earlier ones have signed)."""
    signature_request = db.session.get(SignatureRequest, request_id)
    if (
        signature_request is None
        or signature_request.tenant_id != tenant.id
        or not book.may_see(person, signature_request)
    ):
        abort(404)
    return signature_request


def load_batch(tenant: Tenant, batch_id: int, person: Person) -> SigningBatch:
    """A batch of ``tenant`` started by ``person`` (404 otherwise)."""
    batch = db.session.get(SigningBatch, batch_id)
    if batch is None or batch.tenant_id != tenant.id or batch.person_id != person.id:
        abort(404)
    return batch


def candidate_signers(tenant: Tenant) -> list[Person]:
    """Everyone holding a current mandate or a grant in the collectivity, by name."""
    today = date.today()
    mandated = sa.select(Mandate.person_id).where(
        Mandate.tenant_id == tenant.id,
        Mandate.in_office_on(today),
    )
    granted = sa.select(TenantGrant.person_id).where(TenantGrant.tenant_id == tenant.id)
    return list(
        db.session.execute(
            sa.select(Person)
            .where(sa.or_(Person.id.in_(mandated), Person.id.in_(granted)))
            .order_by(Person.last_name, Person.first_name, Person.id)
        ).scalars()
    )


def signers_from(rows: list[tuple[int | None, str]], candidates: list[Person]) -> list[book.Signer]:
    """The signers chosen in order, each a candidate of the collectivity (anyone else is refused)."""
    by_id = {person.id: person for person in candidates}
    signers = []
    for person_id, role in rows:
        if person_id is None:
            continue
        if person_id not in by_id:
            raise book.BookError("Choisissez les signataires parmi les élus et agents de la collectivité.")
        signers.append(book.Signer(by_id[person_id], role))
    return signers
