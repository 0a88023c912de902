"""The demo's signature book: the City's deliberations awaiting the Mayor then the secretary of the sitting,
one awaiting the secretary, one signed by both (valid in pdfsig and in the validation report); idempotent. N° 44
is made at the sitting held (tests/demo/test_demo.py)."""

import sqlalchemy as sa

from saas.core.database import SYSTEM, TenantContext, context
from saas.demo.people import demo_email
from saas.demo.signing import seed_signing
from saas.identity.models import GrantKind, MandateRole
from saas.signing import validation
from saas.signing.book import operations as book
from saas.signing.book.models import SignatureRequest
from saas.storage.operations import read_all
from tests.fixtures.verifiers import pdfsig


def test_demo_deliberations_in_the_book(
    session, storage, create_tenant, create_person, give_mandate, give_grant, tmp_path
):
    city = create_tenant(slug="besancon", name="Ville de Besançon")
    people = {}
    for first, last in (("Hélène", "Marchand"), ("Julien", "Garnier"), ("Karine", "Prost")):
        people[last] = create_person(email=demo_email(first, last), first_name=first, last_name=last)
    give_mandate(people["Marchand"], city, role=MandateRole.PRESIDENT)
    give_mandate(people["Garnier"], city)
    give_grant(people["Prost"], city, GrantKind.SECRETARY, assembly=city.assemblies[0])
    with context(session, SYSTEM):
        seed_signing({"besancon": city})
        seed_signing({"besancon": city})  # again: nothing more
        requests = session.execute(sa.select(SignatureRequest).order_by(SignatureRequest.id)).scalars().all()
        states = [(r.title.split(" – ")[0], [s.status.value for s in r.steps]) for r in requests]
        signed = tmp_path / "signed.pdf"
        signed.write_bytes(read_all(requests[0].current_blob))
    assert states == [
        ("Délibération n° 41", ["signed", "signed"]),
        ("Délibération n° 42", ["signed", "pending"]),
        ("Délibération n° 43", ["pending", "waiting"]),
    ]
    assert [e.title[:18] for e in book.book_for(people["Marchand"])] == ["Délibération n° 43"]
    assert [e.title[:18] for e in book.book_for(people["Garnier"])] == ["Délibération n° 42"]
    assert pdfsig(signed).count("Signature is Valid") == 2
    with context(session, TenantContext(tenant_id=city.id)):
        report = validation.validate(city, signed, "deliberation-41.pdf")
    assert [s.signer for s in report.signatures] == ["Hélène Marchand", "Julien Garnier"]
    assert report.ok and all(s.timestamp and s.timestamp.valid for s in report.signatures)
    assert report.signatures[-1].changes == []
